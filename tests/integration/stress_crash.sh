#!/bin/bash
# Crash consistency: rounds of kill -9 at a random moment while about
# twenty uploads and an export run. After each: the database passes
# integrity_check, a restart is clean and sweeps what was cut off, every
# submission answered 200 is still there (message and file intact), and
# no stored submission is one that was never sent or is missing a part.
# SD_ROUNDS sets the number of rounds (make stress: 20).
. "$(dirname "$0")/lib.sh"

rounds=${SD_ROUNDS:-3}
uploads=20

sd_newsroom
sd_start "$data"
sd_source
for i in $(seq $uploads); do
	# 64 KiB to 2 MiB: some finish at once, some are cut off.
	head -c $(((RANDOM % 32 + 1) * 65536)) /dev/urandom >"$SD_TMP/file.$i"
	sd_hash "$SD_TMP/file.$i" >"$SD_TMP/file.$i.hash"
done
: >"$SD_TMP/answered"
: >"$SD_TMP/sent"

for r in $(seq "$rounds"); do
	# A logged-in session: the first round's from sign-up, later ones
	# from a login after the restart.
	if [ "$r" -gt 1 ]; then
		st=$(sd_login "$codename") && [ "$st" = 303 ] ||
			fail "round $r: login after restart: $st"
	fi
	st=$(sd_req GET /submit) && [ "$st" = 200 ] || fail "GET /submit: $st"
	csrf=$(sd_csrf)
	pids=
	for i in $(seq $uploads); do
		msg="round $r upload $i $RANDOM$RANDOM"
		printf '%s %s\n' "$(printf %s "$msg" | sd_hash)" \
			"$(cat "$SD_TMP/file.$i.hash")" >>"$SD_TMP/sent"
		# -b without -c: the uploads only read the cookie jar. At
		# 1 to 8 MB/s, some are cut off by the kill.
		curl -sS --max-time 60 -b "$SD_JAR" -o /dev/null \
			--limit-rate "$((RANDOM % 8 + 1))M" \
			-w '%{http_code}\n' -F "csrf=$csrf" \
			--form-string "message=$msg" \
			-F "file=@$SD_TMP/file.$i" "$SD_URL/submit" \
			>"$SD_TMP/status.$i" 2>/dev/null &
		pids="$pids $!"
		printf '%s\n' "$msg" >"$SD_TMP/msg.$i"
	done
	"$SD_BIN" --data "$data" export --out "$SD_TMP/during.bundle" \
		>/dev/null 2>"$SD_TMP/export.err" &
	exporter=$!
	# The kill lands anywhere from the first bytes to after the last.
	sleep "$((RANDOM % 2)).$((RANDOM % 10))"
	kill -KILL "$SD_PID"
	wait "$SD_PID" 2>/dev/null
	SD_PID=
	# shellcheck disable=SC2086
	wait $pids
	wait $exporter || fail "round $r: export during uploads and a crash:" \
		"$(cat "$SD_TMP/export.err")"
	"$SD_TOOL" open-export "$keys" "$SD_TMP/during.bundle" >/dev/null ||
		fail "round $r: the export made during the crash does not open"
	n200=0
	for i in $(seq $uploads); do
		if [ "$(cat "$SD_TMP/status.$i")" = 200 ]; then
			n200=$((n200 + 1))
			printf '%s %s\n' \
				"$(tr -d '\n' <"$SD_TMP/msg.$i" | sd_hash)" \
				"$(cat "$SD_TMP/file.$i.hash")" \
				>>"$SD_TMP/answered"
		fi
	done

	[ "$(sqlite3 "$data/drop.db" "PRAGMA integrity_check")" = ok ] ||
		fail "round $r: integrity_check"
	[ "$(sqlite3 "$data/drop.db" "PRAGMA foreign_key_check")" = "" ] ||
		fail "round $r: foreign_key_check"
	sd_start "$data"
	[ "$(sd_sql "$data" \
		"SELECT count(*) FROM submissions WHERE complete = 0")" = 0 ] ||
		fail "round $r: unfinished submissions after the restart"

	"$SD_BIN" --data "$data" export --out "$SD_TMP/after.bundle" \
		>/dev/null 2>&1 || fail "round $r: export after the restart"
	"$SD_TOOL" open-export "$keys" "$SD_TMP/after.bundle" \
		>"$SD_TMP/opened" || fail "round $r: open-export"
	stored=$(grep -c '^sub ' "$SD_TMP/opened")
	[ "$stored" = "$(sd_sql "$data" "SELECT count(*) FROM submissions")" ] ||
		fail "round $r: export and database disagree"
	# Every answered submission, whole: its message and its file.
	while read -r mh fh; do
		grep -q "message//$mh file/file\.[0-9]*/$fh\$" "$SD_TMP/opened" ||
			fail "round $r: a submission answered 200 is lost"
	done <"$SD_TMP/answered"
	# Every stored one was sent, and is whole.
	sed -n 's|^sub [^ ]* [^ ]* message//\([^ ]*\) file/[^/]*/\([^ ]*\)$|\1 \2|p' \
		"$SD_TMP/opened" >"$SD_TMP/stored"
	[ "$(wc -l <"$SD_TMP/stored")" = "$stored" ] ||
		fail "round $r: a stored submission lacks its message or file"
	while read -r mh fh; do
		grep -qx "$mh $fh" "$SD_TMP/sent" ||
			fail "round $r: a stored submission was never sent"
	done <"$SD_TMP/stored"
	echo "round $r: $n200 of $uploads answered 200; $stored stored in all"
done
sd_stop
echo ok
