#!/bin/bash
# Every page a source can reach, in each of the six languages, in real
# Chromium with JavaScript disabled (tests/browser/languages.test.mjs):
# no stray Latin words on a non-English page, and on right-to-left pages
# the direction kept in every element that holds text.
set -eu
top=${SEALDROP_TOP:?}
[ -x /usr/bin/chromium ] || { echo "FAIL: /usr/bin/chromium missing (make deps)"; exit 1; }
[ -d "$top/tests/browser/node_modules/playwright-core" ] ||
	{ echo "FAIL: tests/browser/node_modules missing (make deps)"; exit 1; }
cd "$top/tests/browser"
exec timeout 600 node --test --test-concurrency=1 ./languages.test.mjs
