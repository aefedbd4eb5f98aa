#!/bin/bash
# deploy/torrc is a configuration tor itself accepts (tor --verify-config,
# which reads and checks it without starting tor or touching a network),
# and it keeps the drop on loopback behind a v3 onion service with the
# proof-of-work defence.
set -u
. "$SEALDROP_TOP/tests/integration/lib.sh"
conf=$SEALDROP_TOP/deploy/torrc
command -v tor >/dev/null || fail "tor is not installed (make deps)"

grep -Eq '^HiddenServicePort 80 127\.0\.0\.1:8080$' "$conf" ||
	fail "the onion service does not point at the drop on loopback"
grep -Eq '^HiddenServicePoWDefensesEnabled 1$' "$conf" ||
	fail "no proof-of-work defence"
grep -Eq '^SocksPort 0$' "$conf" || fail "a SOCKS port is open"
grep -Eq '^HiddenServiceExportCircuitID haproxy$' "$conf" ||
	fail "circuit ids are not exported to the drop"
grep -Eq '^HiddenServiceMaxStreams [0-9]+$' "$conf" &&
	grep -Eq '^HiddenServiceMaxStreamsCloseCircuit 1$' "$conf" ||
	fail "no bound on a circuit's streams"

# The same file with its paths moved under the test's directory.
sed -e "s|^HiddenServiceDir .*|HiddenServiceDir $SD_TMP/hs/|" \
	-e 's|^Log notice syslog|Log notice stderr|' "$conf" >"$SD_TMP/torrc"
timeout 60 tor --verify-config -f "$SD_TMP/torrc" \
	--DataDirectory "$SD_TMP/data" >"$SD_TMP/tor.out" 2>&1 ||
	{ cat "$SD_TMP/tor.out"; fail "tor refuses deploy/torrc"; }
grep -q 'Configuration was valid' "$SD_TMP/tor.out" ||
	fail "tor did not say the configuration was valid"

# And the check can fail: a misspelt option is refused.
echo 'HiddenServicePoWDefenceEnabled 1' >>"$SD_TMP/torrc"
timeout 60 tor --verify-config -f "$SD_TMP/torrc" \
	--DataDirectory "$SD_TMP/data" >/dev/null 2>&1 &&
	fail "tor accepted a misspelt option: the check proves nothing"
echo "ok: tor accepts deploy/torrc"
