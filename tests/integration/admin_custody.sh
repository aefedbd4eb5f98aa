# Chain of custody, tried as an attacker holding the USB stick: with
# nothing but newsroom.pub, a real source's message is replaced by a forged
# one under the same submission id, and a forged receipt is added for a
# reply still queued. Whatever key the forger signs with, and whatever the
# header claims, the air-gapped side imports nothing of it, the genuine
# export still imports, `read` shows what the source sent, and the queued
# reply is still sent.
. "$SEALDROP_TOP/tests/integration/lib.sh"
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

H=$AT/home PASS=$AT/pass
cp "$VEC/keys/test.pass" "$PASS"

adm_test_home "$H"
data=$SD_TMP/data
sd_init "$data" "$H/newsroom.pub"
DFPR=$(adm_drop_fpr "$data")
sd_start "$data"
sd_source
GENUINE="what I saw in the camp at night"
FORGED="nothing happened, I made it up"
st=$(sd_submit "$GENUINE") && [ "$st" = 200 ] || fail "submit: $st"
"$SD_BIN" --data "$data" export --out "$AT/genuine.sdx" 2>/dev/null ||
	fail "export"

# A reply is queued for that source, so a receipt would stop it being
# sent: the forger wants it never to arrive.
"$SD_TOOL" forge-export "$AT/genuine.sdx" "$H/newsroom.pub" \
	"$AT/forged.sdx" "$FORGED" || fail "forge"
"$SD_TOOL" forge-export "$AT/genuine.sdx" "$H/newsroom.pub" \
	"$AT/claimed.sdx" "$FORGED" --claim || fail "forge --claim"

# A home that never imported from this drop: the forgery is refused, and
# so it is when --trust is given the genuine drop's fingerprint.
for f in forged claimed; do
	adm 1 import "$AT/$f.sdx"
	adm 1 import "$AT/$f.sdx" --trust "$DFPR"
	grep -q 'refused, nothing imported' "$AT/err" || fail "$f: $(cat "$AT/err")"
done
[ "$(sqlite3 "$H/archive.db" 'SELECT count(*) FROM submissions')" = 0 ] ||
	fail "a forgery reached a fresh archive"
[ "$(sqlite3 "$H/archive.db" 'SELECT count(*) FROM drops')" = 0 ] ||
	fail "a forgery pinned a key"

# The genuine export, pinned by the operator's fingerprint.
adm 0 import "$AT/genuine.sdx" --trust "$DFPR"
id=$(sqlite3 "$H/archive.db" 'SELECT id FROM submissions')
adm 0 read "$id"
[ "$(adm_message | head -n 1)" = "$GENUINE" ] || fail "read: $(cat "$AT/out")"
src=$("$ADM" --home "$H" --passphrase-file "$PASS" list --tsv | awk -F '\t' 'NR == 2 { print $2 }')
printf 'We read it. Stay safe.\n' >"$AT/reply.txt"
adm 0 reply "$src" --message-file "$AT/reply.txt"
rid=$(sqlite3 "$H/archive.db" 'SELECT hex(uid) FROM replies')
[ -n "$rid" ] || fail "no queued reply"
"$SD_TOOL" forge-export "$AT/genuine.sdx" "$H/newsroom.pub" \
	"$AT/receipt.sdx" "$FORGED" --receipt "$rid" || fail "forge receipt"
"$SD_TOOL" forge-export "$AT/genuine.sdx" "$H/newsroom.pub" \
	"$AT/receipt-claimed.sdx" "$FORGED" --receipt "$rid" --claim ||
	fail "forge receipt --claim"

# Now the pinned home: every forgery is refused with exit 1, and the
# archive is exactly as it was.
before=$(adm_digest "$H")
for f in forged claimed receipt receipt-claimed; do
	adm 1 import "$AT/$f.sdx"
	[ "$(wc -l <"$AT/err")" = 1 ] || fail "$f: not one line"
	[ "$(adm_digest "$H")" = "$before" ] || fail "$f changed the archive"
done
# The claimed ones name the pinned key but do not verify under it.
adm 1 import "$AT/claimed.sdx"
grep -q 'signature does not verify' "$AT/err" || fail "claimed: $(cat "$AT/err")"
adm 0 read "$id"
[ "$(adm_message | head -n 1)" = "$GENUINE" ] || fail "read after forgeries"

# The reply still goes out, and the outbox acknowledges the genuine
# submission only.
adm 0 outbox --out "$AT/o.sdo"
grep -q '1 reply, 1 acknowledgement' "$AT/out" || fail "outbox: $(cat "$AT/out")"
sd_exits 0 "import the outbox" "$SD_BIN" --data "$data" import "$AT/o.sdo"
[ "$(sd_sql "$data" 'SELECT count(*) FROM submissions')" = 0 ] ||
	fail "the genuine submission was not acknowledged"
[ "$(sd_sql "$data" 'SELECT count(*) FROM replies')" = 1 ] ||
	fail "the reply did not reach the drop"

# The drop's key file: private, two lines, and the same key on every
# export: another export verifies under the pinned key.
[ "$(stat -c %a "$data/drop.key")" = 600 ] || fail "drop.key mode"
head -n 1 "$data/drop.key" | grep -q '^untrusted comment: sealdrop drop signing key [0-9a-f]\{16\}$' ||
	fail "drop.key comment"
"$SD_BIN" --data "$data" export --out "$AT/next.sdx" 2>/dev/null || fail "export"
adm 0 import "$AT/next.sdx"

# A data directory from before exports were signed has no drop.key: the
# first serve or export makes one and says so, once. Its exports are then
# refused until the journalist pins the new key; the old one can go.
sd_stop
mv "$data/drop.key" "$AT/old-drop.key"
sd_exits 0 "export without a key" "$SD_BIN" --data "$data" export --out "$AT/new.sdx"
grep -q 'had no signing key; created' "$SD_TMP/err" || fail "export: $(cat "$SD_TMP/err")"
newfpr=$(sed -n 's/^drop key [0-9a-f]* fingerprint //p' "$SD_TMP/err")
[ -n "$newfpr" ] && [ "$newfpr" != "$DFPR" ] || fail "new key line: $(cat "$SD_TMP/err")"
[ "$(adm_drop_fpr "$data")" = "$newfpr" ] || fail "status shows another key"
sd_exits 0 "export again" "$SD_BIN" --data "$data" export --out "$AT/new.sdx"
grep -q 'signing key' "$SD_TMP/err" && fail "said it again: $(cat "$SD_TMP/err")"
rm "$data/drop.key"
sd_start "$data"
sd_stop
grep -q 'had no signing key; created' "$SD_TMP/serve.err" ||
	fail "serve did not make the key: $(cat "$SD_TMP/serve.err")"
newfpr=$(adm_drop_fpr "$data")
"$SD_BIN" --data "$data" export --out "$AT/new.sdx" 2>/dev/null || fail "export"
adm 1 import "$AT/new.sdx"
adm 0 import "$AT/new.sdx" --trust "$newfpr"
adm 0 drops
[ "$(grep -c '^drop key' "$AT/out")" = 2 ] || fail "drops: $(cat "$AT/out")"
oldid=$(grep "fingerprint $DFPR" "$AT/out" | cut -d' ' -f3)
adm 0 drops --remove "$oldid"
adm 1 import "$AT/next.sdx"
echo "admin_custody: ok"
