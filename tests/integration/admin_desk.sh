# The journalist's desk, end to end through both programs: a
# conversation whose replies pass through every status (queued, outbox,
# held, read, deleted), the source's receipt, the thread with both sides
# and a note, taking a reply back, and a bundle for another home refused.
. "$SEALDROP_TOP/tests/integration/lib.sh"
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

H=$AT/home DATA=$AT/data PASS=$AT/pass
trap 'tmux -S "$AT/tmux.sock" kill-server 2>/dev/null; rm -rf "$AT"; sd_cleanup' EXIT
printf 'desk test passphrase\n' >"$PASS"
n=0
# export_import: a fresh export from the drop, imported here.
export_import() {
	n=$((n + 1))
	"$SD_BIN" --data "$DATA" export --out "$AT/e$n.sdx" 2>"$AT/sd.err" ||
		fail "export $n: $(cat "$AT/sd.err")"
	adm 0 import "$AT/e$n.sdx" "$@"
}
# outbox_apply: an outbox written here, imported on the drop.
outbox_apply() {
	n=$((n + 1))
	adm 0 outbox --out "$AT/o$n.sdo"
	cp "$AT/out" "$AT/outbox.out"
	"$SD_BIN" --data "$DATA" import "$AT/o$n.sdo" 2>"$AT/sd.err" ||
		fail "sealdrop import $n: $(cat "$AT/sd.err")"
}
# status_of REPLY_ID: its status, as `replies --tsv` says.
status_of() {
	adm 0 replies --tsv
	awk -F '\t' -v id="$1" 'NR > 1 && $1 == id { print $4 }' "$AT/out"
}
want_status() {
	got=$(status_of "$1")
	[ "$got" = "$2" ] || fail "reply $1 is '$got', not '$2'"
}

adm 0 keygen
sd_init "$DATA" "$H/newsroom.pub"
DFPR=$(adm_drop_fpr "$DATA")
sd_start "$DATA"
sd_source
CODENAME=$codename
printf 'attached' >"$AT/a.txt"
st=$(sd_submit "MSG-FROM-SOURCE what I saw" \
	-F "file=@$AT/a.txt;filename=evidence.txt") && [ "$st" = 200 ] ||
	fail "submit: $st"

# A bundle none of whose submissions this home can open is refused.
H2=$AT/other
adm_rc 0 --home "$H2" --passphrase-file "$PASS" keygen
"$SD_BIN" --data "$DATA" export --out "$AT/e0.sdx" 2>/dev/null || fail "export"
adm_rc 1 --home "$H2" --passphrase-file "$PASS" import "$AT/e0.sdx" \
	--trust "$DFPR"
grep -q "refused, nothing imported: none of its 1 new submission is sealed to this home's key" \
	"$AT/err" || fail "other home: $(cat "$AT/err")"
[ "$(sqlite3 "$H2/archive.db" 'SELECT count(*) FROM submissions')" = 0 ] ||
	fail "the other home kept a submission"

export_import --trust "$DFPR"
grep -q '1 new source, 1 new submission' "$AT/out" ||
	fail "import: $(cat "$AT/out")"
grep -q 'Delete .* from the stick' "$AT/out" || fail "no word on the stick"
SUB=$(sqlite3 "$H/archive.db" 'SELECT id FROM submissions')
SRC=$(sqlite3 "$H/archive.db" 'SELECT designation FROM sources')

# Two replies queued; one taken back before any outbox.
printf 'REPLY-ONE thank you, we read it\n' | adm 0 reply "$SRC"
printf 'REPLY-TAKEN-BACK\n' | adm 0 reply "$SUB"
R1=$(sqlite3 "$H/archive.db" "SELECT id FROM replies ORDER BY id LIMIT 1")
R2=$((R1 + 1))
want_status "$R1" queued
adm 0 unqueue "$R2"
adm 2 unqueue "$R2"
grep -q "no reply $R2" "$AT/err" || fail "unqueue twice: $(cat "$AT/err")"
grep -a -q 'REPLY-ONE' "$H"/archive.db* && fail "reply text stored in clear"
printf 'NOTE-ON-IT check the date\n' | adm 0 note "$SUB"

# On a terminal, reply shows the text and seals only after "y".
TSOCK=$AT/tmux.sock
pane_waits_for() {
	i=0
	while [ $i -lt 100 ]; do
		tmux -S "$TSOCK" capture-pane -p -t desk >"$AT/pane" 2>/dev/null
		grep -qF "$1" "$AT/pane" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "the terminal never showed '$1': $(cat "$AT/pane")"
}
on_terminal() { # ANSWER TEXT: reply TEXT on a terminal, answering ANSWER
	printf '%s\n' "$2" >"$AT/typed.txt"
	tmux -S "$TSOCK" new-session -d -s desk -x 80 -y 24 \
		"'$ADM' --home '$H' reply '$SRC' --message-file '$AT/typed.txt'; echo EXIT=\$?; sleep 60"
	pane_waits_for '[y/N]'
	grep -qF "$2" "$AT/pane" || fail "the reply was not shown before sealing"
	tmux -S "$TSOCK" send-keys -t desk "$1" Enter
	pane_waits_for 'EXIT='
	tmux -S "$TSOCK" kill-server
}
before=$(sqlite3 "$H/archive.db" 'SELECT count(*) FROM replies')
on_terminal n 'REPLY-DECLINED on second thoughts'
grep -q 'Nothing queued' "$AT/pane" || fail "declined: $(cat "$AT/pane")"
grep -q 'EXIT=0' "$AT/pane" || fail "declined: $(cat "$AT/pane")"
[ "$(sqlite3 "$H/archive.db" 'SELECT count(*) FROM replies')" = "$before" ] ||
	fail "a declined reply was queued"
