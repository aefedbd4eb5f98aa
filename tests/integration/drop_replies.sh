#!/bin/bash
# The command line and the air gap: init, status, export, import (twice,
# forged, damaged), replies shown and deleted, acknowledgements, receipts.
. "$(dirname "$0")/lib.sh"

keys=$SD_TMP/keys other=$SD_TMP/other data=$SD_TMP/data
sd_keygen "$keys"
sd_keygen "$other"


# Usage and init.
sd_exits 2 "no command" "$SD_BIN"
sd_exits 0 "help" "$SD_BIN" --help
grep -q 'init --pubkey' "$SD_TMP/out" || fail "help: no commands"
sd_exits 2 "unknown command" "$SD_BIN" frobnicate
sd_exits 2 "init without keys" "$SD_BIN" --data "$data" init
[ -e "$data" ] && fail "init without keys made $data"
sd_exits 2 "a missing key file" "$SD_BIN" --data "$data" init --pubkey /nonexistent
grep -q '/nonexistent' "$SD_TMP/err" || fail "the error does not name the file"
sd_exits 2 "export without --out" "$SD_BIN" --data "$data" export
sd_exits 2 "import of two files" "$SD_BIN" --data "$data" import a b
# Options after the command, and the data directory from the environment.
SEALDROP_DATA=$data sd_exits 0 "init" "$SD_BIN" init --pubkey "$keys/newsroom.pub" \
	--pubkey "$other/newsroom.pub"
[ "$(stat -c %a "$data")" = 700 ] || fail "DIR is not 0700"
[ "$(stat -c %a "$data/sealdrop.conf")" = 600 ] || fail "conf not 0600"
[ "$(grep -c "^newsroom key [0-9a-f]* fingerprint" "$SD_TMP/out")" = 2 ] || fail "no fingerprints"
sd_exits 2 "init again" "$SD_BIN" --data "$data" init --pubkey "$keys/newsroom.pub"
sd_one_line "init again"
sd_exits 0 "status" "$SD_BIN" status --data "$data"
grep -q '^schema version: 4$' "$SD_TMP/out" || fail "status: schema"
grep -q '^sources: 0 ' "$SD_TMP/out" || fail "status: sources"
[ "$(grep -c "^newsroom key [0-9a-f]* fingerprint" "$SD_TMP/out")" = 2 ] || fail "status: keys"

# A broken config is refused, one line per problem.
cp "$data/sealdrop.conf" "$SD_TMP/conf"
printf 'max_upload_mb = 0\nbogus = 1\nlisten = nowhere\n' >>"$data/sealdrop.conf"
sd_exits 2 "a bad config" "$SD_BIN" --data "$data" serve --listen 127.0.0.1:0
[ "$(grep -c 'sealdrop.conf:[0-9]*: ' "$SD_TMP/err")" = 3 ] ||
	fail "config errors: $(cat "$SD_TMP/err")"
cp "$SD_TMP/conf" "$data/sealdrop.conf"

sd_start "$data"
codename=$(sd_new_source)
st=$(sd_submit "first") && [ "$st" = 200 ] || fail "submit: $st"
st=$(sd_submit "second") && [ "$st" = 200 ] || fail "submit: $st"
sd_exits 2 "a second server" "$SD_BIN" --data "$data" serve --listen 127.0.0.1:0
sd_one_line "a second server"

# Export while serving; the second key opens it too.
sd_exits 0 "export" "$SD_BIN" export --out "$SD_TMP/e1" --data "$data"
[ "$(stat -c %a "$SD_TMP/e1")" = 600 ] || fail "the export is not 0600"
[ -e "$SD_TMP/e1.partial" ] && fail "a partial export was left"
sd_exits 2 "export into nowhere" "$SD_BIN" --data "$data" export \
	--out "$SD_TMP/no/such/dir/e"
sd_one_line "export into nowhere"
"$SD_TOOL" open-export "$other" "$SD_TMP/e1" >"$SD_TMP/opened" ||
	fail "the second newsroom key cannot open the export"
[ "$(grep -c '^sub ' "$SD_TMP/opened")" = 2 ] || fail "not 2 submissions"
pk=$(awk '$1 == "sub" { print $3; exit }' "$SD_TMP/opened")
sub1=$(awk '$1 == "sub" { print $2; exit }' "$SD_TMP/opened")

snapshot() { sqlite3 "$data/drop.db" .dump | sd_hash; }

# A reply, and one more for a source this drop never had.
uid1=0123456789abcdef0123456789abcdef
"$SD_TOOL" outbox "$keys" "$SD_TMP/o1" --reply-uid "$uid1" "$pk" \
	"Thank you. <Write> again & soon." \
	--reply "$pk" "A second reply." \
	--reply "$(printf '%064d' 7)" "for nobody" >/dev/null || fail "outbox"
before=$(snapshot)
"$SD_TOOL" outbox "$other" "$SD_TMP/forged" --reply "$pk" "forged" \
	>/dev/null || fail "outbox"
# The drop trusts both keys from init: forge with a key it never saw.
sd_keygen "$SD_TMP/stranger"
"$SD_TOOL" outbox "$SD_TMP/stranger" "$SD_TMP/forged" --reply "$pk" "x" \
	>/dev/null || fail "outbox"
