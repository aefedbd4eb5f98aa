# Two journalists, two air-gapped homes: an outbox acknowledges only the
# submissions its home's key opens, so the server keeps, for the other
# journalist, what was sealed to the other key alone.
. "$SEALDROP_TOP/tests/integration/lib.sh"
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

A=$AT/a B=$AT/b DATA=$AT/data PASS=$AT/pass
printf 'two homes passphrase\n' >"$PASS"
adm() { # WANT HOME COMMAND...
	want=$1 home=$2
	shift 2
	adm_rc "$want" --home "$home" --passphrase-file "$PASS" "$@"
}
# Exports, and prints how many submissions a fresh home imports from it.
exported() {
	"$SD_BIN" --data "$DATA" export --out "$AT/$1.sdx" 2>"$AT/sd.err" ||
		fail "export $1: $(cat "$AT/sd.err")"
	rm -rf "$AT/count"
	mkdir -m 700 "$AT/count"
	cp "$A/newsroom.key" "$A/newsroom.pub" "$AT/count/"
	adm 0 "$AT/count" import "$AT/$1.sdx" --trust "$DFPR"
	sed -n 's/.* \([0-9]*\) new submissions\{0,1\} .*/\1/p' "$AT/out"
}

adm 0 "$A" keygen
adm 0 "$B" keygen
sd_init "$DATA" "$A/newsroom.pub"
DFPR=$(adm_drop_fpr "$DATA")
sd_start "$DATA"
st=$(sd_new_source) && [ -n "$st" ] || fail "no codename"
MSG1="sealed to A alone"
st=$(sd_submit "$MSG1") && [ "$st" = 200 ] || fail "first submission: $st"
"$SD_BIN" --data "$DATA" keys add "$B/newsroom.pub" >/dev/null ||
	fail "keys add"
MSG2="sealed to A and B"
st=$(sd_submit "$MSG2") && [ "$st" = 200 ] || fail "second submission: $st"

# B opens the second only, and acknowledges the second only.
[ "$(exported e1)" = 2 ] || fail "the first export: $(cat "$AT/out")"
adm 0 "$B" import "$AT/e1.sdx" --trust "$DFPR"
adm 0 "$B" outbox --out "$AT/b.sdo"
grep -q '0 replies, 1 acknowledgement\.' "$AT/out" ||
	fail "B's outbox: $(cat "$AT/out")"
[ "$(cat "$AT/err")" = "sealdrop-admin: 1 submission not acknowledged: not sealed to this key; they stay on the server for the journalist who can read them" ] ||
	fail "B's outbox said: $(cat "$AT/err")"
"$SD_BIN" --data "$DATA" import "$AT/b.sdo" 2>/dev/null ||
	fail "import B's outbox"

# The server still holds A's submission, and it is the first one.
[ "$(exported e2)" = 1 ] || fail "after B's outbox: $(cat "$AT/out")"
adm 0 "$A" import "$AT/e2.sdx" --trust "$DFPR"
adm 0 "$A" list --tsv
[ "$(tail -n +2 "$AT/out" | wc -l)" = 1 ] || fail "A's list: $(cat "$AT/out")"
adm 0 "$A" read "$(tail -n +2 "$AT/out" | cut -f1)"
[ "$(adm_message)" = "$MSG1" ] || fail "A reads: $(cat "$AT/out")"

# B again: what it acknowledged is not acknowledged twice; what it cannot
# open still is not.
adm 0 "$B" outbox --out "$AT/b2.sdo"
grep -q '0 replies, 0 acknowledgements' "$AT/out" ||
	fail "B's second outbox: $(cat "$AT/out")"
grep -q '^sealdrop-admin: 1 submission not acknowledged' "$AT/err" ||
	fail "B's second outbox said: $(cat "$AT/err")"

# A imports both exports; its outbox acknowledges both, and the server
# then exports nothing.
adm 0 "$A" import "$AT/e1.sdx"
adm 0 "$A" outbox --out "$AT/a.sdo"
grep -q '0 replies, 2 acknowledgements' "$AT/out" ||
	fail "A's outbox: $(cat "$AT/out")"
[ -s "$AT/err" ] && fail "A's outbox warned: $(cat "$AT/err")"
"$SD_BIN" --data "$DATA" import "$AT/a.sdo" 2>/dev/null ||
	fail "import A's outbox"
[ "$(exported e3)" = 0 ] || fail "after A's outbox: $(cat "$AT/out")"

sd_stop
echo ok
