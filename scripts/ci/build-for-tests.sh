#!/usr/bin/env bash
# The first half of `npm test`: what the tests run needs built, fast. The grammar's generated
# parser, out/ (scripts/ci/transpile.mjs: esbuild file by file, ~4 s, where tsc takes ~50 s of one
# core with the other idle) and the webview bundles, the last two side by side. The type check
# that tsc did on the way runs beside the tests instead (vitest-beside-checks.sh) and still fails
# the command. Either build failing fails it now, with its output.
set -uo pipefail
cd "$(dirname "$0")/../.."
npm run --silent langium:generate || exit 1
mkdir -p .cache
node webviews/build.mjs >.cache/build-webviews.log 2>&1 &
webviews=$!
status=0
node scripts/ci/transpile.mjs || status=1
if ! wait "$webviews"; then status=1; fi
cat .cache/build-webviews.log
exit $status
