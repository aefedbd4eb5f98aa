#!/bin/bash
# A full disk: the data directory on a small tmpfs. An upload that fills
# it, and uploads below the free-space floor (disk_floor_mb), get the 503
# page with Retry-After; what was stored before is intact; once space
# returns, uploads succeed again. Without the right to mount (not root),
# only the floor is checked, with the floor set above the free space.
. "$(dirname "$0")/lib.sh"

keys=$SD_TMP/keys mnt=$SD_TMP/mnt
sd_keygen "$keys"
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=64m,mode=0700 tmpfs "$mnt" 2>/dev/null; then
	echo "skip: cannot mount a tmpfs here; checking the floor only"
	data=$SD_TMP/data
	sd_init "$data" "$keys/newsroom.pub"
	sd_conf "$data" disk_floor_mb 16777216
	sd_start "$data"
	codename=$(sd_new_source)
	st=$(sd_submit "below the floor") && [ "$st" = 503 ] ||
		fail "below the floor: $st"
	grep -qi '^Retry-After: [0-9]' "$SD_HDRS" || fail "no Retry-After"
	sd_stop
	echo ok
	exit 0
fi
# The server goes before the mount, the mount before the files.
trap 'sd_cleanup_mount' EXIT
sd_cleanup_mount() {
	if [ -n "$SD_PID" ]; then
		kill -KILL "$SD_PID" 2>/dev/null
		wait "$SD_PID" 2>/dev/null
	fi
	umount "$mnt"
	sd_cleanup
}

data=$mnt/data
sd_init "$data" "$keys/newsroom.pub"
sd_conf "$data" disk_floor_mb 8
sd_start "$data"
sd_source
st=$(sd_submit "stored before the disk filled") && [ "$st" = 200 ] ||
	fail "first submission: $st"
free_mb() { df -Pm "$mnt" | awk 'NR == 2 { print $4 }'; }
# Other files on the disk, to be removed when space should return.
head -c $((16 << 20)) /dev/zero >"$mnt/ballast"

# 1. Below the floor: refused before a byte is read; resumes once
# space returns.
avail=$(free_mb)
head -c $(((avail - 4) << 20)) /dev/zero >"$mnt/filler"
echo "free below the floor: $(free_mb) MiB"
st=$(sd_submit "below the floor") && [ "$st" = 503 ] ||
	fail "below the floor: $st"
grep -qi '^Retry-After: [0-9]' "$SD_HDRS" || fail "503 without Retry-After"
grep -q '<html lang=' "$SD_BODY" || fail "503 without its page"
rm -f "$mnt/filler"
st=$(sd_submit "stored once the floor was clear") && [ "$st" = 200 ] ||
	fail "after the floor cleared: $st"

# 2. An upload larger than the disk: stopped at the floor.
head -c $((80 << 20)) /dev/urandom >"$SD_TMP/huge.bin"
st=$(sd_submit "too big for the disk" -F "file=@$SD_TMP/huge.bin")
echo "an upload larger than the disk: $st (free: $(free_mb) MiB)"
[ "$st" = 503 ] || fail "an upload larger than the disk got $st, not 503"
grep -qi '^Retry-After: [0-9]' "$SD_HDRS" || fail "503 without Retry-After"
[ "$(free_mb)" -gt 0 ] || fail "the disk was filled to the last byte"
[ "$(sqlite3 "$data/drop.db" "PRAGMA integrity_check")" = ok ] ||
	fail "integrity_check after the disk filled"
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 0")" \
	= 0 ] || fail "the stopped upload was not rolled back"
# Its pieces were in chunks.db: gone too, from the file and its journal.
[ "$(sqlite3 "$data/chunks.db" "PRAGMA integrity_check")" = ok ] ||
	fail "chunks.db integrity_check after the disk filled"
[ "$(sqlite3 "$data/chunks.db" "SELECT count(*) FROM chunks")" = 0 ] ||
	fail "the stopped upload's pieces are still in chunks.db"
[ -z "$(tr -d '\0' <"$data/chunks.db-journal")" ] ||
	fail "chunks.db's journal is not zeroed"

# 3. Space returns: service resumes, and nothing stored was damaged. (The
# database keeps the stopped upload's pages for later uploads; the floor
# sees only what the file system has free.)
rm -f "$mnt/ballast" "$SD_TMP/huge.bin"
st=$(sd_submit "stored after space returned") && [ "$st" = 200 ] ||
	fail "after space returned: $st (free: $(free_mb) MiB)"
[ "$(sqlite3 "$data/drop.db" "PRAGMA integrity_check")" = ok ] ||
	fail "integrity_check"
sd_stop
"$SD_BIN" --data "$data" export --out "$SD_TMP/export.bundle" >/dev/null \
	2>&1 || fail "export"
"$SD_TOOL" open-export "$keys" "$SD_TMP/export.bundle" >"$SD_TMP/opened" ||
	fail "open-export"
for m in "stored before the disk filled" "stored once the floor was clear" \
	"stored after space returned"; do
	grep -q "message//$(printf %s "$m" | sd_hash)\$" "$SD_TMP/opened" ||
		fail "lost: $m"
done
[ "$(grep -c '^sub ' "$SD_TMP/opened")" = 3 ] ||
	fail "not exactly the three submissions answered 200"
echo ok
