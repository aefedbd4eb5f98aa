# sealdrop-admin outbox acknowledges a submission only when every one of
# its envelopes, as the archive holds it, opens whole: the server deletes
# what is acknowledged, so a copy damaged in the archive must leave the
# server's copy where it is, to be exported again.
. "$SEALDROP_TOP/tests/integration/lib.sh"
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

H=$AT/home DATA=$AT/data PASS=$AT/pass
printf 'outbox auth passphrase\n' >"$PASS"
# The uid of local submission $1, in hex, as drop.db holds it too.
uid_of() { sqlite3 "$H/archive.db" "SELECT hex(uid) FROM submissions WHERE id = $1"; }
on_drop() { sd_sql "$DATA" "SELECT count(*) FROM submissions WHERE hex(uid) = '$1'"; }

adm 0 keygen
sd_init "$DATA" "$H/newsroom.pub"
DFPR=$(adm_drop_fpr "$DATA")
sd_start "$DATA"
sd_source
MSG_OK="this one stays whole"
MSG_BAD="this one is damaged in the archive"
st=$(sd_submit "$MSG_OK") && [ "$st" = 200 ] || fail "submit: $st"
head -c 200000 /dev/urandom >"$AT/file.bin"
st=$(sd_submit "$MSG_BAD" -F "file=@$AT/file.bin;filename=f.bin") &&
	[ "$st" = 200 ] || fail "submit: $st"

"$SD_BIN" --data "$DATA" export --out "$AT/e1.sdx" 2>/dev/null ||
	fail "export"
adm 0 import "$AT/e1.sdx" --trust "$DFPR"
grep -q '1 new source, 2 new submissions' "$AT/out" ||
	fail "import: $(cat "$AT/out")"
ID_OK= ID_BAD=
for id in $(sqlite3 "$H/archive.db" 'SELECT id FROM submissions'); do
	adm 0 read "$id"
	case $(adm_message | head -n 1) in
	"$MSG_OK") ID_OK=$id ;;
	"$MSG_BAD"*) ID_BAD=$id ;;
	esac
done
[ -n "$ID_OK" ] && [ -n "$ID_BAD" ] || fail "read did not find both"
UID_OK=$(uid_of "$ID_OK") UID_BAD=$(uid_of "$ID_BAD")

# One byte in the middle of the last stored piece of the last envelope
# (the file's): far from any header, so only the payload's
# authentication can see it. (|| makes text of blobs: cast it back, so
# the row is the same bytes, one changed.)
piece="(envelope, seq) = (SELECT c.envelope, max(c.seq) FROM chunks c
	WHERE c.envelope = (SELECT id FROM envelopes WHERE submission = $ID_BAD
	ORDER BY idx DESC LIMIT 1))"
size=$(sqlite3 "$H/archive.db" "SELECT length(data) FROM chunks WHERE $piece")
[ "$size" -gt 100000 ] || fail "the file's last piece is only $size bytes"
sqlite3 "$H/archive.db" "UPDATE chunks SET data = CAST(
	substr(data, 1, $size / 2) ||
	CASE WHEN substr(data, $size / 2 + 1, 1) = X'00'
	THEN X'01' ELSE X'00' END ||
	substr(data, $size / 2 + 2) AS BLOB) WHERE $piece" ||
	fail "damaging the archive"
[ "$(sqlite3 "$H/archive.db" "SELECT typeof(data), length(data) FROM chunks
	WHERE $piece")" = "blob|$size" ] || fail "the damage changed the size"
[ "$(sqlite3 "$H/archive.db" "SELECT count(*) FROM envelopes
	WHERE submission = $ID_BAD")" = 2 ] || fail "not a message and a file"
adm 1 extract "$ID_BAD" --to "$AT/x"

# The outbox acknowledges the whole one only, and names the other.
adm 0 outbox --out "$AT/o1.sdo"
grep -q '0 replies, 1 acknowledgement\.' "$AT/out" ||
	fail "outbox: $(cat "$AT/out")"
printf '%s\n' \
	"sealdrop-admin: submission $ID_BAD not acknowledged: authentication failed in this archive" \
	"sealdrop-admin: 1 submission not acknowledged: damaged in this archive; they stay on the server and come again in the next export" \
	>"$AT/want"
cmp -s "$AT/err" "$AT/want" || fail "outbox said: $(cat "$AT/err")"
# Acknowledgements travel in clear, signed: look for the uids' bytes.
od -An -v -tx1 "$AT/o1.sdo" | tr -d ' \n' | tr a-f A-F >"$AT/o1.hex"
grep -q "$UID_OK" "$AT/o1.hex" || fail "the whole one is not acknowledged"
grep -q "$UID_BAD" "$AT/o1.hex" && fail "the damaged one is acknowledged"
[ "$(sqlite3 "$H/archive.db" "SELECT acked FROM submissions
	WHERE id = $ID_BAD")" = 0 ] || fail "the damaged one is marked acknowledged"

# The drop deletes the whole one only, and exports the other again.
"$SD_BIN" --data "$DATA" import "$AT/o1.sdo" 2>"$AT/sd.err" ||
	fail "sealdrop import: $(cat "$AT/sd.err")"
grep -q ' 1 acknowledgement(s) (0 for submissions no longer here, 0 ignored' \
	"$AT/sd.err" || fail "sealdrop import said: $(cat "$AT/sd.err")"
[ "$(on_drop "$UID_OK")" = 0 ] || fail "the drop kept the acknowledged one"
[ "$(on_drop "$UID_BAD")" = 1 ] || fail "the drop deleted the damaged one"
"$SD_BIN" --data "$DATA" export --out "$AT/e2.sdx" 2>"$AT/sd.err" ||
	fail "export"
grep -q 'exported 1 submission(s)' "$AT/sd.err" ||
	fail "second export: $(cat "$AT/sd.err")"
mkdir -m 700 "$AT/fresh"
cp "$H/newsroom.key" "$H/newsroom.pub" "$AT/fresh/"
adm_rc 0 --home "$AT/fresh" --passphrase-file "$PASS" import "$AT/e2.sdx" \
	--trust "$DFPR"
[ "$(sqlite3 "$AT/fresh/archive.db" 'SELECT hex(uid) FROM submissions')" = \
	"$UID_BAD" ] || fail "the second export holds another submission"

# A second outbox still leaves it alone, and says so again.
adm 0 outbox --out "$AT/o2.sdo"
grep -q '0 replies, 0 acknowledgements' "$AT/out" ||
	fail "second outbox: $(cat "$AT/out")"
cmp -s "$AT/err" "$AT/want" || fail "second outbox said: $(cat "$AT/err")"

sd_stop
echo ok
