#!/bin/bash
# The drop deletes a submission on an acknowledgement only when the
# outbox's signing key is one the submission was sealed to: a newsroom
# key added later never read it, so it cannot vouch for it. drop.db keeps
# each submission's recipients; a schema 1 database gets, on migration,
# every key it has then.
. "$(dirname "$0")/lib.sh"

A=$SD_TMP/a B=$SD_TMP/b data=$SD_TMP/data
sd_keygen "$A"
sd_keygen "$B"
keyid() { sed -n 's/^untrusted comment: .* key \([0-9a-f]*\)$/\1/p' "$1/newsroom.pub" | tr a-f A-F; }
A_ID=$(keyid "$A") B_ID=$(keyid "$B")
[ ${#A_ID} = 16 ] && [ ${#B_ID} = 16 ] || fail "no key ids in the .pub files"
# The recipients of submission uid $1, key ids in order, on one line.
recipients() {
	sd_sql "$data" "SELECT hex(k.key_id) FROM submission_keys k
		JOIN submissions s ON s.id = k.submission
		WHERE hex(s.uid) = '$1' ORDER BY 1" | tr '\n' ' '
}
uids() { sd_sql "$data" "SELECT hex(uid) FROM submissions ORDER BY id"; }
# ack KEYDIR UID... : an outbox signed by KEYDIR acknowledging them,
# imported; its summary line is in $SD_TMP/err.
ack() {
	k=$1
	shift
	args=
	for u in "$@"; do
		args="$args --ack $u"
	done
	# shellcheck disable=SC2086
	"$SD_TOOL" outbox "$k" "$SD_TMP/ack.sdo" $args >/dev/null || fail "outbox"
	sd_exits 0 "import" "$SD_BIN" --data "$data" import "$SD_TMP/ack.sdo"
}
summary() { # ACKS IGNORED
	grep -q " $1 acknowledgement(s) (0 for submissions no longer here, $2 ignored: the signing key is not one the submission was sealed to)\$" \
		"$SD_TMP/err" || fail "import said: $(cat "$SD_TMP/err")"
}

sd_init "$data" "$A/newsroom.pub"
sd_start "$data"
sd_source
st=$(sd_submit "sealed to A alone") && [ "$st" = 200 ] || fail "submit: $st"
sd_exits 0 "keys add" "$SD_BIN" --data "$data" keys add "$B/newsroom.pub"
st=$(sd_submit "sealed to A and B") && [ "$st" = 200 ] || fail "submit: $st"
# Large enough to be written in staged pieces before it completes.
head -c 1500000 /dev/urandom >"$SD_TMP/big.bin"
st=$(sd_submit "and a file" -F "file=@$SD_TMP/big.bin;filename=b.bin") &&
	[ "$st" = 200 ] || fail "submit: $st"
set -- $(uids)
[ $# = 3 ] || fail "not three submissions: $*"
S1=$1 S2=$2 S3=$3
[ "$(recipients "$S1")" = "$A_ID " ] || fail "S1's recipients: $(recipients "$S1")"
both=$(printf '%s\n%s\n' "$A_ID" "$B_ID" | LC_ALL=C sort | tr '\n' ' ')
[ "$(recipients "$S2")" = "$both" ] || fail "S2's recipients: $(recipients "$S2")"
[ "$(recipients "$S3")" = "$both" ] || fail "S3's recipients: $(recipients "$S3")"

# S3's pieces are in chunks.db.
pieces() { sqlite3 "$data/chunks.db" "SELECT count(*) FROM chunks WHERE hex(sub) = '$1'"; }
[ "$(pieces "$S3")" -gt 0 ] || fail "S3 has no pieces in chunks.db"

# B acknowledges all three: the one sealed to A alone stays, counted.
ack "$B" "$S1" "$S2" "$S3"
summary 2 1
# S3's pieces went with it, and its journal holds nothing of them.
[ "$(pieces "$S3")" = 0 ] || fail "S3's pieces are still in chunks.db"
[ -z "$(tr -d '\0' <"$data/chunks.db-journal")" ] ||
	fail "chunks.db's journal is not zeroed"
[ "$(uids)" = "$S1" ] || fail "after B's outbox the drop holds: $(uids)"
sd_exits 0 "export" "$SD_BIN" --data "$data" export --out "$SD_TMP/e1"
grep -q 'exported 1 submission(s)' "$SD_TMP/err" ||
	fail "export: $(cat "$SD_TMP/err")"
"$SD_TOOL" open-export "$A" "$SD_TMP/e1" >"$SD_TMP/opened" || fail "open"
[ "$(awk '$1 == "sub" { print toupper($2) }' "$SD_TMP/opened")" = "$S1" ] ||
	fail "the export does not hold S1"

# A's acknowledgement deletes it, and its recipients with it.
ack "$A" "$S1"
summary 1 0
[ -z "$(uids)" ] || fail "after A's outbox the drop holds: $(uids)"
[ "$(sd_sql "$data" 'SELECT count(*) FROM submission_keys')" = 0 ] ||
	fail "recipients outlived their submission"

# A drop made before schema 2: its submissions get every key it has.
st=$(sd_submit "before the migration") && [ "$st" = 200 ] || fail "submit: $st"
sd_stop
S4=$(uids)
sd_sql "$data" "DROP TRIGGER submission_completes;
	DROP TRIGGER submission_goes; ALTER TABLE sources DROP COLUMN stored;
	DROP TABLE submission_keys; DROP TABLE receipts;
	ALTER TABLE reply_uids DROP COLUMN day;
	ALTER TABLE reply_uids DROP COLUMN status; PRAGMA user_version = 1"
sd_exits 0 "status" "$SD_BIN" --data "$data" status
grep -q '^schema version: 4$' "$SD_TMP/out" || fail "status: $(cat "$SD_TMP/out")"
[ "$(recipients "$S4")" = "$both" ] ||
	fail "the migration gave S4: $(recipients "$S4")"
ack "$B" "$S4"
summary 1 0

echo ok
