#!/usr/bin/env bash
# The second half of `npm test`, after the build: eslint runs beside vitest instead of before it.
# vitest's two workers spend much of their time waiting on daemons and child processes, so the
# lint's ~20-35 s of CPU fit beside them and leave the critical path. Either failing fails the
# command; the lint's output is printed after vitest's.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .cache
npx eslint . >.cache/lint.log 2>&1 &
lint=$!
status=0
npx vitest run || status=1
if ! wait "$lint"; then
    echo "eslint found problems:"
    cat .cache/lint.log
    status=1
fi
exit $status
