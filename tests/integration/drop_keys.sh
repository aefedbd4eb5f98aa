#!/bin/bash
# Key rotation on a running drop: `sealdrop keys` adds a second newsroom
# key and retires the first while serve runs. Each change counts from the
# next upload and the next import; sources keep their codenames; every
# refusal changes nothing.
. "$(dirname "$0")/lib.sh"

old=$SD_TMP/old new=$SD_TMP/new data=$SD_TMP/data
sd_keygen "$old"
sd_keygen "$new"
keyid() { sed -n 's/^untrusted comment: .* key \([0-9a-f]*\)$/\1/p' "$1/newsroom.pub"; }
old_id=$(keyid "$old") new_id=$(keyid "$new")
[ ${#old_id} = 16 ] && [ ${#new_id} = 16 ] || fail "no key ids in the .pub files"

keys() { "$SD_BIN" --data "$data" keys "$@"; }
# The ids `sealdrop keys` lists, one a line.
listed() {
	sd_exits 0 "keys" keys
	sed -n 's/^newsroom key \([0-9a-f]\{16\}\) fingerprint [0-9a-f ]\{39\}$/\1/p' \
		"$SD_TMP/out"
}
newsroom_keys() { sd_sql "$data" "SELECT hex(id) FROM newsroom_keys ORDER BY 1"; }
# Exports, acknowledges what it held with an outbox signed by KEYDIR,
# and prints the uid of each submission that export held.
drain() {
	sd_exits 0 "export" "$SD_BIN" --data "$data" export --out "$SD_TMP/drain"
	"$SD_TOOL" open-export "$1" "$SD_TMP/drain" >"$SD_TMP/opened" ||
		fail "drain: $1 cannot open the export"
	acks=$(awk '$1 == "sub" { printf " --ack %s", $2 }' "$SD_TMP/opened")
	# shellcheck disable=SC2086
	"$SD_TOOL" outbox "$1" "$SD_TMP/drain.sdo" $acks >/dev/null ||
		fail "outbox"
	sd_exits 0 "import the acknowledgements" "$SD_BIN" --data "$data" \
		import "$SD_TMP/drain.sdo"
	awk '$1 == "sub" { print $2 }' "$SD_TMP/opened"
}

sd_init "$data" "$old/newsroom.pub"
[ "$(listed)" = "$old_id" ] || fail "keys does not list the key from init"
sd_start "$data"
codename=$(sd_new_source)
st=$(sd_submit "sealed to the old key alone") && [ "$st" = 200 ] ||
	fail "submit: $st"

# Add the second key while serve runs: it prints the fingerprint, as
# init does, and the next submission is sealed to both keys.
sd_exits 0 "keys add" keys add "$new/newsroom.pub"
fpr=$(sed -n "s/^newsroom key $new_id fingerprint \(.*\)\$/\1/p" "$SD_TMP/out")
[ -n "$fpr" ] || fail "keys add did not print the new key's fingerprint"
[ "$(listed)" = "$(printf '%s\n%s' "$old_id" "$new_id")" ] ||
	fail "keys does not list both keys, oldest first"
st=$(sd_submit "sealed to both keys") && [ "$st" = 200 ] || fail "submit: $st"
sd_exits 0 "export" "$SD_BIN" --data "$data" export --out "$SD_TMP/e1"
"$SD_TOOL" open-export "$new" "$SD_TMP/e1" >/dev/null 2>"$SD_TMP/err" &&
	fail "the new key opens a submission sent before it was added"
grep -q 'not encrypted to any of our keys' "$SD_TMP/err" ||
	fail "the new key: $(cat "$SD_TMP/err")"

# An outbox signed by the new key is accepted at once.
[ "$(drain "$old" | wc -l)" = 2 ] || fail "the old key does not open both"
st=$(sd_submit "sealed to both keys, again") && [ "$st" = 200 ] ||
	fail "submit: $st"
sd_exits 0 "export" "$SD_BIN" --data "$data" export --out "$SD_TMP/e2"
"$SD_TOOL" open-export "$old" "$SD_TMP/e2" >"$SD_TMP/by_old" ||
	fail "the old key cannot open a submission made after the add"
[ "$(drain "$new")" = "$(awk '$1 == "sub" { print $2 }' "$SD_TMP/by_old")" ] ||
	fail "the new key does not open what the old one does"
sd_exits 0 "export" "$SD_BIN" --data "$data" export --out "$SD_TMP/e3"
"$SD_TOOL" open-export "$old" "$SD_TMP/e3" >"$SD_TMP/opened" || fail "open"
grep -q '^sub ' "$SD_TMP/opened" &&
	fail "an outbox signed by the new key did not acknowledge"

# Refusals, each one line, exit 2, nothing changed.
before=$(newsroom_keys)
sd_exits 2 "a duplicate" keys add "$old/newsroom.pub"
sd_one_line "a duplicate"
grep -q "$old_id" "$SD_TMP/err" || fail "a duplicate: the error names no key"
printf 'untrusted comment: sealdrop newsroom public key 0\nnot base64!\n' \
	>"$SD_TMP/bad.pub"
sd_exits 2 "a malformed .pub" keys add "$SD_TMP/bad.pub"
sd_one_line "a malformed .pub"
grep -q bad.pub "$SD_TMP/err" || fail "a malformed .pub: the file is not named"
sed '2s/^\(.\{20\}\)./\1A/' "$new/newsroom.pub" >"$SD_TMP/changed.pub"
cmp -s "$SD_TMP/changed.pub" "$new/newsroom.pub" &&
	sed -i '2s/^\(.\{20\}\)./\1B/' "$SD_TMP/changed.pub"
sd_exits 2 "a .pub whose key id does not match" keys add "$SD_TMP/changed.pub"
sd_exits 2 "a missing .pub" keys add "$SD_TMP/nothing.pub"
sd_one_line "a missing .pub"
sd_exits 2 "keys add without a file" keys add
sd_exits 2 "keys remove without an id" keys remove
sd_exits 2 "an unknown verb" keys rotate "$old_id"
sd_exits 2 "too many arguments" keys add "$old/newsroom.pub" extra
sd_exits 2 "keys --pubkey" keys --pubkey "$new/newsroom.pub"
unknown=0123456789abcdef
[ "$unknown" = "$old_id" ] || [ "$unknown" = "$new_id" ] && unknown=fedcba9876543210
sd_exits 2 "an unknown id" keys remove "$unknown"
sd_one_line "an unknown id"
sd_exits 2 "a prefix too short" keys remove "${old_id:0:7}"
sd_exits 2 "not hex" keys remove "${old_id:0:8}xyz"
sd_exits 2 "an id too long" keys remove "${old_id}0"
sd_exits 2 "no database" "$SD_BIN" --data "$SD_TMP/none" keys
sd_one_line "no database"
[ "$(newsroom_keys)" = "$before" ] || fail "a refusal changed the keys"

# Retire the old key, by the first 8 digits of its id, in capitals.
sd_exits 0 "keys remove" keys remove "$(echo "${old_id:0:8}" | tr a-f A-F)"
grep -q "^newsroom key $old_id fingerprint" "$SD_TMP/out" ||
	fail "keys remove did not say which key it removed"
[ "$(listed)" = "$new_id" ] || fail "keys does not list the new key alone"

# Its outboxes are refused and change nothing; the source's codename
# still logs in; new submissions are no longer sealed to it.
st=$(sd_submit "sealed to the new key alone") && [ "$st" = 200 ] ||
	fail "submit: $st"
sd_exits 0 "export" "$SD_BIN" --data "$data" export --out "$SD_TMP/e4"
"$SD_TOOL" open-export "$new" "$SD_TMP/e4" >"$SD_TMP/opened" ||
	fail "the new key cannot open a submission made after the removal"
sub=$(awk '$1 == "sub" { print $2 }' "$SD_TMP/opened")
[ -n "$sub" ] || fail "no submission in the export"
"$SD_TOOL" open-export "$old" "$SD_TMP/e4" >/dev/null 2>"$SD_TMP/err" &&
	fail "the removed key opens a new submission"
grep -q 'not encrypted to any of our keys' "$SD_TMP/err" ||
	fail "the removed key: $(cat "$SD_TMP/err")"
snapshot() { sqlite3 -cmd '.timeout 10000' "$data/drop.db" .dump | sd_hash; }
"$SD_TOOL" outbox "$old" "$SD_TMP/o_old" --ack "$sub" >/dev/null || fail "outbox"
before=$(snapshot)
sd_exits 1 "an outbox signed by the removed key" "$SD_BIN" --data "$data" \
	import "$SD_TMP/o_old"
sd_one_line "an outbox signed by the removed key"
[ "$(snapshot)" = "$before" ] || fail "a refused outbox changed something"
: >"$SD_JAR"
st=$(sd_login "$codename") && [ "$st" = 303 ] ||
	fail "the codename no longer logs in after a rotation: $st"

# The last key stays.
sd_exits 2 "the last key" keys remove "$new_id"
sd_one_line "the last key"
[ "$(listed)" = "$new_id" ] || fail "the last key was removed"

# A prefix that names two keys is refused (the second row is made by
# hand: two real ids sharing 8 digits would take 2^32 tries).
twin=${new_id:0:8}00000000
[ "$twin" = "$new_id" ] && twin=${new_id:0:8}11111111
sd_sql "$data" "INSERT INTO newsroom_keys VALUES
	(x'$twin', randomblob(32), randomblob(32))"
sd_exits 2 "an ambiguous prefix" keys remove "${new_id:0:8}"
sd_one_line "an ambiguous prefix"
sd_exits 0 "a whole id beside a twin" keys remove "$twin"
[ "$(listed)" = "$new_id" ] || fail "the whole id removed the wrong key"

# At most 16 keys, as an envelope has recipients.
sd_sql "$data" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1
	FROM n WHERE i < 15) INSERT INTO newsroom_keys
	SELECT randomblob(8), randomblob(32), randomblob(32) FROM n"
before=$(newsroom_keys)
sd_exits 2 "a 17th key" keys add "$old/newsroom.pub"
sd_one_line "a 17th key"
[ "$(newsroom_keys)" = "$before" ] || fail "a 17th key was added"

sd_exits 0 "status" "$SD_BIN" --data "$data" status
sd_stop
echo ok
