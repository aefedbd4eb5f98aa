#!/bin/bash
# An Argon2 flood: 200 sign-ups and logins at once. Every request is
# served or gets the 503 page with Retry-After, and the server's peak
# memory stays within what the derivation pool allows: kdf_workers runs
# of argon2_memlimit_mb each, plus a margin for the connections.
. "$(dirname "$0")/lib.sh"

n=${SD_FLOOD:-200}
workers=2 memlimit=64

sd_newsroom
sd_conf "$data" kdf_workers $workers
sd_conf "$data" kdf_wait_s 5
grep -q "^#argon2_memlimit_mb = $memlimit\$" "$data/sealdrop.conf" ||
	fail "argon2_memlimit_mb is not $memlimit MiB by default"
sd_start "$data"
sd_source

# A session and form token for each request, made beforehand.
for i in $(seq $n); do
	jar=$SD_TMP/jar.$i
	if [ $((i % 2)) = 0 ]; then page=/; else page=/login; fi
	curl -sS --max-time 20 -c "$jar" -o "$SD_TMP/page.$i" "$SD_URL$page" ||
		fail "GET $page"
	sed -n 's|.*name="csrf" value="\([0-9a-f]*\)".*|\1|p' \
		"$SD_TMP/page.$i" | head -n 1 >"$SD_TMP/csrf.$i"
done
echo 5 2>/dev/null >"/proc/$SD_PID/clear_refs"
base=$(awk '/^VmHWM/ { print $2 }' "/proc/$SD_PID/status")

start=$(date +%s)
pids=
for i in $(seq $n); do
	csrf=$(cat "$SD_TMP/csrf.$i")
	if [ $((i % 2)) = 0 ]; then
		set -- /new --data-urlencode "csrf=$csrf"
	elif [ $((i % 4)) = 1 ]; then
		set -- /login --data-urlencode "csrf=$csrf" \
			--data-urlencode "codename=$codename"
	else
		set -- /login --data-urlencode "csrf=$csrf" \
			--data-urlencode "codename=not a codename $i"
	fi
	path=$1
	shift
	curl -sS --max-time 60 -b "$SD_TMP/jar.$i" -o "$SD_TMP/out.$i" \
		-D "$SD_TMP/hdr.$i" -w '%{http_code}\n' "$@" "$SD_URL$path" \
		>"$SD_TMP/status.$i" 2>&1 &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
echo "$n requests in $(($(date +%s) - start))s"

served=0 busy=0
for i in $(seq $n); do
	st=$(cat "$SD_TMP/status.$i")
	if [ $((i % 2)) = 0 ]; then ok=200
	elif [ $((i % 4)) = 1 ]; then ok=303
	else ok=403; fi
	case $st in
	"$ok") served=$((served + 1)) ;;
	503)
		busy=$((busy + 1))
		grep -qi '^Retry-After: [0-9]' "$SD_TMP/hdr.$i" ||
			fail "request $i: 503 without Retry-After"
		grep -q '<html lang=' "$SD_TMP/out.$i" ||
			fail "request $i: 503 without its page"
		;;
	*) fail "request $i: status $st, wanted $ok or 503" ;;
	esac
done
echo "served $served, busy $busy"
[ "$served" -ge $workers ] || fail "hardly anything served"

peak=$(awk '/^VmHWM/ { print $2 }' "/proc/$SD_PID/status")
echo "peak memory: $((peak / 1024)) MiB, $((base / 1024)) MiB before"
# The pool's bound, and 240 KiB for each connection: its thread's stack,
# its memory pool, its page.
limit=$((base + workers * memlimit * 1024 + n * 240))
grep -q __asan_init "$SD_BIN" && limit=$((limit + 400 * 1024))
[ "$peak" -le "$limit" ] || fail "peak memory $peak KiB over $limit KiB"

# Still serving, and the flood left no one logged in who should not be.
st=$(sd_login "$codename") && [ "$st" = 303 ] || st=$(sd_login "$codename")
[ "$st" = 303 ] || [ "$st" = 503 ] || fail "login after the flood: $st"
sd_stop
echo ok
