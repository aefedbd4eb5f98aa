#!/bin/bash
# Plaintext never reaches the disk: a random marker put in messages, file
# contents and file names (of stored and of refused submissions) is found
# nowhere under the data directory, in /tmp or in what the server prints,
# yet the export opens to exactly what was sent.
. "$(dirname "$0")/lib.sh"

sd_newsroom
sd_conf "$data" max_upload_mb 4
sd_start "$data"
marker=canary$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')

sd_source
# Small and large files: the large one spans several database writes.
printf 'a short file %s\n' "$marker" >"$SD_TMP/small.txt"
{
	head -c 700000 /dev/urandom
	printf '%s' "$marker"
	head -c 700000 /dev/urandom
	printf '%s' "$marker"
} >"$SD_TMP/large.bin"
st=$(sd_submit "message $marker" \
	-F "file=@$SD_TMP/small.txt;filename=$marker.txt;type=text/$marker" \
	-F "file=@$SD_TMP/large.bin") && [ "$st" = 200 ] ||
	fail "submit: $st"
st=$(sd_submit "$marker" -F "file=@$SD_TMP/large.bin;filename=x$marker") &&
	[ "$st" = 200 ] || fail "submit: $st"
# Refused ones: the honeypot, and too large while streaming.
st=$(sd_submit "refused $marker" -F "file=@$SD_TMP/large.bin" \
	-F "website=x") && [ "$st" = 400 ] || fail "honeypot: $st"
head -c 5000000 /dev/urandom >"$SD_TMP/huge.bin"
printf '%s' "$marker" >>"$SD_TMP/huge.bin"
st=$(sd_submit "too large $marker" -H 'Transfer-Encoding: chunked' \
	-F "file=@$SD_TMP/large.bin" -F "file=@$SD_TMP/huge.bin") &&
	[ "$st" = 413 ] || fail "too large: $st"
# A wrong login with the marker as the codename.
rm -f "$SD_JAR"
st=$(sd_login "$marker") && [ "$st" = 403 ] || fail "login: $st"

look() { # where
	if grep -a -r -l -F "$marker" "$data" "$@" 2>/dev/null; then
		fail "plaintext on disk (above)"
	fi
	grep -a -q -F "$marker" "$SD_TMP/serve.out" "$SD_TMP/serve.err" &&
		fail "plaintext in the server's output"
	return 0
}
ls "$data"/drop.db-wal >/dev/null || fail "no WAL to search"
ls "$data"/chunks.db >/dev/null || fail "no chunks.db to search"
# Both stored submissions came in pieces: their ciphertext is in
# chunks.db, written once, and none of it in drop.db.
[ "$(sd_sql "$data" "SELECT count(*) FROM chunks")" = 0 ] ||
	fail "pieces of an upload in drop.db"
[ "$(sqlite3 "$data/chunks.db" "SELECT count(DISTINCT sub) FROM chunks")" = 2 ] ||
	fail "chunks.db does not hold the two submissions"
look
"$SD_BIN" --data "$data" export --out "$SD_TMP/export.bundle" ||
	fail "export"
grep -a -q -F "$marker" "$SD_TMP/export.bundle" && fail "plaintext in export"
sd_stop
look
found=$(sd_tmp_find "$marker")
[ -n "$found" ] && fail "plaintext in /tmp: $found"

# And it was all stored, sealed.
"$SD_TOOL" open-export "$keys" "$SD_TMP/export.bundle" >"$SD_TMP/opened" ||
	fail "open-export"
want="message//$(printf 'message %s' "$marker" | sd_hash)"
want="$want file/$marker.txt/$(sd_hash "$SD_TMP/small.txt")"
want="$want file/large.bin/$(sd_hash "$SD_TMP/large.bin")"
grep -q -F "$want" "$SD_TMP/opened" || fail "the first submission differs"
grep -q -F "file/x$marker/$(sd_hash "$SD_TMP/large.bin")" "$SD_TMP/opened" ||
	fail "the second submission differs"
[ "$(grep -c '^sub ' "$SD_TMP/opened")" = 2 ] || fail "not 2 submissions"
echo ok
