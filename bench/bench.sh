#!/bin/bash
# make bench: measures the drop on this machine, each figure against a
# baseline measured in the same run on the same machine, and writes
# BUILD/bench.tsv (metric value unit baseline_metric baseline_value ratio)
# and a table with each target. A benchmark, never a test: it fails only
# when something it runs fails, not when a target is missed.
#   bench/bench.sh BUILD
# Needs about 4 GiB free under BUILD; takes a few minutes. Only 127.0.0.1.
SEALDROP_BUILD=$(cd "${1:-build}" && pwd)
export SEALDROP_BUILD
. "$(dirname "$0")/../tests/integration/lib.sh"
set -o pipefail

B=$SEALDROP_BUILD/bench/bench
ADM=$SEALDROP_BUILD/sealdrop-admin
tsv=$SEALDROP_BUILD/bench.tsv
MB() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.1f", b / 1e6 / t }'; }
vmhwm() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SD_PID/status"; }
reset_hwm() { echo 5 >"/proc/$SD_PID/clear_refs" 2>/dev/null; }

# row METRIC VALUE UNIT BASELINE_METRIC BASELINE_VALUE TARGET
# TARGET: ">=X" or "<=X" for the ratio, "v<=X" for the value itself, or
# "report", for the table only.
printf 'metric\tvalue\tunit\tbaseline_metric\tbaseline_value\tratio\n' >"$tsv"
: >"$SD_TMP/targets"
row() {
	ratio=$(awk -v a="$2" -v b="$5" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$ratio" \
		>>"$tsv"
	verdict=$(awk -v r="$ratio" -v v="$2" -v t="$6" 'BEGIN {
		if (t == "report") { print "report"; exit }
		if (substr(t, 1, 1) == "v") { r = v; t = substr(t, 2) }
		op = substr(t, 1, 2); x = substr(t, 3) + 0
		ok = op == ">=" ? r >= x : r <= x
		print (ok ? "met " : "MISSED ") t }')
	printf '%s\t%s\n' "$1" "$verdict" >>"$SD_TMP/targets"
	echo "  $1: $2 $3 ($4: $5) ratio $ratio, $verdict" >&2
}

# lesser A B: the smaller of two rates, the limit of a path that needs
# both.
lesser() { awk -v a="$1" -v b="$2" 'BEGIN { print a < b ? a : b }'; }

# median X...: the middle of an odd number of figures.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
	END { print v[(NR + 1) / 2] }'; }

# upload FILE: POST /submit of FILE with the session in the jar; prints
# the seconds it took (curl's total), fails unless answered 200.
upload() {
	st=$(sd_req GET /submit) && [ "$st" = 200 ] || fail "GET /submit: $st"
	csrf=$(sd_csrf)
	out=$(curl -sS --max-time 600 -b "$SD_JAR" -o /dev/null \
		-w '%{http_code} %{time_total}' -F "csrf=$csrf" \
		-F "file=@$1;type=application/octet-stream" "$SD_URL/submit") ||
		fail "upload of $1"
	[ "${out% *}" = 200 ] || fail "upload of $1: ${out% *}"
	echo "${out#* }"
}

keys=$SD_TMP/keys data=$SD_TMP/data
echo "bench: files and keys" >&2
sd_keygen "$keys"
echo "test passphrase" >"$SD_TMP/pass"
sd_init "$data" "$keys/newsroom.pub"
sd_conf "$data" max_upload_mb 2048
sd_conf "$data" kdf_workers 2
sd_start "$data"
port=${SD_URL##*:}
sd_source
for m in 64 256 1024; do
	head -c $((m << 20)) /dev/urandom >"$SD_TMP/r$m"
done
# The disk's writeback of these 1.3 GiB would otherwise run under the
# first figures and their baselines, the write + fdatasync among them.
sync

# An upload's limit is the slower of its two halves: sealing, and
# writing the ciphertext durably. The disk here may answer fdatasync from
# a cache, so it is measured next to the figure it bounds, each time.
echo "bench: upload of 256 MiB" >&2
seal256=$("$B" seal "$SD_TMP/r256" | cut -d' ' -f1)
ws=$("$B" writesync "$data/writesync.tmp" 256 | cut -d' ' -f1)
t=$(upload "$SD_TMP/r256")
echo "  sealing alone $seal256 MB/s, write + fdatasync $ws MB/s" >&2
row upload_256MiB_durable "$(MB $((256 << 20)) "$t")" MB/s \
	min_seal_writesync_256MiB "$(lesser "$seal256" "$ws")" ">=0.6"

echo "bench: sealdrop-admin extract of the same 256 MiB" >&2
# A small file from the same source, in the same export: its extract
# pays what every extract pays whatever the size.
head -c 1000 /dev/urandom >"$SD_TMP/r1k"
upload "$SD_TMP/r1k" >/dev/null
"$SD_BIN" --data "$data" export --out "$SD_TMP/x.bundle" >/dev/null 2>&1 ||
	fail "export"
adm() { "$ADM" --home "$keys" --passphrase-file "$SD_TMP/pass" "$@"; }
adm import "$SD_TMP/x.bundle" --trust "$("$SD_BIN" --data "$data" status |
	sed -n 's/^drop key [0-9a-f]* fingerprint //p')" >/dev/null 2>&1 ||
	fail "admin import"
rm -f "$SD_TMP/x.bundle"
# The export and the import just wrote some 800 MB (the bundle, the
# archive's WAL and its checkpoint). A precaution, as before the first
# figures: their writeback should not run under the extracts' own syncs
# (not a measured cause: the extracts were as slow in the bench
# without it).
sync
# subid BYTES: the submission of that many bytes.
subid() {
	adm list --tsv | awk -F '\t' -v b="$1" 'NR == 1 {
		for (i = 1; i <= NF; i++) { if ($i == "id") c = i
			if ($i == "bytes") n = i }; next }
		$n == b { print $c; exit }'
}
id=$(subid $((256 << 20)))
small=$(subid 1000)
[ -n "$id" ] && [ -n "$small" ] || fail "the submissions are not archived"
# xtime ID N: extracts ID into a folder of its own (N) and prints "total
# after": the seconds the whole command took, and those after the unlock
# (from the first file it makes in the folder to its exit; bench.c). Run
# in $(...): the caller exits when it fails. What it wrote is checked
# after the last (xcheck), so that reading 512 MiB back between the runs
# does not weigh on the next.
xtime() {
	"$B" xtime "$SD_TMP/out$2" "$ADM" --home "$keys" --passphrase-file \
		"$SD_TMP/pass" extract "$1" --to "$SD_TMP/out$2" \
		>"$SD_TMP/extract$2.out" || fail "extract of $1"
	# bench's line comes last, after the command's own.
	tail -n 1 "$SD_TMP/extract$2.out"
}
# xcheck N FILE: the extract into folder N gave FILE's bytes. The first
# line of its output is the file's path; its inspection report follows.
xcheck() {
	cmp -s "$2" "$(head -n 1 "$SD_TMP/extract$1.out")" ||
		fail "extract $1 gave other bytes"
}
# The passphrase's Argon2 run takes 0.4 to 0.9 s here, and a Python start
# (mat2's, in each inspection) varies by a tenth of a second from run to
# run: more than the 256 MiB's difference can bear. So the time after the
# unlock is taken on its own, both extracts run three times in turn, and
# each figure is the middle of its three.
tl='' al='' sl='' sal=''
for i in 1 2 3; do
	r=$(xtime "$id" "$i") || exit 1
	set -- $r
	tl="$tl $1" al="$al $2"
	r=$(xtime "$small" "s$i") || exit 1
	set -- $r
	sl="$sl $1" sal="$sal $2"
