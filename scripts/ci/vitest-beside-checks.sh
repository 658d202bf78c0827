#!/usr/bin/env bash
# The second half of `npm test`, after build-for-tests.sh: the static checks run beside vitest
# instead of before it — eslint, and tsc's type check of the sources and tests (tsconfig.test.json)
# and of the webview panels (their own tsconfig). vitest's two workers spend part of their time
# waiting on daemons and child processes; the checks' ~80 s of CPU fill it instead of holding
# the tests back. Any of them failing fails the command; their output is printed after vitest's.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .cache
checks=()
npx eslint . >.cache/lint.log 2>&1 &
checks+=("$!:eslint found problems:lint")
npx tsc -p tsconfig.test.json --noEmit >.cache/typecheck.log 2>&1 &
checks+=("$!:tsc found type errors (sources and tests):typecheck")
npx tsc -p webviews/tsconfig.json --noEmit >.cache/typecheck-webviews.log 2>&1 &
checks+=("$!:tsc found type errors (webview panels):typecheck-webviews")
status=0
npx vitest run || status=1
for c in "${checks[@]}"; do
    IFS=: read -r pid what log <<<"$c"
    if ! wait "$pid"; then
        echo "$what"
        cat ".cache/$log.log"
        status=1
    fi
done
exit $status
