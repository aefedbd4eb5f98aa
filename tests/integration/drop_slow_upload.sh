#!/bin/bash
# The minimum upload rate: uploads that trickle are cut off once a whole
# window after their first brings less than min_upload_kb_s, rolled back,
# and their slots freed while their clients still hold on; an upload that
# keeps the pace is not. (A window of 2 s here; the default is 120 s.)
. "$(dirname "$0")/lib.sh"

sd_newsroom
sd_conf "$data" min_upload_kb_s 4
sd_conf "$data" min_upload_window_s 2
sd_conf "$data" max_concurrent_uploads 2
sd_start "$data"
port=${SD_URL##*:}
sd_source
sd_raw_client
complete() { sd_sql "$data" "SELECT count(*) FROM submissions"; }

# Two uploads of a byte a second take both slots...
"$SEALDROP_BUILD/tests/trickle" "$port" 2 14 body "$cookie" "$csrf" \
	>"$SD_TMP/trickle.out" &
t=$!
i=0
until grep -q ready "$SD_TMP/trickle.out"; do
	[ $i -lt 100 ] || fail "the slow uploads did not connect"
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
st=$(sd_submit "while both slots are taken") && [ "$st" = 503 ] ||
	fail "a third upload at once: $st"
# ...until the first measured window ends (4 s after they began), and
# then a source gets a slot while the trickling clients still send.
sleep 6
kill -0 $t 2>/dev/null || fail "the slow clients ended early"
st=$(sd_submit "after the slow ones were cut off") && [ "$st" = 200 ] ||
	fail "the slots were not freed: $st"
wait $t
cat "$SD_TMP/trickle.out"
grep -q '^opened 2 closed 2$' "$SD_TMP/trickle.out" ||
	fail "the slow uploads were not cut off"
[ "$(complete)" = 1 ] || fail "not exactly the one normal submission"
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 0")" \
	= 0 ] || fail "a cut-off upload left rows"

# An upload at 64 KiB/s, over three windows, keeps going.
head -c 400000 /dev/urandom >"$SD_TMP/steady.bin"
start=$(date +%s)
st=$(sd_submit "steady" --limit-rate 64K -F "file=@$SD_TMP/steady.bin") &&
	[ "$st" = 200 ] || fail "a steady upload: $st"
[ $(($(date +%s) - start)) -ge 4 ] || fail "the steady upload was too fast"
[ "$(complete)" = 2 ] || fail "the steady upload was not stored"
sd_stop
echo ok