done
for i in 1 2 3; do
	xcheck "$i" "$SD_TMP/r256"
	xcheck "s$i" "$SD_TMP/r1k"
done
t=$(median $tl) after=$(median $al) tsmall=$(median $sl)
asmall=$(median $sal)
echo "  256 MiB:$tl s, after the unlock$al s" >&2
echo "  1000 bytes:$sl s, after the unlock$sal s" >&2
rm -rf "$SD_TMP/r1k" "$SD_TMP"/out* "$SD_TMP"/extract*.out
# The passphrase's Argon2 run, for comparison: `read` of the small
# submission unlocks the key and opens only its 1000-byte file (of the
# big one, it would also open its 256 MiB to say whether they open).
start=$(date +%s.%N)
adm read "$small" >/dev/null 2>&1
unlock=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
ss=$("$B" secretstream "$SD_TMP/r256" | cut -d' ' -f1)
ws=$("$B" writesync "$SD_TMP/writesync.tmp" 256 | cut -d' ' -f1)
echo "  secretstream decryption $ss MB/s, write + fdatasync $ws MB/s" >&2
xlimit=$(lesser "$ss" "$ws")
row extract_256MiB "$(MB $((256 << 20)) "$t")" MB/s \
	min_decrypt_writesync_256MiB "$xlimit" ">=0.8"
# What the 256 MiB costs beyond a 1000-byte file, after the unlock: the
# small file's time after its unlock (the archive's envelope opened, one
# inspection by bwrap, sealdrop-inspect and mat2 with its Python start,
# a file created, fsynced and named) is subtracted, as those are paid
# once per file whatever its size. What is left is reading, decrypting,
# writing and fsyncing the 256 MiB (and its padding), plus whatever the
# inspector spends more on a big file than on a small one.
row extract_256MiB_after_unlock \
	"$(awk -v a="$after" -v f="$asmall" 'BEGIN { printf "%.1f",
		268.435456 / (a - f) }')" MB/s min_decrypt_writesync_256MiB \
	"$xlimit" ">=0.8"
row extract_fixed_per_file "$(awk -v f="$tsmall" 'BEGIN { printf "%.3f",
	f }')" s unlock_alone "$(awk -v u="$unlock" 'BEGIN { printf "%.3f",
	u }')" report
