#!/bin/bash
# The real server confines itself once it serves: every thread runs under
# a seccomp filter with no_new_privs, core dumps are off, and a whole
# journey (pages, sign-up, a message and files, export and import of a
# reply, login, replies, delete, logout, shutdown) still works under it.
. "$(dirname "$0")/lib.sh"
top=${SEALDROP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}

if ! grep -q 'confine_server *(' "$top"/drop/*.c 2>/dev/null; then
	echo "SKIP: sealdrop serve does not call confine_server yet"
	exit 0
fi

# Every thread of the server has seccomp filter mode and no_new_privs.
check_confined() {
	n=0
	for st in /proc/"$SD_PID"/task/*/status; do
		# A connection's thread may end while we look.
		text=$(cat "$st" 2>/dev/null) || continue
		grep -q "^Seccomp:[[:space:]]2$" <<<"$text" ||
			fail "$1: a thread without a seccomp filter: $st"
		grep -q "^NoNewPrivs:[[:space:]]1$" <<<"$text" ||
			fail "$1: a thread without no_new_privs: $st"
		n=$((n + 1))
	done
	[ $n -gt 0 ] || fail "$1: no threads found for $SD_PID"
	grep -Eq "^Max core file size +0 +0 " /proc/"$SD_PID"/limits ||
		fail "$1: core dumps are not off"
}

# No new code once confined: a file in the data directory (as an exploit
# could have the server write one) maps for reading but not as code, and
# no page turns executable; both fail with EPERM. A debugger makes the
# calls inside the running server, where one may attach (root, ptrace not
# forbidden); elsewhere tests/unit/test_confine.c shows it alone. The path
# goes into a page the server maps, not memory the debugger would take
# from its malloc and leave for the leak checker to find.
check_no_exec() {
	if ! command -v gdb >/dev/null 2>&1; then
		echo "note: no gdb: executable mappings not tried in the server"
		return 0
	fi
	# Some machines' debuggers cannot make a call in another process at
	# all (gdb fails to write the registers back, "Couldn't write
	# extended state status"), and the process then runs on with
	# garbage in them: under the filter, a bad system call kills it.
	# So the debugger first calls getpid in a throwaway process.
	sleep 120 &
	probe=$!
	# shellcheck disable=SC2016
	got=$(cd "$SD_TMP" && ulimit -c 0 && timeout 60 gdb -nx -batch \
		-iex 'maint set internal-error corefile no' -p "$probe" \
		-ex 'print (long)getpid()' 2>/dev/null |
		sed -n 's/^\$[0-9]* = //p')
	kill "$probe" 2>/dev/null
	wait "$probe" 2>/dev/null
	if [ "$got" != "$probe" ]; then
		echo "note: the debugger cannot make calls in a process here:" \
			"executable mappings not tried in the server"
		return 0
	fi
	code=$data/code
	head -c 4096 /dev/zero | tr '\0' '\303' >"$code"
	# PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4; MAP_PRIVATE 2, MAP_ANONYMOUS
	# 0x20; EPERM 1. Should the server die under it, gdb must leave no
	# core file. ($b, $fd and $p are gdb's own variables.)
	# shellcheck disable=SC2016
	(ulimit -c 0 && cd "$SD_TMP" && exec timeout 120 gdb -nx -batch \
		-iex 'maint set internal-error corefile no' -p "$SD_PID" \
		-ex 'set $b = (long)mmap(0, 4096, 3, 0x22, -1, 0)' \
		-ex 'print $b' \
		-ex "set {char[$((${#code} + 1))]}\$b = \"$code\"" \
		-ex 'set $fd = (int)open((char *)$b, 0)' \
		-ex 'print $fd' \
		-ex 'set $p = (long)mmap(0, 4096, 1, 2, $fd, 0)' \
		-ex 'print $p' \
		-ex 'print (long)mmap(0, 4096, 5, 2, $fd, 0)' \
		-ex 'print *(int *)__errno_location()' \
		-ex 'print (int)mprotect($b, 4096, 5)' \
		-ex 'print *(int *)__errno_location()' \
		-ex 'print (int)munmap($p, 4096)' \
		-ex 'print (int)close($fd)' \
		-ex 'print (int)munmap($b, 4096)') >"$SD_TMP/gdb.out" 2>&1
	rm -f "$code"
	# shellcheck disable=SC2046
	set -- $(sed -n 's/^\$[0-9]* = //p' "$SD_TMP/gdb.out")
	if [ $# -eq 0 ]; then
		echo "note: cannot attach a debugger: executable mappings" \
			"not tried in the server"
		return 0
	fi
	[ $# -ge 3 ] && [ "$1" != -1 ] && [ "$2" -ge 0 ] && [ "$3" != -1 ] ||
		fail "no read-only mapping of a data file:" \
			"$(cat "$SD_TMP/gdb.out")"
	[ "${4-}" = -1 ] && [ "${5-}" = 1 ] ||
		fail "a data file mapped as code: mmap gave ${4-}, errno ${5-}"
	[ "${6-}" = -1 ] && [ "${7-}" = 1 ] ||
		fail "a page made executable: mprotect gave ${6-}," \
			"errno ${7-}: $(tail -n 3 "$SD_TMP/gdb.out")"
	[ "${8-} ${9-} ${10-}" = "0 0 0" ] ||
		fail "munmap/close gave ${8-} ${9-} ${10-}"
	kill -0 "$SD_PID" 2>/dev/null ||
		fail "serve died: $(cat "$SD_TMP/serve.err")"
}

sd_newsroom
sd_start "$data"

# The filter is loaded right after start-up: give it a moment.
i=0
until grep -q "^Seccomp:[[:space:]]2$" /proc/"$SD_PID"/status; do
	[ $i -lt 50 ] || fail "the server did not confine itself"
	kill -0 "$SD_PID" 2>/dev/null ||
		fail "serve died: $(cat "$SD_TMP/serve.err")"
	sleep 0.1
	i=$((i + 1))
done
check_confined "after start"
check_no_exec

sd_source
head -c 300000 /dev/urandom >"$SD_TMP/big.bin"
printf 'small file\n' >"$SD_TMP/small.txt"
st=$(sd_submit "a message under confinement" -F "file=@$SD_TMP/big.bin" \
	-F "file=@$SD_TMP/small.txt")
[ "$st" = 200 ] || fail "POST /submit gave $st"
check_confined "after a submission"

# A reply travels through export and import while the server runs.
"$SD_BIN" --data "$data" export --out "$SD_TMP/export.bundle" ||
	fail "export"
pk=$("$SD_TOOL" open-export "$keys" "$SD_TMP/export.bundle" |
	awk '$1 == "sub" { print $3; exit }')
[ -n "$pk" ] || fail "no source in the export"
"$SD_TOOL" outbox "$keys" "$SD_TMP/outbox.bundle" \
	--reply "$pk" "a reply under confinement" >/dev/null || fail "outbox"
"$SD_BIN" --data "$data" import "$SD_TMP/outbox.bundle" || fail "import"

# A wrong codename, then the right one.
rm -f "$SD_JAR"
st=$(sd_login "not a codename at all") && [ "$st" = 403 ] ||
	fail "a bad login gave $st"
st=$(sd_login "$codename") && [ "$st" = 303 ] || fail "login gave $st"
st=$(sd_req GET /replies) && [ "$st" = 200 ] || fail "GET /replies: $st"
grep -q 'class="reply"' "$SD_BODY" || fail "the reply is not shown"
grep -q 'a reply under confinement' "$SD_BODY" || fail "wrong reply text"
id=$(sed -n 's|.*name="id" value="\([0-9a-f]*\)".*|\1|p' "$SD_BODY" |
	head -n 1)
csrf=$(sd_csrf)
st=$(sd_req POST /replies/delete --data-urlencode "csrf=$csrf" \
	--data-urlencode "id=$id")
case $st in 200 | 303) ;; *) fail "delete gave $st" ;; esac
st=$(sd_req GET /replies) && [ "$st" = 200 ] || fail "GET /replies: $st"
grep -q 'a reply under confinement' "$SD_BODY" && fail "reply not deleted"
csrf=$(sd_csrf)
st=$(sd_req POST /logout --data-urlencode "csrf=$csrf")
case $st in 200 | 303) ;; *) fail "logout gave $st" ;; esac
check_confined "after the journey"

