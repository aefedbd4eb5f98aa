#!/bin/bash
# The source's journey in real Chromium with JavaScript disabled
# (tests/browser/). Needs Debian's chromium and the pinned npm packages,
# which `make check` installs first.
set -eu
top=${SEALDROP_TOP:?}
[ -x /usr/bin/chromium ] || { echo "FAIL: /usr/bin/chromium missing (make deps)"; exit 1; }
[ -d "$top/tests/browser/node_modules/playwright-core" ] ||
	{ echo "FAIL: tests/browser/node_modules missing (make deps)"; exit 1; }
cd "$top/tests/browser"
# One suite per script (tests/browser/NAME.test.mjs; journey unless told).
exec timeout 600 node --test --test-concurrency=1 "./${1:-journey}.test.mjs"
