#!/bin/bash
# What a source has stored and nobody has acknowledged is bounded
# (max_source_mb, at its default here). The drop keeps the count beside
# the source (schema 4) rather than summing every submission at each
# upload: the count must equal the sum after submissions, after an
# acknowledgement and after the migration from schema 3, and the cap
# must refuse what would pass it.
. "$(dirname "$0")/lib.sh"

keys=$SD_TMP/keys data=$SD_TMP/data
sd_keygen "$keys"
cap=$((2048 << 20))
uids() { sd_sql "$data" "SELECT hex(uid) FROM submissions ORDER BY id"; }
# The count and the sum it stands for, of every source, one line each.
counted() {
	sd_sql "$data" "SELECT s.stored, (SELECT coalesce(sum(e.length), 0)
		FROM envelopes e JOIN submissions u ON e.submission = u.id
		WHERE u.source_id = s.id AND u.complete = 1) FROM sources s
		ORDER BY s.id"
}
# Fails unless every source's count is its sum, and the largest is $1
# (any, without it).
count_is() {
	counted | awk -F '|' -v want="${1:-}" '$1 != $2 { bad = 1 }
		$1 > max { max = $1 } END { exit bad || (want != "" &&
		max != want) }' ||
		fail "counts (stored|sum): $(counted | tr '\n' ' '), wanted ${1:-}"
}

sd_init "$data" "$keys/newsroom.pub"
sd_start "$data"
sd_source
count_is 0
st=$(sd_submit "a message") && [ "$st" = 200 ] || fail "submit: $st"
one=$(counted | cut -d '|' -f 1)
[ "$one" -gt 0 ] || fail "nothing counted after a submission"
# Large enough to be written in staged pieces before it completes.
head -c 1500000 /dev/urandom >"$SD_TMP/big.bin"
st=$(sd_submit "and a file" -F "file=@$SD_TMP/big.bin;filename=b.bin") &&
	[ "$st" = 200 ] || fail "submit: $st"
count_is
[ "$(counted | cut -d '|' -f 1)" -gt "$one" ] || fail "the file was not counted"
set -- $(uids)
[ $# = 2 ] || fail "not two submissions: $*"
S1=$1 S2=$2

# An acknowledged submission leaves the count with its rows.
"$SD_TOOL" outbox "$keys" "$SD_TMP/ack.sdo" --ack "$S2" >/dev/null ||
	fail "outbox"
sd_exits 0 "import" "$SD_BIN" --data "$data" import "$SD_TMP/ack.sdo"
[ "$(uids)" = "$S1" ] || fail "after the acknowledgement: $(uids)"
count_is "$one"

# At the cap nothing more is taken; just under it, not what its padding
# would pass; with room, a message is.
id=$(sd_sql "$data" "SELECT id FROM sources WHERE stored > 0")
sd_sql "$data" "UPDATE sources SET stored = $cap WHERE id = $id"
st=$(sd_submit "over the cap") && [ "$st" = 413 ] || fail "at the cap: $st"
sd_sql "$data" "UPDATE sources SET stored = $((cap - 1000)) WHERE id = $id"
st=$(sd_submit "padding passes it") && [ "$st" = 413 ] ||
	fail "1000 bytes under the cap: $st"
sd_sql "$data" "UPDATE sources SET stored = $((cap - (1 << 20))) WHERE id = $id"
st=$(sd_submit "room for this") && [ "$st" = 200 ] ||
	fail "a MiB under the cap: $st"
[ "$(uids | wc -l)" = 2 ] || fail "refused submissions were stored: $(uids)"
sd_stop

# A drop of schema 3 gains the counts, each its sum.
sd_sql "$data" "DROP TRIGGER submission_completes;
	DROP TRIGGER submission_goes; ALTER TABLE sources DROP COLUMN stored;
	PRAGMA user_version = 3"
sd_exits 0 "status" "$SD_BIN" --data "$data" status
grep -q '^schema version: 4$' "$SD_TMP/out" ||
	fail "status: $(cat "$SD_TMP/out")"
count_is
[ "$(counted | cut -d '|' -f 1 | sort -n | tail -1)" -gt "$one" ] ||
	fail "the migration counted: $(counted | tr '\n' ' ')"
echo ok
