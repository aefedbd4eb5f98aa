#!/bin/bash
# Submissions that arrive together share one durable commit (the
# writer's group commit), and none is answered before the commit that
# holds it: with many clients submitting at once the server is killed
# with -9, and every submission answered 200 before the kill is in the
# database whole, while the ones cut off left nothing behind.
. "$(dirname "$0")/lib.sh"

sd_newsroom
sd_start "$data"
sd_source
sd_raw_client

# post MESSAGE: one submission on a connection of its own; prints the
# status (000 when the connection broke).
post() {
	curl -sS --max-time 30 -b "$SD_JAR" -o /dev/null -w '%{http_code}' \
		-F "csrf=$csrf" --form-string "message=$1" "$SD_URL/submit" \
		2>/dev/null
}

# 24 at once: all answered, all stored.
pids=""
for i in $(seq 1 24); do
	post "together $i" >"$SD_TMP/together.$i" &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
for i in $(seq 1 24); do
	[ "$(cat "$SD_TMP/together.$i")" = 200 ] ||
		fail "submission $i of 24 at once: $(cat "$SD_TMP/together.$i")"
done
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 1")" \
	= 24 ] || fail "not the 24 submissions made at once"

# Eight clients submit as fast as they can; the server dies under them.
for c in $(seq 1 8); do
	(
		n=0
		while :; do
			n=$((n + 1))
			echo "$(post "client $c number $n") client $c number $n"
		done
	) >"$SD_TMP/client.$c" 2>/dev/null &
	clients="${clients:-} $!"
done
sleep 3
kill -KILL "$SD_PID"
wait "$SD_PID" 2>/dev/null
SD_PID=
sleep 1
# shellcheck disable=SC2086
kill $clients 2>/dev/null
# shellcheck disable=SC2086
wait $clients 2>/dev/null

cat "$SD_TMP"/client.* | grep '^200 ' | cut -d' ' -f2- >"$SD_TMP/answered"
answered=$(wc -l <"$SD_TMP/answered")
[ "$answered" -gt 0 ] || fail "nothing was answered before the kill"
[ "$(sqlite3 "$data/drop.db" "PRAGMA integrity_check")" = ok ] ||
	fail "integrity_check"
"$SD_BIN" --data "$data" export --out "$SD_TMP/x.bundle" >/dev/null 2>&1 ||
	fail "export after the kill"
"$SD_TOOL" open-export "$keys" "$SD_TMP/x.bundle" >"$SD_TMP/opened" ||
	fail "open-export"
stored=$(grep -c '^sub ' "$SD_TMP/opened")
while read -r msg; do
	h=$(printf '%s' "$msg" | sd_hash)
	grep -q "$h" "$SD_TMP/opened" || fail "answered 200 but lost: $msg"
done <"$SD_TMP/answered"
# A submission whose commit the kill beat may be stored unanswered (its
# 200 never sent), never the other way round; and what was cut off
# before its commit left no row.
[ "$stored" -ge $((answered + 24)) ] ||
	fail "$stored stored, fewer than the $((answered + 24)) answered"
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 0")" \
	= 0 ] || fail "rows of unanswered submissions left"
echo "answered before the kill: $answered; stored: $((stored - 24))"
echo ok
