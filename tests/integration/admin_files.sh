# What a submitted file carries, and the launcher of other programs:
# a JPEG with GPS coordinates, an artist and a camera, a PDF with an
# author and the same PDF named invoice.exe go through a real drop, are
# imported and extracted. Each file's report names what it carries and
# flags the lying name; --clean writes cleaned copies in which exiftool
# and pdfinfo find nothing, while the originals stay as submitted. The
# inspector's sandbox has no network and nothing of the machine to write
# to; escape sequences in metadata come out inert; without bubblewrap the
# files are still written, not inspected, and it says so. The editor for
# notes works on a file in RAM that is gone afterwards.
. "$SEALDROP_TOP/tests/integration/lib.sh"
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

for t in bwrap mat2 exiftool pdfinfo python3 script; do
	command -v "$t" >/dev/null 2>&1 ||
		fail "$t is missing (sh scripts/deps.sh installs it)"
done
if ! bwrap --unshare-all --die-with-parent --ro-bind /usr /usr \
	--symlink usr/bin /bin --symlink usr/lib /lib \
	--symlink usr/lib64 /lib64 /bin/true 2>/dev/null; then
	echo "SKIP: bubblewrap cannot create namespaces on this machine"
	exit 0
fi

H=$AT/home DATA=$AT/data X=$AT/x PASS=$AT/pass
printf 'files test passphrase\n' >"$PASS"
ESC=$(printf '\033')
adm 0 keygen
sd_init "$DATA" "$H/newsroom.pub"
sd_start "$DATA"
PORT=${SD_URL##*:}

# --- the files ---
# A minimal baseline JPEG (one grey 8x8 block), then its EXIF.
python3 - "$AT/photo.jpg" <<'EOF'
import struct, sys
def seg(m, body):
    return b'\xff' + bytes([m]) + struct.pack('>H', len(body) + 2) + body
huff = bytes([1] + [0] * 15) + b'\x00'
jpg = (b'\xff\xd8' + seg(0xe0, b'JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00')
       + seg(0xdb, b'\x00' + bytes([1] * 64))
       + seg(0xc0, b'\x08\x00\x08\x00\x08\x01\x01\x11\x00')
       + seg(0xc4, b'\x00' + huff) + seg(0xc4, b'\x10' + huff)
       + seg(0xda, b'\x01\x01\x00\x00\x3f\x00') + b'\x3f\xff\xd9')
open(sys.argv[1], 'wb').write(jpg)
EOF
exiftool -q -overwrite_original -GPSLatitude=43.2567 -GPSLatitudeRef=N \
	-GPSLongitude=76.9286 -GPSLongitudeRef=E -Artist='Jane Doe' \
	-Make=Canon -Model='EOS 5D' -DateTimeOriginal='2024:01:02 03:04:05' \
	-Software="evil${ESC}]0;pwned${ESC}[31mred" \
	"$AT/photo.jpg" || fail "exiftool could not write the test photo"
exiftool -s -s -s -GPSLatitude "$AT/photo.jpg" | grep -q '43 deg' ||
	fail "the test photo has no GPS position"
cat >"$AT/report.pdf" <<'EOF'
%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj
4 0 obj << /Author (Jane Doe) /Creator (Writer) /Producer (LibreOffice 7.4)
/CreationDate (D:20240102030405Z) >> endobj
trailer << /Root 1 0 R /Info 4 0 R >>
%%EOF
EOF
pdfinfo "$AT/report.pdf" 2>/dev/null | grep -q '^Author: *Jane Doe' ||
	fail "the test PDF has no author"
cp "$AT/report.pdf" "$AT/invoice.exe"

# --- one submission through the drop, imported ---
SD_JAR=$AT/jar
[ -n "$(sd_new_source)" ] || fail "no codename"
st=$(sd_submit "three files" -F "file=@$AT/photo.jpg;filename=photo.jpg" \
	-F "file=@$AT/report.pdf;filename=report.pdf" \
	-F "file=@$AT/invoice.exe;filename=invoice.exe")
[ "$st" = 200 ] || fail "submission: $st"
"$SD_BIN" --data "$DATA" export --out "$AT/export.sdx" || fail "export"
adm 0 import "$AT/export.sdx" --trust "$(adm_drop_fpr "$DATA")"
adm 0 list --tsv
ID=$(awk -F '\t' 'NR == 2 { print $1 }' "$AT/out")
[ -n "$ID" ] || fail "no submission listed"

# --- the output folder is checked before the passphrase is asked ---
: >"$AT/plain"
adm_rc 2 --home "$H" extract "$ID" --to "$AT/plain"
grep -qi "^sealdrop-admin: $AT/plain: not a directory\$" "$AT/err" ||
	fail "plain file as OUTDIR: $(cat "$AT/err")"
mkdir -m 500 "$AT/ro"
if [ "$(id -u)" != 0 ]; then
	adm_rc 2 --home "$H" extract "$ID" --to "$AT/ro"
	grep -q "$AT/ro: Permission denied" "$AT/err" ||
		fail "read-only OUTDIR: $(cat "$AT/err")"
fi

# --- extract --clean: reports, cleaned copies, originals untouched ---
adm 0 extract "$ID" --to "$X" --clean
cp "$AT/out" "$AT/extract.out"
for f in photo.jpg report.pdf invoice.exe; do
	grep -qx "$X/$f" "$AT/extract.out" || fail "extract did not print $X/$f"
	cmp -s "$X/$f" "$AT/$f" || fail "$f differs from what was submitted"
	[ "$(mode_of "$X/$f.report.txt")" = 600 ] || fail "$f: no private report"
	grep -qx "  Report: $X/$f.report.txt" "$AT/extract.out" ||
		fail "extract did not name $f's report"
done
# The report of each file, as written beside it.
r=$X/photo.jpg.report.txt
grep -q '^Type: image/jpeg ' "$r" || fail "photo type: $(cat "$r")"
grep -q '^  Found: Location, Author, Device, Software, Dates\.$' "$r" ||
	fail "photo groups: $(cat "$r")"
sed -n '/^  Location:$/,/^  [A-Z]/p' "$r" | grep -q '^    GPSLatitude: 43 deg' ||
	fail "photo location: $(cat "$r")"
sed -n '/^  Author:$/,/^  [A-Z]/p' "$r" | grep -q '^    Artist: Jane Doe$' ||
	fail "photo author: $(cat "$r")"
sed -n '/^  Device:$/,/^  [A-Z]/p' "$r" | grep -q '^    Model: EOS 5D$' ||
	fail "photo device: $(cat "$r")"
grep -q 'WARNING' "$r" && fail "a photo named .jpg was flagged: $(cat "$r")"
grep -qx 'Cleaned copy written: photo.cleaned.jpg' "$r" ||
	fail "photo: no cleaned copy said: $(cat "$r")"
r=$X/report.pdf.report.txt
grep -q '^Type: application/pdf ' "$r" || fail "pdf type: $(cat "$r")"
sed -n '/^  Author:$/,/^  [A-Z]/p' "$r" | grep -q '^    author: Jane Doe$' ||
	fail "pdf author: $(cat "$r")"
grep -q '^Caution: PDF files' "$r" || fail "no caution about PDFs"
r=$X/invoice.exe.report.txt
grep -q '^WARNING: the name ends in ".exe", but the content is application/pdf' \
	"$r" || fail "invoice.exe not flagged: $(cat "$r")"
grep -q '^    author: Jane Doe$' "$r" ||
	fail "a disguised PDF was not read as one: $(cat "$r")"
grep -qx 'Cleaned copy written: invoice.cleaned.pdf' "$r" ||
	fail "invoice: $(cat "$r")"
# The reports on stdout are the same text, indented under each path.
grep -q '^  WARNING: the name ends in ".exe"' "$AT/extract.out" ||
	fail "stdout lacks the report"
# A second tool finds nothing identifying in the cleaned copies.
c=$X/photo.cleaned.jpg
[ "$(mode_of "$c")" = 600 ] || fail "cleaned copy mode"
[ -z "$(exiftool -s -s -s -GPSLatitude -GPSLongitude -Artist -Make -Model \
	-Software "$c")" ] || fail "exiftool still reads: $(exiftool -s "$c")"
exiftool -s -s -s -GPSLatitude -Artist "$X/photo.jpg" | grep -q 'Jane Doe' ||
	fail "the original lost its metadata"
for c in "$X/report.cleaned.pdf" "$X/invoice.cleaned.pdf"; do
	pdfinfo "$c" >"$AT/pdfinfo" 2>/dev/null || fail "$c: not a PDF"
	grep -Eq '^(Author|Creator|Producer):' "$AT/pdfinfo" &&
		fail "pdfinfo still reads: $(cat "$AT/pdfinfo")"
done
[ "$(find "$X" -name '.sealdrop-inspect-*' | wc -l)" = 0 ] ||
	fail "the sandbox's folder was left: $(ls -a "$X")"
# Escape sequences in metadata come out inert, everywhere.
LC_ALL=C grep -q "$ESC" "$AT/extract.out" "$AT/err" "$X"/*.report.txt &&
	fail "an escape sequence reached the output"
grep -q 'evil' "$X/photo.jpg.report.txt" || fail "the Software field was lost"

# Without --clean: reports only, never over what is there.
adm 0 extract "$ID" --to "$X"
grep -qx "$X/photo (2).jpg" "$AT/out" || fail "second extract: $(cat "$AT/out")"
[ -f "$X/photo (2).jpg.report.txt" ] || fail "second report: $(ls "$X")"
[ -e "$X/photo (2).cleaned.jpg" ] && fail "a cleaned copy without --clean"
cmp -s "$X/photo.jpg.report.txt" "$X/photo (2).jpg.report.txt" &&
	fail "a report was the same with and without --clean"

# --- the sandbox, as the launcher builds it, with a probe inside ---
# A bwrap that keeps every option the launcher gave and runs the probe
# instead of the inspector: what the probe sees becomes the report.
mkdir "$AT/wrap"
REAL_BWRAP=$(command -v bwrap)
cat >"$AT/probe" <<'EOF'
if (exec 3<>"/dev/tcp/127.0.0.1/$PROBE_PORT") 2>/dev/null; then
	echo "probe: connected to 127.0.0.1:$PROBE_PORT"
else
	echo "probe: no connection to 127.0.0.1:$PROBE_PORT"
fi
echo "probe: interfaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"
echo "probe: pid 1 is $(cat /proc/1/comm)"
cat /proc/[0-9]*/comm | grep -q sealdrop && echo "probe: sees sealdrop-admin"
[ -e "$PROBE_HOST" ] && echo "probe: sees $PROBE_HOST"
for p in /usr/probe-w /etc/probe-w /probe-w /in/file /etc/ld.so.cache \
	/out/probe-w /tmp/probe-w; do
	if (: >>"$p") 2>/dev/null; then echo "probe: wrote $p"; else echo "probe: cannot write $p"; fi
done
echo "probe: end"
EOF
cat >"$AT/wrap/bwrap" <<EOF
#!/bin/bash
opts=()
for a in "\$@"; do [ "\$a" = -- ] && break; opts+=("\$a"); done
exec "$REAL_BWRAP" --ro-bind "$AT/probe" /probe "\${opts[@]}" \
	--setenv PROBE_PORT "$PORT" --setenv PROBE_HOST "$AT" -- /bin/bash /probe
EOF
chmod +x "$AT/wrap/bwrap"
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null ||
	fail "the drop does not listen on $PORT outside the sandbox"
PATH=$AT/wrap:$PATH adm 0 extract "$ID" --to "$AT/probed" --clean
r=$AT/probed/photo.jpg.report.txt
grep -qx "probe: end" "$r" || fail "the probe did not run: $(cat "$r")"
grep -qx "probe: no connection to 127.0.0.1:$PORT" "$r" ||
	fail "the sandbox reached the network: $(cat "$r")"
grep -qx "probe: interfaces: lo " "$r" || fail "interfaces: $(cat "$r")"
grep -q "probe: sees" "$r" && fail "the sandbox sees the host's files"
grep -qx "probe: pid 1 is bwrap" "$r" || fail "not its own pids: $(cat "$r")"
grep -q "probe: sees sealdrop-admin" "$r" && fail "the sandbox sees other processes"
for p in /usr/probe-w /etc/probe-w /probe-w /in/file /etc/ld.so.cache; do
	grep -qx "probe: cannot write $p" "$r" || fail "wrote $p: $(cat "$r")"
done
grep -qx "probe: wrote /out/probe-w" "$r" || fail "no writable /out: $(cat "$r")"
grep -qx "probe: wrote /tmp/probe-w" "$r" || fail "no /tmp: $(cat "$r")"
# What it wrote there went with the folder; the original is untouched.
[ -z "$(find "$AT" -name 'probe-w*')" ] || fail "the probe left a file"
cmp -s "$AT/probed/photo.jpg" "$AT/photo.jpg" || fail "the probe changed a file"
[ "$(ls -A "$AT/probed" | sort | tr '\n' ' ')" = \
	"invoice.exe invoice.exe.report.txt photo.jpg photo.jpg.report.txt report.pdf report.pdf.report.txt " ] ||
	fail "left in the folder: $(ls -A "$AT/probed")"

# --- no confinement: files written, not inspected, one line ---
cat >"$AT/wrap/bwrap" <<'EOF'
#!/bin/sh
echo "bwrap: setting up uid map: Permission denied" >&2
exit 1
EOF
PATH=$AT/wrap:$PATH adm 0 extract "$ID" --to "$AT/unconfined" --clean
[ "$(grep -c '^sealdrop-admin: ' "$AT/err")" = 1 ] ||
	fail "not one error line: $(cat "$AT/err")"
grep -qx 'sealdrop-admin: cannot confine the inspector: bwrap: setting up uid map: Permission denied; files are written but not inspected' \
	"$AT/err" || fail "unconfined: $(cat "$AT/err")"
cmp -s "$AT/unconfined/photo.jpg" "$AT/photo.jpg" || fail "unconfined: file"
grep -q '^NOT INSPECTED' "$AT/unconfined/report.pdf.report.txt" ||
	fail "the report does not say it was not inspected"
[ -e "$AT/unconfined/photo.cleaned.jpg" ] && fail "cleaned unconfined"
mkdir "$AT/nobwrap"
ln -s "$(command -v sh)" "$AT/nobwrap/sh"
PATH=$AT/nobwrap adm 0 extract "$ID" --to "$AT/unconfined2"
grep -q 'cannot confine the inspector: bubblewrap (bwrap) cannot be run: No such file or directory; files are written but not inspected' \
	"$AT/err" || fail "no bwrap: $(cat "$AT/err")"

# --- the editor: a file in RAM, gone afterwards ---
cat >"$AT/editor" <<EOF
#!/bin/sh
for f; do :; done
printf '%s\n' "\$f" >"$AT/ed.path"
stat -f -c %T "\$(dirname "\$f")" >"$AT/ed.fs"
stat -c %a "\$(dirname "\$f")" "\$f" | tr '\n' ' ' >"$AT/ed.modes"
[ -f "$AT/ed.text" ] && cat "$AT/ed.text" >"\$f"
printf 'swap\n' >"\$(dirname "\$f")/.leftover.swp"
exit 0
EOF
chmod +x "$AT/editor"
# stdin must be a terminal for the editor to be asked for.
note() {
	printf '#!/bin/sh\nexec "%s" --home "%s" note %s >"%s" 2>"%s"\n' \
		"$ADM" "$H" "$ID" "$AT/out" "$AT/err" >"$AT/run-note"
	EDITOR=$AT/editor VISUAL='' script -qec "sh $AT/run-note" /dev/null \
		>/dev/null 2>&1 </dev/null
}
printf 'a note from the editor, 42\n' >"$AT/ed.text"
note || fail "note with the editor: $(cat "$AT/err")"
grep -q 'Note added' "$AT/out" || fail "note: $(cat "$AT/out" "$AT/err")"
[ "$(cat "$AT/ed.fs")" = tmpfs ] || fail "the editor's folder is on $(cat "$AT/ed.fs")"
[ "$(cat "$AT/ed.modes")" = "700 600 " ] || fail "modes: $(cat "$AT/ed.modes")"
edpath=$(cat "$AT/ed.path")
[ -e "$edpath" ] && fail "the text file is still there"
[ -e "$(dirname "$edpath")" ] && fail "the editor's folder is still there"
adm 0 read "$ID"
grep -q 'a note from the editor, 42' "$AT/out" || fail "note not kept: $(cat "$AT/out")"
# An empty text cancels, and wipes just the same.
rm -f "$AT/ed.text"
note && fail "an empty note was accepted"
grep -q 'the note is empty: nothing kept' "$AT/err" || fail "cancel: $(cat "$AT/err")"
[ -e "$(dirname "$(cat "$AT/ed.path")")" ] && fail "cancelled: folder left"
# The terminal gone while the editor runs (a SIGTERM here): the folder is
# wiped before sealdrop-admin dies of it, and the editor dies with it.
cat >"$AT/editor" <<EOF
#!/bin/sh
for f; do :; done
printf '%s\n' "\$f" >"$AT/ed.path"
printf 'half a note\n' >"\$f"
kill -TERM "\$(cut -d" " -f4 /proc/\$PPID/stat)"
sleep 30
echo "still here" >"$AT/ed.alive"
EOF
rm -f "$AT/ed.path"
note && fail "a note survived a SIGTERM"
edpath=$(cat "$AT/ed.path")
[ -n "$edpath" ] || fail "the editor did not run"
[ -e "$(dirname "$edpath")" ] && fail "SIGTERM: the folder is still there"
sleep 1
[ -e "$AT/ed.alive" ] && fail "the editor outlived sealdrop-admin"
# Killed outright (SIGKILL, which nothing catches) while the editor runs:
# the draft stays in RAM only until the next command, which wipes it.
cat >"$AT/editor" <<EOF
#!/bin/sh
for f; do :; done
printf '%s\n' "\$f" >"$AT/ed.path"
printf 'half a note\n' >"\$f"
printf 'swap\n' >"\$(dirname "\$f")/.half.swp"
kill -KILL "\$(cut -d" " -f4 /proc/\$PPID/stat)"
sleep 30
EOF
rm -f "$AT/ed.path"
note && fail "a note survived a SIGKILL"
edpath=$(cat "$AT/ed.path")
[ -n "$edpath" ] || fail "the editor did not run"
grep -q 'half a note' "$edpath" || fail "SIGKILL: no draft was left behind"
eddir=$(dirname "$edpath")
adm 0 list
grep -qF "wiped $eddir: a reply or note left in memory by a sealdrop-admin that was killed, never sealed" \
	"$AT/err" || fail "no sweep: $(cat "$AT/err")"
[ -e "$eddir" ] && fail "SIGKILL: the folder is still there after a command"
adm 0 list
grep -q wiped "$AT/err" && fail "swept twice: $(cat "$AT/err")"
# A folder another sealdrop-admin is using is its own: a command run
# meanwhile leaves it, and the note it holds is added.
cat >"$AT/editor" <<EOF
#!/bin/sh
for f; do :; done
printf 'a note from a slow editor, 43\n' >"\$f"
printf '%s\n' "\$f" >"$AT/ed.path"
i=0
while [ ! -e "$AT/ed.go" ] && [ \$i -lt 300 ]; do
	sleep 0.1
	i=\$((i + 1))
done
EOF
rm -f "$AT/ed.path" "$AT/ed.go"
note &
notepid=$!
i=0
while [ ! -s "$AT/ed.path" ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
edpath=$(cat "$AT/ed.path")
[ -n "$edpath" ] || fail "the slow editor did not run"
"$ADM" --home "$H" --passphrase-file "$PASS" list >"$AT/out2" \
	2>"$AT/err2" ||
	fail "list beside an editor: $(cat "$AT/err2")"
grep -q wiped "$AT/err2" && fail "a folder in use was swept: $(cat "$AT/err2")"
[ -e "$edpath" ] || fail "the folder in use is gone"
touch "$AT/ed.go"
wait "$notepid" || fail "the slow note: $(cat "$AT/err")"
grep -q 'Note added' "$AT/out" || fail "slow note: $(cat "$AT/out" "$AT/err")"
[ -e "$(dirname "$edpath")" ] && fail "the slow note's folder is still there"
# With no RAM-backed folder, no editor: it says what to use instead.
mkdir "$AT/disk"
if bwrap --dev-bind / / --bind "$AT/disk" /dev/shm true 2>/dev/null; then
	printf 'never\n' >"$AT/ed.text"
	rm -f "$AT/ed.path"
	printf '#!/bin/sh\nexec bwrap --dev-bind / / --bind "%s" /dev/shm env XDG_RUNTIME_DIR="%s" "%s" --home "%s" note %s >"%s" 2>"%s"\n' \
		"$AT/disk" "$AT/disk" "$ADM" "$H" "$ID" "$AT/out" "$AT/err" \
		>"$AT/run-note2"
	EDITOR=$AT/editor script -qec "sh $AT/run-note2" /dev/null \
		>/dev/null 2>&1 </dev/null && fail "a note without tmpfs"
	grep -q 'no RAM-backed folder exists.*use --message-file FILE or standard input' \
		"$AT/err" || fail "no tmpfs: $(cat "$AT/err")"
	[ -e "$AT/ed.path" ] && fail "the editor ran without tmpfs"
	[ -z "$(ls -A "$AT/disk")" ] || fail "something was written to disk"
else
	echo "SKIP: no mount namespace to hide /dev/shm"
fi
echo "ok: files inspected, cleaned, confined; the editor's text stayed in RAM"
