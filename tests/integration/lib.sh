# Helpers for the integration scripts: source it, then call sd_* functions.
# Needs SEALDROP_BUILD (the build directory with the binaries) and curl.
# Everything talks to 127.0.0.1 only, and every wait is bounded.
#
#   sd_newsroom              a test newsroom key in $keys and a drop made
#                            for it in $data, not yet serving
#   sd_init DIR PUBFILE...   sealdrop init with those newsroom keys
#   sd_conf DIR KEY VALUE    sets one key of DIR/sealdrop.conf
#   sd_start DIR [ARGS...]   serve on a free port; sets SD_URL and SD_PID
#   sd_stop                  SIGTERM, and checks it stopped cleanly
#   sd_req METHOD PATH [CURL ARGS...]
#                            one request with the cookie jar $SD_JAR; body
#                            in $SD_BODY, headers in $SD_HDRS; prints status
#   sd_csrf                  the csrf token of the last page ($SD_BODY)
#   sd_new_source            POST /new; prints the codename
#   sd_source                sd_new_source in this shell: a new source,
#                            logged in, its codename in $codename
#   sd_raw_client            for a client other than curl: $cookie, the
#                            session's Cookie value, and $csrf of /submit
#   sd_submit MESSAGE [CURL -F ARGS...]   POST /submit; prints status
#   sd_login CODENAME        POST /login; prints status
#   sd_keygen DIR            newsroom.pub/.key in DIR (test passphrase)
#   sd_header NAME           a header's value in the last response
#   sd_check_response WHAT   the last response has every security header
#                            and, if HTML, no script and no outside URL
#   sd_sql DIR QUERY         one query on DIR/drop.db
#   sd_hash [FILE]           BLAKE2b-256 hex, as sdtest prints it
#   sd_tmp_find MARKER [NEWER]
#                            prints files under /tmp (newer than the file
#                            NEWER) that hold MARKER, leaving out the build
#                            directory, where tests keep their own inputs
#   sd_exits CODE WHAT COMMAND...
#                            runs COMMAND (stdout in $SD_TMP/out, stderr in
#                            $SD_TMP/err) and fails unless it exits CODE
#   sd_one_line WHAT         fails unless $SD_TMP/err is exactly one line
#   fail MSG                 says why and exits 1
set -u

: "${SEALDROP_BUILD:?set SEALDROP_BUILD to the build directory}"
SD_BIN=$SEALDROP_BUILD/sealdrop
SD_TOOL=$SEALDROP_BUILD/tests/sdtest
# Test files stay under the build directory, so a search of /tmp for
# submitted plaintext finds only what the server itself left there.
mkdir -p "$SEALDROP_BUILD/test-tmp"
SD_TMP=$(mktemp -d "$SEALDROP_BUILD/test-tmp/sd.XXXXXX")
SD_JAR=$SD_TMP/cookies
SD_BODY=$SD_TMP/body
SD_HDRS=$SD_TMP/headers
SD_PID=
SD_URL=
unset SEALDROP_DATA

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

sd_tmp_find() {
	find /tmp -xdev -path "$SEALDROP_BUILD" -prune -o -type f \
		${2:+-newer "$2"} -size -64M -print 2>/dev/null |
		while read -r f; do
			grep -a -q -F "$1" "$f" 2>/dev/null && echo "$f"
		done
	return 0
}

sd_cleanup() {
	if [ -n "$SD_PID" ] && kill -0 "$SD_PID" 2>/dev/null; then
		kill -KILL "$SD_PID" 2>/dev/null
		wait "$SD_PID" 2>/dev/null
	fi
	rm -rf "$SD_TMP"
}
trap sd_cleanup EXIT

sd_exits() {
	want=$1 what=$2
	shift 2
	"$@" >"$SD_TMP/out" 2>"$SD_TMP/err"
	rc=$?
	[ $rc = "$want" ] || fail "$what: exit $rc, not $want: $(cat "$SD_TMP/err")"
}

sd_one_line() {
	[ "$(wc -l <"$SD_TMP/err")" = 1 ] || fail "$1: not one line of error"
}

sd_source() {
	codename=$(sd_new_source)
	[ -n "$codename" ] || fail "no codename"
}

sd_raw_client() {
	cookie="sd=$(awk '$6 == "sd" { print $7 }' "$SD_JAR")"
	st=$(sd_req GET /submit) && [ "$st" = 200 ] || fail "GET /submit: $st"
	csrf=$(sd_csrf)
}

sd_newsroom() {
	keys=$SD_TMP/keys data=$SD_TMP/data
	sd_keygen "$keys"
	sd_init "$data" "$keys/newsroom.pub"
}

sd_init() {
	dir=$1
	shift
	args=""
	for p in "$@"; do
		args="$args --pubkey $p"
	done
	# shellcheck disable=SC2086
	"$SD_BIN" --data "$dir" init $args >"$SD_TMP/init.out" ||
		fail "sealdrop init $dir"
}

sd_conf() {
	grep -Eq "^#? ?$2 = " "$1/sealdrop.conf" || fail "no config key $2"
	sed -i -E "s|^#? ?$2 = .*|$2 = $3|" "$1/sealdrop.conf"
}

