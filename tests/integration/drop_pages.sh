#!/bin/bash
# The source interface page by page: every route and status, the headers
# on every response, no script and nothing from elsewhere, CSRF refusal,
# sign-up, login by words and by digits, the one failure page, logout and
# session expiry.
. "$(dirname "$0")/lib.sh"
top=${SEALDROP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}

sd_newsroom
sd_conf "$data" session_idle_s 3
sd_conf "$data" newsroom_name 'The <Daily> "Post"'
sd_start "$data"

expect() { # status, what, method, path, curl args...
	want=$1 what=$2
	shift 2
	st=$(sd_req "$@") || fail "$what: curl failed"
	[ "$st" = "$want" ] || fail "$what: $st, not $want"
	sd_check_response "$what"
}

# Pages anyone may see.
expect 200 "landing" GET /
grep -q '<form method="post" action="/new"' "$SD_BODY" || fail "no /new form"
grep -q 'href="/login"' "$SD_BODY" || fail "no link to /login"
grep -q 'The &lt;Daily&gt; &quot;Post&quot;' "$SD_BODY" ||
	fail "the newsroom name is not escaped"
grep -qi '^Set-Cookie: sd=[0-9a-f]\{64\}; HttpOnly; SameSite=Strict; Path=/' \
	"$SD_HDRS" || fail "no session cookie: $(cat "$SD_HDRS")"
