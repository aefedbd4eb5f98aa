# review, the interactive terminal interface, driven in tmux as a
# journalist would use it: the passphrase typed once, the inbox with the
# new submissions, a conversation in Cyrillic, Arabic and Chinese, a
# reply written in the built-in editor, previewed and confirmed, a note,
# a star, a reply taken back, files extracted with their reports, the
# idle lock (the key wiped, the passphrase asked again), the window
# resized, and leaving. A submission holding escape sequences and bidi
# overrides renders inert. Each step waits for its text on the screen,
# in a bounded loop.
. "$SEALDROP_TOP/tests/integration/lib.sh"
. "$SEALDROP_TOP/tests/integration/admin_lib.sh"

command -v tmux >/dev/null 2>&1 ||
	fail "tmux is missing (sh scripts/deps.sh installs it)"

H=$AT/home DATA=$AT/data PASS=$AT/pass X=$AT/files
PASSPHRASE='review test passphrase, typed'
printf '%s\n' "$PASSPHRASE" >"$PASS"
ESC=$(printf '\033')
BEL=$(printf '\007')
RLO=$(printf '\342\200\256') # U+202E, the right-to-left override
adm 0 keygen
sd_init "$DATA" "$H/newsroom.pub"
sd_start "$DATA"
DFPR=$(adm_drop_fpr "$DATA")

# Source A writes in three scripts and sends a file; source B sends
# what would retitle the window, colour the screen and reverse a name.
sd_source
printf 'a plain attachment\n' >"$AT/notes.txt"
st=$(sd_submit "Свидетельство из лагеря. شاهد من المخيم 我看见了营地
The second line, which the inbox does not show." \
	-F "file=@$AT/notes.txt;filename=notes.txt") && [ "$st" = 200 ] ||
	fail "A's submission: $st"
rm -f "$SD_JAR"
sd_source
st=$(sd_submit "HOSTILE${ESC}]0;pwned${BEL}${ESC}[31mred ${RLO}fdp.exe") &&
	[ "$st" = 200 ] || fail "B's submission: $st"
"$SD_BIN" --data "$DATA" export --out "$AT/e.sdx" 2>"$AT/sd.err" ||
	fail "export: $(cat "$AT/sd.err")"

# --- the session, in its own tmux server ---
SOCK=$AT/tmux.sock
tm() {
	tmux -S "$SOCK" "$@"
}
trap 'tm kill-server 2>/dev/null; rm -rf "$AT"; sd_cleanup' EXIT
screen() {
	tm capture-pane -p -t rv
}
# wait_for TEXT [SECONDS]: until the screen shows TEXT.
wait_for() {
	echo "waiting for: $1"
	i=0
	while [ $i -lt $((${2:-10} * 10)) ]; do
		# Joined too: a long status line wraps.
		screen | grep -q -F -- "$1" && return 0
		screen | tr -d '\n' | grep -q -F -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	screen >"$AT/screen.txt"
	fail "the screen never showed '$1'; it shows:
$(cat "$AT/screen.txt")"
}
keys() {
	tm send-keys -t rv "$@"
}
type_text() {
	tm send-keys -t rv -l "$1"
}
# too_wide FILE COLS: fails when a line of FILE takes more than COLS
# columns, double-width characters counted twice.
too_wide() {
	python3 - "$1" "$2" <<'EOF' || fail "a line of the screen is wider than $2 columns:
$(cat "$1")"
import sys, unicodedata
cols = int(sys.argv[2])
for line in open(sys.argv[1], encoding='utf-8'):
    w = sum(2 if unicodedata.east_asian_width(c) in 'WF' else
            0 if unicodedata.combining(c) else 1 for c in line.rstrip('\n'))
    if w > cols:
        sys.exit(1)
EOF
}
unlock() {
	wait_for "Passphrase for"
	type_text "$PASSPHRASE"
	keys Enter
	wait_for "Inbox: ${1:-2 submissions}" 30
}

tm -f /dev/null new-session -d -s rv -x 80 -y 24 \
	"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=screen \
	$ADM --home $H review; echo REVIEW-EXITED \$?; \
	sleep 60" \; set-option -t rv remain-on-exit on
wait_for "sealdrop review - unlock"
screen | grep -q -F "$PASSPHRASE" && fail "the passphrase was shown"
# A wrong passphrase is said so, and asked again.
type_text "not the passphrase"
keys Enter
wait_for "wrong passphrase" 30
unlock "0 submissions"
wait_for "No submissions. Press i to import"

# --- import from inside: the drop's key is shown and pinned once ---
keys i
wait_for "Import the bundle at:"
type_text "$AT/e.sdx"
keys Enter
wait_for "has not pinned" 30
wait_for "$(echo "$DFPR" | cut -c1-19)"
keys y
wait_for "Imported 2 new submissions, 2 new sources; drop key pinned." 30
wait_for "Inbox: 2 submissions, 2 new, 2 unread"
SUB_A=$(sqlite3 "$H/archive.db" "SELECT min(id) FROM submissions")
SUB_B=$(sqlite3 "$H/archive.db" "SELECT max(id) FROM submissions")
# A missing bundle is said so, on the status line.
keys i
wait_for "Import the bundle at:"
type_text "$AT/no-such.sdx"
keys Enter
wait_for "no-such.sdx: No such file or directory"

# --- the inbox: newest first, new and unread, the first line only ---
screen >"$AT/inbox.txt"
grep -q "NU  *$SUB_B " "$AT/inbox.txt" || fail "B is not new and unread:
$(cat "$AT/inbox.txt")"
[ "$(grep -n " $SUB_B 20" "$AT/inbox.txt" | cut -d: -f1)" -lt \
	"$(grep -n " $SUB_A 20" "$AT/inbox.txt" | cut -d: -f1)" ] ||
	fail "not newest first: $(cat "$AT/inbox.txt")"
grep -q 'Свидетельство из лагеря' "$AT/inbox.txt" ||
	fail "A's first line is not shown: $(cat "$AT/inbox.txt")"
grep -q 'The second line' "$AT/inbox.txt" &&
	fail "the inbox shows more than the first line"
grep -q 'q:Quit' "$AT/inbox.txt" || fail "no key bar"
# Every row fits in 80 columns, double-width characters counted.
too_wide "$AT/inbox.txt" 80

# --- B's hostile text is inert ---
keys Enter
wait_for "Conversation with"
screen >"$AT/hostile.txt"
grep -q -F 'HOSTILE\x1b]0;pwned\x07\x1b[31mred <U+202E>fdp.exe' \
	"$AT/hostile.txt" || fail "the hostile text is not shown inert:
$(cat "$AT/hostile.txt")"
title=$(tm display-message -p -t rv '#{pane_title}')
case $title in *pwned*) fail "the pane title was changed: $title" ;; esac
tm capture-pane -p -e -t rv | grep -q "${ESC}\[31m" &&
	fail "a colour from the source reached the terminal"
