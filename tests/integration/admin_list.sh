# sealdrop-admin list and read on an archive filled through a real drop:
# newest first, plaintext sizes and file counts (opened with the key, the
# plaintext kept nowhere), the flags new, unread, starred, other-key and
# damaged, read's header and final newline, `help COMMAND`, and the one
# line every command that needs the key says in a home without one.
. "$SEALDROP_TOP/tests/integration/lib.sh"
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

MARK=listmark$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
H=$AT/home DATA=$AT/data PASS=$VEC/keys/test.pass
adm_test_home "$H"
sd_init "$DATA" "$H/newsroom.pub"
DFPR=$(adm_drop_fpr "$DATA")
sd_start "$DATA"

# N bytes of text: the marker, then x up to N.
text() {
	printf '%s' "$MARK"
	head -c $(($1 - ${#MARK})) /dev/zero | tr '\0' x
}
# One value of list --tsv, by submission id and column name, from
# $AT/tsv.
col() { # ID NAME
	awk -F '\t' -v id="$1" -v name="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == id { print $c[name] }' "$AT/tsv"
}
tsv() {
	adm 0 list --tsv
	cp "$AT/out" "$AT/tsv"
}

# Source A: a message of 1500 bytes alone; then a short one with a file
# of 2.3 MB. Source B: 700 bytes and two files of 100 and 200 bytes.
SD_JAR=$AT/jar-a
sd_source
st=$(sd_submit "$(text 1500)") && [ "$st" = 200 ] || fail "A1: $st"
head -c 2300000 /dev/urandom >"$AT/big.bin"
st=$(sd_submit "$(text 200)" -F "file=@$AT/big.bin;filename=scan.pdf") &&
	[ "$st" = 200 ] || fail "A2: $st"
SD_JAR=$AT/jar-b
sd_source
head -c 100 /dev/zero | tr '\0' a >"$AT/a.txt"
head -c 200 /dev/zero | tr '\0' b >"$AT/b.txt"
st=$(sd_submit "$(text 700)" -F "file=@$AT/a.txt;filename=one.txt" \
	-F "file=@$AT/b.txt;filename=two.txt") && [ "$st" = 200 ] ||
	fail "B1: $st"
"$SD_BIN" --data "$DATA" export --out "$AT/e1.sdx" || fail "export"
adm 0 import "$AT/e1.sdx" --trust "$DFPR"

# Which is which: ids are given in the export's order, so find them by
# their sizes.
tsv
[ "$(head -n 1 "$AT/tsv")" = "$(printf 'id\tsource\treceived\tbytes\tfiles\tunread\tstarred\tnew\tstate')" ] ||
	fail "list --tsv header: $(head -n 1 "$AT/tsv")"
[ "$(tail -n +2 "$AT/tsv" | wc -l)" = 3 ] || fail "list --tsv: $(cat "$AT/tsv")"
id_of() { awk -F '\t' -v b="$1" '$4 == b { print $1 }' "$AT/tsv"; }
A1=$(id_of 1500) A2=$(id_of 2300200) B1=$(id_of 1000)
[ -n "$A1" ] && [ -n "$A2" ] && [ -n "$B1" ] ||
	fail "bytes are not the plaintext sizes: $(cat "$AT/tsv")"
[ "$(col "$A1" files) $(col "$A2" files) $(col "$B1" files)" = "0 1 2" ] ||
	fail "file counts: $(cat "$AT/tsv")"
[ "$(col "$A1" source)" = "$(col "$A2" source)" ] &&
	[ "$(col "$A1" source)" != "$(col "$B1" source)" ] ||
	fail "sources: $(cat "$AT/tsv")"
SRC_A=$(col "$A1" source) SRC_B=$(col "$B1" source)
TODAY=$(date -u +%F)
for id in "$A1" "$A2" "$B1"; do
	[ "$(col "$id" received) $(col "$id" unread) $(col "$id" starred) $(col "$id" new) $(col "$id" state)" = "$TODAY 1 0 1 ok" ] ||
		fail "submission $id: $(cat "$AT/tsv")"
done

# The human list: a header, newest first (one day, so by id), sizes in
# powers of 1000, the source column as wide as the longest designation.
adm 0 list
cp "$AT/out" "$AT/human"
head -n 1 "$AT/human" | grep -Eq '^ *ID  DAY         SOURCE +FILES      SIZE  FLAGS$' ||
	fail "list header: $(head -n 1 "$AT/human")"
[ "$(tail -n +2 "$AT/human" | awk '{ print $1 }' | tr '\n' ' ')" = \
	"$(tail -n +2 "$AT/tsv" | cut -f1 | sort -rn | tr '\n' ' ')" ] ||
	fail "not newest first: $(cat "$AT/human")"
row() { awk -v id="$1" '$1 == id' "$AT/human"; }
row "$A1" | grep -Eq "^ *$A1  $TODAY  $SRC_A +0    1\\.5 KB  new unread\$" ||
	fail "A1's row: $(row "$A1")"
row "$A2" | grep -Eq "^ *$A2  $TODAY  $SRC_A +1    2\\.3 MB  new unread\$" ||
	fail "A2's row: $(row "$A2")"
row "$B1" | grep -Eq "^ *$B1  $TODAY  $SRC_B +2    1\\.0 KB  new unread\$" ||
	fail "B1's row: $(row "$B1")"
[ "$(awk '{ print index($0, NR == 1 ? "FLAGS" : "new") }' "$AT/human" | sort -u | wc -l)" = 1 ] ||
	fail "the flags are not in one column: $(cat "$AT/human")"
adm 0 list --source "$SRC_B"
[ "$(tail -n +2 "$AT/out" | awk '{ print $1 }')" = "$B1" ] ||
	fail "list --source: $(cat "$AT/out")"
adm 0 list --source no-such-source
[ "$(cat "$AT/out")" = "No submissions from no-such-source." ] ||
	fail "list --source unknown: $(cat "$AT/out")"

# Listing opened every envelope; none of it is in the archive.
grep -a -l "$MARK" "$H"/archive.db* && fail "plaintext in the archive after list"

# read: the header, a blank line, the message, and a final newline that
# the message did not have.
adm 0 read "$A1"
{
	printf 'Source: %s\nDay:    %s\nFiles:  0\n\n' "$SRC_A" "$TODAY"
	text 1500
	printf '\n'
} >"$AT/want"
cmp -s "$AT/out" "$AT/want" || fail "read $A1: $(head -c 300 "$AT/out")"
adm 0 read "$B1"
head -n 6 "$AT/out" >"$AT/head"
printf 'Source: %s\nDay:    %s\nFiles:  2\n    100 B   one.txt\n    200 B   two.txt\n\n' \
	"$SRC_B" "$TODAY" | cmp -s - "$AT/head" || fail "read $B1's header: $(cat "$AT/head")"
adm 0 read "$A2"
sed -n 4p "$AT/out" | grep -q '^    2\.3 MB  scan\.pdf$' || fail "read $A2: $(head -n 5 "$AT/out")"
# --raw: the message's bytes only, as they are.
adm 0 read "$A1" --raw
text 1500 | cmp -s - "$AT/out" || fail "read --raw: $(head -c 300 "$AT/out")"
grep -a -l "$MARK" "$H"/archive.db* && fail "plaintext in the archive after read"

# read clears unread, star sets starred; the list says so.
adm 0 star "$A2"
tsv
[ "$(col "$A1" unread) $(col "$A2" starred) $(col "$B1" starred)" = "0 1 0" ] ||
	fail "unread/starred: $(cat "$AT/tsv")"
adm 0 list
grep -Eq "^ *$A2 .*  new starred\$" "$AT/out" || fail "starred: $(cat "$AT/out")"
grep -Eq "^ *$A1 .*1\\.5 KB  new\$" "$AT/out" || fail "read still unread: $(cat "$AT/out")"

# new marks what the last import brought, and only that. From here on
# the drop also seals to a second journalist's key.
H2=$AT/other
printf 'another journalist, another key\n' >"$AT/pass2"
adm_rc 0 --home "$H2" --passphrase-file "$AT/pass2" keygen
"$SD_BIN" --data "$DATA" keys add "$H2/newsroom.pub" >/dev/null ||
	fail "keys add"
SD_JAR=$AT/jar-b
st=$(sd_submit "$(text 300)") && [ "$st" = 200 ] || fail "B2: $st"
"$SD_BIN" --data "$DATA" export --out "$AT/e2.sdx" || fail "export 2"
adm 0 import "$AT/e2.sdx"
tsv
B2=$(id_of 300)
[ -n "$B2" ] || fail "B2 not listed: $(cat "$AT/tsv")"
[ "$(col "$A1" new)$(col "$A2" new)$(col "$B1" new)$(col "$B2" new)" = 0001 ] ||
	fail "new after the second import: $(cat "$AT/tsv")"
adm 0 list
[ "$(sed -n 2p "$AT/out" | awk '{ print $1 }')" = "$B2" ] ||
	fail "the newest is not first: $(cat "$AT/out")"

# A source with a long designation (of several words) and a submission
# that lost its envelopes: the columns stay in line, and it is damaged.
LONG=alpha-bravo-charlie-delta-echo
sqlite3 "$H/archive.db" "INSERT INTO sources (pk, designation, day)
	VALUES (randomblob(32), '$LONG', 20000);
	INSERT INTO submissions (uid, source, day) VALUES (randomblob(16),
	(SELECT id FROM sources WHERE designation = '$LONG'), 20000)" ||
	fail "adding a long designation"
adm 0 list
grep -Eq "  $LONG  +0      \\?     unread damaged\$" "$AT/out" ||
	fail "damaged: $(cat "$AT/out")"
[ "$(head -n 1 "$AT/out" | awk '{ print index($0, "FILES") }')" = $((${#LONG} + 19)) ] ||
	fail "the source column is not as wide as $LONG: $(cat "$AT/out")"
# Each row's file count ends where the header's FILES does.
awk 'NR == 1 { p = index($0, "FILES") + 4; next }
	substr($0, p, 1) !~ /[0-9]/ || substr($0, p + 1, 1) != " " { bad = 1 }
	END { exit bad }' "$AT/out" || fail "the files column moved: $(cat "$AT/out")"
adm 0 sources
[ "$(awk '{ print index($0, "20") }' "$AT/out" | tail -n +2 | sort -u | wc -l)" = 1 ] ||
	fail "sources: the day column moved: $(cat "$AT/out")"
head -n 1 "$AT/out" | grep -Eq "^SOURCE {$((${#LONG} - 6 + 2))}FIRST SEEN" ||
	fail "sources header: $(head -n 1 "$AT/out")"
adm 0 sources --tsv
[ "$(head -n 1 "$AT/out")" = "$(printf 'source\tfirst\tsubmissions\tunread\tqueued')" ] ||
	fail "sources --tsv header: $(head -n 1 "$AT/out")"
grep -q "^$LONG	$(date -u -d @$((20000 * 86400)) +%F)	1	1	0\$" "$AT/out" ||
	fail "sources --tsv: $(cat "$AT/out")"
tsv
LID=$(awk -F '\t' -v s="$LONG" '$2 == s { print $1 }' "$AT/tsv")
[ "$(col "$LID" bytes)|$(col "$LID" state)" = "|damaged" ] ||
	fail "damaged in TSV: $(cat "$AT/tsv")"

# One changed byte in A2's file: that submission is damaged, the rest
# are not; read shows the message, names the file that does not open and
# exits 1.
cp -r "$H" "$AT/dmg"
sqlite3 "$AT/dmg/archive.db" "UPDATE chunks SET data =
	substr(data, 1, 5000) ||
	CASE WHEN substr(data, 5001, 1) = X'00' THEN X'01' ELSE X'00' END ||
	substr(data, 5002)
	WHERE seq = 1 AND envelope = (SELECT id FROM envelopes
	WHERE submission = $A2 AND idx = 1)" || fail "damaging a copy"
adm_rc 0 --home "$AT/dmg" --passphrase-file "$PASS" list --tsv
cp "$AT/out" "$AT/tsv"
[ "$(col "$A2" state)|$(col "$A2" bytes)|$(col "$A1" state)" = "damaged||ok" ] ||
	fail "a damaged file: $(cat "$AT/tsv")"
adm_rc 1 --home "$AT/dmg" --passphrase-file "$PASS" read "$A2"
grep -q '^      ?     scan\.pdf (does not open: ' "$AT/out" ||
	fail "read of a damaged file: $(cat "$AT/out")"
grep -q "$MARK" "$AT/out" || fail "the message of a damaged submission was not shown"
grep -q "submission $A2: 1 envelope that does not open" "$AT/err" ||
	fail "read of a damaged file: $(cat "$AT/err")"

# The second journalist's home: the key opens the last submission only;
# the others are listed, sizes unknown, other-key.
adm_rc 0 --home "$H2" --passphrase-file "$AT/pass2" import "$AT/e2.sdx" \
	--trust "$DFPR"
adm_rc 0 --home "$H2" --passphrase-file "$AT/pass2" list --tsv
cp "$AT/out" "$AT/tsv"
[ "$(tail -n +2 "$AT/tsv" | cut -f1,4,9 | sort -n | tr '\t\n' ',;')" = \
	"$A1,,other-key;$A2,,other-key;$B1,,other-key;$B2,300,ok;" ] ||
	fail "other key, TSV: $(cat "$AT/tsv")"
adm_rc 0 --home "$H2" --passphrase-file "$AT/pass2" list
[ "$(tail -n +2 "$AT/out" | grep -c '  ?     new unread other-key$')" = 3 ] ||
	fail "other key: $(cat "$AT/out")"
adm_rc 1 --home "$H2" --passphrase-file "$AT/pass2" read "$A1"
grep -q "submission $A1: 1 envelope that does not open: not encrypted to any of our keys" "$AT/err" ||
	fail "read, other key: $(cat "$AT/err")"

# help COMMAND is COMMAND --help.
for c in list read; do
	adm_rc 0 help "$c"
	cp "$AT/out" "$AT/help"
	adm_rc 0 "$c" --help
	cmp -s "$AT/out" "$AT/help" || fail "help $c differs from $c --help"
	grep -q "^usage: sealdrop-admin .*$c" "$AT/help" || fail "help $c: $(cat "$AT/help")"
done

# No key in the home: each command that needs it says so in one line,
# naming the home as given (exit 2), and leaves a home that does not
# exist uncreated.
NK=$AT/nokey
cp -r "$H" "$NK"
rm "$NK/newsroom.key"
want() { printf 'sealdrop-admin: no newsroom key in %s: run keygen, or check --home' "$1"; }
for args in "list" "list --tsv" "read $A1" "read $A1 --raw" \
	"extract $A1 --to $AT/x" "outbox --out $AT/ob"; do
	# shellcheck disable=SC2086
	adm_rc 2 --home "$NK" --passphrase-file "$PASS" $args
	[ "$(cat "$AT/err")" = "$(want "$NK")" ] || fail "$args: $(cat "$AT/err")"
	[ -s "$AT/out" ] && fail "$args printed: $(cat "$AT/out")"
done
[ -e "$AT/x" ] || [ -e "$AT/ob" ] && fail "written without a key"
for args in "list" "read 1"; do
	# shellcheck disable=SC2086
	adm_rc 2 --home "$AT/typo" $args
	[ "$(cat "$AT/err")" = "$(want "$AT/typo")" ] || fail "$args: $(cat "$AT/err")"
	[ -e "$AT/typo" ] && fail "$args made the home $AT/typo"
done
# The home from the environment is the one named.
SEALDROP_ADMIN_HOME=$NK "$ADM" list >"$AT/out" 2>"$AT/err"
[ $? = 2 ] && [ "$(cat "$AT/err")" = "$(want "$NK")" ] ||
	fail "SEALDROP_ADMIN_HOME: $(cat "$AT/err")"

sd_stop
grep -a -l "$MARK" "$H"/archive.db* && fail "plaintext in the archive"
echo "admin_list: ok"
