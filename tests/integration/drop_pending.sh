#!/bin/bash
# The cap on pending sources (a codename made, nothing sent yet): past
# max_pending_sources, POST /new answers the 503 page with Retry-After and
# stores nothing; a source that sends something no longer counts.
. "$(dirname "$0")/lib.sh"

sd_newsroom
sd_conf "$data" max_pending_sources 2
sd_start "$data"
sources() { sd_sql "$data" "SELECT count(*) FROM sources"; }

first=$(sd_new_source)
[ -n "$first" ] || fail "no first codename"
second=$(sd_new_source)
[ -n "$second" ] || fail "no second codename"
[ "$(sources)" = 2 ] || fail "not 2 sources"

# Full: the sign-up form still shows, and its POST is refused.
st=$(sd_req GET /) && [ "$st" = 200 ] || fail "GET /: $st"
csrf=$(sd_csrf)
st=$(sd_req POST /new --data-urlencode "csrf=$csrf") && [ "$st" = 503 ] ||
	fail "a third pending source: $st"
[ "$(sd_header Retry-After)" = 60 ] || fail "503 without Retry-After"
sd_check_response "503 pending"
grep -q 'id="codename"' "$SD_BODY" && fail "a codename on the 503 page"
[ "$(sources)" = 2 ] || fail "a source was stored while full"

# The second source (this session's) sends something: room again.
st=$(sd_submit "no longer pending") && [ "$st" = 200 ] ||
	fail "submit: $st"
[ "$(sd_sql "$data" "SELECT count(*) FROM sources WHERE pending = 1")" = 1 ] ||
	fail "the source that sent something still counts"
third=$(sd_new_source)
[ -n "$third" ] || fail "no codename once there was room"
[ "$(sources)" = 3 ] || fail "not 3 sources"
st=$(sd_req GET /) && csrf=$(sd_csrf)
st=$(sd_req POST /new --data-urlencode "csrf=$csrf") && [ "$st" = 503 ] ||
	fail "full again: $st"
[ "$(sources)" = 3 ] || fail "a source was stored while full again"
sd_stop

# Sign-ups at once cannot pass the cap together: with room for three
# more, eight at once make exactly three.
sd_conf "$data" max_pending_sources 5
sd_start "$data"
pids=
for i in $(seq 8); do
	(
		SD_JAR=$SD_TMP/jar.$i SD_BODY=$SD_TMP/body.$i
		SD_HDRS=$SD_TMP/hdrs.$i
		st=$(sd_req GET /) && csrf=$(sd_csrf)
		echo "$(sd_req POST /new --data-urlencode "csrf=$csrf")" \
			>"$SD_TMP/st.$i"
	) &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
[ "$(cat "$SD_TMP"/st.* | grep -c '^200$')" = 3 ] ||
	fail "not three of eight at once: $(cat "$SD_TMP"/st.*)"
[ "$(cat "$SD_TMP"/st.* | grep -c '^503$')" = 5 ] ||
	fail "not five 503s: $(cat "$SD_TMP"/st.*)"
[ "$(sd_sql "$data" "SELECT count(*) FROM sources WHERE pending = 1")" = 5 ] ||
	fail "not five pending sources"
sd_stop
echo ok
