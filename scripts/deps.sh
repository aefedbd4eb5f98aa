#!/bin/sh
# Installs what building and testing sealdrop needs on Debian 12, from
# Debian's archive only. As root it runs apt-get; otherwise it prints the
# exact command to run and fails.
#
#   sh scripts/deps.sh           everything `make check` needs
#   sh scripts/deps.sh --build   only what building needs (make demo)
#   sh scripts/deps.sh --deb     what building the Debian packages needs
#                                (make deb): the build set, debhelper, lintian
set -eu

build="make gcc pkg-config libncurses-dev
libsodium-dev libmicrohttpd-dev libsqlite3-dev libqrencode-dev libseccomp-dev
libmagic-dev"
# What sealdrop-admin runs: the file inspector's sandbox and metadata tool.
run="bubblewrap mat2"
deb="build-essential dpkg-dev debhelper lintian"
test="clang libclang-rt-14-dev libcmocka-dev sqlite3 curl
chromium nodejs gettext fonts-noto-core fonts-noto-cjk
systemd tor binutils man-db groff-base tmux
libimage-exiftool-perl poppler-utils util-linux"

case ${1:-} in
--build) pkgs=$build npm=no ;;
--deb) pkgs="$build $deb" npm=no ;;
"") pkgs="$build $run $deb $test" npm=yes ;;
*) echo "usage: sh scripts/deps.sh [--build | --deb]" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

# The browser tests' npm packages, pinned by tests/browser/package-lock.json.
browser() {
	[ "$npm" = yes ] || return 0
	command -v npm >/dev/null 2>&1 || return 0
	[ -d tests/browser/node_modules/playwright-core ] && return 0
	(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
}

if [ -z "$missing" ]; then
	browser
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 2
fi

echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Debian's nodejs comes without npm; other builds of it bring their own.
if [ "$npm" = yes ] && ! command -v npm >/dev/null 2>&1; then
	apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
browser
