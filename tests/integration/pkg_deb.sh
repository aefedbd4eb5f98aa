#!/bin/bash
# The Debian packages, as `make deb` built them into $SEALDROP_BUILD/deb
# (and checked them with lintian: any error or warning fails it).
#
# `make deb-check`, the last step of `make check`, runs this once, after
# building the packages; tests/run.sh's two suites (the plain build and
# the ASan one) find it too and skip it, so the packages are built and
# installed once per `make check`, not once per suite.
#
# Always: VERSION and debian/changelog agree, both packages are there with
# the right files and dependencies (the offline tool pulls in no server,
# no systemd, no tor), and the built programs say their version.
# As root with CI=true only (installing packages on a developer's machine
# uninvited would be rude): install both, run the installed programs'
# --version and a whole round trip with them, verify the installed unit,
# check the system user and /var/lib/sealdrop, then purge both and check
# that no data directory, archive or key went with them.
set -u

if [ -z "${SEALDROP_PKG_TEST:-}" ]; then
	echo "SKIP: the packages are tested by 'make deb-check' (make check)"
	exit 0
fi
: "${SEALDROP_BUILD:?set SEALDROP_BUILD to the build directory}"
top=${SEALDROP_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SEALDROP_BUILD=$(cd "$top" && cd "$SEALDROP_BUILD" && pwd)
export SEALDROP_BUILD SEALDROP_TOP=$top

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# --- the version, defined once ---
version=$(cat "$top/VERSION")
clv=$(sed -n '1s/^sealdrop (\([^)]*\)).*/\1/p' "$top/debian/changelog")
[ -n "$version" ] && [ "$version" = "$clv" ] ||
	fail "VERSION says '$version', debian/changelog '$clv'"
arch=$(dpkg --print-architecture)
srv=$SEALDROP_BUILD/deb/sealdrop_${version}_$arch.deb
adm=$SEALDROP_BUILD/deb/sealdrop-admin_${version}_$arch.deb
[ -f "$srv" ] && [ -f "$adm" ] ||
	fail "no packages for $version in $SEALDROP_BUILD/deb (make deb)"
n=$(find "$SEALDROP_BUILD/deb" -name '*.deb' | wc -l)
[ "$n" = 2 ] || fail "$n packages in $SEALDROP_BUILD/deb, not 2"

# --- what each package holds and needs ---
files() { dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|'; }
files "$srv" >"$SEALDROP_BUILD/deb/sealdrop.files"
files "$adm" >"$SEALDROP_BUILD/deb/sealdrop-admin.files"
for f in /usr/bin/sealdrop /lib/systemd/system/sealdrop.service \
	/usr/lib/sysusers.d/sealdrop.conf /usr/share/man/man8/sealdrop.8.gz \
	/usr/share/doc/sealdrop/torrc /usr/share/doc/sealdrop/deploy.md.gz \
	/usr/share/doc/sealdrop/interface.md.gz \
	/usr/share/doc/sealdrop/copyright; do
	grep -qx "$f" "$SEALDROP_BUILD/deb/sealdrop.files" ||
		fail "sealdrop does not hold $f"
done
for f in /usr/bin/sealdrop-admin /usr/libexec/sealdrop/sealdrop-inspect \
	/usr/share/man/man1/sealdrop-admin.1.gz \
	/usr/share/doc/sealdrop-admin/journalist-guide.md.gz \
	/usr/share/doc/sealdrop-admin/interface.md.gz \
	/usr/share/doc/sealdrop-admin/copyright; do
	grep -qx "$f" "$SEALDROP_BUILD/deb/sealdrop-admin.files" ||
		fail "sealdrop-admin does not hold $f"
done
# The data directory is made by postinst, not shipped: dpkg must never
# count it among a package's files, or a purge could take it.
grep -q '^/var' "$SEALDROP_BUILD/deb/sealdrop.files" &&
	fail "sealdrop ships files under /var"
grep -qx /usr/bin/sealdrop "$SEALDROP_BUILD/deb/sealdrop-admin.files" &&
	fail "sealdrop-admin ships the server"
deps=$(dpkg-deb -f "$adm" Depends)
echo "sealdrop-admin depends on: $deps"
echo "$deps" | tr ',|' '\n\n' | awk '{ print $1 }' |
	grep -Ex 'libmicrohttpd.*|libqrencode.*|systemd.*|tor|adduser' &&
	fail "sealdrop-admin needs more than it uses: $deps"
for lib in libsodium23 libsqlite3-0 libseccomp2 libc6 libmagic1 libncursesw6 mat2 \
	bubblewrap; do
	case $deps in *"$lib"*) ;; *) fail "sealdrop-admin does not depend on $lib" ;; esac
