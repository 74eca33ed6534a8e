#!/usr/bin/env bash
# Every check, in the order CI runs them: formatting, lints, then all unit and integration tests
# (library, real binary end to end, architecture rules). The README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked
