# The whole loop, with the real server and the real offline tool:
# keygen -> init -> serve -> sources submit -> kill -9 and restart ->
# export -> import -> list, read, extract -> reply -> outbox -> server
# import -> the source reads the reply and deletes it -> export again.
# Plus the refusals, hostile names and escapes, and a canary: a random
# marker in messages, file bodies and names must be found nowhere in the
# server's data directory nor in the archive.
. "$SEALDROP_TOP/tests/integration/lib.sh"
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

CANARY=canary$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
H=$AT/home            # the air-gapped machine
DATA=$AT/data         # the server
X=$AT/extracted       # where the journalist extracts, on purpose
PASS=$AT/pass
printf 'round trip passphrase\n' >"$PASS"
adm() { adm_rc "$@" --home "$H" --passphrase-file "$PASS"; }

# --- keys and the server ---
adm 0 keygen
fpr=$(sed -n 's/^Fingerprint: //p' "$AT/out")
sd_init "$DATA" "$H/newsroom.pub"
grep -q "fingerprint $fpr" "$SD_TMP/init.out" ||
	fail "sealdrop init did not print the fingerprint $fpr"
sd_start "$DATA"

# --- sources submit ---
JAR_A=$AT/jar-a JAR_B=$AT/jar-b
head -c 3145728 /dev/urandom >"$AT/big.bin"
printf 'body %s\n' "$CANARY" >>"$AT/big.bin"
MSG_A1="first from A $CANARY
second line: Қазақ тілі, ئۇيغۇرچە, 中文"
# Browsers send a textarea's line ends as CRLF: read must keep them.
MSG_A2=$(printf 'follow-up from A %s\r\nsecond line' "$CANARY")
HOSTILE_MSG=$(printf 'B says \033[2J\033]0;pwned\007 \342\200\256evil %s' "$CANARY")
HOSTILE_NAME=$(printf '../../.e\033[31mvil-%s\342\200\256fdp.exe' "$CANARY")

SD_JAR=$JAR_A
CODE_A=$(sd_new_source)
[ -n "$CODE_A" ] || fail "no codename for A"
st=$(sd_submit "$MSG_A1" -F "file=@$AT/big.bin;filename=report-$CANARY.bin")
[ "$st" = 200 ] || fail "A's first submission: $st"
st=$(sd_submit "$MSG_A2")
[ "$st" = 200 ] || fail "A's follow-up: $st"

SD_JAR=$JAR_B
CODE_B=$(sd_new_source)
[ -n "$CODE_B" ] || fail "no codename for B"
printf 'hostile body %s\n' "$CANARY" >"$AT/hostile.bin"
st=$(sd_submit "$HOSTILE_MSG" -F "file=@$AT/hostile.bin;filename=$HOSTILE_NAME")
[ "$st" = 200 ] || fail "B's submission: $st"

# --- the server dies hard and comes back ---
kill -KILL "$SD_PID"
wait "$SD_PID" 2>/dev/null
SD_PID=
sd_start "$DATA"

# --- export, import twice ---
"$SD_BIN" --data "$DATA" export --out "$AT/export1.sdx" ||
	fail "sealdrop export"
# The first export is refused until its key is pinned: the message shows
# the fingerprint `sealdrop status` prints, and --trust with it pins it.
dfpr=$(adm_drop_fpr "$DATA")
[ -n "$dfpr" ] || fail "sealdrop status printed no drop key"
grep -q "^drop key [0-9a-f]\{16\} fingerprint $dfpr\$" "$SD_TMP/init.out" ||
	fail "init did not print the drop key's line"
adm 1 import "$AT/export1.sdx"
grep -q "fingerprint $dfpr" "$AT/err" || fail "unpinned: $(cat "$AT/err")"
adm 0 import "$AT/export1.sdx" --trust "$(echo "$dfpr" | tr -d ' ')"
grep -q '2 new sources, 3 new submissions' "$AT/out" ||
	fail "import: $(cat "$AT/out")"
adm 0 drops
grep -q "fingerprint $dfpr" "$AT/out" || fail "drops: $(cat "$AT/out")"
before=$(adm_digest "$H")
adm 0 import "$AT/export1.sdx"
grep -q '0 new sources, 0 new submissions' "$AT/out" ||
	fail "second import: $(cat "$AT/out")"
[ "$(adm_digest "$H")" = "$before" ] || fail "second import changed it"

# One flipped byte: refused whole, nothing changed.
cp "$AT/export1.sdx" "$AT/flipped.sdx"
printf '\377' | dd of="$AT/flipped.sdx" bs=1 seek=5000 conv=notrunc 2>/dev/null
cmp -s "$AT/export1.sdx" "$AT/flipped.sdx" && fail "flip did not flip"
adm 1 import "$AT/flipped.sdx"
[ "$(adm_digest "$H")" = "$before" ] || fail "flipped bundle changed it"

# --- list: 3 submissions from 2 sources ---
adm 0 list --tsv
tail -n +2 "$AT/out" >"$AT/rows"
[ "$(wc -l <"$AT/rows")" = 3 ] || fail "list: $(cat "$AT/out")"
[ "$(cut -f2 "$AT/rows" | sort -u | wc -l)" = 2 ] || fail "not 2 sources"

# --- read each; find who is who by their words ---
ID_A1= ID_A2= ID_B=
for id in $(cut -f1 "$AT/rows"); do
	adm 0 read "$id"
	cp "$AT/out" "$AT/read-$id"
	if [ "$(adm_message)" = "$MSG_A1" ]; then
		ID_A1=$id
	elif [ "$(adm_message)" = "$MSG_A2" ]; then
		ID_A2=$id
	else
		ID_B=$id
	fi
done
[ -n "$ID_A1" ] && [ -n "$ID_A2" ] && [ -n "$ID_B" ] ||
	fail "read did not give back A's texts byte for byte"
SRC_A=$(awk -F '\t' -v id="$ID_A1" '$1 == id { print $2 }' "$AT/rows")
SRC_B=$(awk -F '\t' -v id="$ID_B" '$1 == id { print $2 }' "$AT/rows")
[ "$(awk -F '\t' -v id="$ID_A2" '$1 == id { print $2 }' "$AT/rows")" = "$SRC_A" ] ||
	fail "A's two submissions under two sources"
[ "$SRC_A" != "$SRC_B" ] || fail "A and B under one source"
awk -F '\t' -v id="$ID_A1" '$1 == id && $6 == 0 { ok = 1 } END { exit !ok }' \
	"$("$ADM" --home "$H" --passphrase-file "$PASS" list --tsv >"$AT/l2"; echo "$AT/l2")" ||
	fail "read did not mark $ID_A1 read"

# The hostile message reaches the terminal defanged, words intact.
grep -q "$CANARY" "$AT/read-$ID_B" || fail "B's text lost"
LC_ALL=C grep -q "$(printf '\033')" "$AT/read-$ID_B" && fail "ESC reached stdout"
LC_ALL=C grep -q "$(printf '\007')" "$AT/read-$ID_B" && fail "BEL reached stdout"
LC_ALL=C grep -q "$(printf '\342\200\256')" "$AT/read-$ID_B" &&
	fail "RLO reached stdout"
grep -q '\\x1b\[2J' "$AT/read-$ID_B" || fail "no visible \\x1b placeholder"
adm 0 read "$ID_B" --raw
LC_ALL=C grep -q "$(printf '\033')" "$AT/out" || fail "--raw changed bytes"

# --- extract: the identical file; never overwritten; hostile names ---
adm 0 extract "$ID_A1" --to "$X"
grep -q 'may be hostile' "$AT/err" || fail "no warning about files"
f=$(head -n 1 "$AT/out") # then its report
[ -f "$f" ] || fail "extract printed $f"
cmp -s "$f" "$AT/big.bin" || fail "extracted file differs"
[ "$(mode_of "$X")" = 700 ] || fail "OUTDIR mode"
[ "$(mode_of "$f")" = 600 ] || fail "file mode"
adm 0 extract "$ID_A1" --to "$X"
f2=$(head -n 1 "$AT/out")
[ "$f2" != "$f" ] || fail "second extract reused the name"
case $f2 in *" (2).bin") ;; *) fail "second extract: $f2" ;; esac
cmp -s "$f" "$AT/big.bin" || fail "first copy overwritten"
adm 0 extract "$ID_B" --to "$X"
hb=$(head -n 1 "$AT/out")
[ "$(dirname "$hb")" = "$X" ] || fail "hostile name escaped: $hb"
case $(basename "$hb") in .*) fail "hidden file: $hb" ;; esac
LC_ALL=C printf '%s' "$hb" | grep -q "$(printf '[\001-\037\177]')" &&
	fail "control characters in a name"
LC_ALL=C printf '%s' "$hb" | grep -q "$(printf '\342\200\256')" &&
	fail "RLO in a name"
cmp -s "$hb" "$AT/hostile.bin" || fail "hostile file differs"
ln -s "$AT" "$AT/link"
adm 2 extract "$ID_A1" --to "$AT/link"
[ "$(find "$AT" -maxdepth 1 -name 'report-*' | wc -l)" = 0 ] ||
	fail "extract followed a symlink"
adm 0 extract "$ID_A2" --to "$X"