done
dpkg-deb -f "$srv" Depends | grep -q systemd ||
	fail "sealdrop does not depend on systemd-sysusers"
dpkg-deb -e "$srv" "$SEALDROP_BUILD/deb/control"
grep -q 'systemd-sysusers' "$SEALDROP_BUILD/deb/control/postinst" ||
	fail "postinst creates no user"
# Never started by the package before `sealdrop init` (an upgrade only
# restarts a drop that runs); whether it was enabled is seen once
# installed. Removing it stops it.
grep -Eq 'deb-systemd-invoke (start|restart|\$_dh_action)' \
	"$SEALDROP_BUILD/deb/control/postinst" &&
	fail "postinst starts the unit before sealdrop init"
grep -q 'try-restart' "$SEALDROP_BUILD/deb/control/postinst" ||
	fail "an upgrade does not restart a running drop"
grep -q 'deb-systemd-invoke stop' "$SEALDROP_BUILD/deb/control/prerm" ||
	fail "removing the package does not stop the drop"
grep -Eq '^[^#]*rm .*/var/lib/sealdrop' "$SEALDROP_BUILD/deb/control/postrm" &&
	fail "postrm removes the data directory"
rm -rf "$SEALDROP_BUILD/deb/control"
echo "ok: VERSION $version, packages and their contents"

# --- installed, as a user of the packages would ---
if [ "$(id -u)" != 0 ] || [ "${CI:-}" != true ]; then
	echo "SKIP: installing the packages (only as root with CI=true)"
	exit 0
fi
start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
existed=no
[ -e /var/lib/sealdrop ] && existed=yes
apt-get install -y -qq --no-install-recommends "$adm" "$srv" \
	>"$SEALDROP_BUILD/deb/install.log" 2>&1 ||
	fail "apt-get install: $(tail -n 10 "$SEALDROP_BUILD/deb/install.log")"
purged=no
purge() {
	[ $purged = yes ] && return 0
	purged=yes
	apt-get remove --purge -y -qq sealdrop sealdrop-admin \
		>"$SEALDROP_BUILD/deb/remove.log" 2>&1
}
# Whatever happens, the packages do not stay on the machine.
trap purge EXIT

[ "$(/usr/bin/sealdrop --version)" = "sealdrop $version" ] ||
	fail "installed sealdrop --version: $(/usr/bin/sealdrop --version)"
[ "$(/usr/bin/sealdrop-admin --version)" = "sealdrop-admin $version" ] ||
	fail "installed sealdrop-admin --version"
getent passwd sealdrop >/dev/null || fail "no system user sealdrop"
uid=$(id -u sealdrop)
[ "$uid" -lt 1000 ] || fail "sealdrop is not a system user (uid $uid)"
[ "$(stat -c '%a %U %G' /var/lib/sealdrop)" = "700 sealdrop sealdrop" ] ||
	fail "/var/lib/sealdrop: $(stat -c '%a %U %G' /var/lib/sealdrop)"
unit=/lib/systemd/system/sealdrop.service
[ -f "$unit" ] || fail "no unit installed"
# Installed, not enabled (sealdrop init must run first), not started.
[ -e /etc/systemd/system/multi-user.target.wants/sealdrop.service ] &&
	fail "the package enabled the unit"
if [ -d /run/systemd/system ] && systemctl is-active --quiet sealdrop; then
	fail "the package started the unit"
fi
man=no
command -v man >/dev/null 2>&1 && man=yes
systemd-analyze verify --man=$man "$unit" >"$SEALDROP_BUILD/deb/verify.log" 2>&1 ||
	fail "verify: $(cat "$SEALDROP_BUILD/deb/verify.log")"
[ -s "$SEALDROP_BUILD/deb/verify.log" ] &&
	fail "verify warns: $(cat "$SEALDROP_BUILD/deb/verify.log")"
