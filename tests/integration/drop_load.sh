#!/bin/bash
# Fifty uploads of a few MiB at once all succeed, and the server's peak
# memory stays bounded: each upload holds a fixed amount, whatever its
# size.
. "$(dirname "$0")/lib.sh"

sd_newsroom
sd_start "$data"
sd_source
st=$(sd_req GET /submit) && csrf=$(sd_csrf)
head -c 3000000 /dev/urandom >"$SD_TMP/upload.bin"
# Sign-up's Argon2 run set the peak so far: start counting afresh where
# the kernel lets us (writing 5 resets VmHWM to the current size).
echo 5 2>/dev/null >"/proc/$SD_PID/clear_refs"
base=$(awk '/^VmHWM/ { print $2 }' "/proc/$SD_PID/status")

n=50
pids=
for i in $(seq $n); do
	curl -sS --max-time 50 -b "$SD_JAR" -o /dev/null -w '%{http_code}\n' \
		-F "csrf=$csrf" --form-string "message=upload $i" \
		-F "file=@$SD_TMP/upload.bin" "$SD_URL/submit" \
		>"$SD_TMP/status.$i" &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
for i in $(seq $n); do
	[ "$(cat "$SD_TMP/status.$i")" = 200 ] ||
		fail "upload $i: $(cat "$SD_TMP/status.$i")"
done
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 1")" \
	= $n ] || fail "not $n submissions stored"
peak=$(awk '/^VmHWM/ { print $2 }' "/proc/$SD_PID/status")
echo "peak memory: $((peak / 1024)) MiB (before the uploads: $((base / 1024)) MiB)"

# 150 MiB went through; the server held a small part of that at once.
# Instrumented builds keep freed memory in quarantine: more room there.
limit=$((base + 120 * 1024))
grep -q __asan_init "$SD_BIN" && limit=$((base + 600 * 1024))
[ "$peak" -lt "$limit" ] || fail "peak memory $peak KiB over $limit KiB"
sd_stop
echo ok
