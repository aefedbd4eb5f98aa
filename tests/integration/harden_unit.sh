#!/bin/bash
# The systemd unit: `make install` into a scratch prefix must give a unit
# that systemd-analyze verifies, and whose offline security exposure is
# below 2.0 ("OK" is 2.0 to 4.9; lower is better).
set -u
: "${SEALDROP_BUILD:?set SEALDROP_BUILD to the build directory}"
top=${SEALDROP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze is not installed"
	exit 0
fi

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

mkdir -p "$SEALDROP_BUILD/test-tmp"
tmp=$(mktemp -d "$SEALDROP_BUILD/test-tmp/unit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
build=$(realpath --relative-to="$top" "$SEALDROP_BUILD")

# PREFIX (not DESTDIR) is the scratch tree, so the unit's ExecStart names
# a binary that exists and verify can check it.
make -s -C "$top" --no-print-directory install PREFIX="$tmp" \
	BUILD="$build" >"$tmp/install.log" 2>&1 ||
	fail "make install: $(tail -n 5 "$tmp/install.log")"
unit=$tmp/lib/systemd/system/sealdrop.service
[ -f "$unit" ] || fail "make install did not install the unit"
grep -q "^ExecStart=$tmp/bin/sealdrop " "$unit" ||
	fail "ExecStart does not follow PREFIX"
# W^X for files: everything noexec but the binary (where PREFIX put it)
# and the system's libraries.
grep -qx "NoExecPaths=/" "$unit" || fail "no NoExecPaths=/"
grep -qx "ExecPaths=$tmp/bin/sealdrop" "$unit" ||
	fail "ExecPaths does not name the installed binary"
grep -Eqx "ExecPaths=(.* )?/usr/lib( .*)?" "$unit" ||
	fail "ExecPaths does not name the system's libraries"
[ -x "$tmp/bin/sealdrop" ] && [ -x "$tmp/bin/sealdrop-admin" ] ||
	fail "binaries not installed"
[ -f "$tmp/lib/sysusers.d/sealdrop.conf" ] || fail "no sysusers file"
# The user entry parses and makes a system user (in a scratch root).
if command -v systemd-sysusers >/dev/null 2>&1; then
	mkdir -p "$tmp/root/etc"
	systemd-sysusers --root="$tmp/root" --dry-run \
		"$tmp/lib/sysusers.d/sealdrop.conf" >"$tmp/sysusers.log" 2>&1 &&
		grep -q "Creating user 'sealdrop'" "$tmp/sysusers.log" ||
		fail "sysusers: $(cat "$tmp/sysusers.log")"
fi

# Documentation=man:sealdrop(8) is checked once the page exists.
if [ -f "$tmp/share/man/man8/sealdrop.8" ]; then
	man=yes
else
	echo "note: no sealdrop(8) yet, man page check skipped"
	man=no
fi
MANPATH=$tmp/share/man systemd-analyze verify --man=$man "$unit" \
	>"$tmp/verify.log" 2>&1 || fail "verify: $(cat "$tmp/verify.log")"
[ -s "$tmp/verify.log" ] && fail "verify warns: $(cat "$tmp/verify.log")"

systemd-analyze security --offline=yes "$unit" >"$tmp/security.log" 2>&1 ||
	fail "security: $(tail -n 5 "$tmp/security.log")"
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' \
	"$tmp/security.log")
[ -n "$score" ] || fail "no exposure score: $(tail -n 3 "$tmp/security.log")"
echo "exposure: $score"
awk -v s="$score" 'BEGIN { exit !(s < 2.0) }' ||
	fail "exposure $score is not below 2.0:" \
		"$(grep '✗' "$tmp/security.log")"
echo "ok"
