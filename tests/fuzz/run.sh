#!/bin/sh
# Replays every fuzz target's corpus, then fuzzes each for a bounded time.
#   tests/fuzz/run.sh FUZZDIR SECONDS
# FUZZDIR holds the built targets (fuzz_NAME). Seeds come from
# tests/fuzz/corpus/NAME/ and from tests/vectors/; new inputs go to a
# scratch directory, so the committed corpus only changes by hand.
# A crash input is kept in FUZZDIR/crashes/ to be made a regression vector.
set -u
fuzzdir=$1
secs=${2:-10}
top=$(cd "$(dirname "$0")/../.." && pwd)
fuzzdir=$(cd "$fuzzdir" && pwd)
cd "$top" || exit 2
export SEALDROP_TOP="$top"
vec="$top/tests/vectors"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$fuzzdir/crashes"
status=0

# seed NAME PREFIX FILE...: copies files into the scratch seed directory,
# each behind the mode bytes PREFIX (a printf format, "" for none).
seed() {
	name=$1 prefix=$2; shift 2
	mkdir -p "$work/$name.seed"
	for f in "$@"; do
		[ -f "$f" ] || continue
		{ printf "$prefix"; cat "$f"; } > "$work/$name.seed/$(basename "$f")"
	done
}

seed fuzz_pubkey "" "$vec"/keys/*.pub*
seed fuzz_seckey "" "$vec"/keys/*.key*
seed fuzz_envelope '\000\377' "$vec"/envelope/*.env
seed fuzz_export '\000' "$vec"/bundle/*.bin
# Mode 1 signs again with the target's own key: the vectors' structure,
# past the signature check.
for f in "$vec"/bundle/*.bin; do
	{ printf '\001'; cat "$f"; } > "$work/fuzz_export.seed/signed-$(basename "$f")"
done
seed fuzz_outbox '\000' "$vec"/bundle/outbox*.bin
seed fuzz_drop_po '\000' "$top"/po/*.po

for bin in "$fuzzdir"/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	seeds="$work/$name.seed"
	mkdir -p "$seeds" "$work/$name.new"
	[ -d "$top/tests/fuzz/corpus/$name" ] &&
		cp "$top/tests/fuzz/corpus/$name"/* "$seeds"/ 2>/dev/null
	# Slow targets (Argon2 per parsed input) get a per-input timeout.
	opts="-timeout=30 -rss_limit_mb=4096 -artifact_prefix=$fuzzdir/crashes/$name-"
	if ! "$bin" $opts -runs=0 "$seeds" >"$work/$name.replay" 2>&1; then
		echo "FAIL $name: corpus replay"; tail -n 30 "$work/$name.replay"
		status=1; continue
	fi
	if ! "$bin" $opts -max_total_time="$secs" "$work/$name.new" "$seeds" \
	    >"$work/$name.log" 2>&1; then
		echo "FAIL $name: fuzzing found a crash"; tail -n 40 "$work/$name.log"
		status=1; continue
	fi
	runs=$(grep -o 'Done [0-9]* runs' "$work/$name.log" | tail -n 1)
	echo "ok $name: corpus $(ls "$seeds" | wc -l) inputs; ${runs:-no count} in ${secs}s"
done
exit $status
