#!/bin/bash
# Many slow clients, at the configuration `sealdrop init` writes: nothing
# is raised for the test. Connections that trickle their request heads a
# byte a second, and uploads that trickle their message; while they are
# held a normal source signs up, submits and logs in, each within 10 s,
# and the server's memory grows by a bounded amount per held connection
# (printed). Then more trickling heads than the door holds: the oldest
# make way, and a source is still served.
# SD_SLOW sets the number of slow heads (2000, at most 4096: more would
# make some of them give way), SD_SLOW_UPLOADS
# the slow uploads (100).
. "$(dirname "$0")/lib.sh"

n=${SD_SLOW:-2000}
uploads=${SD_SLOW_UPLOADS:-100}
secs=20
need=$((n + uploads + 4500))
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -gt "$need" ] ||
	fail "open-file limit $hard is too low for $need connections"
ulimit -n "$hard" 2>/dev/null || ulimit -n "$need" ||
	fail "cannot raise the open-file limit"

sd_newsroom
sd_start "$data"
port=${SD_URL##*:}

# within SECONDS WHAT COMMAND...: runs it, fails unless it took at most
# SECONDS.
within() {
	lim=$1 what=$2
	shift 2
	t0=$(date +%s%N)
	"$@" || fail "$what"
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "$what: ${ms} ms"
	[ "$ms" -le $((lim * 1000)) ] || fail "$what took ${ms} ms"
}

# A source for the slow uploads, made before counting memory (sign-up's
# Argon2 run is a peak of its own).
sd_source
sd_raw_client
echo 5 2>/dev/null >"/proc/$SD_PID/clear_refs"
base=$(awk '/^VmHWM/ { print $2 }' "/proc/$SD_PID/status")

"$SEALDROP_BUILD/tests/trickle" "$port" "$n" $secs head \
	>"$SD_TMP/head.out" &
t1=$!
"$SEALDROP_BUILD/tests/trickle" "$port" "$uploads" $secs body "$cookie" \
	"$csrf" >"$SD_TMP/body.out" &
t2=$!
i=0
until grep -q ready "$SD_TMP/head.out" && grep -q ready "$SD_TMP/body.out"
do
	[ $i -lt 300 ] || fail "the slow clients did not connect"
	sleep 0.1
	i=$((i + 1))
done
sleep 2
echo "server threads while the slow clients wait: $(awk '/^Threads/ { print $2 }' "/proc/$SD_PID/status")"

# A normal source, in a fresh session, while every slow one is held.
signup() { rm -f "$SD_JAR"; c2=$(sd_new_source) && [ -n "$c2" ]; }
submit() { st=$(sd_submit "while others trickle") && [ "$st" = 200 ]; }
login() { rm -f "$SD_JAR"; st=$(sd_login "$codename") && [ "$st" = 303 ]; }
within 10 "sign-up during the flood" signup
within 10 "submission during the flood" submit
within 10 "login during the flood" login

wait $t1 $t2
cat "$SD_TMP/head.out" "$SD_TMP/body.out"
opened=$(awk '/^opened/ { s += $2 } END { print s }' "$SD_TMP/head.out" \
	"$SD_TMP/body.out")
closed=$(awk '/^opened/ { s += $4 } END { print s }' "$SD_TMP/head.out" \
	"$SD_TMP/body.out")
[ "$opened" = $((n + uploads)) ] ||
	fail "only $opened of $((n + uploads)) slow connections opened"
[ "$closed" = 0 ] || fail "$closed slow connections were closed early"

peak=$(awk '/^VmHWM/ { print $2 }' "/proc/$SD_PID/status")
held=$((n + uploads))
echo "peak memory: $((peak / 1024)) MiB, $((base / 1024)) MiB before;" \
	"$(((peak - base) / held)) KiB per held connection" \
	"($n heads at the door, $uploads uploads)"
# A head at the door is a few dozen bytes and its socket's kernel buffers
# (not the server's memory); an upload holds a thread, its connection's
# memory pool (connection_memory_kb) and buffers, and its own database
# connection. The sign-up and login add Argon2 runs (64 MiB each).
# Instrumented builds use several times more.
limit=$((base + n * 4 + uploads * 1536 + 160 * 1024))
grep -q __asan_init "$SD_BIN" && limit=$((base + n * 64 + uploads * 8192 + 600 * 1024))
[ "$peak" -lt "$limit" ] || fail "peak memory $peak KiB over $limit KiB"

# More heads than the door holds (max_waiting_connections, 4096): the
# oldest make way, none is refused at the door, and a source is served.
over=$((4096 + 200))
"$SEALDROP_BUILD/tests/trickle" "$port" $over 8 head >"$SD_TMP/over.out" &
t3=$!
i=0
until grep -q ready "$SD_TMP/over.out"; do
	[ $i -lt 300 ] || fail "the slow heads did not connect"
	sleep 0.1
	i=$((i + 1))
done
within 10 "login past a full door" login
wait $t3
cat "$SD_TMP/over.out"
gone=$(awk '/^opened/ { print $4 }' "$SD_TMP/over.out")
[ "$gone" -ge 200 ] || fail "only $gone heads made way at a full door"
sd_stop
# What the slow uploads sent was rolled back when they went.
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions")" = 1 ] ||
	fail "not exactly the one normal submission stored"
echo ok