sd_start() {
	dir=$1
	shift
	: >"$SD_TMP/serve.out"
	"$SD_BIN" --data "$dir" serve --listen 127.0.0.1:0 "$@" \
		>"$SD_TMP/serve.out" 2>"$SD_TMP/serve.err" &
	SD_PID=$!
	i=0
	while [ $i -lt 150 ]; do
		SD_URL=$(sed -n 's|^sealdrop: listening on \(http://[^ ]*\)/$|\1|p' \
			"$SD_TMP/serve.out")
		[ -n "$SD_URL" ] && return 0
		kill -0 "$SD_PID" 2>/dev/null ||
			fail "serve exited: $(cat "$SD_TMP/serve.err")"
		sleep 0.1
		i=$((i + 1))
	done
	fail "serve did not say it was listening"
}

sd_stop() {
	[ -n "$SD_PID" ] || return 0
	kill -TERM "$SD_PID" 2>/dev/null
	i=0
	while kill -0 "$SD_PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$SD_PID" 2>/dev/null; then
		kill -KILL "$SD_PID"
		fail "serve did not stop on SIGTERM"
	fi
	wait "$SD_PID"
	rc=$?
	SD_PID=
	[ $rc -eq 0 ] || fail "serve exited $rc: $(cat "$SD_TMP/serve.err")"
}

sd_req() {
	method=$1 path=$2
	shift 2
	curl -sS --max-time 60 -X "$method" -b "$SD_JAR" -c "$SD_JAR" \
		-o "$SD_BODY" -D "$SD_HDRS" -w '%{http_code}' "$@" \
		"$SD_URL$path"
}

sd_csrf() {
	sed -n 's|.*name="csrf" value="\([0-9a-f]*\)".*|\1|p' "$SD_BODY" |
		head -n 1
}

sd_new_source() {
	st=$(sd_req GET /) && [ "$st" = 200 ] || fail "GET / gave $st"
	csrf=$(sd_csrf)
	st=$(sd_req POST /new --data-urlencode "csrf=$csrf") &&
		[ "$st" = 200 ] || fail "POST /new gave $st"
	sed -n 's|.*<p id="codename">\([^<]*\)</p>.*|\1|p' "$SD_BODY"
}

sd_submit() {
	msg=$1
	shift
	st=$(sd_req GET /submit) && [ "$st" = 200 ] || fail "GET /submit: $st"
	csrf=$(sd_csrf)
	sd_req POST /submit -F "csrf=$csrf" --form-string "message=$msg" "$@"
}

sd_login() {
	st=$(sd_req GET /login) && [ "$st" = 200 ] || fail "GET /login: $st"
	csrf=$(sd_csrf)
	sd_req POST /login --data-urlencode "csrf=$csrf" \
		--data-urlencode "codename=$1"
}

# sd_form_id CLASS: the id in the delete form of the first element of
# that class on the last page (a replies page shows receipts first).
sd_form_id() {
	awk -v cls="class=\"$1\"" 'index($0, cls) { on = 1 }
		on && match($0, /name="id" value="[0-9a-f]*"/) {
			print substr($0, RSTART + 17, RLENGTH - 18); exit }' "$SD_BODY"
}

sd_keygen() {
	"$SD_TOOL" keygen "$1" || fail "sdtest keygen"
}

# The value of one header of the last response.
sd_header() {
	grep -i "^$1:" "$SD_HDRS" | head -n 1 | tr -d '\r' | cut -d' ' -f2-
}

sd_check_response() {
	for h in "Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" \
		"Referrer-Policy: no-referrer" \
		"X-Content-Type-Options: nosniff" \
		"Cache-Control: no-store" \
		"Cross-Origin-Opener-Policy: same-origin" \
		"X-Frame-Options: DENY" \
		"Permissions-Policy: accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), microphone=(), payment=(), usb=(), interest-cohort=()" \
		"Connection: close"; do
		tr -d '\r' <"$SD_HDRS" | grep -qixF "$h" ||
			fail "$1: no header '$h'"
	done
	# An onion service's clock is a fingerprint: no Date header.
	grep -qi '^Date:' "$SD_HDRS" && fail "$1: a Date header"
	server=$(sd_header Server)
	case $server in "" | "-") ;; *) fail "$1: Server: $server" ;; esac
	grep -qi '^Content-Type: text/html' "$SD_HDRS" && [ -s "$SD_BODY" ] ||
		return 0
	grep -qi '<script' "$SD_BODY" && fail "$1: a script element"
	grep -qi ' style=' "$SD_BODY" && fail "$1: an inline style"
	grep -Eio '(src|href|action)="[^"]*"' "$SD_BODY" |
		grep -Eq '"(https?:)?//' && fail "$1: an outside URL"
	grep -q '<html lang="[A-Za-z-]*"' "$SD_BODY" || fail "$1: no html lang"
	return 0
}

# One value from the database (read while the server runs: WAL).
sd_sql() {
	sqlite3 -cmd '.timeout 10000' "$1/drop.db" "$2"
}

# BLAKE2b-256 of a file or of stdin, in hex, as sdtest open-export prints.
sd_hash() {
	b2sum -l 256 "$@" | cut -d' ' -f1
}
