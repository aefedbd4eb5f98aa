#!/bin/bash
# Sessions and forms against floods, at the configuration `sealdrop init`
# writes: 10,000 anonymous GETs change nothing for a source in the middle
# of a form, nor for a logged-in one; one codename logged in again and
# again keeps three sessions and fills nothing; an expired or unknown form
# session gets its own page, never the failed-login one; a submission of
# a thousand one-byte files is refused with its own page and stores
# nothing, one of a hundred stores no more than a few MB; pending sources
# from before today are gone after a restart.
. "$(dirname "$0")/lib.sh"

sd_newsroom
sd_start "$data"
gets=${SD_GETS:-10000}

# flood N: N anonymous GETs of /, 50 at a time, each with no cookie.
flood() {
	for i in $(seq 1 "$1"); do echo "url = \"$SD_URL/\""; done >"$SD_TMP/urls"
	curl -s --no-progress-meter --parallel --parallel-max 50 -K "$SD_TMP/urls" \
		-o /dev/null -w '%{http_code}\n' >"$SD_TMP/flood.st"
	[ "$(grep -c '^200$' "$SD_TMP/flood.st")" = "$1" ] ||
		fail "flood: $(sort "$SD_TMP/flood.st" | uniq -c)"
}

# A visitor opens the landing page, then everyone else floods; its form
# still works.
SD_JAR=$SD_TMP/jar.a
st=$(sd_req GET /) && [ "$st" = 200 ] || fail "GET /: $st"
csrf=$(sd_csrf)
flood "$gets"
st=$(sd_req POST /new --data-urlencode "csrf=$csrf") &&
	[ "$st" = 200 ] || fail "POST /new after the flood: $st"
codename=$(sed -n 's|.*<p id="codename">\([^<]*\)</p>.*|\1|p' "$SD_BODY")
[ -n "$codename" ] || fail "no codename after the flood"
# A logged-in source opens its form, the flood comes, it submits.
st=$(sd_req GET /submit) && [ "$st" = 200 ] || fail "GET /submit: $st"
csrf=$(sd_csrf)
flood "$gets"
st=$(sd_req POST /submit -F "csrf=$csrf" --form-string "message=after a flood")
[ "$st" = 200 ] || fail "submission after the flood: $st"
echo "a source's forms survived $gets anonymous requests, twice"

# One codename, many logins: three sessions live, the oldest end.
for i in 1 2 3 4 5 6; do
	SD_JAR=$SD_TMP/jar.l$i
	st=$(sd_login "$codename") && [ "$st" = 303 ] || fail "login $i: $st"
done
live=0
for i in 1 2 3 4 5 6; do
	SD_JAR=$SD_TMP/jar.l$i
	st=$(sd_req GET /replies)
	[ "$st" = 200 ] && live=$((live + 1))
done
[ "$live" = 3 ] || fail "$live sessions of one source live, not 3"
SD_JAR=$SD_TMP/jar.l1
st=$(sd_req GET /replies) && [ "$st" = 303 ] || fail "the oldest session still works: $st"
SD_JAR=$SD_TMP/jar.l6
st=$(sd_req GET /replies) && [ "$st" = 200 ] || fail "the newest session ended: $st"
# The landing page and the login form never need room.
SD_JAR=$SD_TMP/jar.x
st=$(sd_req GET /) && [ "$st" = 200 ] || fail "GET /: $st"
st=$(sd_req GET /login) && [ "$st" = 200 ] || fail "GET /login: $st"

# The failed-login page and the expired-form page say different things.
SD_JAR=$SD_TMP/jar.f
st=$(sd_login "wrong codename words") && [ "$st" = 403 ] || fail "wrong: $st"
cp "$SD_BODY" "$SD_TMP/failed.html"
grep -q 'the codename was not' "$SD_TMP/failed.html" || fail "failed-login page"
# A form from before a restart: the ticket is no longer valid.
SD_JAR=$SD_TMP/jar.e
st=$(sd_req GET /login) && [ "$st" = 200 ] || fail "GET /login: $st"
csrf=$(sd_csrf)
sd_stop
sd_start "$data"
st=$(sd_req POST /login --data-urlencode "csrf=$csrf" \
	--data-urlencode "codename=$codename")
