#!/bin/bash
# tor's circuits as the unit of fairness. With proxy_protocol on, a
# stand-in for tor (tests/stress/torproxy.c) starts every connection with
# the PROXY line of one circuit: from one circuit, wrong logins and
# sign-ups without pause get 503 pages once the circuit has its share,
# and a source on another circuit logs in at once. Garbage instead of the
# PROXY line, or none, is closed. A circuit's connections at once are
# bounded, and many circuits each get their own share. Without circuit ids (the default), a source logs in within
# one Retry-After while wrong logins go on without pause.
# Everything else at the configuration `sealdrop init` writes.
. "$(dirname "$0")/lib.sh"

sd_newsroom
sd_conf "$data" proxy_protocol on
sd_start "$data"
port=${SD_URL##*:}
pids=""
trap 'kill $pids 2>/dev/null; sd_cleanup' EXIT

# proxy NAME CIRCUIT [garbage]: a torproxy; its URL in ${NAME}_url.
proxy() {
	: >"$SD_TMP/$1.port"
	"$SEALDROP_BUILD/tests/torproxy" 0 "$port" "$2" ${3:-} \
		>"$SD_TMP/$1.port" &
	pids="$pids $!"
	i=0
	until p=$(sed -n 's/^port //p' "$SD_TMP/$1.port") && [ -n "$p" ]; do
		[ $i -lt 50 ] || fail "torproxy $1 did not start"
		sleep 0.1
		i=$((i + 1))
	done
	eval "${1}_url=http://127.0.0.1:$p"
}
proxy attacker 3000000001
proxy source 42
proxy junk 7 garbage
proxy crowd 1000 each

# No PROXY line, or garbage instead: closed without a response.
out=$(curl -sS --max-time 10 "$SD_URL/" 2>&1) && fail "served without a PROXY line: $out"
out=$(curl -sS --max-time 10 "$junk_url/" 2>&1) && fail "served after a bad PROXY line: $out"
# A PROXY line, then a page: served.
SD_URL=$source_url SD_JAR=$SD_TMP/jar.source
st=$(sd_req GET /) && [ "$st" = 200 ] || fail "through the proxy: $st"
sd_source
src_code=$codename

# From the attacker's circuit: wrong logins without pause. A circuit may
# fail ten in a row, then one every six seconds (its bucket refills over
# the minute); the rest get 503 before any derivation, answered at once.
SD_URL=$attacker_url SD_JAR=$SD_TMP/jar.attacker
n403=0 n503=0
for i in $(seq 1 20); do
	st=$(sd_login "wrong codename $i")
	case $st in
	403) n403=$((n403 + 1)) ;;
	503) n503=$((n503 + 1)) ;;
	*) fail "attacker login $i: $st" ;;
	esac
done
echo "attacker's wrong logins: $n403 refused as wrong, $n503 as over the circuit's share"
[ "$n403" -ge 10 ] && [ "$n403" -le 11 ] || fail "per-circuit failures: $n403 / $n503"
# ...and sign-ups without pause: ten an hour.
ok=0 busy=0
for i in $(seq 1 14); do
	st=$(sd_req GET /) && [ "$st" = 200 ] || fail "GET /: $st"
	csrf=$(sd_csrf)
	st=$(sd_req POST /new --data-urlencode "csrf=$csrf")
	case $st in
	200) ok=$((ok + 1)) ;;
	503) busy=$((busy + 1)) ;;
	*) fail "attacker sign-up $i: $st" ;;
	esac
done
echo "attacker's sign-ups: $ok made, $busy refused"
[ "$ok" = 10 ] && [ "$busy" = 4 ] || fail "per-circuit sign-ups: $ok / $busy"

# Meanwhile, on another circuit, the source logs in at once.
SD_URL=$source_url SD_JAR=$SD_TMP/jar.source2
t0=$(date +%s%N)
st=$(sd_login "$src_code") && [ "$st" = 303 ] || fail "source login: $st"
ms=$((($(date +%s%N) - t0) / 1000000))
echo "the source on another circuit logged in in $ms ms"
[ "$ms" -le 5000 ] || fail "the source waited $ms ms"

