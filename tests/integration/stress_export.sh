#!/bin/bash
# Export and import while sources upload. In each round ten uploads run
# while the newsroom exports, acknowledges everything it got and sends a
# reply, and the drop imports that. No step fails, every upload is
# answered 200, and every submission answered 200 reaches the newsroom:
# in an export, or still waiting for the next. Acknowledged ones are
# gone from the drop; the replies reach the source.
# SD_ROUNDS sets the number of rounds (make stress: 20).
. "$(dirname "$0")/lib.sh"

rounds=${SD_ROUNDS:-3}
uploads=10

sd_newsroom
sd_start "$data"
sd_source
st=$(sd_req GET /submit) && [ "$st" = 200 ] || fail "GET /submit: $st"
csrf=$(sd_csrf)
head -c 1500000 /dev/urandom >"$SD_TMP/file.bin"
: >"$SD_TMP/answered"
: >"$SD_TMP/received"
replies=0

# Exports, opens, acknowledges all it holds with one reply; imports.
newsroom_round() {
	"$SD_BIN" --data "$data" export --out "$SD_TMP/x.bundle" \
		>/dev/null 2>"$SD_TMP/x.err" || fail "export: $(cat "$SD_TMP/x.err")"
	"$SD_TOOL" open-export "$keys" "$SD_TMP/x.bundle" >"$SD_TMP/x.opened" ||
		fail "open-export"
	sed -n 's|^sub [^ ]* [^ ]* message//\([^ ]*\).*|\1|p' \
		"$SD_TMP/x.opened" >>"$SD_TMP/received"
	set --
	for id in $(awk '/^sub / { print $2 }' "$SD_TMP/x.opened"); do
		set -- "$@" --ack "$id"
	done
	pk=$(awk '/^sub / { print $3; exit }' "$SD_TMP/x.opened")
	[ -n "$pk" ] && set -- "$@" --reply "$pk" "reply $replies"
	[ $# -gt 0 ] || return 0
	"$SD_TOOL" outbox "$keys" "$SD_TMP/o.bundle" "$@" >/dev/null ||
		fail "outbox"
	"$SD_BIN" --data "$data" import "$SD_TMP/o.bundle" >/dev/null \
		2>"$SD_TMP/i.err" || fail "import: $(cat "$SD_TMP/i.err")"
	[ -n "$pk" ] && replies=$((replies + 1))
	return 0
}

for r in $(seq "$rounds"); do
	pids=
	for i in $(seq $uploads); do
		msg="round $r upload $i"
		printf '%s\n' "$msg" | tr -d '\n' | sd_hash >>"$SD_TMP/answered"
		curl -sS --max-time 60 -b "$SD_JAR" -o /dev/null \
			-w '%{http_code}\n' -F "csrf=$csrf" \
			--form-string "message=$msg" \
			-F "file=@$SD_TMP/file.bin" "$SD_URL/submit" \
			>"$SD_TMP/status.$r.$i" &
		pids="$pids $!"
	done
	newsroom_round
	newsroom_round
	# shellcheck disable=SC2086
	wait $pids
	for i in $(seq $uploads); do
		[ "$(cat "$SD_TMP/status.$r.$i")" = 200 ] ||
			fail "round $r upload $i: $(cat "$SD_TMP/status.$r.$i")"
	done
done
# The last ones, once the uploads are over.
newsroom_round
echo "$((rounds * uploads)) uploads, $replies replies"
sort -u "$SD_TMP/answered" >"$SD_TMP/a.sorted"
sort -u "$SD_TMP/received" >"$SD_TMP/r.sorted"
[ "$(comm -23 "$SD_TMP/a.sorted" "$SD_TMP/r.sorted" | wc -l)" = 0 ] ||
	fail "a submission answered 200 never reached the newsroom"
[ "$(comm -13 "$SD_TMP/a.sorted" "$SD_TMP/r.sorted" | wc -l)" = 0 ] ||
	fail "the newsroom got a submission no one sent"
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions")" = 0 ] ||
	fail "acknowledged submissions are still in the drop"

# The source sees every reply.
st=$(sd_login "$codename") && [ "$st" = 303 ] || fail "login: $st"
st=$(sd_req GET /replies) && [ "$st" = 200 ] || fail "GET /replies: $st"
[ "$(grep -o 'class="reply"' "$SD_BODY" | wc -l)" = "$replies" ] ||
	fail "not $replies replies shown"
sd_stop
[ "$(sqlite3 "$data/drop.db" "PRAGMA integrity_check")" = ok ] ||
	fail "integrity_check"
echo ok