# SIGTERM still stops it cleanly (exit 0) with the filter in place.
sd_stop

# Started as root with --user, it binds, then becomes that user for good
# and still serves.
if [ "$(id -u)" != 0 ] || ! "$SD_BIN" --help | grep -q -- '--user'; then
	echo "note: --user not checked (needs root and serve --user)"
	echo "ok"
	exit 0
fi
chmod 0711 "$SD_TMP"
chown -R nobody: "$data"
sd_start "$data" --user nobody
i=0
until grep -q "^Seccomp:[[:space:]]2$" /proc/"$SD_PID"/status; do
	[ $i -lt 50 ] || fail "--user: the server did not confine itself"
	sleep 0.1
	i=$((i + 1))
done
uid=$(id -u nobody)
grep -Eq "^Uid:\s+$uid\s+$uid\s+$uid\s+$uid$" /proc/"$SD_PID"/status ||
	fail "--user: not running as nobody: $(grep Uid /proc/"$SD_PID"/status)"
grep -Eq "^Groups:\s*$" /proc/"$SD_PID"/status ||
	fail "--user: supplementary groups kept"
grep -Eq "^CapEff:\s+0+$" /proc/"$SD_PID"/status ||
	fail "--user: capabilities kept"
check_confined "--user"
rm -f "$SD_JAR"
codename=$(sd_new_source)
[ -n "$codename" ] || fail "--user: no codename"
st=$(sd_submit "a message to a server that dropped root") &&
	[ "$st" = 200 ] || fail "--user: POST /submit gave $st"
sd_stop
echo "ok"