rm -rf "$keys/archive.db"*

echo "bench: peak memory of uploads" >&2
reset_hwm
upload "$SD_TMP/r64" >/dev/null
rss64=$(vmhwm)
reset_hwm
upload "$SD_TMP/r1024" >/dev/null
rss1g=$(vmhwm)
row serve_peak_rss_1GiB_upload "$rss1g" MiB serve_peak_rss_64MiB_upload \
	"$rss64" "<=1.1"

echo "bench: envelope sealing" >&2
seal=$("$B" seal "$SD_TMP/r64" | cut -d' ' -f1)
export GNUPGHOME=$SD_TMP/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --passphrase '' --quick-gen-key 'bench <bench@example.invalid>' \
	default default never >/dev/null 2>&1 || fail "gpg key"
start=$(date +%s.%N)
gpg --batch --yes --trust-model always -r bench@example.invalid \
	-o "$SD_TMP/r64.gpg" --encrypt "$SD_TMP/r64" || fail "gpg --encrypt"
t=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
rm -f "$SD_TMP/r64.gpg"
row seal_64MiB "$seal" MB/s gpg_encrypt_64MiB "$(MB $((64 << 20)) "$t")" \
	">=20"
rm -f "$SD_TMP/r64" "$SD_TMP/r256" "$SD_TMP/r1024"

echo "bench: small text submissions, 8 clients" >&2
# A source of their own: the uploads above left the first near its
# max_source_mb, and some 40,000 messages of 16 KB would reach it.
rm -f "$SD_JAR"
sd_source
sd_raw_client
subs=$("$B" posts "$port" "$cookie" "$csrf" 8 15 1000 | cut -d' ' -f1)
# What one of them stored: its one envelope, in one row.
size=$(sd_sql "$data" "SELECT length(data) FROM chunks ORDER BY id DESC \
	LIMIT 1")
rows=$("$B" sqlite "$data" 3 "$size" | cut -d' ' -f1)
row small_submissions_8_clients "$subs" 1/s "sqlite_durable_insert_${size}B" \
	"$rows" ">=1.0"

# 32 sign-ups at once queue for the derivation slots (kdf_workers, 2
# here): at best the last waits for ceil(32 / slots) derivations.
echo "bench: new codenames" >&2
slots=2
reset_hwm
one=$("$B" codenames "$port" 1)
rss1=$(vmhwm)
reset_hwm
many=$("$B" codenames "$port" 32)
rss32=$(vmhwm)
set -- $many
[ "$4" -gt 0 ] || fail "no codename made at 32 at once"
row signup_p99_at_32 "$2" ms "signup_alone_x$(((32 + slots - 1) / slots))" \
	"$((${one%% *} * ((32 + slots - 1) / slots)))" "<=1.2"
row signup_peak_rss_at_32 "$rss32" MiB signup_alone_peak_rss "$rss1" \
	report
echo "  at 32: p50 $1 ms, p99 $2 ms, max $3 ms; $4 made, $5 busy (503);" \
	"alone ${one%% *} ms" >&2
sd_stop

# 1,000 sources on slow Tor circuits upload at once, at the configuration
# `sealdrop init` writes: each trickles a file at 50 kB/s for 20 s while
# another visitor asks for the landing page ten times a second. Every
# upload should be stored, in bounded memory, and the page stay quick.
echo "bench: 1,000 uploads at Tor's speed, default configuration" >&2
tor=$SD_TMP/tor
sd_init "$tor" "$keys/newsroom.pub"
sd_start "$tor"
port=${SD_URL##*:}
rm -f "$SD_JAR"
sd_source
sd_raw_client
reset_hwm
rssidle=$(vmhwm)
set -- $("$B" torspeed "$port" "$cookie" "$csrf" 1000 50 20)
rsstor=$(vmhwm)
[ "$#" = 4 ] || fail "torspeed"
got=$(sd_sql "$tor" "SELECT count(*) FROM submissions WHERE complete = 1")
[ "$got" = "$1" ] || fail "$1 uploads answered 200, $got stored"
row tor_speed_uploads_1000_stored "$1" uploads uploads_sent 1000 ">=1.0"
row tor_speed_uploads_1000_peak_rss "$rsstor" MiB serve_rss_idle \
	"$rssidle" "v<=300"
row tor_speed_uploads_1000_page_p99 "$2" ms page_p99_alone "$3" "v<=500"
echo "  $1 stored, $4 refused or cut off" >&2
sd_stop

echo
{
	head -n 1 "$tsv" | sed 's/$/\ttarget/'
	tail -n +2 "$tsv" | while IFS="$(printf '\t')" read -r m rest; do
		printf '%s\t%s\t%s\n' "$m" "$rest" \
			"$(awk -F '\t' -v m="$m" '$1 == m { print $2 }' \
				"$SD_TMP/targets")"
	done
} | column -t -s "$(printf '\t')"
echo
echo "written to $tsv"