csrf=$(sd_csrf)
[ ${#csrf} = 64 ] || fail "no csrf token on the landing page"
st=$(sd_req HEAD / -I) && [ "$st" = 200 ] || fail "HEAD /: $st"
grep -q '^X-Frame-Options: DENY' "$SD_HDRS" || fail "HEAD: headers"
expect 200 "landing in English" GET "/?l=en"
expect 200 "an unknown language" GET "/?l=xx%3Cscript%3E"
expect 200 "stylesheet" GET /style.css
grep -qi '^Content-Type: text/css' "$SD_HDRS" || fail "css type"
grep -q 'margin-inline' "$SD_BODY" || fail "not our stylesheet"
expect 200 "login page" GET /login
grep -q '<form method="post" action="/login"' "$SD_BODY" || fail "login form"
grep -q 'name="codename"' "$SD_BODY" || fail "no codename field"
expect 303 "submit when logged out" GET /submit
[ "$(sd_header Location)" = /login ] || fail "submit: not sent to /login"
expect 303 "replies when logged out" GET /replies
expect 404 "no such page" GET /nothing-here
expect 404 "a path with dots" GET /../etc/passwd --path-as-is
expect 405 "GET of a form target" GET /new
[ -n "$(sd_header Allow)" ] || fail "405 without Allow"
expect 405 "DELETE /" DELETE /
expect 403 "submit while logged out" POST /submit -F "csrf=$csrf" \
	-F "message=hello"

# Every form refuses a missing or wrong token.
for path in /new /login /logout /replies/delete /replies/delete-all; do
	expect 403 "$path without csrf" POST "$path" --data "x=1"
	expect 403 "$path with a wrong csrf" POST "$path" \
		--data "csrf=$(printf '%064d' 0)"
done
expect 413 "an oversized form" POST /login \
	--data "csrf=$csrf&codename=$(head -c 9000 /dev/zero | tr '\0' a)"

# Sign-up: the codename once, as words, digits and a QR code.
expect 200 "new source" POST /new --data-urlencode "csrf=$csrf"
words=$(sed -n 's|.*<p id="codename">\([^<]*\)</p>.*|\1|p' "$SD_BODY")
digits=$(sed -n 's|.*<p class="digits">\([^<]*\)</p>.*|\1|p' "$SD_BODY")
[ "$(echo "$words" | wc -w)" = 7 ] || fail "codename '$words'"
[ "$(echo "$digits" | tr -d ' ' | wc -c)" = 29 ] || fail "digits '$digits'"
grep -q '<figure id="codename-qr">' "$SD_BODY" || fail "no QR element"
grep -q '<svg ' "$SD_BODY" || fail "no inline svg"
grep -q '<path fill="#000" d="M' "$SD_BODY" || fail "an empty QR code"
new_csrf=$(sd_csrf)
[ "$new_csrf" != "$csrf" ] || fail "the token did not change at sign-up"
expect 200 "submit form" GET /submit
grep -q '<form method="post" action="/submit" enctype="multipart/form-data">' \
	"$SD_BODY" || fail "submit form"
grep -q '<textarea id="message" name="message"' "$SD_BODY" || fail "message"
grep -q '<input type="file" id="file" name="file" multiple>' "$SD_BODY" ||
	fail "file field"
grep -q 'name="website"' "$SD_BODY" || fail "no honeypot"
expect 200 "replies, none yet" GET /replies
grep -q 'class="reply"' "$SD_BODY" && fail "replies out of nowhere"

# Logout ends the session for good.
csrf=$(sd_csrf)
cp "$SD_JAR" "$SD_TMP/old-jar"
expect 200 "logout" POST /logout --data-urlencode "csrf=$csrf"
grep -qi '^Set-Cookie: sd=;.*Max-Age=0' "$SD_HDRS" || fail "cookie not cleared"
grep -q 'New Identity' "$SD_BODY" || fail "no New Identity advice"
SD_JAR=$SD_TMP/old-jar expect 303 "the old session after logout" \
	GET /replies

# Login by words, then by digits, in fresh browsers.
rm -f "$SD_JAR"
st=$(sd_login "$words") && [ "$st" = 303 ] || fail "login by words: $st"
sd_check_response "login"
[ "$(sd_header Location)" = /replies ] || fail "login goes elsewhere"
expect 200 "replies after login" GET /replies
grep -q 'href="/submit"' "$SD_BODY" || fail "replies page: no way to submit"
rm -f "$SD_JAR"
st=$(sd_login "$digits") && [ "$st" = 303 ] || fail "login by digits: $st"
rm -f "$SD_JAR"
upper=$(echo "$words" | tr a-z A-Z | tr ' ' '-')
st=$(sd_login "  $upper ") && [ "$st" = 303 ] || fail "login, upper: $st"

# Failure: one page whatever the reason, and the same work.
rm -f "$SD_JAR"
unknown=$(awk -F '\t' 'NR <= 7 { printf "%s ", $2 }' \
	"$top/crypto/eff_large_wordlist.txt")
t0=$(date +%s%N)
st=$(sd_login "$unknown") && [ "$st" = 403 ] || fail "unknown: $st"
t1=$(date +%s%N)
sd_check_response "unknown codename"
cp "$SD_BODY" "$SD_TMP/unknown.html"
st=$(sd_login "not a codename at all") && [ "$st" = 403 ] ||
	fail "unparsable: $st"
t2=$(date +%s%N)
cmp -s "$SD_BODY" "$SD_TMP/unknown.html" ||
	fail "the failure pages differ: $(diff "$SD_BODY" "$SD_TMP/unknown.html")"
# Each includes the GET /login before; Argon2 dominates both.
[ $(( (t2 - t1) * 3 )) -ge $(( t1 - t0 )) ] ||
	fail "an unparsable codename was answered much faster"

# Sessions expire when idle (3 s here).
rm -f "$SD_JAR"
st=$(sd_login "$words") && [ "$st" = 303 ] || fail "login: $st"
expect 200 "replies" GET /replies
sleep 4
expect 303 "replies after the session expired" GET /replies

sd_stop
# One line on stdout, nothing on stderr: no access log.
[ "$(wc -l <"$SD_TMP/serve.out")" = 1 ] || fail "serve printed more"
[ -s "$SD_TMP/serve.err" ] && fail "serve wrote: $(cat "$SD_TMP/serve.err")"

# Over the failed-login budget, logins get 503 with Retry-After.
sd_conf "$data" failed_logins_per_min 2
sd_start "$data"
# Keep the test inside one minute of the clock.
[ "$(date +%S)" -lt 45 ] || sleep $((61 - $(date +%S)))
rm -f "$SD_JAR"
for i in 1 2; do
	st=$(sd_login "wrong $i") && [ "$st" = 403 ] || fail "failure $i: $st"
done
st=$(sd_login "$words") && [ "$st" = 503 ] || fail "over budget: $st"
sd_check_response "login over budget"
# It waited its turn for a token (kdf_wait_s), then says when the bucket,
# refilling evenly, has room again: at 2 a minute, within 30 seconds.
ra=$(sd_header Retry-After)
[ -n "$ra" ] && [ "$ra" -ge 1 ] && [ "$ra" -le 31 ] || fail "Retry-After: '$ra'"
sd_stop

# One Argon2 slot and a short wait: a burst of logins gets some 503s.
sd_conf "$data" failed_logins_per_min 100000
sd_conf "$data" kdf_workers 1
sd_conf "$data" kdf_wait_s 1
sd_start "$data"
pids=
for i in $(seq 40); do
	(
		SD_JAR=$SD_TMP/jar.$i SD_BODY=$SD_TMP/body.$i
		SD_HDRS=$SD_TMP/hdrs.$i
		echo "$(sd_login "$words")" >"$SD_TMP/status.$i"
	) &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
grep -l 503 "$SD_TMP"/status.* >/dev/null || fail "no 503 from a busy pool"
grep -l 303 "$SD_TMP"/status.* >/dev/null || fail "no login got through"
for f in $(grep -l 503 "$SD_TMP"/status.*); do
	grep -q '^Retry-After: ' "$SD_TMP/hdrs.${f##*.}" ||
		fail "busy pool: no Retry-After"
done
sd_stop
echo ok