echo "ok: installed; user, /var/lib/sealdrop 0700, unit verified, not enabled"

# A round trip with the installed programs: keygen, init, serve, a
# source submits, export, import (pinning the drop key), read.
(
	. "$top/tests/integration/lib.sh"
	. "$top/tests/integration/admin_lib.sh"
	SD_BIN=/usr/bin/sealdrop
	ADM=/usr/bin/sealdrop-admin
	H=$AT/home DATA=$AT/data PASS=$AT/pass
	awk -F '\t' 'NF == 2 { print $2 }' "$top/crypto/eff_large_wordlist.txt" |
		shuf -n 7 | paste -s -d ' ' >"$PASS"
	marker=pkg$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
	adm_rc 0 --home "$H" --passphrase-file "$PASS" keygen
	sd_init "$DATA" "$H/newsroom.pub"
	sd_start "$DATA"
	sd_source
	printf '%%PDF-1.4\n%%%%EOF\n' >"$AT/doc.pdf"
	st=$(sd_submit "from the package test $marker" \
		-F "file=@$AT/doc.pdf;filename=doc.pdf")
	[ "$st" = 200 ] || fail "submission: $st"
	sd_stop
	"$SD_BIN" --data "$DATA" export --out "$AT/export.sdx" 2>/dev/null ||
		fail "export"
	fpr=$("$SD_BIN" --data "$DATA" status |
		sed -n 's/^drop key [0-9a-f]* fingerprint //p')
	[ -n "$fpr" ] || fail "status printed no drop key"
	adm_rc 0 --home "$H" --passphrase-file "$PASS" import "$AT/export.sdx" \
		--trust "$fpr"
	adm_rc 0 --home "$H" --passphrase-file "$PASS" list --tsv
	id=$(awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "id") c = i }
		NR == 2 { print $c }' "$AT/out")
	[ -n "$id" ] || fail "list: $(cat "$AT/out")"
	adm_rc 0 --home "$H" --passphrase-file "$PASS" read "$id"
	grep -q "$marker" "$AT/out" || fail "read: $(cat "$AT/out")"
	# The installed inspector is found, and runs in its sandbox.
	adm_rc 0 --home "$H" --passphrase-file "$PASS" extract "$id" \
		--to "$AT/x"
	grep -q '^Type: application/pdf' "$AT/x/doc.pdf.report.txt" ||
		fail "extract: $(cat "$AT/err" "$AT/x/doc.pdf.report.txt")"
	echo "ok: round trip with the installed programs"
) || exit 1

# Purging keeps the data directory and what is in it (a key, here), and
# keeps archives and keys elsewhere too.
keep=$SEALDROP_BUILD/deb/keep
rm -rf "$keep"
mkdir -m 700 "$keep"
echo "archive" >"$keep/archive.db"
echo "key" >"$keep/newsroom.key"
probe=
if [ $existed = no ]; then
	probe=/var/lib/sealdrop/drop.key
	echo "a drop key" >"$probe"
fi
before=$(ls -A /var/lib/sealdrop | sort | tr '\n' ' ')
purge || fail "apt-get remove --purge: $(tail -n 5 "$SEALDROP_BUILD/deb/remove.log")"
for p in sealdrop sealdrop-admin; do
	st=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null)
	case $st in *installed* | *config-files*) fail "$p still: $st" ;; esac
done
[ -e /usr/bin/sealdrop ] || [ -e /usr/bin/sealdrop-admin ] || [ -e "$unit" ] &&
	fail "purge left the programs or the unit"
[ -d /var/lib/sealdrop ] || fail "purge deleted /var/lib/sealdrop"
after=$(ls -A /var/lib/sealdrop | sort | tr '\n' ' ')
[ "$before" = "$after" ] ||
	fail "purge changed /var/lib/sealdrop: '$before' -> '$after'"
[ -f "$keep/archive.db" ] && [ -f "$keep/newsroom.key" ] ||
	fail "purge deleted an archive or a key"
# Only what this test put there goes; the directory stays, as after any
# purge.
[ -n "$probe" ] && rm -f "$probe"
rm -rf "$keep"
echo "ok: purged; /var/lib/sealdrop and its contents kept" \
	"($(($(date +%s) - start))s)"
