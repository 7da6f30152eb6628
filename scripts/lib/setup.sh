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

# Pinned tools of the app build. trunk 0.22 needs a newer rustc than the
# toolchain here; wasm-bindgen-cli must equal the wasm-bindgen crate in
# Cargo.lock; wasm-opt comes from the npm package binaryen (see Trunk.toml).
TRUNK_VERSION=0.21.14

# Installs a cargo binary into ~/.cargo/bin, building in a target directory
# of its own so the shared one stays unlocked.
cargo_install() {
    CARGO_TARGET_DIR="$CARGO_TARGET_DIR/tools" cargo install "$@"
}

ensure_trunk() {
    if [[ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]]; then
        say "installing trunk $TRUNK_VERSION (cargo install; several minutes)"
        cargo_install trunk --version "$TRUNK_VERSION" --locked
    fi
}

# The wasm-bindgen crate version in Cargo.lock.
wasm_bindgen_version() {
    awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_bindgen() {
    local version
    version="$(wasm_bindgen_version)"
    [[ -n "$version" ]] || die "Cargo.lock has no wasm-bindgen"
    grep -qx "wasm_bindgen = \"$version\"" "$ROOT/Trunk.toml" ||
        die "Trunk.toml must pin wasm_bindgen = \"$version\" (the version in Cargo.lock)"
    if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $version" ]]; then
        say "installing wasm-bindgen-cli $version (cargo install; a few minutes)"
        # Not --locked: its lock file names a webpki-roots version the
        # registry mirror lacks.
        cargo_install wasm-bindgen-cli --version "$version"
    fi
}

# Debian packages, installed with apt-get only when missing.
ensure_debian_packages() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    say "installing ${missing[*]} (apt-get)"
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        require sudo "run as root or install: ${missing[*]}"
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "${missing[@]}"
}

# What building the app needs (and, with "browser", running its tests).
ensure_app_tools() {
    ensure_trunk
    ensure_wasm_bindgen
    if [[ "${1:-}" == browser ]]; then
        ensure_debian_packages chromium
    fi
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

# Where dfx.json (canisters/deploy) finds the canisters' wasm.
DEPLOY_WASM_DIR="$ROOT/canisters/deploy/wasm"

# Builds the named canister crates (default: all of them) in one cargo
# invocation, so that they share one feature resolution and nothing is
# compiled twice, and copies each wasm to $DEPLOY_WASM_DIR.
build_canisters() {
    local names=("$@") name packages=()
    ((${#names[@]})) || names=(demo identity_manager ledger signer)
    say "building canisters (wasm32, release): ${names[*]}"
    for name in "${names[@]}"; do packages+=(-p "$name"); done
    cargo build --locked --manifest-path "$ROOT/Cargo.toml" --release --target wasm32-unknown-unknown "${packages[@]}"
    mkdir -p "$DEPLOY_WASM_DIR"
    for name in "${names[@]}"; do
        cp "$WASM_DIR/$name.wasm" "$DEPLOY_WASM_DIR/$name.wasm"
    done
    # Canister tests run the very files that dfx deploys.
    export SIGIL_WASM_DIR="$DEPLOY_WASM_DIR"
}

build_localnet() {
    say "building localnet"
    cargo build --locked -p localnet
    LOCALNET_BIN="$CARGO_TARGET_DIR/debug/localnet"
    export LOCALNET_BIN
}

# Writes the deploy configuration for the canisters into $1: the demo
# canister, and the identity manager with its signer (fixed ids, each named
# in the other's install argument; see e2e/localnet/chains.mjs).
write_deploy_config() {
    node "$ROOT/e2e/localnet/chains.mjs" "$DEPLOY_WASM_DIR" >"$1"
}

# Builds the app into dist/ with trunk (release, wasm-opt -Oz, JavaScript and
# CSS minified by esbuild: see Trunk.toml); extra arguments go to trunk.
build_app() {
    say "building the app (trunk, release${*:+, $*})"
    local bin="$ROOT/e2e/node_modules/.bin" pinned
    pinned="$(sed -n 's/^wasm_opt = "\(.*\)"$/\1/p' "$ROOT/Trunk.toml")"
    "$bin/wasm-opt" --version | grep -q "($pinned)" ||
        die "e2e/node_modules/.bin/wasm-opt is not $pinned (Trunk.toml); run npm ci in e2e"
    (cd "$ROOT" && PATH="$bin:$PATH" trunk build --release --locked "$@")
}

# The app with its test-only entry points (cargo feature e2e-hooks), for
# the browser tests of the WebCrypto, IndexedDB and WebAuthn glue; never
# served as the app.
build_app_with_test_hooks() {
    SIGIL_E2E_DIST="$ROOT/dist-e2e"
    export SIGIL_E2E_DIST
    build_app --features e2e-hooks --dist "$SIGIL_E2E_DIST"
}

# Bundles the demo dapp (e2e/demo-dapp/src) with esbuild.
build_demo_dapp() {
    say "bundling the demo dapp (esbuild)"
    "$ROOT/e2e/node_modules/.bin/esbuild" "$ROOT/e2e/demo-dapp/src/main.js" \
        "$ROOT/e2e/demo-dapp/src/evm.js" \
        --bundle --format=esm --minify --target=es2022 --log-level=warning \
        --outdir="$ROOT/e2e/demo-dapp/dist"
}
