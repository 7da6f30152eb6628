//! The deployment files of this folder against the canisters built from
//! the same tree: every wasm that `dfx.json` names exists (build.sh wrote
//! it), every candid file is the interface that wasm exports, every init argument fits that interface's init type and is
//! accepted by the canister on the local network, and the app's assets and
//! configuration are the mainnet ones. Run after the canisters are built
//! (`scripts/test` does).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use candid_parser::utils::{CandidSource, service_equal};
use deploy::{DfxCanister, DfxConfig, encode_init_arg, exported_candid, folder, init_types};
use localnet::testing::Localnet;
use serde_json::Value;

fn config() -> DfxConfig {
    DfxConfig::read(&folder()).unwrap_or_else(|e| panic!("{e}"))
}

/// The canisters that dfx builds from wasm, by name.
fn wasm_canisters() -> BTreeMap<String, DfxCanister> {
    let canisters: BTreeMap<_, _> = config()
        .canisters
        .into_iter()
        .filter(|(_, canister)| canister.kind == "custom")
        .collect();
    assert!(!canisters.is_empty(), "dfx.json names no custom canister");
    canisters
}

fn path_of(name: &str, field: &str, value: &Option<String>) -> PathBuf {
    match value {
        Some(path) => folder().join(path),
        None => panic!("dfx.json gives canister {name} no {field}"),
    }
}

fn wasm_of(name: &str, canister: &DfxCanister) -> Vec<u8> {
    let path = path_of(name, "wasm", &canister.wasm);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "the wasm of {name} in dfx.json, {}, cannot be read ({e}): build the canisters with canisters/deploy/build.sh (scripts/test does)",
            path.display()
        )
    })
}

