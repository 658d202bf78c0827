#!/usr/bin/env bash
# `npm run build:checked`: the build with the tests type-checked. The webview bundle and its type
# check (~11 s of CPU, its own tsconfig) run beside the main `tsc` (single-threaded, ~50 s) on the
# second core instead of after it. Either failing fails the command; the output of each is printed.
set -uo pipefail
cd "$(dirname "$0")/../.."
npm run --silent langium:generate || exit 1
mkdir -p .cache
( node webviews/build.mjs && npx tsc -p webviews/tsconfig.json ) >.cache/build-webviews.log 2>&1 &
webviews=$!
status=0
npx tsc -p tsconfig.test.json --noEmit false || status=1
if ! wait "$webviews"; then status=1; fi
cat .cache/build-webviews.log
exit $status
