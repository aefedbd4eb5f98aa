# An extract killed partway (SIGKILL, which nothing catches) leaves no
# file that looks whole: the bytes written so far sit under a hidden
# name, and the next extract into that folder removes them, while an
# extract still running there keeps its own. Then the naming on file
# systems that cannot rename without replacing, or link.
. "$SEALDROP_TOP/tests/integration/lib.sh"
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

H=$AT/home DATA=$AT/data X=$AT/x PASS=$AT/pass
printf 'killed extract passphrase\n' >"$PASS"
adm 0 keygen
sd_init "$DATA" "$H/newsroom.pub"
sd_start "$DATA"
# Big enough that writing it lasts a while (a tenth of a second here),
# so that the extract can be stopped in the middle.
head -c $((48 << 20)) /dev/urandom >"$AT/film.bin"
[ -n "$(sd_new_source)" ] || fail "no codename"
st=$(sd_submit "a film" -F "file=@$AT/film.bin;filename=film.bin")
[ "$st" = 200 ] || fail "the submission: $st"
"$SD_BIN" --data "$DATA" export --out "$AT/x.sdx" >/dev/null 2>&1 ||
	fail "sealdrop export"
adm 0 import "$AT/x.sdx" --trust "$(adm_drop_fpr "$DATA" | tr -d ' ')"
adm 0 list --tsv
ID=$(awk -F '\t' 'NR == 2 { print $1 }' "$AT/out")
[ -n "$ID" ] || fail "list: $(cat "$AT/out")"

# stop_partway PID DIR: stops PID once a hidden file in DIR has bytes
# and is still unnamed after the stop; prints its path. Fails when PID
# ends first (it was too quick) or after a minute.
stop_partway() {
	deadline=$((SECONDS + 60))
	while [ $SECONDS -lt $deadline ] && kill -0 "$1" 2>/dev/null; do
		for p in "$2"/.sealdrop-part-*; do
			[ -s "$p" ] || continue
			kill -STOP "$1"
			if [ -e "$p" ]; then
				echo "$p"
				return 0
			fi
			kill -CONT "$1"
			return 1
		done
	done
	return 1
}

# A try that misses the moment (the file was named first) is run again.
part=
for try in 1 2 3; do
	rm -rf "$X"
	"$ADM" --home "$H" --passphrase-file "$PASS" extract "$ID" --to "$X" \
		>"$AT/out1" 2>"$AT/err1" &
	pid=$!
	if part=$(stop_partway "$pid" "$X"); then
		break
	fi
	wait "$pid"
	part=
done
[ -n "$part" ] || fail "three extracts ended before they could be stopped"
ls -A "$X" >"$AT/left"
[ "$(cat "$AT/left")" = "$(basename "$part")" ] ||
	fail "partway, the folder holds: $(cat "$AT/left")"
case $(basename "$part") in
.sealdrop-part-[0-9a-f]*) ;;
*) fail "the unfinished file is named $part" ;;
esac
[ "$(mode_of "$part")" = 600 ] || fail "the unfinished file's mode"

# Another extract meanwhile: the stopped one's file is in use, and stays.
adm 0 extract "$ID" --to "$X"
grep -q removed "$AT/err" && fail "a file in use was removed: $(cat "$AT/err")"
[ -e "$part" ] || fail "the stopped extract's file is gone"
cmp -s "$X/film.bin" "$AT/film.bin" || fail "the second extract's file"

# Killed: its file stays, under its hidden name only.
kill -KILL "$pid"
{ wait "$pid"; } 2>/dev/null
[ -s "$part" ] || fail "the killed extract left nothing to sweep"
[ "$(ls "$X" | grep -c '^film.*\.bin$')" = 1 ] ||
	fail "the killed extract named a file: $(ls "$X")"

# The next extract there removes it, and says so.
adm 0 extract "$ID" --to "$X"
grep -qF "$part: removed the unfinished file of an extract that was killed" \
	"$AT/err" || fail "no sweep: $(cat "$AT/err")"
[ -e "$part" ] && fail "the unfinished file is still there"
cmp -s "$X/film (2).bin" "$AT/film.bin" || fail "the third extract's file"
ls -A "$X" | grep -q '^\.sealdrop-part-' &&
	fail "a hidden file is left: $(ls -A "$X")"

# The cleaning inspector's folder that a killed extract left goes too,
# with the partial copy in it; one that is locked (in use) or empty stays.
S=$AT/scr
mkdir -p "$S/.sealdrop-inspect-dead01" "$S/.sealdrop-inspect-live01" \
	"$S/.sealdrop-inspect-empty1"
printf 'half a cleaned copy\n' >"$S/.sealdrop-inspect-dead01/cleaned.bin"
printf 'in use\n' >"$S/.sealdrop-inspect-live01/cleaned.bin"
flock "$S/.sealdrop-inspect-live01" sleep 60 &
lockpid=$!
i=0
while flock -n "$S/.sealdrop-inspect-live01" true && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
adm 0 extract "$ID" --to "$S"
kill "$lockpid"
grep -qF "$S/.sealdrop-inspect-dead01: removed the inspector's folder of an extract that was killed" \
	"$AT/err" || fail "no inspector sweep: $(cat "$AT/err")"
[ -e "$S/.sealdrop-inspect-dead01" ] && fail "the dead inspector's folder stays"
[ -e "$S/.sealdrop-inspect-live01/cleaned.bin" ] ||
	fail "a folder in use was removed"
[ -d "$S/.sealdrop-inspect-empty1" ] || fail "an empty folder was removed"
[ "$(grep -c removed "$AT/err")" = 1 ] || fail "sweep: $(cat "$AT/err")"

# File systems that cannot rename without replacing: a hard link names
# the file; without hard links either, a look then a plain rename. Both
# still never replace a file.
for fs in norename nolinks; do
	for n in 1 2; do
		"$SEALDROP_BUILD/tests/nolink" "$fs" "$ADM" --home "$H" \
			--passphrase-file "$PASS" extract "$ID" \
			--to "$AT/$fs" >"$AT/out" 2>"$AT/err" ||
			fail "$fs: extract: $(cat "$AT/err")"
	done
	cmp -s "$AT/$fs/film.bin" "$AT/film.bin" || fail "$fs: the first file"
	cmp -s "$AT/$fs/film (2).bin" "$AT/film.bin" || fail "$fs: the second"
	ls -A "$AT/$fs" | grep -q '^\.sealdrop-part-' &&
		fail "$fs: a hidden file is left: $(ls -A "$AT/$fs")"
done
echo "ok: an extract killed partway left no file under its name, and the next one swept it"