fn json(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

#[test]
fn should_name_the_wasm_that_the_build_step_writes_for_every_canister() {
    for (name, canister) in wasm_canisters() {
        let build = canister.build.as_deref().unwrap_or_default();
        assert_eq!(
            build,
            format!("bash build.sh {name}"),
            "dfx.json builds canister {name} with another step than build.sh"
        );
        assert!(
            wasm_of(&name, &canister).starts_with(b"\0asm"),
            "the wasm of {name} in dfx.json is not a wasm module"
        );
    }
}

/// The largest message the IC accepts, an `install_code` included.
const MAX_MESSAGE_BYTES: usize = 2 * 1024 * 1024;

/// `bytes` compressed by gzip at its best (dfx compresses when `gzip` is
/// set; the IC inflates a module that starts with gzip's magic bytes).
fn gzipped(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("gzip")
        .args(["-9", "-c", "-n"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gzip (Debian's gzip package) runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input).unwrap());
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(output.status.success(), "gzip failed");
    output.stdout
}

#[test]
fn should_install_every_wasm_in_one_message_gzipped_where_it_is_too_large() {
    for (name, canister) in wasm_canisters() {
        let wasm = wasm_of(&name, &canister);
        if wasm.len() <= MAX_MESSAGE_BYTES && !canister.gzip {
            continue;
        }
        assert!(
            canister.gzip,
            "the wasm of {name} is {} bytes, more than an install message holds: set \"gzip\": true in dfx.json",
            wasm.len()
        );
        let compressed = gzipped(&wasm).len();
        assert!(
            compressed < MAX_MESSAGE_BYTES / 2,
            "the gzipped wasm of {name} is {compressed} bytes, near the limit of an install message"
        );
    }
}

#[test]
fn should_check_in_the_candid_interface_that_each_built_wasm_exports() {
    for (name, canister) in wasm_canisters() {
        let exported = exported_candid(&wasm_of(&name, &canister))
            .unwrap_or_else(|e| panic!("the interface of {name}'s wasm: {e}"));
        let candid = path_of(&name, "candid", &canister.candid);
        assert!(candid.exists(), "{} is missing", candid.display());
        service_equal(CandidSource::File(&candid), CandidSource::Text(&exported)).unwrap_or_else(
            |e| {
                panic!(
                    "{} differs from the interface that {name}'s wasm exports: {e:?}\n{exported}",
                    candid.display()
                )
            },
        );
    }
}

#[test]
fn should_give_each_canister_an_init_argument_that_its_built_wasm_accepts() {
    let mut builder = Localnet::builder();
    for (name, canister) in wasm_canisters() {
        let wasm = wasm_of(&name, &canister);
        let exported = exported_candid(&wasm).unwrap();
        let (env, types) = init_types(CandidSource::Text(&exported)).unwrap();
        let text = canister.init_arg.as_deref().unwrap_or("()");
        let arg = encode_init_arg(text, &env, &types).unwrap_or_else(|e| {
            panic!("the init_arg of {name} in dfx.json does not fit the init type of its wasm: {e}\n{text}")
        });
        builder = builder.canister(&name, &path_of(&name, "wasm", &canister.wasm), arg);
    }
    // Installing runs canister_init, which traps on an argument the
    // canister refuses (the network then does not start).
    let net = builder.start();
    for name in wasm_canisters().keys() {
        net.id(name);
    }
}

#[test]
fn should_serve_the_app_and_its_alternative_origins_from_an_assets_canister() {
    let config = config();
    let (name, app) = config
        .canisters
        .iter()
        .find(|(_, canister)| canister.kind == "assets")
        .expect("dfx.json names no assets canister");
    assert_eq!(app.build.as_deref(), Some("bash build-app.sh"), "{name}");
    assert!(folder().join("build-app.sh").exists());
    assert!(
        app.dependencies.iter().any(|d| d == "identity_manager"),
        "{name} must depend on the identity manager so that dfx passes its id to build-app.sh"
    );
    assert!(
        app.source.iter().any(|s| s == "app"),
        "{name} must serve app/, where build-app.sh writes the app"
    );
    assert!(
        app.source.iter().any(|s| s == "assets"),
        "{name} must serve assets/"
    );

    let origins = json(folder().join("assets/.well-known/ii-alternative-origins"));
    let object = origins.as_object().expect("an object");
    assert_eq!(
        object.keys().collect::<Vec<_>>(),
        ["alternativeOrigins"],
        "ii-alternative-origins has exactly one key"
    );
    let list = object["alternativeOrigins"].as_array().expect("a list");
    assert!(list.len() <= 10, "at most 10 alternative origins");
    for origin in list {
        let origin = origin.as_str().expect("origins are strings");
        let host = origin.strip_prefix("https://").expect("https origins");
        assert!(
            !host.is_empty() && !host.contains('/'),
            "{origin} is an origin, without path"
        );
    }

    // dfx skips dot files unless told otherwise; browsers fetch the file
    // from the dapp's page, so it needs CORS.
    let rules = json(folder().join("assets/.ic-assets.json5"));
    let rules = rules.as_array().expect("a list of rules");
    let rule = |path: &str| {
        rules
            .iter()
            .find(|rule| rule["match"] == path)
            .unwrap_or_else(|| panic!(".ic-assets.json5 has no rule for {path}"))
    };
    assert_eq!(rule(".well-known")["ignore"], false);
    let file = rule(".well-known/ii-alternative-origins");
    assert_eq!(file["ignore"], false);
    assert_eq!(file["headers"]["Access-Control-Allow-Origin"], "*");
    assert_eq!(file["headers"]["Content-Type"], "application/json");
    // Dapps on other origins import the EVM provider module, which reads
    // its chains from /sigil.json: both need CORS.
    for (path, kind) in [
        ("evm-provider.js", "text/javascript"),
        ("sigil.json", "application/json"),
    ] {
        let file = rule(path);
        assert_eq!(
            file["headers"]["Access-Control-Allow-Origin"], "*",
            "{path}"
        );
        assert_eq!(file["headers"]["Content-Type"], kind, "{path}");
    }
}

#[test]
fn should_configure_the_app_for_mainnet_with_its_root_key() {
    let sigil = json(folder().join("sigil.json"));
    assert_eq!(sigil["network"], "ic");
    assert_eq!(sigil["url"], "https://icp-api.io");
    assert_eq!(sigil["threshold_key"], "key_1");
    let agent = ic_agent::Agent::builder()
        .with_url("https://icp-api.io")
        .build()
        .unwrap();
    assert_eq!(
        sigil["root_key"].as_str().map(str::to_string),
        Some(hex::encode(agent.read_root_key())),
        "sigil.json's root_key is not the Internet Computer's"
    );

    // What build-app.sh serves: the same, with the identity manager's id.
    let out = std::env::temp_dir().join(format!("sigil-{}.json", std::process::id()));
    let id = "bkyz2-fmaaa-aaaaa-qaaaq-cai";
    let status = std::process::Command::new("node")
        .arg(folder().join("sigil-config.mjs"))
        .arg(folder().join("sigil.json"))
        .arg(id)
        .arg(&out)
        .status()
        .expect("run node");
    assert!(status.success());
    let served = json(out.clone());
    let _ = std::fs::remove_file(&out);
    let mut expected = sigil.clone();
    expected["canisters"] = serde_json::json!({ "identity_manager": id });
    assert_eq!(served, expected);
}
