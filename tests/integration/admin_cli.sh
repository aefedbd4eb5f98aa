# sealdrop-admin's command line: help, usage errors, keygen, passphrases.
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

# Help for the tool and for each command; options before or after.
adm_rc 0 --help
grep -q '^usage: sealdrop-admin' "$AT/out" || fail "--help: no usage"
for c in keygen import list read extract reply outbox note star \
	fingerprint sources; do
	adm_rc 0 "$c" --help
	grep -q "^usage: sealdrop-admin .*$c" "$AT/out" || fail "$c --help"
	adm_rc 0 --help "$c"
done

# Usage errors exit 2 with one line that says why.
adm_rc 2
adm_rc 2 frobnicate
adm_rc 2 --home
adm_rc 2 --home "$AT/h" list --bogus
adm_rc 2 --home "$AT/h" read
adm_rc 2 --home "$AT/h" read 1 2
adm_rc 2 --home "$AT/h" read one
adm_rc 2 --home "$AT/h" read 0
adm_rc 2 --home "$AT/h" extract 1
adm_rc 2 --home "$AT/h" outbox
adm_rc 2 --home "$AT/h" import
adm_rc 2 --home "$AT/h" keygen extra

# keygen: DIR 0700, newsroom.key 0600, the fingerprint printed.
printf 'a passphrase for tests\n' >"$AT/pass"
printf 'not it\n' >"$AT/wrong"
adm_rc 0 --home "$AT/h" keygen --passphrase-file "$AT/pass"
[ "$(mode_of "$AT/h")" = 700 ] || fail "home mode $(mode_of "$AT/h")"
[ "$(mode_of "$AT/h/newsroom.key")" = 600 ] || fail "key mode"
[ -s "$AT/h/newsroom.pub" ] || fail "no newsroom.pub"
fpr=$(sed -n 's/^Fingerprint: //p' "$AT/out")
[ -n "$fpr" ] || fail "keygen printed no fingerprint"
grep -q 'sealdrop init --pubkey' "$AT/out" || fail "keygen: no next step"
adm_rc 0 fingerprint --home "$AT/h"
grep -q "^Fingerprint: $fpr\$" "$AT/out" || fail "fingerprint differs"

# SEALDROP_ADMIN_HOME is the default home; --home wins over it.
SEALDROP_ADMIN_HOME=$AT/h "$ADM" fingerprint >"$AT/out" ||
	fail "SEALDROP_ADMIN_HOME"
grep -q "$fpr" "$AT/out" || fail "SEALDROP_ADMIN_HOME: other key"

# Never overwritten without --force; --force makes a new key.
cp "$AT/h/newsroom.key" "$AT/key.before"
adm_rc 2 --home "$AT/h" keygen --passphrase-file "$AT/pass"
cmp -s "$AT/h/newsroom.key" "$AT/key.before" || fail "key overwritten"
adm_rc 0 --home "$AT/h" keygen --force --passphrase-file "$AT/pass"
cmp -s "$AT/h/newsroom.key" "$AT/key.before" && fail "--force kept key"
[ "$(mode_of "$AT/h/newsroom.key")" = 600 ] || fail "key mode (--force)"
[ -e "$AT/h/newsroom.key.tmp" ] && fail "temporary key left behind"

# A symlink in the key's place is refused, never followed.
mkdir -m 700 "$AT/s"
ln -s "$AT/elsewhere" "$AT/s/newsroom.key"
adm_rc 2 --home "$AT/s" keygen --passphrase-file "$AT/pass"
[ -e "$AT/elsewhere" ] && fail "keygen followed a symlink"

# An empty passphrase file is refused.
: >"$AT/empty"
adm_rc 2 --home "$AT/e" keygen --passphrase-file "$AT/empty"
[ -e "$AT/e/newsroom.key" ] && fail "key made with an empty passphrase"

# A key-needing command: the wrong passphrase exits 1; no passphrase and
# no terminal exits 2; the right one works (CRLF is fine).
adm_test_home "$AT/t"
adm_rc 0 --home "$AT/t" import "$VEC/bundle/export.bin"
adm_rc 1 --home "$AT/t" read 1 --passphrase-file "$VEC/keys/wrong-passphrase.pass"
grep -q 'wrong passphrase' "$AT/err" || fail "no 'wrong passphrase'"
adm_rc 1 --home "$AT/t" outbox --out "$AT/ob" --passphrase-file "$AT/wrong"
[ -e "$AT/ob" ] && fail "outbox written with a wrong passphrase"
setsid "$ADM" --home "$AT/t" read 1 </dev/null >"$AT/out" 2>"$AT/err"
[ $? = 2 ] || fail "no terminal, no passphrase file: not exit 2"
printf '%s\r\n' "$(cat "$VEC/keys/test.pass")" >"$AT/crlf"
adm_rc 0 --home "$AT/t" outbox --out "$AT/ob" --passphrase-file "$AT/crlf"
[ "$(mode_of "$AT/ob")" = 600 ] || fail "outbox mode"
# --passphrase-file is accepted, and ignored, where no key is needed.
adm_rc 0 --home "$AT/t" list --passphrase-file /nonexistent
adm_rc 0 --home "$AT/t" --passphrase-file /nonexistent sources

echo "admin_cli: ok"