sd_exits 1 "an outbox from a stranger" "$SD_BIN" --data "$data" import "$SD_TMP/forged"
sd_one_line "forged"
cp "$SD_TMP/o1" "$SD_TMP/damaged"
printf '\001' | dd of="$SD_TMP/damaged" bs=1 seek=100 conv=notrunc 2>/dev/null
sd_exits 1 "a damaged outbox" "$SD_BIN" --data "$data" import "$SD_TMP/damaged"
sd_exits 2 "a missing outbox" "$SD_BIN" --data "$data" import "$SD_TMP/nothing"
[ "$(snapshot)" = "$before" ] || fail "a refused import changed something"

sd_exits 0 "import" "$SD_BIN" --data "$data" import "$SD_TMP/o1"
grep -q 'imported 2 replies.*1 for unknown' "$SD_TMP/err" ||
	fail "import counts: $(cat "$SD_TMP/err")"
after=$(snapshot)
sd_exits 0 "import again" "$SD_BIN" --data "$data" import "$SD_TMP/o1"
grep -q 'already imported' "$SD_TMP/err" || fail "no 'already imported'"
[ "$(snapshot)" = "$after" ] || fail "importing twice changed something"

# The source reads and deletes them.
st=$(sd_req GET /replies) && [ "$st" = 200 ] || fail "replies: $st"
[ "$(grep -c '<div class="reply">' "$SD_BODY")" = 2 ] || fail "not 2 replies"
grep -q 'Thank you. &lt;Write&gt; again &amp; soon.' "$SD_BODY" ||
	fail "the reply text is missing or unescaped"
grep -q "name=\"id\" value=\"$uid1\"" "$SD_BODY" || fail "no delete form"
csrf=$(sd_csrf)
st=$(sd_req POST /replies/delete --data-urlencode "csrf=$csrf" \
	--data-urlencode "id=$uid1") && [ "$st" = 303 ] || fail "delete: $st"
st=$(sd_req POST /replies/delete --data-urlencode "csrf=$csrf" \
	--data-urlencode "id=nothex") && [ "$st" = 400 ] || fail "bad id: $st"
st=$(sd_req GET /replies)
[ "$(grep -c '<div class="reply">' "$SD_BODY")" = 1 ] || fail "not deleted"
grep -q 'Thank you' "$SD_BODY" && fail "the deleted reply is still shown"

# A re-sent reply (same id, new bundle) does not come back.
"$SD_TOOL" outbox "$keys" "$SD_TMP/o2" --reply-uid "$uid1" "$pk" \
	"Thank you, again" --ack "$sub1" >/dev/null || fail "outbox"
sd_exits 0 "import a re-sent reply and an ack" "$SD_BIN" --data "$data" \
	import "$SD_TMP/o2"
grep -q 'imported 0 replies (1 already held.*1 acknowledgement' \
	"$SD_TMP/err" || fail "counts: $(cat "$SD_TMP/err")"
st=$(sd_req GET /replies)
grep -q 'Thank you' "$SD_BODY" && fail "a deleted reply came back"

# The acknowledged submission is gone; receipts name both replies.
sd_exits 0 "export" "$SD_BIN" --data "$data" export --out "$SD_TMP/e2"
"$SD_TOOL" open-export "$keys" "$SD_TMP/e2" >"$SD_TMP/opened" ||
	fail "open-export"
[ "$(grep -c '^sub ' "$SD_TMP/opened")" = 1 ] || fail "ack did not delete"
grep -q "^sub $sub1" "$SD_TMP/opened" && fail "the acknowledged one is back"
[ "$(grep -c '^receipt ' "$SD_TMP/opened")" = 2 ] || fail "not 2 receipts"
grep -q "^receipt $uid1\$" "$SD_TMP/opened" || fail "no receipt for $uid1"

# Delete all.
csrf=$(sd_csrf)
st=$(sd_req POST /replies/delete-all --data-urlencode "csrf=$csrf") &&
	[ "$st" = 303 ] || fail "delete-all: $st"
[ "$(sd_sql "$data" "SELECT count(*) FROM replies")" = 0 ] ||
	fail "replies left"
sd_exits 0 "status" "$SD_BIN" --data "$data" status
grep -q '^replies waiting for sources: 0$' "$SD_TMP/out" || fail "status"
sd_stop

# Codenames made and never used are forgotten after a day; sources that
# sent something are kept however old.
sd_sql "$data" "INSERT INTO sources(lookup, reply_pk, day, pending) VALUES
	(randomblob(32), randomblob(32), 100, 1),
	(randomblob(32), randomblob(32), 100, 0),
	(randomblob(32), randomblob(32), CAST(strftime('%s') AS INT) / 86400, 1)"
sd_start "$data"
[ "$(sd_sql "$data" "SELECT count(*) FROM sources WHERE day = 100")" = 1 ] ||
	fail "old pending source not pruned, or a real one pruned"
[ "$(sd_sql "$data" "SELECT count(*) FROM sources WHERE pending = 1")" = 1 ] ||
	fail "today's pending source was pruned"
sd_stop
echo ok
