#!/bin/sh
# Runs every test of one build directory: the cmocka unit tests, then the
# integration scripts against the real binaries. Prints one line per test
# program and a closing "N passed, N failed" line; exits non-zero on any
# failure.
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$top" && cd "$build" && pwd)
export SEALDROP_BUILD="$build" SEALDROP_TOP="$top"
logdir="$build/test-logs"
mkdir -p "$logdir"
pass=0 fail=0 failed=""

run() { # name, command...
	name=$1; shift
	start=$(date +%s)
	if "$@" >"$logdir/$name.log" 2>&1; then
		pass=$((pass + 1)); verdict=ok
	else
		fail=$((fail + 1)); verdict=FAIL; failed="$failed $name"
	fi
	echo "$verdict $name ($(( $(date +%s) - start ))s)"
	if [ $verdict = FAIL ]; then
		tail -n 40 "$logdir/$name.log" | sed 's/^/    /'
	fi
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	run "$(basename "$t")" "$t"
done
for t in "$top"/tests/integration/*.sh; do
	# *lib.sh are helpers the scripts source, not tests.
	case $t in *lib.sh) continue ;; esac
	[ -f "$t" ] || continue
	run "$(basename "$t" .sh)" bash "$t"
done

[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
