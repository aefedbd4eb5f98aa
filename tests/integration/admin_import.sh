# sealdrop-admin import: all or nothing, idempotent, hostile bundles
# refused whole. Uses the committed bundle vectors.
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

H=$AT/h
adm_test_home "$H"
adm_rc 0 --home "$H" import "$VEC/bundle/export.bin"
grep -q '2 new sources, 1 new submission' "$AT/out" ||
	fail "import: $(cat "$AT/out")"
adm_rc 0 --home "$H" list --tsv
[ "$(head -n 1 "$AT/out")" = "$(printf 'id\tsource\treceived\tbytes\tfiles\tunread\tstarred')" ] ||
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
for v in flipped-byte truncated missing-end data-after-checksum \
	bad-magic wrong-version oversized-length unknown-record \
	envelope-short outbox; do
	adm_rc 1 --home "$H" import "$VEC/bundle/$v.bin"
	[ "$(wc -l <"$AT/err")" = 1 ] || fail "$v: not one line"
	grep -q 'refused, nothing imported' "$AT/err" || fail "$v: $(cat "$AT/err")"
	[ "$(adm_digest "$H")" = "$before" ] || fail "$v changed the archive"
	adm_rc 1 --home "$AT/fresh" import "$VEC/bundle/$v.bin"
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
	adm_rc 1 --home "$AT/fresh" import "$AT/flip.bin"
	[ "$(sqlite3 "$AT/fresh/archive.db" 'SELECT count(*) FROM submissions')" = 0 ] ||
		fail "flipped byte at $off imported"
done

# Not a bundle at all, and a missing file: system errors, exit 2 for a
# missing file; nothing written either way.
adm_rc 2 --home "$H" import "$AT/does-not-exist"
adm_rc 1 --home "$H" import /dev/null
[ "$(adm_digest "$H")" = "$before" ] || fail "archive changed"

# The list reads back the same after all that.
adm_rc 0 --home "$H" list --tsv
cmp -s "$AT/out" "$AT/list1" || fail "list changed"

echo "admin_import: ok"
