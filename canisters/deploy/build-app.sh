#!/usr/bin/env bash
# dfx's build step for the `sigil` assets canister (see dfx.json): the app
# (trunk, release) into app/, with the /sigil.json of sigil.json naming the
# identity manager that dfx created (dfx passes its id to this step).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../../scripts/lib/setup.sh"
[[ -n "${CANISTER_ID_IDENTITY_MANAGER:-}" ]] ||
    die "CANISTER_ID_IDENTITY_MANAGER is not set: run this step through dfx (dfx deploy --network ic)"
ensure_rust
ensure_node_packages
ensure_app_tools
build_app --dist "$here/app"
node "$here/sigil-config.mjs" "$here/sigil.json" "$CANISTER_ID_IDENTITY_MANAGER" "$here/app/sigil.json"
