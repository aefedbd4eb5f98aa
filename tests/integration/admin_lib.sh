# Helpers for the sealdrop-admin scripts: source it. Needs SEALDROP_BUILD
# and SEALDROP_TOP. Files stay under the build directory.
set -u

: "${SEALDROP_BUILD:?set SEALDROP_BUILD to the build directory}"
: "${SEALDROP_TOP:?set SEALDROP_TOP to the source tree}"
ADM=$SEALDROP_BUILD/sealdrop-admin
VEC=$SEALDROP_TOP/tests/vectors
mkdir -p "$SEALDROP_BUILD/test-tmp"
AT=$(mktemp -d "$SEALDROP_BUILD/test-tmp/adm.XXXXXX")
# After tests/integration/lib.sh, its cleanup (the server) runs too.
trap 'rm -rf "$AT"; command -v sd_cleanup >/dev/null && sd_cleanup' EXIT
unset SEALDROP_ADMIN_HOME

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# adm_rc WANT CMD... : runs sealdrop-admin, output in $AT/out and $AT/err,
# and checks its exit status.
adm_rc() {
	want=$1
	shift
	"$ADM" "$@" >"$AT/out" 2>"$AT/err"
	rc=$?
	[ "$rc" = "$want" ] ||
		fail "sealdrop-admin $* exited $rc, not $want: $(cat "$AT/err")"
	if [ "$want" != 0 ]; then
		# Errors are one line that says what and why.
		[ "$(grep -c '^sealdrop-admin: ' "$AT/err")" -ge 1 ] ||
			fail "sealdrop-admin $*: no error line"
	fi
}

# adm WANT COMMAND...: adm_rc in the home $H with the passphrase file
# $PASS, for scripts that work in one home.
adm() {
	want=$1
	shift
	adm_rc "$want" --home "$H" --passphrase-file "$PASS" "$@"
}

# The message part of read's output in $AT/out: what follows the header
# and its blank line.
adm_message() {
	sed '1,/^$/d' "$AT/out"
}

# A home holding the committed test newsroom key.
adm_test_home() {
	mkdir -m 700 "$1"
	cp "$VEC/keys/test.key" "$1/newsroom.key"
	cp "$VEC/keys/test.pub" "$1/newsroom.pub"
	chmod 600 "$1/newsroom.key"
}

# What the archive holds, as text: equal digests mean nothing changed.
adm_digest() {
	sqlite3 "$1/archive.db" .dump | sha256sum | cut -d' ' -f1
}

# The drop key's fingerprint, as `sealdrop status` on data directory DIR
# prints it: what an operator reads out for the first import to pin.
adm_drop_fpr() {
	"$SEALDROP_BUILD/sealdrop" --data "$1" status |
		sed -n 's/^drop key [0-9a-f]* fingerprint //p'
}

# The test drop key's fingerprint, for the committed export vectors.
VEC_FPR=$(cat "$VEC/bundle/drop.fpr")

mode_of() {
	stat -c %a "$1"
}
