#!/bin/bash
# What the Makefile builds is hardened: position-independent executables
# with full RELRO (GNU_RELRO and BIND_NOW), a non-executable stack, and
# stack protection and fortified libc calls in the release build.
set -u
. "$SEALDROP_TOP/tests/integration/lib.sh"

for bin in "$SEALDROP_BUILD/sealdrop" "$SEALDROP_BUILD/sealdrop-admin" \
	"$SEALDROP_BUILD/sealdrop-inspect"; do
	name=$(basename "$bin")
	readelf -h "$bin" | grep -q 'Type:.*DYN' || fail "$name is not PIE"
	readelf -d "$bin" | grep -q 'FLAGS_1.*PIE' || fail "$name lacks the PIE flag"
	readelf -l "$bin" | grep -q GNU_RELRO || fail "$name has no RELRO segment"
	readelf -d "$bin" | grep -Eq 'BIND_NOW|FLAGS.*NOW' ||
		fail "$name has partial RELRO only (no BIND_NOW)"
	readelf -lW "$bin" | grep GNU_STACK | grep -q 'RW ' ||
		fail "$name has an executable stack"
	# The sanitizer build leaves _FORTIFY_SOURCE out on purpose.
	case $SEALDROP_BUILD in */asan) continue ;; esac
	readelf -sW "$bin" | grep -q '__stack_chk_fail' ||
		fail "$name is built without stack protection"
	readelf -sW "$bin" | grep -q '_chk@' ||
		fail "$name uses no fortified libc call"
done
echo "ok: PIE, full RELRO, non-executable stack"
