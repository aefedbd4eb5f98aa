# sealdrop-admin import: all or nothing, idempotent, hostile bundles
# refused whole. Uses the committed bundle vectors.
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

H=$AT/h
adm_test_home "$H"

# A home pins the drop's key at its first import: without --trust, or with
# a fingerprint that is not the bundle's, nothing is imported and the
# message shows the key's line and how to pin it.
adm_rc 1 --home "$H" import "$VEC/bundle/export.bin"
[ "$(wc -l <"$AT/err")" = 1 ] || fail "unpinned: not one line"
grep -q "drop key [0-9a-f]\{16\} fingerprint $VEC_FPR, which this home has not pinned" \
	"$AT/err" || fail "unpinned: $(cat "$AT/err")"
grep -q -- "--trust '$VEC_FPR'" "$AT/err" || fail "no --trust hint: $(cat "$AT/err")"
[ "$(sqlite3 "$H/archive.db" 'SELECT count(*) FROM sources')" = 0 ] ||
	fail "an unpinned export was imported"
wrong=$(echo "$VEC_FPR" | sed 's/^./0/; t; s/^/0/')
[ "$wrong" != "$VEC_FPR" ] || wrong=$(echo "$VEC_FPR" | sed 's/^./1/')
adm_rc 1 --home "$H" import "$VEC/bundle/export.bin" --trust "$wrong"
grep -q 'not by the fingerprint given' "$AT/err" || fail "mismatch: $(cat "$AT/err")"
adm_rc 2 --home "$H" import "$VEC/bundle/export.bin" --trust "not hex"
adm_rc 0 --home "$H" drops
grep -q 'No drop key is pinned' "$AT/out" || fail "drops: $(cat "$AT/out")"
[ "$(sqlite3 "$H/archive.db" 'SELECT count(*) FROM sources')" = 0 ] ||
	fail "a refused export was imported"

# A forged export pins nothing: it fails after --trust was accepted.
adm_rc 1 --home "$H" import "$VEC/bundle/flipped-byte.bin" --trust "$VEC_FPR"
[ "$(sqlite3 "$H/archive.db" 'SELECT count(*) FROM drops')" = 0 ] ||
	fail "a bundle that does not verify pinned its key"

# Spaces are optional and case does not matter.
adm_rc 0 --home "$H" --passphrase-file "$VEC/keys/test.pass" \
	import "$VEC/bundle/export.bin" --trust "$(echo "$VEC_FPR" | tr -d ' ' | tr a-f A-F)"
grep -q '2 new sources, 1 new submission' "$AT/out" ||
	fail "import: $(cat "$AT/out")"
grep -q "^Pinned drop key .* fingerprint $VEC_FPR" "$AT/out" ||
	fail "import did not say it pinned: $(cat "$AT/out")"
adm_rc 0 --home "$H" drops
grep -q "fingerprint $VEC_FPR  pinned [0-9-]*  last import [0-9-]*\$" "$AT/out" ||
	fail "drops: $(cat "$AT/out")"
adm_rc 0 --home "$H" --passphrase-file "$VEC/keys/test.pass" list --tsv
[ "$(head -n 1 "$AT/out")" = "$(printf 'id\tsource\treceived\tbytes\tfiles\tunread\tstarred\tnew\tstate')" ] ||
	fail "list --tsv header: $(head -n 1 "$AT/out")"
[ "$(wc -l <"$AT/out")" = 2 ] || fail "list --tsv: $(cat "$AT/out")"
cp "$AT/out" "$AT/list1"

# The archive is private and holds the database's own settings.
[ "$(mode_of "$H/archive.db")" = 600 ] || fail "archive.db mode"
[ "$(sqlite3 "$H/archive.db" 'PRAGMA journal_mode')" = wal ] ||
	fail "archive not in WAL mode"
[ "$(sqlite3 "$H/archive.db" 'PRAGMA user_version')" -ge 1 ] ||
	fail "no schema version"

# Twice changes nothing.
before=$(adm_digest "$H")
adm_rc 0 --home "$H" import "$VEC/bundle/export.bin"
grep -q '0 new sources, 0 new submissions' "$AT/out" ||
	fail "second import: $(cat "$AT/out")"
[ "$(adm_digest "$H")" = "$before" ] || fail "second import changed it"