# Help, then back.
keys '?'
wait_for "sealdrop review - Help"
keys q
wait_for "Conversation with"
keys q
wait_for "Inbox: 2 submissions"

# --- A's conversation: three scripts, a star, a note, a reply ---
keys Down Enter
wait_for "Conversation with"
screen >"$AT/conv.txt"
for w in 'Свидетельство из лагеря' 'شاهد من المخيم' '我看见了营地' \
	'The second line' 'notes.txt'; do
	grep -q -F "$w" "$AT/conv.txt" || fail "'$w' not in the conversation:
$(cat "$AT/conv.txt")"
done
keys s
wait_for "Submission $SUB_A starred."
wait_for "[starred]"
[ "$(sqlite3 "$H/archive.db" "SELECT starred FROM submissions WHERE id = $SUB_A")" = 1 ] ||
	fail "the star is not in the archive"

keys n
wait_for "Note on submission $SUB_A"
type_text "NOTE-FROM-REVIEW check the date"
keys C-x
wait_for "Seal this note?"
keys y
wait_for "Note added to submission $SUB_A."
wait_for "NOTE-FROM-REVIEW check the date"

# A reply on two lines, in two scripts: previewed, edited again, sealed.
keys r
wait_for "Reply to"
type_text "REPLY-FROM-REVIEW спасибо"
keys Enter
type_text "second line 谢谢"
keys C-x
wait_for "Seal this reply and queue it for the source?"
wait_for "second line 谢谢"
keys e
wait_for "Reply to"
type_text " again"
keys C-x
wait_for "second line 谢谢 again"
keys y
wait_for "Reply queued for"
wait_for "(reply "
screen >"$AT/conv-reply.txt"
grep -q "reply [0-9]*: queued" "$AT/conv-reply.txt" ||
	fail "the reply is not queued: $(cat "$AT/conv-reply.txt")"
[ "$(sqlite3 "$H/archive.db" "SELECT count(*) FROM replies")" = 1 ] ||
	fail "no reply queued in the archive"
grep -a -q 'REPLY-FROM-REVIEW' "$H"/archive.db* &&
	fail "reply text stored in clear"
# A second reply, cancelled in the editor: nothing queued.
keys r
wait_for "Reply to"
type_text "REPLY-CANCELLED"
keys Escape
wait_for "Discard this text?"
keys y
wait_for "Conversation with"
[ "$(sqlite3 "$H/archive.db" "SELECT count(*) FROM replies")" = 1 ] ||
	fail "a cancelled reply was queued"

