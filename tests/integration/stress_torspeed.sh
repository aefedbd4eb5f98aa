#!/bin/bash
# A thousand sources on slow Tor circuits upload at once, at the
# configuration `sealdrop init` writes (nothing is raised for the test):
# each sends a file at a few kB a second for 20 s, while another visitor
# asks for the landing page ten times a second. Every upload is answered
# 200 and stored; the server's peak memory and the page's p99 are
# printed. SD_TOR_UPLOADS sets the uploads (1000), SD_TOR_KBS their rate
# in kB/s (5 here; `make stress` and the benchmark use 50, 1 MB each).
. "$(dirname "$0")/lib.sh"

n=${SD_TOR_UPLOADS:-1000}
kbs=${SD_TOR_KBS:-5}
B=$SEALDROP_BUILD/bench/bench
[ -x "$B" ] || fail "no $B (make builds it with the tests)"
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] || [ "$hard" -gt $((n + 256)) ] ||
	fail "open-file limit $hard is too low for $n connections"
ulimit -n "$hard" 2>/dev/null || ulimit -n $((n + 256)) ||
	fail "cannot raise the open-file limit"

sd_newsroom
sd_start "$data"
port=${SD_URL##*:}
sd_source
sd_raw_client
echo 5 2>/dev/null >"/proc/$SD_PID/clear_refs"
base=$(awk '/^VmHWM/ { print $2 }' "/proc/$SD_PID/status")
set -- $("$B" torspeed "$port" "$cookie" "$csrf" "$n" "$kbs" 20) ||
	fail "torspeed"
[ "$#" = 4 ] || fail "torspeed printed no figures"
peak=$(awk '/^VmHWM/ { print $2 }' "/proc/$SD_PID/status")
echo "$1 of $n answered 200, $4 refused or cut off; GET / p99 $2 ms" \
	"($3 ms alone); peak memory $((peak / 1024)) MiB," \
	"$((base / 1024)) MiB before"
[ "$1" = "$n" ] || fail "only $1 of $n slow uploads were stored"
got=$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 1")
[ "$got" = "$n" ] || fail "$n answered 200, $got stored"
sd_stop
echo ok
