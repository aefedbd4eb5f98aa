#!/bin/bash
# What the newsroom learns of a source's replies, and what a source learns
# of what it sent. A reply read on /replies, or deleted, is reported in
# each export as one status fact with its day, until an outbox
# acknowledges that fact (a newer one stays); an acknowledged submission
# leaves its source a receipt on /replies, one per day, which only that
# source can delete.
. "$(dirname "$0")/lib.sh"

sd_newsroom
sd_start "$data"
today=$(($(date -u +%s) / 86400))
date=$(date -u +%F)

# export: a new export, opened; its summary line in $SD_TMP/export.err.
export_open() {
	"$SD_BIN" --data "$data" export --out "$SD_TMP/e" 2>"$SD_TMP/export.err" ||
		fail "export: $(cat "$SD_TMP/export.err")"
	"$SD_TOOL" open-export "$keys" "$SD_TMP/e" >"$SD_TMP/opened" ||
		fail "open-export"
}
# The export's reply statuses, "UID STATUS DAY" a line, by uid.
statuses() { awk '$1 == "status" { print $2, $3, $4 }' "$SD_TMP/opened"; }
# outbox ARGS...: an outbox by the newsroom key, imported; the import's
# summary line is in $SD_TMP/err.
outbox() {
	"$SD_TOOL" outbox "$keys" "$SD_TMP/o" "$@" >/dev/null || fail "outbox"
	sd_exits 0 "import" "$SD_BIN" --data "$data" import "$SD_TMP/o"
}
# as JAR REQUEST...: sd_req with another source's cookie jar.
as() {
	jar=$1
	shift
	SD_JAR=$jar sd_req "$@"
}
count() { grep -c "$1" "$SD_BODY"; }

# Source A sends something, and comes back later with its codename; the
# newsroom has replied twice meanwhile.
sd_source
st=$(sd_submit "first from A") && [ "$st" = 200 ] || fail "submit: $st"
A=$SD_TMP/jar-a
st=$(SD_JAR=$A sd_login "$codename") && [ "$st" = 303 ] ||
	fail "login: $st"
export_open
pk=$(awk '$1 == "sub" { print $3; exit }' "$SD_TMP/opened")
sub1=$(awk '$1 == "sub" { print $2; exit }' "$SD_TMP/opened")
uid1=11111111111111111111111111111111 uid2=22222222222222222222222222222222
outbox --reply-uid "$uid1" "$pk" "One." --reply-uid "$uid2" "$pk" "Two."
export_open
[ -z "$(statuses)" ] || fail "statuses before any was read: $(statuses)"
grep -q ' 2 reply receipt(s) and 0 reply status(es), signed by ' \
	"$SD_TMP/export.err" || fail "export said: $(cat "$SD_TMP/export.err")"