# The reply, selected last, taken back.
keys u
wait_for "Take back reply"
keys y
wait_for "taken back; it was never written to an outbox"
[ "$(sqlite3 "$H/archive.db" "SELECT count(*) FROM replies")" = 0 ] ||
	fail "unqueue left the reply"

# --- extract, with the report, into a folder asked once ---
keys Up
keys e
wait_for "Extract files into folder:"
type_text "$X"
keys Enter
wait_for "Files and their reports" 60
wait_for "notes.txt.report.txt"
[ "$(cat "$X/notes.txt")" = "a plain attachment" ] ||
	fail "the extracted file is not what was sent"
[ -s "$X/notes.txt.report.txt" ] || fail "no report beside the file"
keys q
wait_for "Conversation with"
# The folder is not asked again in this session.
keys e
wait_for "Files and their reports" 60
wait_for "notes (2).txt"
keys q q
wait_for "Inbox: 2 submissions"
screen | grep -q "  *$SUB_A .*U" && fail "A is still unread after reading"

# --- the outbox, from inside: the drop takes it ---
keys o
wait_for "Write the outbox bundle to:"
type_text "$AT/o.sdo"
keys Enter
wait_for "Wrote the outbox: 0 replies, 2 acknowledgements" 30
"$SD_BIN" --data "$DATA" import "$AT/o.sdo" >"$AT/sd.out" 2>&1 ||
	fail "the drop refused the outbox: $(cat "$AT/sd.out")"

# --- resize: the layout follows, and again at 80x24 ---
tm resize-window -t rv -x 120 -y 40
wait_for "Inbox: 2 submissions"
i=0
while [ $i -lt 50 ] && [ "$(screen | wc -l)" != 40 ]; do
	sleep 0.1
	i=$((i + 1))
done
screen >"$AT/big.txt"
[ "$(wc -l <"$AT/big.txt")" = 40 ] || fail "not 40 rows after resizing"
sed -n 40p "$AT/big.txt" | grep -q 'q:Quit' ||
	fail "the key bar is not on the last row at 120x40:
$(cat "$AT/big.txt")"
tm resize-window -t rv -x 80 -y 24
i=0
while [ $i -lt 50 ] && ! screen | sed -n 24p | grep -q 'q:Quit'; do
	sleep 0.1
	i=$((i + 1))
done
screen | sed -n 24p | grep -q 'q:Quit' ||
	fail "the key bar is not on row 24 at 80x24: $(screen)"
screen >"$AT/small.txt"
too_wide "$AT/small.txt" 80
# The pictures of the screen in docs/screenshots/ come from here.
mkdir -p "$SEALDROP_BUILD/screenshots"
cp "$AT/small.txt" "$SEALDROP_BUILD/screenshots/review-inbox.txt"
cp "$AT/conv-reply.txt" "$SEALDROP_BUILD/screenshots/review-conversation.txt"

# --- leaving: q, and the process is gone ---
keys q
wait_for "REVIEW-EXITED 0"
wait_for "were wiped from memory"
pid=$(tm display-message -p -t rv '#{pane_pid}')
[ -n "$pid" ] || fail "no pane"
pgrep -P "$pid" -f "sealdrop-admin" >/dev/null &&
	fail "sealdrop-admin is still running"

# --- the idle lock: a short time set for the test; the key is wiped,
# the screen erased and locked until the passphrase is typed again ---
tm kill-session -t rv
tm -f /dev/null new-session -d -s rv -x 80 -y 24 \
	"env LANG=C.UTF-8 TERM=screen $ADM --home $H review --lock-after 2s; \
	echo REVIEW-EXITED \$?; sleep 60"
unlock
keys Down Enter
wait_for "Свидетельство из лагеря"
wait_for "sealdrop review - locked" 15
screen | grep -q -F 'Свидетельство' && fail "the locked screen shows text"
# While locked, keys do nothing but fill the passphrase.
keys s
sleep 0.5
[ "$(sqlite3 "$H/archive.db" "SELECT starred FROM submissions WHERE id = $SUB_A")" = 1 ] ||
	fail "a key acted while locked"
keys C-u
unlock
screen | grep -q -F 'Свидетельство' || fail "unlocked, but no inbox"
# Ctrl-C leaves as well, wiping the same way.
keys C-c
wait_for "REVIEW-EXITED 0"
wait_for "were wiped from memory"

adm_rc 2 --home "$H" review </dev/null
grep -q 'review needs a terminal' "$AT/err" || fail "no terminal: $(cat "$AT/err")"
adm_rc 2 --home "$H" review --lock-after 0
grep -q 'lock-after takes MINUTES' "$AT/err" || fail "bad lock-after: $(cat "$AT/err")"
echo "PASS admin_review"