# --- a damaged archive: nothing unauthenticated is kept or trusted ---
# One byte flipped in the third MiB of A's file: extract has written two
# MiB when the opener notices, and must remove the partial file.
cp -r "$H" "$AT/damaged"
sqlite3 "$AT/damaged/archive.db" "UPDATE chunks SET data =
	substr(data, 1, 5000) ||
	CASE WHEN substr(data, 5001, 1) = X'00' THEN X'01' ELSE X'00' END ||
	substr(data, 5002)
	WHERE seq = 2 AND envelope = (SELECT id FROM envelopes
	WHERE submission = $ID_A1 AND idx = 1)" || fail "damaging a copy"
mkdir "$AT/dx"
adm_rc 1 --home "$AT/damaged" extract "$ID_A1" --to "$AT/dx" \
	--passphrase-file "$PASS"
[ -z "$(ls -A "$AT/dx")" ] || fail "a partial file was left: $(ls "$AT/dx")"
sqlite3 "$AT/damaged/archive.db" "UPDATE chunks SET data =
	substr(data, 1, 300) ||
	CASE WHEN substr(data, 301, 1) = X'00' THEN X'01' ELSE X'00' END ||
	substr(data, 302)
	WHERE seq = 0 AND envelope = (SELECT id FROM envelopes
	WHERE submission = $ID_A2 AND idx = 0)" || fail "damaging a copy"
adm_rc 1 --home "$AT/damaged" read "$ID_A2" --passphrase-file "$PASS"
grep -q "$CANARY" "$AT/out" && fail "read printed a damaged message"
rm -rf "$AT/damaged"

# --- a full disk: the extract says why and leaves no part behind ---
# 1 MiB of tmpfs, in a mount namespace of its own, for A's 3 MiB file:
# the writes fail partway, with the flusher and the read-ahead running.
mkdir "$AT/full"
if unshare -m true 2>/dev/null; then
	unshare -m sh -c 'mount -t tmpfs -o size=1m tmpfs "$1" || exit 99
		"$2" --home "$3" --passphrase-file "$4" extract "$5" \
			--to "$1/x" >"$6/out" 2>"$6/err"
		rc=$?
		find "$1" -type f >"$6/left"
		exit $rc' sh "$AT/full" "$ADM" "$H" "$PASS" "$ID_A1" "$AT"
	rc=$?
	# A system error: exit 2, and one line that says why.
	[ $rc = 2 ] || fail "extract to a full disk exited $rc: $(cat "$AT/err")"
	[ "$(grep -c '^sealdrop-admin: .*No space left on device$' \
		"$AT/err")" = 1 ] || fail "extract to a full disk: $(cat "$AT/err")"
	[ -s "$AT/left" ] && fail "a full disk kept a partial file: $(cat "$AT/left")"
else
	echo "SKIP: no mount namespace for a full disk"
fi

# --- a file size limit (ulimit -f) partway through A's 3 MiB file ---
# The writer thread blocks signals, so SIGXFSZ does not kill the command:
# its write fails (EFBIG), and that is one line, exit 2, nothing left.
mkdir "$AT/limited"
(
	ulimit -f 2048
	exec "$ADM" --home "$H" --passphrase-file "$PASS" extract "$ID_A1" \
		--to "$AT/limited"
) >"$AT/out" 2>"$AT/err"
rc=$?
[ $rc = 2 ] || fail "extract under a 2 MiB limit exited $rc: $(cat "$AT/err")"
[ "$(grep -c '^sealdrop-admin: .*File too large$' "$AT/err")" = 1 ] ||
	fail "extract under a 2 MiB limit: $(cat "$AT/err")"
[ -z "$(ls -A "$AT/limited")" ] ||
	fail "a size limit left: $(ls -A "$AT/limited")"

# --- a wrong passphrase ---
printf 'wrong\n' >"$AT/wrong"
adm_rc 1 --home "$H" read "$ID_A1" --passphrase-file "$AT/wrong"

# --- reply to A, outbox, server import (twice) ---
REPLY="thank you, reply-$CANARY"
printf '%s' "$REPLY" >"$AT/reply.txt"
adm 0 reply "$SRC_A" --message-file "$AT/reply.txt"
rm -f "$AT/reply.txt"
adm 0 outbox --out "$AT/outbox1.sdo"
grep -q '1 reply, 3 acknowledgements' "$AT/out" ||
	fail "outbox: $(cat "$AT/out")"

# Refusals on the server: a flipped byte, another newsroom's signature.
cp "$AT/outbox1.sdo" "$AT/ob-flip.sdo"
printf '\377' | dd of="$AT/ob-flip.sdo" bs=1 seek=100 conv=notrunc 2>/dev/null
"$SD_BIN" --data "$DATA" import "$AT/ob-flip.sdo" 2>"$AT/err"
[ $? = 1 ] || fail "server imported a flipped outbox"
H2=$AT/other
adm_rc 0 --home "$H2" --passphrase-file "$PASS" keygen
# Another newsroom's home cannot import the export (nothing in it is
# sealed to its key); with a copy of this archive it knows the sources.
adm_rc 1 --home "$H2" --passphrase-file "$PASS" import "$AT/export1.sdx" \
	--trust "$dfpr"