# Shown on /replies: read, today.
st=$(as "$A" GET /replies) && [ "$st" = 200 ] || fail "replies: $st"
[ "$(count '<div class="reply">')" = 2 ] || fail "not two replies"
export_open
[ "$(statuses)" = "$uid1 read $today
$uid2 read $today" ] || fail "after reading: $(statuses)"
grep -q ' 2 reply status(es), ' "$SD_TMP/export.err" ||
	fail "export said: $(cat "$SD_TMP/export.err")"

# Read once: showing the replies again does not make the fact newer.
sd_sql "$data" "UPDATE reply_uids SET day = day - 3"
st=$(as "$A" GET /replies)
export_open
[ "$(statuses)" = "$uid1 read $((today - 3))
$uid2 read $((today - 3))" ] || fail "read again: $(statuses)"

# Deleted replaces read, with its own day.
csrf=$(sd_csrf)
st=$(as "$A" POST /replies/delete --data-urlencode "csrf=$csrf" \
	--data-urlencode "id=$uid1") && [ "$st" = 303 ] || fail "delete: $st"
export_open
[ "$(statuses)" = "$uid1 deleted $today
$uid2 read $((today - 3))" ] || fail "after deleting: $(statuses)"
[ "$(sd_sql "$data" "SELECT count(*) FROM reply_uids")" = 2 ] ||
	fail "more than one fact per reply"

# An acknowledgement forgets the fact it names, not a newer one: uid1's
# reading, acknowledged after the source deleted it, leaves "deleted".
outbox --status-ack "$uid2" read --status-ack "$uid1" read
grep -q ', 2 reply status acknowledgement(s) (1 for a status no longer waiting) and 0 acknowledgement(s) ' \
	"$SD_TMP/err" || fail "import said: $(cat "$SD_TMP/err")"
export_open
[ "$(statuses)" = "$uid1 deleted $today" ] || fail "after the acks: $(statuses)"
outbox --status-ack "$uid1" deleted
export_open
[ -z "$(statuses)" ] || fail "an acknowledged fact is still exported: $(statuses)"
# uid2 stays read: showing it again reports nothing new.
st=$(as "$A" GET /replies)
[ "$(count '<div class="reply">')" = 1 ] || fail "not one reply left"
export_open
[ -z "$(statuses)" ] || fail "read reported twice: $(statuses)"
# Every reply still has its receipt for the newsroom, deleted or not.
[ "$(grep -c '^receipt ' "$SD_TMP/opened")" = 2 ] || fail "not 2 receipts"

# Source B, in its own browser.
B=$SD_TMP/jar-b
SD_JAR=$B sd_source
st=$(SD_JAR=$B sd_submit "first from B") && [ "$st" = 200 ] || fail "submit: $st"

# The newsroom acknowledges A's submission: A gets a receipt, B does not.
outbox --ack "$sub1"
grep -q ' and 1 acknowledgement(s) ' "$SD_TMP/err" ||
	fail "import said: $(cat "$SD_TMP/err")"
[ "$(sd_sql "$data" "SELECT count(*) FROM receipts")" = 1 ] || fail "no receipt"
st=$(as "$A" GET "/replies?l=en") && [ "$st" = 200 ] || fail "replies: $st"
sd_check_response "replies with a receipt"
[ "$(count '<div class="receipt">')" = 1 ] || fail "no receipt shown"
grep -q "<p>What you sent on <bdi>$date</bdi> has reached our journalists.</p>" \
	"$SD_BODY" || fail "the receipt does not say when"
r1=$(sd_sql "$data" "SELECT lower(hex(uid)) FROM receipts")
grep -q "name=\"id\" value=\"$r1\"" "$SD_BODY" || fail "no delete form for $r1"
grep -q '>Delete this notice<' "$SD_BODY" || fail "no delete button"
grep -q '>Delete all replies and notices<' "$SD_BODY" ||
	fail "delete-all does not name the notices"
st=$(as "$B" GET /replies)
grep -q 'class="receipt"' "$SD_BODY" && fail "B sees A's receipt"

# The same in other languages: ?l=, then kept by the session.
st=$(as "$A" GET "/replies?l=ru")
grep -q "Всё, что вы отправили <bdi>$date</bdi>, дошло до наших журналистов." \
	"$SD_BODY" || fail "ru: no receipt"
grep -q '>Удалить это уведомление<' "$SD_BODY" || fail "ru: no delete button"
st=$(as "$A" GET /replies)
grep -q '<html lang="ru"' "$SD_BODY" || fail "ru not kept by the session"
st=$(as "$A" GET "/replies?l=ug")
grep -q '<html lang="ug" dir="rtl">' "$SD_BODY" || fail "ug: not rtl"
grep -q "<bdi>$date</bdi> كۈنى يوللىغان نەرسە مۇخبىرلىرىمىزغا يېتىپ باردى." \
	"$SD_BODY" || fail "ug: no receipt"
st=$(as "$A" GET "/replies?l=zh-Hans")
grep -q "您在 <bdi>$date</bdi> 发送的内容已送达我们的记者。" "$SD_BODY" ||
	fail "zh-Hans: no receipt"
st=$(as "$A" GET "/replies?l=en")

# With a receipt and no reply, the page still says no reply came yet.
csrf=$(sd_csrf)
st=$(as "$A" POST /replies/delete --data-urlencode "csrf=$csrf" \
	--data-urlencode "id=$uid2") && [ "$st" = 303 ] || fail "delete: $st"
st=$(as "$A" GET /replies)
[ "$(count '<div class="reply">')" = 0 ] || fail "a deleted reply is shown"
[ "$(count '<div class="receipt">')" = 1 ] || fail "the receipt went too"
grep -q 'No replies yet. Check again in a few days.' "$SD_BODY" ||
	fail "no empty-state text beside the receipt"
grep -q 'action="/replies/delete-all"' "$SD_BODY" || fail "no delete-all"

# One receipt per source and day: another submission of today adds none;
# one of another day adds its own, and the oldest comes first.
st=$(SD_JAR=$A sd_submit "second from A") && [ "$st" = 200 ] || fail "submit"
st=$(SD_JAR=$A sd_submit "third from A") && [ "$st" = 200 ] || fail "submit"
sd_sql "$data" "UPDATE submissions SET day = day - 2 WHERE id =
	(SELECT max(id) FROM submissions)"
set -- $(sd_sql "$data" "SELECT lower(hex(s.uid)) FROM submissions s
	JOIN sources o ON o.id = s.source_id
	WHERE o.id = (SELECT source_id FROM receipts) ORDER BY s.id")
[ $# = 2 ] || fail "A does not have two submissions: $*"
outbox --ack "$1" --ack "$2"
grep -q ' and 2 acknowledgement(s) ' "$SD_TMP/err" ||
	fail "import said: $(cat "$SD_TMP/err")"
[ "$(sd_sql "$data" "SELECT count(*) FROM receipts")" = 2 ] ||
	fail "not one receipt per day"
st=$(as "$A" GET /replies)
[ "$(count '<div class="receipt">')" = 2 ] || fail "not two receipts shown"
[ "$(grep -o '<bdi>[0-9-]*</bdi> has reached' "$SD_BODY" | tr -d '\n')" = \
	"<bdi>$(date -u -d "@$(((today - 2) * 86400))" +%F)</bdi> has reached<bdi>$date</bdi> has reached" ] ||
	fail "receipts not oldest first"
# Receipts are the source's, never the newsroom's: not in an export.
export_open
[ "$(grep -c '^receipt ' "$SD_TMP/opened")" = 2 ] || fail "a receipt was exported"

# B cannot delete A's receipt, one or all.
csrf_b=$(as "$B" GET /replies >/dev/null && sd_csrf)
st=$(as "$B" POST /replies/delete --data-urlencode "csrf=$csrf_b" \
	--data-urlencode "id=$r1") && [ "$st" = 303 ] || fail "B's delete: $st"
st=$(as "$B" POST /replies/delete-all --data-urlencode "csrf=$csrf_b") &&
	[ "$st" = 303 ] || fail "B's delete-all: $st"
[ "$(sd_sql "$data" "SELECT count(*) FROM receipts")" = 2 ] ||
	fail "B deleted A's receipt"

# A deletes one, then everything.
st=$(as "$A" GET /replies)
csrf=$(sd_csrf)
st=$(as "$A" POST /replies/delete --data-urlencode "csrf=$csrf" \
	--data-urlencode "id=$r1") && [ "$st" = 303 ] || fail "delete: $st"
[ "$(sd_sql "$data" "SELECT count(*) FROM receipts WHERE lower(hex(uid)) = '$r1'")" = 0 ] ||
	fail "the receipt was not deleted"
[ "$(sd_sql "$data" "SELECT count(*) FROM receipts")" = 1 ] ||
	fail "delete took more than one receipt"
st=$(as "$A" GET /replies)
[ "$(count '<div class="receipt">')" = 1 ] || fail "not one receipt left"
# A reply again, so delete-all takes both kinds.
outbox --reply-uid 33333333333333333333333333333333 "$pk" "Three."
st=$(as "$A" GET /replies)
[ "$(count '<div class="reply">')" = 1 ] || fail "no new reply"
csrf=$(sd_csrf)
st=$(as "$A" POST /replies/delete-all --data-urlencode "csrf=$csrf") &&
	[ "$st" = 303 ] || fail "delete-all: $st"
[ "$(sd_sql "$data" "SELECT count(*) FROM receipts")" = 0 ] ||
	fail "delete-all left a receipt"
[ "$(sd_sql "$data" "SELECT count(*) FROM replies")" = 0 ] ||
	fail "delete-all left a reply"
st=$(as "$A" GET /replies)
grep -q 'class="receipt"\|class="reply"\|/replies/delete-all' "$SD_BODY" &&
	fail "the page still offers something to delete"
export_open
# uid2 was read (acknowledged) and deleted since; the third was read and
# deleted by delete-all: deleted is what is reported for each.
[ "$(statuses)" = "$uid2 deleted $today
33333333333333333333333333333333 deleted $today" ] ||
	fail "after delete-all: $(statuses)"
sd_stop

# A drop of schema 2 gains the facts (none yet) and the receipts table.
sd_sql "$data" "DROP TRIGGER submission_completes;
	DROP TRIGGER submission_goes; ALTER TABLE sources DROP COLUMN stored;
	DROP TABLE receipts; ALTER TABLE reply_uids DROP COLUMN day;
	ALTER TABLE reply_uids DROP COLUMN status; PRAGMA user_version = 2"
sd_exits 0 "status" "$SD_BIN" --data "$data" status
grep -q '^schema version: 4$' "$SD_TMP/out" || fail "status: $(cat "$SD_TMP/out")"
[ "$(sd_sql "$data" "SELECT count(*) FROM reply_uids WHERE status = 0
	AND day IS NULL")" = 3 ] || fail "the migration did not start every fact at none"
export_open
[ -z "$(statuses)" ] || fail "statuses after the migration: $(statuses)"
echo ok
