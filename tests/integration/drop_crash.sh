#!/bin/bash
# kill -9 in the middle of an upload: the database is intact, the
# half-written submission is swept at the next start, and every
# submission answered 200 before the kill is still there to export. A
# small submission is not in the database at all until it completes.
. "$(dirname "$0")/lib.sh"

sd_newsroom
sd_start "$data"
sd_source
head -c 600000 /dev/urandom >"$SD_TMP/file.bin"
for i in 1 2 3; do
	st=$(sd_submit "answered $i" -F "file=@$SD_TMP/file.bin") &&
		[ "$st" = 200 ] || fail "submit $i: $st"
done

# A slow upload, killed once part of it is in the database.
head -c 4000000 /dev/urandom >"$SD_TMP/slow.bin"

# Starts a slow upload in the background ($slow) and returns once part
# of it is in the database.
slow_upload() {
	st=$(sd_req GET /submit) && csrf=$(sd_csrf)
	curl -sS --max-time 40 -b "$SD_JAR" -o /dev/null --limit-rate 400K \
		-F "csrf=$csrf" -F "file=@$SD_TMP/slow.bin" "$SD_URL/submit" \
		2>/dev/null &
	slow=$!
	i=0
	until [ "$(sd_sql "$data" \
		"SELECT count(*) FROM submissions WHERE complete = 0")" = 1 ]; do
		[ $i -lt 100 ] || fail "the slow upload never reached the database"
		sleep 0.1
		i=$((i + 1))
	done
}

slow_upload
kill -KILL "$SD_PID"
wait "$SD_PID" 2>/dev/null
SD_PID=
wait "$slow" 2>/dev/null

[ "$(sqlite3 "$data/drop.db" "PRAGMA integrity_check")" = ok ] ||
	fail "integrity_check"
"$SD_BIN" --data "$data" export --out "$SD_TMP/before.bundle" ||
	fail "export after the crash"
"$SD_TOOL" open-export "$keys" "$SD_TMP/before.bundle" >"$SD_TMP/opened" ||
	fail "open-export"
[ "$(grep -c '^sub ' "$SD_TMP/opened")" = 3 ] ||
	fail "not the 3 answered submissions"
# With no server running, export swept what the crash left, in chunks.db
# too: only the pieces of the three answered ones are left.
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 0")" \
	= 0 ] || fail "export did not sweep"
[ "$(sqlite3 "$data/chunks.db" "PRAGMA integrity_check")" = ok ] ||
	fail "chunks.db integrity_check"
subs() { sqlite3 "$data/chunks.db" "SELECT count(DISTINCT sub) FROM chunks"; }
[ "$(subs)" = 3 ] || fail "chunks.db holds $(subs) submissions, not 3"

# Once more, now swept by a restart.
sd_start "$data"
st=$(sd_login "$codename") && [ "$st" = 303 ] || fail "login: $st"
slow_upload
# export while the server runs leaves an upload in progress alone.
"$SD_BIN" --data "$data" export --out "$SD_TMP/during.bundle" ||
	fail "export during an upload"
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 0")" \
	= 1 ] || fail "export swept an upload in progress"
kill -KILL "$SD_PID"
wait "$SD_PID" 2>/dev/null
SD_PID=
wait "$slow" 2>/dev/null
sd_start "$data"
grep -q 'removed 1 unfinished' "$SD_TMP/serve.err" || fail "no sweep at start"
[ "$(subs)" = 3 ] || fail "after the start, chunks.db holds $(subs), not 3"
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 0")" \
	= 0 ] || fail "serve did not sweep"
[ "$(sd_sql "$data" "SELECT count(*) FROM chunks WHERE envelope NOT IN \
	(SELECT id FROM envelopes)")" = 0 ] || fail "orphan chunks"
[ "$(sqlite3 "$data/drop.db" "PRAGMA integrity_check")" = ok ] ||
	fail "integrity_check"
"$SD_BIN" --data "$data" export --out "$SD_TMP/after.bundle" || fail "export"
"$SD_TOOL" open-export "$keys" "$SD_TMP/after.bundle" >"$SD_TMP/opened" ||
	fail "open-export"
[ "$(grep -c '^sub ' "$SD_TMP/opened")" = 3 ] || fail "submissions lost"

# A submission whose ciphertext fits the upload's buffer is written whole
# as it completes, in one transaction: while it arrives the database holds
# none of it (not even its finished message), so a crash then leaves
# nothing to sweep.
head -c 300000 /dev/urandom >"$SD_TMP/small.bin"
chunks=$(sd_sql "$data" "SELECT count(*) FROM chunks")
st=$(sd_login "$codename") && [ "$st" = 303 ] || fail "login: $st"
st=$(sd_req GET /submit) && csrf=$(sd_csrf)
curl -sS --max-time 40 -b "$SD_JAR" -o /dev/null -w '%{http_code}' \
	--limit-rate 100K -F "csrf=$csrf" --form-string "message=small" \
	-F "file=@$SD_TMP/small.bin" \
	"$SD_URL/submit" >"$SD_TMP/small.status" &
small=$!
sleep 1.5
kill -0 "$small" 2>/dev/null || fail "the small upload ended too soon"
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 0")" \
	= 0 ] || fail "a small upload wrote its submission before the end"
[ "$(sd_sql "$data" "SELECT count(*) FROM chunks")" = "$chunks" ] ||
	fail "a small upload wrote a chunk before the end"
wait "$small"
[ "$(cat "$SD_TMP/small.status")" = 200 ] ||
	fail "the small upload: $(cat "$SD_TMP/small.status")"
[ "$(sd_sql "$data" "SELECT count(*) FROM chunks")" = $((chunks + 2)) ] ||
	fail "a small upload is not one chunk per envelope"
sd_stop
echo ok