grep -q "none of its 3 new submissions is sealed to this home's key" \
	"$AT/err" || fail "another home's import: $(cat "$AT/err")"
cp "$H/archive.db" "$H2/archive.db"
printf 'forged-%s' "$CANARY" >"$AT/forged.txt"
adm_rc 0 --home "$H2" reply "$SRC_A" --message-file "$AT/forged.txt"
rm -f "$AT/forged.txt"
adm_rc 0 --home "$H2" --passphrase-file "$PASS" outbox --out "$AT/forged.sdo"
"$SD_BIN" --data "$DATA" import "$AT/forged.sdo" 2>"$AT/err"
[ $? = 1 ] || fail "server imported an outbox signed by another key"
"$SD_BIN" --data "$DATA" export --out "$AT/export-check.sdx" ||
	fail "export after refusals"
mkdir -m 700 "$AT/check"
cp "$H/newsroom.key" "$H/newsroom.pub" "$AT/check/"
adm_rc 0 --home "$AT/check" --passphrase-file "$PASS" \
	import "$AT/export-check.sdx" --trust "$dfpr"
grep -q '3 new submissions' "$AT/out" ||
	fail "a refused outbox changed the server: $(cat "$AT/out")"

"$SD_BIN" --data "$DATA" import "$AT/outbox1.sdo" || fail "server import"
"$SD_BIN" --data "$DATA" import "$AT/outbox1.sdo" ||
	fail "server import, twice"

# --- A sees the reply, B does not; A deletes it ---
SD_JAR=$AT/jar-a2
st=$(sd_login "$CODE_A")
[ "$st" = 303 ] || fail "A's login: $st"
st=$(sd_req GET /replies)
[ "$st" = 200 ] || fail "A's replies: $st"
grep -q 'class="reply"' "$SD_BODY" || fail "no class=reply for A"
grep -q "$REPLY" "$SD_BODY" || fail "A does not see the reply"
grep -q "forged-$CANARY" "$SD_BODY" && fail "A sees the forged reply"
[ "$(grep -c 'class="reply"' "$SD_BODY")" = 1 ] || fail "A: not one reply"
rid=$(sd_form_id reply)
[ -n "$rid" ] || fail "no reply id in the delete form"
csrf=$(sd_csrf)
st=$(sd_req POST /replies/delete --data-urlencode "csrf=$csrf" \
	--data-urlencode "id=$rid")
case $st in 200 | 303) ;; *) fail "delete: $st" ;; esac
st=$(sd_req GET /replies)
grep -q "$REPLY" "$SD_BODY" && fail "the reply survived its deletion"

SD_JAR=$AT/jar-b2
st=$(sd_login "$CODE_B")
[ "$st" = 303 ] || fail "B's login: $st"
st=$(sd_req GET /replies)
grep -q 'class="reply"' "$SD_BODY" && fail "B sees a reply"

# --- the second export: nothing acknowledged, the receipt comes back ---
"$SD_BIN" --data "$DATA" export --out "$AT/export2.sdx" ||
	fail "second export"
adm 0 import "$AT/export2.sdx"
grep -q '0 new submissions (0 already archived), 1 receipt' "$AT/out" ||
	fail "second export: $(cat "$AT/out")"
adm 0 sources
adm 0 outbox --out "$AT/outbox2.sdo"
grep -q '0 replies, 0 acknowledgements' "$AT/out" ||
	fail "outbox after the receipt: $(cat "$AT/out")"
"$SD_BIN" --data "$DATA" import "$AT/outbox2.sdo" || fail "empty outbox"

sd_stop

# --- the canary: no plaintext on the server, none in the archive ---
for d in "$DATA" "$H"; do
	if grep -r -a -l "$CANARY" "$d" >"$AT/found" 2>/dev/null; then
		fail "plaintext found: $(cat "$AT/found")"
	fi
	find "$d" | grep -q "$CANARY" && fail "plaintext in a file name in $d"
done
# The server's own output, and anything written to /tmp while we ran.
grep -a -q "$CANARY" "$SD_TMP/serve.out" "$SD_TMP/serve.err" &&
	fail "plaintext in the server's output"
sd_tmp_find "$CANARY" "$PASS" >"$AT/found"
[ -s "$AT/found" ] && fail "plaintext in /tmp: $(cat "$AT/found")"
ls "$H"/archive.db* >/dev/null || fail "no archive"
# ...while the journalist's own extraction holds it, as asked.
grep -r -a -q "$CANARY" "$X" || fail "the canary test is blind"

echo "roundtrip: ok"
