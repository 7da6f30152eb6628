#!/usr/bin/env bash
# dfx's build step for Sigil's canisters (see dfx.json), and the one that
# scripts/test and scripts/run use: builds the named canister crates
# (wasm32, release) and copies each wasm to wasm/<name>.wasm, where
# dfx.json points.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/setup.sh"
ensure_rust
build_canisters "$@"
