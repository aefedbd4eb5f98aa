# sealdrop-admin's command line: help, usage errors, keygen, passphrases.
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

# Help for the tool and for each command; options before or after.
adm_rc 0 --help
grep -q '^usage: sealdrop-admin' "$AT/out" || fail "--help: no usage"
for c in keygen import list read extract reply outbox note star \
	fingerprint sources thread replies unqueue drops; do
	adm_rc 0 "$c" --help
	grep -q "^usage: sealdrop-admin .*$c" "$AT/out" || fail "$c --help"
	cp "$AT/out" "$AT/help.want"
	adm_rc 0 --help "$c"
	adm_rc 0 help "$c"
	cmp -s "$AT/out" "$AT/help.want" || fail "help $c is not $c --help"
done
adm_rc 0 help
grep -q '^usage: sealdrop-admin' "$AT/out" || fail "help: no usage"
adm_rc 2 help frobnicate

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
adm_rc 0 --home "$AT/t" import "$VEC/bundle/export.bin" --trust "$VEC_FPR" \
	--passphrase-file "$VEC/keys/test.pass"
adm_rc 1 --home "$AT/t" read 1 --passphrase-file "$VEC/keys/wrong-passphrase.pass"
grep -q 'wrong passphrase' "$AT/err" || fail "no 'wrong passphrase'"
adm_rc 1 --home "$AT/t" outbox --out "$AT/ob" --passphrase-file "$AT/wrong"
[ -e "$AT/ob" ] && fail "outbox written with a wrong passphrase"
setsid "$ADM" --home "$AT/t" read 1 </dev/null >"$AT/out" 2>"$AT/err"
[ $? = 2 ] || fail "no terminal, no passphrase file: not exit 2"
printf '%s\r\n' "$(cat "$VEC/keys/test.pass")" >"$AT/crlf"
adm_rc 0 --home "$AT/t" outbox --out "$AT/ob" --passphrase-file "$AT/crlf"
[ "$(mode_of "$AT/ob")" = 600 ] || fail "outbox mode"

# reply: the text is capped and must not be empty; the source must exist.
src=$("$ADM" --home "$AT/t" --passphrase-file "$VEC/keys/test.pass" list --tsv | awk -F '\t' 'NR == 2 { print $2 }')
[ -n "$src" ] || fail "no source in the test archive"
head -c 65537 /dev/zero | tr '\0' x >"$AT/long"
adm_rc 2 --home "$AT/t" reply "$src" --message-file "$AT/long"
adm_rc 2 --home "$AT/t" reply "$src" --message-file "$AT/empty"
adm_rc 2 --home "$AT/t" reply no-such-source --message-file "$AT/pass"
head -c 65536 /dev/zero | tr '\0' y >"$AT/max"
adm_rc 0 --home "$AT/t" reply "$src" --message-file "$AT/max"
printf 'from stdin\n' | "$ADM" --home "$AT/t" reply 1 >/dev/null ||
	fail "reply from standard input, to submission 1's source"
adm_rc 2 --home "$AT/t" reply 99 --message-file "$AT/pass"
adm_rc 0 --home "$AT/t" sources --tsv
awk -F '\t' -v s="$src" '$1 == s && $5 == 2 { ok = 1 } END { exit !ok }' \
	"$AT/out" || fail "sources: $(cat "$AT/out")"
adm_rc 0 --home "$AT/t" outbox --out "$AT/ob2" --passphrase-file "$AT/crlf"
grep -q '2 replies' "$AT/out" || fail "outbox: $(cat "$AT/out")"
# No plaintext of a reply in the archive.
grep -a -q yyyyyyyyyyyyyyyy "$AT/t"/archive.db* && fail "reply text stored"
grep -a -q 'from stdin' "$AT/t"/archive.db* && fail "reply text stored"

# star toggles; note needs an existing submission.
adm_rc 0 --home "$AT/t" star 1
grep -q starred "$AT/out" || fail "star"
adm_rc 0 --home "$AT/t" star 1
grep -q unstarred "$AT/out" || fail "unstar"
adm_rc 2 --home "$AT/t" star 99
printf 'text\n' | adm_rc 2 --home "$AT/t" note 99
# Never from argv: it would stay in the shell's history.
adm_rc 2 --home "$AT/t" note 1 "note-text-here"
grep -q 'never from the command line' "$AT/err" || fail "note from argv"
printf 'note-text-here\n' | adm_rc 0 --home "$AT/t" note 1
grep -a -q 'note-text-here' "$AT/t"/archive.db* && fail "note text stored"

# Options may stand before the command, values and all.
adm_rc 0 --out "$AT/ob3" --home "$AT/t" --passphrase-file "$AT/crlf" outbox
[ -s "$AT/ob3" ] || fail "outbox with its options first"
adm_rc 0 --source "$src" --tsv list --home "$AT/t" \
	--passphrase-file "$VEC/keys/test.pass"
[ "$(wc -l <"$AT/out")" = 2 ] || fail "list with its options first"

# --passphrase-file is accepted, and ignored, where no key is needed.
adm_rc 0 --home "$AT/t" replies --passphrase-file /nonexistent
adm_rc 0 --home "$AT/t" --passphrase-file /nonexistent sources

echo "admin_cli: ok"
