#!/bin/bash
# Every page a source can reach, in each of the six languages, in real
# Chromium with JavaScript disabled (tests/browser/languages.test.mjs):
# no stray Latin words on a non-English page, and on right-to-left pages
# the direction kept in every element that holds text.
exec bash "$(dirname "$0")/browser_journey.sh" languages