[ "$st" = 403 ] || fail "login with an expired form: $st"
sd_check_response "expired form"
grep -q 'This page has expired' "$SD_BODY" || fail "not the expired page"
grep -q 'nothing was sent' "$SD_BODY" || fail "the page does not say nothing was sent"
grep -q 'codename' "$SD_BODY" && fail "the expired page speaks of the codename"
# A wrong token in a live session is the expired page too, and so is a
# submission after the session is gone, in the page's language.
SD_JAR=$SD_TMP/jar.e2
st=$(sd_req GET '/?l=ru') && [ "$st" = 200 ] || fail "GET /: $st"
st=$(sd_req POST /new --data-urlencode "csrf=00$(sd_csrf | cut -c3-)")
[ "$st" = 403 ] || fail "a wrong token: $st"
grep -q 'Срок действия страницы истёк' "$SD_BODY" || fail "not the Russian expired page"
SD_JAR=$SD_TMP/jar.s
sd_source
sd_raw_client
sd_stop
sd_start "$data"
st=$(sd_req POST /submit -F "csrf=$csrf" --form-string "message=late")
[ "$st" = 403 ] || fail "a submission after a restart: $st"
grep -q 'This page has expired' "$SD_BODY" || fail "late submission: not the expired page"

# Files: a thousand one-byte files are refused whole with their own page;
# a hundred are taken, and cost a bounded amount of disk.
SD_JAR=$SD_TMP/jar.files
sd_source
before=$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 1")
printf x >"$SD_TMP/one"
args=()
for i in $(seq 1 1000); do args+=(-F "file=@$SD_TMP/one;filename=f$i.txt"); done
st=$(sd_submit "many files" "${args[@]}")
[ "$st" = 413 ] || fail "1000 files: $st"
grep -q 'Too many files' "$SD_BODY" || fail "not the too-many-files page"
grep -q 'archive' "$SD_BODY" || fail "the page does not suggest an archive"
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 1")" = "$before" ] ||
	fail "1000 files stored something"
# Its staged rows go as the request ends (the completion callback rolls
# them back), just after the page is sent.
i=0
until [ "$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 0")" = 0 ]; do
	[ $i -lt 50 ] || fail "rows of the refused submission left behind"
	sleep 0.1
	i=$((i + 1))
done
st=$(sd_submit "a hundred files" "${args[@]:0:200}")
[ "$st" = 200 ] || fail "100 files: $st"
bytes=$(sd_sql "$data" "SELECT sum(e.length) FROM envelopes e JOIN submissions s ON e.submission = s.id WHERE s.id = (SELECT max(id) FROM submissions)")
echo "100 one-byte files stored $bytes bytes"
[ "$bytes" -le $((4 << 20)) ] || fail "100 one-byte files stored $bytes bytes"

# Pending sources from before today go at the next start; today's stay.
sd_stop
today=$(( $(date -u +%s) / 86400 ))
sd_sql "$data" "INSERT INTO sources(lookup, reply_pk, day) VALUES (randomblob(32), randomblob(32), $((today - 1)))"
sd_sql "$data" "INSERT INTO sources(lookup, reply_pk, day) VALUES (randomblob(32), randomblob(32), $today)"
old=$(sd_sql "$data" "SELECT count(*) FROM sources WHERE pending = 1 AND day < $today")
[ "$old" -ge 1 ] || fail "no old pending source to prune"
sd_start "$data"
[ "$(sd_sql "$data" "SELECT count(*) FROM sources WHERE pending = 1 AND day < $today")" = 0 ] ||
	fail "a pending source from yesterday is still there"
[ "$(sd_sql "$data" "SELECT count(*) FROM sources WHERE pending = 1 AND day = $today")" -ge 1 ] ||
	fail "today's pending source was pruned"
sd_stop
echo ok
