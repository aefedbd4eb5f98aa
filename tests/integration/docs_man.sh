# The man pages render cleanly: no warning from man or groff at the
# widths terminals have, no word hyphenated or broken at a hyphen, a NAME
# line whatis can read, and every command sealdrop-admin --help lists
# described in sealdrop-admin(1).
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

MAN=$SEALDROP_TOP/docs/man
for t in man groff lexgrog; do
	command -v "$t" >/dev/null ||
		fail "$t is missing: sh scripts/deps.sh installs man-db and groff-base"
done

# Every warning man and troff give, for file $1 at MANWIDTH $2.
warnings() {
	LC_ALL=C.UTF-8 MANWIDTH=$2 man --warnings -l "$1" 2>&1 >/dev/null
	groff -man -ww -z "$1" 2>&1
}

# The check sees a warning when there is one.
printf '.TH X 1\n.SH NAME\nx \\- y\n.XX\n' >"$AT/bad.1"
[ -n "$(warnings "$AT/bad.1" 80)" ] || fail "an undefined macro gave no warning"

n=0
for f in "$MAN"/*.[1-8]; do
	n=$((n + 1))
	for w in 60 80 100; do
		warnings "$f" "$w" >"$AT/warn"
		[ -s "$AT/warn" ] && fail "$(basename "$f") at $w columns: $(cat "$AT/warn")"
		LC_ALL=C.UTF-8 MANWIDTH=$w man -l "$f" 2>/dev/null >"$AT/page"
		[ -s "$AT/page" ] || fail "$(basename "$f") rendered nothing"
		# A name or option cut at a line's end cannot be copied.
		LC_ALL=C.UTF-8 grep -n '[[:alnum:]][-‐]$' "$AT/page" >"$AT/cut" &&
			fail "$(basename "$f") at $w columns breaks a word: $(cat "$AT/cut")"
	done
	lexgrog "$f" >/dev/null || fail "$(basename "$f"): no NAME line whatis reads"
done
[ "$n" -ge 2 ] || fail "only $n man pages in docs/man"

# Each command has its entry: a tag line under COMMANDS that starts with
# its name.
adm_rc 0 --help
sed -n 's/^  [* ] \([a-z]*\) .*/\1/p' "$AT/out" >"$AT/commands"
[ "$(wc -l <"$AT/commands")" -ge 10 ] || fail "--help lists: $(cat "$AT/out")"
LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$MAN/sealdrop-admin.1" 2>/dev/null |
	sed -n '/^COMMANDS/,/^[A-Z]/p' >"$AT/commands.man"
while read -r c; do
	grep -Eq "^       $c( |\$)" "$AT/commands.man" ||
		fail "sealdrop-admin(1) has no entry for $c"
done <"$AT/commands"

echo "docs_man: ok"
