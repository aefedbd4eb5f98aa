# sealdrop-admin keygen's passphrase: weak ones refused before any key
# exists, --generate-passphrase, and --cost.
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

WORDS=$SEALDROP_TOP/crypto/eff_large_wordlist.txt

# no_key HOME WHAT: neither key file (nor a temporary one) was written.
no_key() {
	for f in newsroom.key newsroom.pub newsroom.key.tmp newsroom.pub.tmp; do
		[ -e "$1/$f" ] && fail "$2: $f written"
	done
	return 0
}

# weak PASSPHRASE: refused with exit 2 and one line that says why.
weak() {
	printf '%s\n' "$1" >"$AT/pass"
	rm -rf "$AT/w"
	adm_rc 2 --home "$AT/w" keygen --passphrase-file "$AT/pass"
	no_key "$AT/w" "weak passphrase '$1'"
	[ "$(wc -l <"$AT/err")" = 1 ] ||
		fail "'$1': not one error line: $(cat "$AT/err")"
	grep -q '^sealdrop-admin: passphrase too weak (about [0-9]* bits' \
		"$AT/err" || fail "'$1': no reason: $(cat "$AT/err")"
	grep -q 'five random words' "$AT/err" ||
		fail "'$1': does not say what is expected"
}

# --cost's Argon2id limits as a newsroom.key records them: bytes 4..12
# and 12..20 of its base64 line, u64 little-endian.
limits() {
	sed -n 2p "$1" | base64 -d | od -An -tu8 --endian=little -j4 -N16 |
		tr -s ' ' | sed 's/^ //'
}

weak abc
weak 'Password1234!'
weak qwertyuiopasdfghjkl
weak 'correct battery staple phrase'
weak 'apple apple apple apple apple'

# Five list words are enough; the committed test passphrase too.
P5=$AT/five.pass
printf 'correct battery staple phrase abacus\n' >"$P5"
adm_rc 0 --home "$AT/five" keygen --passphrase-file "$P5"
[ -s "$AT/five/newsroom.key" ] || fail "five words: no key"
adm_rc 0 --home "$AT/vec" keygen --passphrase-file "$VEC/keys/test.pass"

# --generate-passphrase: seven list words, shown once, that open the key.
adm_rc 0 --home "$AT/g" keygen --generate-passphrase
grep -q 'shown only this once' "$AT/out" || fail "no write-it-down line"
sed -n 's/^    //p' "$AT/out" >"$AT/gen"
[ "$(wc -l <"$AT/gen")" = 1 ] || fail "not one passphrase line"
set -- $(cat "$AT/gen")
[ $# = 7 ] || fail "generated passphrase is $# words, not 7"
for w; do
	grep -q "	$w\$" "$WORDS" || fail "'$w' is not a list word"
done
grep -r -q -F "$(cat "$AT/gen")" "$AT/g" && fail "the passphrase is stored"
adm_rc 0 --home "$AT/g" --passphrase-file "$AT/gen" outbox --out "$AT/ob"
adm_rc 1 --home "$AT/g" --passphrase-file "$P5" outbox --out "$AT/ob2"
# Two runs, two passphrases.
adm_rc 0 --home "$AT/g2" keygen --generate-passphrase
[ "$(sed -n 's/^    //p' "$AT/out")" != "$(cat "$AT/gen")" ] ||
	fail "the same passphrase twice"
# It makes the passphrase: one from a file as well is a usage error.
adm_rc 2 --home "$AT/g3" keygen --generate-passphrase --passphrase-file "$P5"
no_key "$AT/g3" "--generate-passphrase with --passphrase-file"

# --cost: moderate (the default) and sensitive, as libsodium defines them
# (opslimit 3, 256 MiB; 4, 1 GiB); anything else is a usage error.
[ "$(limits "$AT/five/newsroom.key")" = "3 268435456" ] ||
	fail "default cost: $(limits "$AT/five/newsroom.key")"
adm_rc 0 --home "$AT/m" keygen --cost moderate --passphrase-file "$P5"
[ "$(limits "$AT/m/newsroom.key")" = "3 268435456" ] ||
	fail "moderate cost: $(limits "$AT/m/newsroom.key")"
adm_rc 0 --home "$AT/s" keygen --cost=sensitive --passphrase-file "$P5"
[ "$(limits "$AT/s/newsroom.key")" = "4 1073741824" ] ||
	fail "sensitive cost: $(limits "$AT/s/newsroom.key")"
adm_rc 0 --home "$AT/s" --passphrase-file "$P5" outbox --out "$AT/ob3"
adm_rc 2 --home "$AT/x" keygen --cost high --passphrase-file "$P5"
no_key "$AT/x" "--cost high"
adm_rc 2 --home "$AT/x" keygen --passphrase-file "$P5" --cost
no_key "$AT/x" "--cost without a value"

echo "admin_passphrase: ok"