on_terminal y 'REPLY-CONFIRMED please stay safe'
grep -q 'Reply queued' "$AT/pane" || fail "confirmed: $(cat "$AT/pane")"
[ "$(sqlite3 "$H/archive.db" 'SELECT count(*) FROM replies')" = $((before + 1)) ] ||
	fail "a confirmed reply was not queued"
R3=$(sqlite3 "$H/archive.db" "SELECT max(id) FROM replies")
adm 0 unqueue "$R3"

# Written to an outbox: no longer queued, and no longer to be taken back.
outbox_apply
grep -q '1 reply, 1 acknowledgement' "$AT/outbox.out" ||
	fail "outbox: $(cat "$AT/outbox.out")"
want_status "$R1" outbox
adm 2 unqueue "$R1"
grep -q 'cannot be taken back' "$AT/err" || fail "unqueue: $(cat "$AT/err")"

# The drop confirms it holds the reply.
export_import
want_status "$R1" held

# The source logs in: its reply, and the receipt for what it sent.
sd_login "$CODENAME" >/dev/null
st=$(sd_req GET /replies) && [ "$st" = 200 ] || fail "GET /replies: $st"
grep -q 'class="reply"' "$SD_BODY" || fail "no reply on the page"
grep -q 'REPLY-ONE' "$SD_BODY" || fail "the reply's text is not shown"
grep -q 'class="receipt"' "$SD_BODY" || fail "no receipt on the page"
export_import
grep -q '1 reply status' "$AT/out" || fail "no status: $(cat "$AT/out")"
want_status "$R1" read

# Once acknowledged, the drop forgets the fact.
outbox_apply
grep -q '1 status acknowledgement' "$AT/outbox.out" ||
	fail "outbox: $(cat "$AT/outbox.out")"
export_import
grep -q '0 reply statuses' "$AT/out" || fail "status kept: $(cat "$AT/out")"
want_status "$R1" read

# The source deletes it.
st=$(sd_req GET /replies) && [ "$st" = 200 ] || fail "GET /replies: $st"
csrf=$(sd_csrf)
rid=$(sd_form_id reply) receipt=$(sd_form_id receipt)
[ -n "$rid" ] && [ -n "$receipt" ] && [ "$rid" != "$receipt" ] ||
	fail "reply '$rid', receipt '$receipt'"
st=$(sd_req POST /replies/delete --data-urlencode "csrf=$csrf" \
	--data-urlencode "id=$rid") && [ "$st" = 303 ] ||
	fail "delete: $st"
export_import
want_status "$R1" deleted
# The receipt goes the same way, and only it.
st=$(sd_req GET /replies) && [ "$st" = 200 ] || fail "GET /replies: $st"
grep -q 'class="reply"' "$SD_BODY" && fail "the deleted reply is still shown"
csrf=$(sd_csrf)
st=$(sd_req POST /replies/delete --data-urlencode "csrf=$csrf" \
	--data-urlencode "id=$receipt") && [ "$st" = 303 ] ||
	fail "delete the receipt: $st"
st=$(sd_req GET /replies) && [ "$st" = 200 ] || fail "GET /replies: $st"
grep -q 'class="receipt"' "$SD_BODY" && fail "the receipt is still shown"

# The thread: both sides, in order, with the note and the status.
adm 0 thread "$SRC"
cp "$AT/out" "$AT/thread"
for want in "Conversation with $SRC" "the source  (submission $SUB)" \
	"MSG-FROM-SOURCE what I saw" "files: evidence.txt (8 B)" \
	"note on submission $SUB" "NOTE-ON-IT check the date" \
	"the newsroom  (reply $R1: deleted" "REPLY-ONE thank you, we read it"; do
	grep -qF "$want" "$AT/thread" || fail "thread lacks '$want':
$(cat "$AT/thread")"
done
grep -q 'REPLY-TAKEN-BACK' "$AT/thread" && fail "a reply taken back shows"
# In order: the source's message, then the note, then the reply.
a=$(grep -n 'MSG-FROM-SOURCE' "$AT/thread" | cut -d: -f1)
b=$(grep -n 'NOTE-ON-IT' "$AT/thread" | cut -d: -f1)
c=$(grep -n 'REPLY-ONE' "$AT/thread" | cut -d: -f1)
[ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] || fail "thread out of order"
adm 0 thread "$SUB"
cmp -s "$AT/out" "$AT/thread" || fail "thread by submission id differs"
adm 2 thread no-such-source

# Every status was seen on the way; the TSV has the contract's columns.
adm 0 replies --tsv
head -n 1 "$AT/out" | grep -q '^id	source	day	status' ||
	fail "replies header: $(head -n 1 "$AT/out")"

# Errors name the path typed, never a temporary one; a bad output folder
# is named before any passphrase is asked (none could be, here).
adm 2 outbox --out "$AT/no/such/dir/o.sdo"
grep -qF "$AT/no/such/dir/o.sdo: " "$AT/err" || fail "outbox: $(cat "$AT/err")"
grep -q '\.tmp' "$AT/err" && fail "outbox named its temporary file"
adm_rc 2 --home "$H" extract "$SUB" --to "$AT/a.txt"
grep -qF "$AT/a.txt" "$AT/err" || fail "extract: $(cat "$AT/err")"
grep -qi 'passphrase' "$AT/err" && fail "extract asked first: $(cat "$AT/err")"

echo "admin_desk: ok"
