//! Sigil's mainnet deployment: the files in this folder, and what reads
//! them here so that `tests/deploy.rs` can hold them to the canisters built
//! from the same tree.
//!
//! ```text
//! dfx.json            every canister: its build step, wasm, candid and init
//!                     argument; the app's assets canister
//! build.sh            dfx's build step of the canisters (scripts/test's too):
//!                     cargo, then a copy into wasm/
//! build-app.sh        dfx's build step of the assets: the app into app/, with
//!                     its /sigil.json
//! sigil.json          the app's configuration on mainnet, less canister ids
//! sigil-config.mjs    adds the identity manager's id to sigil.json
//! assets/             served beside the app: .well-known/ii-alternative-origins
//!                     and the assets canister's .ic-assets.json5
//! ```
//!
//! Paths in `dfx.json` are relative to this folder, as dfx resolves them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use candid::TypeEnv;
use candid::types::{Type, TypeInner};
use candid_parser::utils::CandidSource;
use serde::Deserialize;
use wasmi::{Engine, Linker, Module, Store};

/// This folder: where `dfx.json` is and what its paths are relative to.
pub fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `dfx.json`, as far as Sigil uses it.
#[derive(Debug, Deserialize)]
pub struct DfxConfig {
    pub canisters: BTreeMap<String, DfxCanister>,
}

/// One canister of `dfx.json`.
#[derive(Debug, Deserialize)]
pub struct DfxCanister {
    /// `custom` (a wasm built by `build`) or `assets` (files of `source`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The command dfx runs first, in this folder.
    pub build: Option<String>,
    pub wasm: Option<String>,
    pub candid: Option<String>,
    /// The install argument in Candid text.
    pub init_arg: Option<String>,
    /// Whether dfx installs the wasm gzipped (the IC inflates it).
    #[serde(default)]
    pub gzip: bool,
    #[serde(default)]
    pub source: Vec<String>,
    /// Canisters whose ids dfx passes to `build` (`CANISTER_ID_<NAME>`).
    #[serde(default)]
    pub dependencies: Vec<String>,
}

impl DfxConfig {
    /// Reads `dfx.json` of `folder`.
    pub fn read(folder: &Path) -> Result<Self, String> {
        let path = folder.join("dfx.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{} is not valid: {e}", path.display()))
    }
}

/// The Candid interface that a canister's wasm exports: what ic-cdk's
/// `export_candid!` compiles into `get_candid_pointer`, a function that
/// returns a pointer to the interface as a NUL-terminated string in the
/// module's memory. It runs in an interpreter whose system API (`ic0`)
/// imports all trap: printing an interface needs none of them.
pub fn exported_candid(wasm: &[u8]) -> Result<String, String> {
    let engine = Engine::default();
    let module = Module::new(&engine, wasm).map_err(|e| format!("invalid wasm: {e}"))?;
    let mut linker = Linker::<()>::new(&engine);
    for import in module.imports() {
        if let wasmi::ExternType::Func(ty) = import.ty() {
            let name = format!("{}.{}", import.module(), import.name());
            linker
                .func_new(
                    import.module(),
                    import.name(),
                    ty.clone(),
                    move |_, _, _| {
                        Err(wasmi::Error::new(format!(
                            "{name} called while printing the interface"
                        )))
                    },
                )
                .map_err(|e| e.to_string())?;
        }
    }
    let mut store = Store::new(&engine, ());
    let instance = linker
        .instantiate_and_start(&mut store, &module)
        .map_err(|e| format!("cannot instantiate the wasm: {e}"))?;
    let get_candid_pointer = instance
        .get_typed_func::<(), i32>(&store, "get_candid_pointer")
        .map_err(|e| format!("the wasm exports no get_candid_pointer (export_candid!): {e}"))?;
    let pointer = get_candid_pointer
        .call(&mut store, ())
        .map_err(|e| format!("get_candid_pointer failed: {e}"))?;
    let memory = instance
        .get_memory(&store, "memory")
        .ok_or("the wasm exports no memory")?;
    let bytes = memory
        .data(&store)
        .get(pointer as u32 as usize..)
        .ok_or("get_candid_pointer points outside memory")?;
    let end = bytes
        .iter()
        .position(|&b| b == 0)
        .ok_or("the interface is not NUL-terminated")?;
    String::from_utf8(bytes[..end].to_vec()).map_err(|e| format!("the interface is not UTF-8: {e}"))
}

/// The argument types of a service's `service : (…) -> {…}` (none for a
/// service without them).
pub fn init_types(candid: CandidSource) -> Result<(TypeEnv, Vec<Type>), String> {
    let (env, actor) = candid.load().map_err(|e| e.to_string())?;
    let actor = actor.ok_or("the interface has no service")?;
    let types = match actor.as_ref() {
        TypeInner::Class(args, _) => args.clone(),
        _ => Vec::new(),
    };
    Ok((env, types))
}

/// Encodes `text` (Candid text) as a value of `types`, as dfx does with
/// `init_arg`; fails where the text does not fit the types.
pub fn encode_init_arg(text: &str, env: &TypeEnv, types: &[Type]) -> Result<Vec<u8>, String> {
    let args = candid_parser::parse_idl_args(text).map_err(|e| e.to_string())?;
    let bytes = args
        .to_bytes_with_types(env, types)
        .map_err(|e| e.to_string())?;
    candid::IDLArgs::from_bytes_with_types(&bytes, env, types).map_err(|e| e.to_string())?;
    Ok(bytes)
}
