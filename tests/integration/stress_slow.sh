#!/bin/bash
# Many slow clients: connections that trickle their headers, and uploads
# that trickle their message, a byte a second each. While they hold their
# connections a normal source still logs in and submits in time, and the
# server's peak memory grows by a bounded amount per connection.
# SD_SLOW sets the number of slow connections (make stress: 1000). Slow
# uploads are fewer than max_concurrent_uploads: each holds an upload
# slot for as long as it keeps sending, so as many as there are slots
# would leave a source none (the limit is the bound on their memory).
. "$(dirname "$0")/lib.sh"

n=${SD_SLOW:-200}
uploads=32
secs=20
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -gt $((n * 2 + 100)) ] ||
	fail "open-file limit $hard is too low for $n connections"
ulimit -n "$hard" 2>/dev/null || ulimit -n $((n * 2 + 100)) ||
	fail "cannot raise the open-file limit"

sd_newsroom
# Room for every slow connection and for the source: the connection
# limit is what bounds them.
sd_conf "$data" max_connections $((n + 50))
sd_conf "$data" connection_timeout_s 60
sd_start "$data"
port=${SD_URL##*:}

# A source for the slow uploads, made before counting memory (sign-up's
# Argon2 run is a peak of its own).
sd_source
sd_raw_client
echo 5 2>/dev/null >"/proc/$SD_PID/clear_refs"
base=$(awk '/^VmHWM/ { print $2 }' "/proc/$SD_PID/status")

"$SEALDROP_BUILD/tests/trickle" "$port" $((n - uploads)) $secs head \
	>"$SD_TMP/head.out" &
t1=$!
"$SEALDROP_BUILD/tests/trickle" "$port" $uploads $secs body "$cookie" \
	"$csrf" >"$SD_TMP/body.out" &
t2=$!
i=0
until grep -q ready "$SD_TMP/head.out" && grep -q ready "$SD_TMP/body.out"
do
	[ $i -lt 300 ] || fail "the slow clients did not connect"
	sleep 0.1
	i=$((i + 1))
done
# One thread per connection: wait until the server holds them all.
i=0
while threads=$(awk '/^Threads/ { print $2 }' "/proc/$SD_PID/status") &&
	[ "$threads" -lt "$n" ]; do
	[ $i -lt 100 ] || fail "only $threads threads for $n connections:" \
		"$(cat "$SD_TMP/head.out" "$SD_TMP/body.out")"
	sleep 0.1
	i=$((i + 1))
done
echo "server threads while the slow clients wait: $threads"

# A normal source, in a fresh session, while every slow one is held.
rm -f "$SD_JAR"
start=$(date +%s)
st=$(sd_login "$codename") && [ "$st" = 303 ] || fail "login: $st"
st=$(sd_submit "while others trickle") && [ "$st" = 200 ] ||
	fail "a normal submission during the slow clients: $st"
echo "a normal source was served in $(($(date +%s) - start))s"

wait $t1 $t2
cat "$SD_TMP/head.out" "$SD_TMP/body.out"
opened=$(awk '/^opened/ { s += $2 } END { print s }' "$SD_TMP/head.out" \
	"$SD_TMP/body.out")
closed=$(awk '/^opened/ { s += $4 } END { print s }' "$SD_TMP/head.out" \
	"$SD_TMP/body.out")
[ "$opened" = "$n" ] || fail "only $opened of $n slow connections opened"
[ "$closed" = 0 ] || fail "$closed slow connections were closed early"

peak=$(awk '/^VmHWM/ { print $2 }' "/proc/$SD_PID/status")
echo "peak memory: $((peak / 1024)) MiB, $((base / 1024)) MiB before"
# A connection holds its memory pool (connection_memory_kb, 64 KiB) and
# the part of a thread's stack in use; an upload also its own database
# connection and buffers. The login adds one Argon2 run (64 MiB).
# Instrumented builds use several times more.
limit=$((base + n * 160 + uploads * 1024 + 80 * 1024))
grep -q __asan_init "$SD_BIN" && limit=$((base + n * 2048 + 600 * 1024))
[ "$peak" -lt "$limit" ] || fail "peak memory $peak KiB over $limit KiB"
sd_stop
# What the slow uploads sent was rolled back when they went.
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions")" = 1 ] ||
	fail "not exactly the one normal submission stored"
echo ok
