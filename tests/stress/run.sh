#!/bin/sh
# The stress scripts at full size: tests/integration/stress_*.sh, which
# `make check` runs small, here with 20 crash rounds, 2,000 slow
# heads, 20 export rounds and 1,000 uploads of 1 MB at 50 kB/s. Prints one line per script and how long it took.
#   tests/stress/run.sh BUILD
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$top" && cd "${1:-build}" && pwd)
export SEALDROP_BUILD="$build" SEALDROP_TOP="$top"
export SD_ROUNDS=20 SD_SLOW=2000 SD_FLOOD=200 SD_TOR_KBS=50
logdir="$build/stress-logs"
mkdir -p "$logdir"
status=0
for t in "$top"/tests/integration/stress_*.sh; do
	name=$(basename "$t" .sh)
	start=$(date +%s)
	if bash "$t" >"$logdir/$name.log" 2>&1; then
		verdict=ok
	else
		verdict=FAIL status=1
	fi
	echo "$verdict $name ($(( $(date +%s) - start ))s)"
	[ $verdict = ok ] || tail -n 20 "$logdir/$name.log" | sed 's/^/    /'
done
exit $status