# A circuit's connections at once: 16 by default; more are closed.
aport=${attacker_url##*:}
"$SEALDROP_BUILD/tests/trickle" "$aport" 30 4 head >"$SD_TMP/conns.out"
cat "$SD_TMP/conns.out"
gone=$(awk '/^opened/ { print $4 }' "$SD_TMP/conns.out")
[ "$gone" -ge 14 ] || fail "only $gone of 30 connections of one circuit closed"
# Thirty connections, each on a circuit of its own (many clients): none
# is over its circuit's share, so none is closed.
cport=${crowd_url##*:}
"$SEALDROP_BUILD/tests/trickle" "$cport" 30 4 head >"$SD_TMP/crowd.out"
cat "$SD_TMP/crowd.out"
gone=$(awk '/^opened/ { print $4 }' "$SD_TMP/crowd.out")
[ "$gone" = 0 ] || fail "$gone connections of 30 circuits closed"
# And twelve clients that each sign up once on their own circuit are all
# served, while the attacker's circuit has spent its sign-ups.
SD_URL=$crowd_url SD_JAR=$SD_TMP/jar.crowd
for i in $(seq 1 12); do
	rm -f "$SD_JAR"
	st=$(sd_req GET /) && [ "$st" = 200 ] || fail "crowd GET /: $st"
	csrf=$(sd_csrf)
	st=$(sd_req POST /new --data-urlencode "csrf=$csrf")
	[ "$st" = 200 ] || fail "sign-up $i on a circuit of its own: $st"
done
# The source's circuit is not touched by it.
SD_URL=$source_url
st=$(sd_req GET /) && [ "$st" = 200 ] || fail "source after the flood: $st"
sd_stop
kill $pids 2>/dev/null
pids=""

# Without circuit ids: wrong logins without pause from one client, and a
# source that, told to come back, is in within one Retry-After. (At 60
# failures a minute, refilled evenly, the budget runs dry within seconds
# of the flood's start.)
data=$SD_TMP/data2
sd_init "$data" "$keys/newsroom.pub"
sd_start "$data"
SD_JAR=$SD_TMP/jar.s3
sd_source
good=$codename
(
	# Pages and headers of its own: the source's login below reads its
	# CSRF token from the last page, which must not be the flood's.
	SD_JAR=$SD_TMP/jar.flood SD_BODY=$SD_TMP/body.flood
	SD_HDRS=$SD_TMP/hdrs.flood
	end=$(($(date +%s) + 40))
	while [ "$(date +%s)" -lt $end ]; do
		sd_login "wrong again" >>"$SD_TMP/flood.st"
		echo >>"$SD_TMP/flood.st"
	done
) &
flood=$!
pids=$flood
# Until the budget's 60 are spent: from then on the flood gets a token a
# second, and the source waits its turn among the flood's.
i=0
until [ "$(cat "$SD_TMP/flood.st" 2>/dev/null | grep -c 403)" -ge 62 ]; do
	[ $i -lt 600 ] || fail "the flood never spent the budget"
	sleep 0.1
	i=$((i + 1))
done
SD_JAR=$SD_TMP/jar.s4
t0=$(date +%s)
st=$(sd_login "$good")
if [ "$st" = 503 ]; then
	ra=$(sd_header Retry-After)
	echo "told to come back in $ra s"
	[ -n "$ra" ] && [ "$ra" -le 60 ] || fail "Retry-After: '$ra'"
	sleep "$ra"
	st=$(sd_login "$good")
fi
[ "$st" = 303 ] || fail "the source did not log in within one Retry-After: $st"
echo "without circuit ids the source logged in after $(($(date +%s) - t0)) s"
kill $flood 2>/dev/null
wait $flood 2>/dev/null
pids=""
sd_stop

# 150 wrong logins at once cannot race past the budget: each takes its
# token before its derivation, so no more fail than the bucket held and
# refilled meanwhile (60, and one a second); the rest wait their turn,
# then get 503.
data=$SD_TMP/data3
sd_init "$data" "$keys/newsroom.pub"
sd_start "$data"
for i in $(seq 1 150); do
	curl -sS --max-time 20 -c "$SD_TMP/rj.$i" -o "$SD_TMP/rp.$i" "$SD_URL/login" ||
		fail "GET /login"
	sed -n 's|.*name="csrf" value="\([0-9a-f]*\)".*|\1|p' "$SD_TMP/rp.$i" |
		head -n 1 >"$SD_TMP/rc.$i"
done
t0=$(date +%s)
seq 1 150 | xargs -P 150 -I{} sh -c 'curl -s --max-time 60 -b "$1/rj.$2" \
	-o /dev/null -w "%{http_code}\n" --data-urlencode "csrf=$(cat "$1/rc.$2")" \
	--data-urlencode "codename=wrong at once $2" "$3/login" >"$1/rs.$2"' _ "$SD_TMP" {} "$SD_URL"
secs=$(($(date +%s) - t0 + 1))
failed=$(cat "$SD_TMP"/rs.* | grep -c '^403$')
busy=$(cat "$SD_TMP"/rs.* | grep -c '^503$')
echo "150 wrong logins at once: $failed failed, $busy told to wait, in ${secs}s"
[ $((failed + busy)) = 150 ] || fail "other answers: $(sort "$SD_TMP"/rs.* | uniq -c)"
[ "$failed" -le $((60 + secs)) ] || fail "$failed failures passed a budget of 60 + $secs"
echo ok