# Every damaged bundle is refused whole, with one line, exit 1, and the
# archive is exactly as it was. A fresh archive must stay empty too.
adm_test_home "$AT/fresh"
for v in flipped-byte truncated truncated-signature missing-end \
	data-after-signature bad-magic wrong-version version-1 \
	oversized-length unknown-record envelope-short wrong-signer \
	another-signature other-drop outbox reply-status-bad-status \
	reply-status-bad-length reply-status-in-v2 reply-status-inside; do
	adm_rc 1 --home "$H" import "$VEC/bundle/$v.bin"
	[ "$(wc -l <"$AT/err")" = 1 ] || fail "$v: not one line"
	grep -q 'refused, nothing imported' "$AT/err" || fail "$v: $(cat "$AT/err")"
	[ "$(adm_digest "$H")" = "$before" ] || fail "$v changed the archive"
	adm_rc 1 --home "$AT/fresh" import "$VEC/bundle/$v.bin" --trust "$VEC_FPR"
	[ "$(sqlite3 "$AT/fresh/archive.db" \
		'SELECT count(*) FROM sources') $(sqlite3 "$AT/fresh/archive.db" \
		'SELECT count(*) FROM chunks')" = "0 0" ] ||
		fail "$v wrote into a fresh archive"
done

# One flipped byte anywhere in the file: try a few places.
size=$(stat -c %s "$VEC/bundle/export.bin")
for off in 0 9 40 $((size / 2)) $((size - 40)) $((size - 1)); do
	cp "$VEC/bundle/export.bin" "$AT/flip.bin"
	b=$(od -An -tu1 -j "$off" -N 1 "$AT/flip.bin" | tr -d ' ')
	printf "$(printf '\\%03o' $(((b ^ 1) & 255)))" |
		dd of="$AT/flip.bin" bs=1 seek="$off" conv=notrunc 2>/dev/null
	adm_rc 1 --home "$AT/fresh" import "$AT/flip.bin" --trust "$VEC_FPR"
	[ "$(sqlite3 "$AT/fresh/archive.db" 'SELECT count(*) FROM submissions')" = 0 ] ||
		fail "flipped byte at $off imported"
done

# Not a bundle at all, and a missing file: system errors, exit 2 for a
# missing file; nothing written either way.
adm_rc 2 --home "$H" import "$AT/does-not-exist"
adm_rc 1 --home "$H" import /dev/null
[ "$(adm_digest "$H")" = "$before" ] || fail "archive changed"

# Named for what they are: an unsigned export from an older drop, and an
# outbox brought to the wrong machine.
adm_rc 1 --home "$H" import "$VEC/bundle/version-1.bin"
grep -q 'unsigned export' "$AT/err" || fail "version 1: $(cat "$AT/err")"
adm_rc 1 --home "$H" import "$VEC/bundle/outbox.bin"
grep -q 'this is an outbox' "$AT/err" || fail "outbox: $(cat "$AT/err")"

# A home can pin several drops, and unpin one: its exports are then
# refused again.
adm_rc 1 --home "$H" import "$VEC/bundle/other-drop.bin"
ofpr=$(sed -n "s/.*--trust '\([0-9a-f ]*\)'.*/\1/p" "$AT/err")
[ -n "$ofpr" ] && [ "$ofpr" != "$VEC_FPR" ] || fail "other drop: $(cat "$AT/err")"
adm_rc 0 --home "$H" --passphrase-file "$VEC/keys/test.pass" \
	import "$VEC/bundle/other-drop.bin" --trust "$ofpr"
adm_rc 0 --home "$H" drops
[ "$(grep -c '^drop key' "$AT/out")" = 2 ] || fail "drops: $(cat "$AT/out")"
oid=$(grep "fingerprint $ofpr" "$AT/out" | cut -d' ' -f3)
adm_rc 0 --home "$H" drops --remove "$oid"
adm_rc 2 --home "$H" drops --remove "$oid"
adm_rc 1 --home "$H" import "$VEC/bundle/other-drop.bin"
adm_rc 2 --home "$H" drops --remove nothex

# The list reads back the same after all that.
adm_rc 0 --home "$H" --passphrase-file "$VEC/keys/test.pass" list --tsv
cmp -s "$AT/out" "$AT/list1" || fail "list changed"

echo "admin_import: ok"
