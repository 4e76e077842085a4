# Sourced by .ci/run (and usable by hand: `source .ci/node-lts.sh`): puts a supported Node LTS first on PATH.
# The machine's Node may be older than the project supports (Node 20 left support in April 2026). Then the
# Node LTS binary comes from the npm registry's node-linux-<arch> package (a binary inside a registry package),
# unpacked once under /opt, and native modules (better-sqlite3) build against its headers via npm_config_nodedir.
ATTESTA_NODE_VERSION="${ATTESTA_NODE_VERSION:-24.22.3}"
attesta_node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$attesta_node_major" -lt 22 ]; then
  case "$(uname -m)" in
    x86_64) attesta_node_arch=x64 ;;
    aarch64 | arm64) attesta_node_arch=arm64 ;;
    *) echo "node-lts: no Node LTS package for $(uname -m)" >&2; return 1 ;;
  esac
  attesta_node_dir="${ATTESTA_NODE_DIR:-/opt/node-v$ATTESTA_NODE_VERSION}"
  if [ ! -x "$attesta_node_dir/bin/node" ]; then
    echo "node-lts: machine has Node $(node --version 2>/dev/null || echo none); fetching node-linux-$attesta_node_arch@$ATTESTA_NODE_VERSION from the npm registry"
    attesta_node_tmp="$(mktemp -d)"
    (cd "$attesta_node_tmp" && npm pack --silent "node-linux-$attesta_node_arch@$ATTESTA_NODE_VERSION" >/dev/null)
    mkdir -p "$attesta_node_dir"
    tar xzf "$attesta_node_tmp"/node-linux-*.tgz -C "$attesta_node_dir" --strip-components=1
    rm -rf "$attesta_node_tmp"
  fi
  export PATH="$attesta_node_dir/bin:$PATH"
  export npm_config_nodedir="$attesta_node_dir"
fi
echo "node-lts: using Node $(node --version)"
