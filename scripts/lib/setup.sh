# Shared by scripts/run and scripts/test: installs what Sigil needs on a
# Debian machine with rustup, gcc and Node, and skips what is already there.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WASM_DIR="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release"

say() { printf '\n== %s\n' "$*" >&2; }

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

require() {
    command -v "$1" >/dev/null 2>&1 || die "$1 is required ($2)"
}

ensure_rust() {
    require cargo "install Rust with rustup"
    require rustup "install Rust with rustup"
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        say "adding the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown
    fi
    for component in rustfmt clippy; do
        if ! rustup component list --installed | grep -q "^$component"; then
            rustup component add "$component"
        fi
    done
}

# npm packages of e2e/, installed exactly as package-lock.json pins them.
ensure_node_packages() {
    require node "install Node.js 20 or later"
    require npm "install Node.js 20 or later"
    local stamp="$ROOT/e2e/node_modules/.package-lock.json"
    if [[ ! -f "$stamp" || "$ROOT/e2e/package-lock.json" -nt "$stamp" ]]; then
        say "installing e2e npm packages"
        npm ci --prefix "$ROOT/e2e" --no-audit --no-fund --loglevel=error
    fi
}

build_canisters() {
    say "building canisters (wasm32, release)"
    cargo build --locked --release --target wasm32-unknown-unknown -p demo -p identity_manager
    # Canister tests find the wasm here.
    export SIGIL_WASM_DIR="$WASM_DIR"
}

build_localnet() {
    say "building localnet"
    cargo build --locked -p localnet
    LOCALNET_BIN="$CARGO_TARGET_DIR/debug/localnet"
    export LOCALNET_BIN
}

# Writes the deploy configuration for the canisters into $1.
write_deploy_config() {
    cat >"$1" <<JSON
{
  "canisters": {
    "demo": { "wasm": "$WASM_DIR/demo.wasm" },
    "identity_manager": { "wasm": "$WASM_DIR/identity_manager.wasm" }
  }
}
JSON
}
