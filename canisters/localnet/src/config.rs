//! The deploy configuration: which canisters the network runs, by name.
//!
//! ```json
//! {
//!   "canisters": {
//!     "demo": { "wasm": "../target/wasm32-unknown-unknown/release/demo.wasm" },
//!     "identity_manager": {
//!       "wasm": "identity_manager.wasm",
//!       "init_arg_hex": "4449444c0000",
//!       "id": "uxrrr-q7777-77774-qaaaq-cai"
//!     }
//!   }
//! }
//! ```
//!
//! Relative `wasm` paths are resolved against the directory of the config
//! file. `init_arg_hex` is the Candid-encoded argument in hex, passed to
//! `canister_init` on install and to `canister_post_upgrade` on upgrade;
//! without it the argument is `()`. It must start with Candid's `DIDL`
//! magic; the canister itself decodes the rest. `id`, when given, is the
//! id the canister is created with (as `provisional_create_canister_with_cycles`
//! takes a `specified_id`), so that canisters can name each other in their
//! init arguments; it must lie in the subnet's canister range.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid deploy configuration: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("canister `{name}`: init_arg_hex is not a Candid message in hex: {reason}")]
    InitArg { name: String, reason: String },
    #[error("canister `{name}`: id is not a principal: {reason}")]
    Id { name: String, reason: String },
    #[error("canister name `{0}` must be 1 to 64 characters of a-z, 0-9, `_` or `-`")]
    Name(String),
}

/// A canister to deploy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanisterSpec {
    pub name: String,
    pub wasm: PathBuf,
    /// The Candid-encoded init (and post-upgrade) argument.
    pub init_arg: Vec<u8>,
    /// The id to create the canister with, if the configuration names one.
    pub id: Option<candid::Principal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    canisters: BTreeMap<String, RawCanister>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCanister {
    wasm: PathBuf,
    #[serde(default)]
    init_arg_hex: Option<String>,
    #[serde(default)]
    id: Option<String>,
}

/// Reads a deploy configuration; canisters come back in name order.
pub fn load(path: &Path) -> Result<Vec<CanisterSpec>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&text, base).map_err(|error| match error {
        ParseError::Json(source) => ConfigError::Parse {
            path: path.to_path_buf(),
            source,
        },
        ParseError::Config(error) => error,
    })
}

enum ParseError {
    Json(serde_json::Error),
    Config(ConfigError),
}

fn parse(text: &str, base: &Path) -> Result<Vec<CanisterSpec>, ParseError> {
    let raw: RawConfig = serde_json::from_str(text).map_err(ParseError::Json)?;
    raw.canisters
        .into_iter()
        .map(|(name, canister)| {
            if !is_valid_name(&name) {
                return Err(ParseError::Config(ConfigError::Name(name)));
            }
            let init_arg = encode_init_arg(&name, canister.init_arg_hex.as_deref())
                .map_err(ParseError::Config)?;
            let id = canister
                .id
                .map(|text| {
                    candid::Principal::from_text(&text).map_err(|e| {
                        ParseError::Config(ConfigError::Id {
                            name: name.clone(),
                            reason: e.to_string(),
                        })
                    })
                })
                .transpose()?;
            Ok(CanisterSpec {
                wasm: base.join(&canister.wasm),
                name,
                init_arg,
                id,
            })
        })
        .collect()
}

fn is_valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn encode_init_arg(name: &str, text: Option<&str>) -> Result<Vec<u8>, ConfigError> {
    let invalid = |reason: String| ConfigError::InitArg {
        name: name.to_string(),
        reason,
    };
    match text {
        None => candid::encode_args(()).map_err(|e| invalid(e.to_string())),
        Some(text) => {
            let bytes = hex::decode(text.trim()).map_err(|e| invalid(e.to_string()))?;
            if !bytes.starts_with(b"DIDL") {
                return Err(invalid("it does not start with the `DIDL` magic".into()));
            }
            Ok(bytes)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Vec<CanisterSpec> {
        match parse(text, Path::new("/base")) {
            Ok(specs) => specs,
            Err(ParseError::Json(e)) => panic!("json: {e}"),
            Err(ParseError::Config(e)) => panic!("config: {e}"),
        }
    }

    #[test]
    fn should_resolve_wasm_paths_against_the_config_directory() {
        let specs = parse_ok(r#"{"canisters":{"demo":{"wasm":"out/demo.wasm"}}}"#);
        assert_eq!(specs.len(), 1);
        assert_eq!(specs[0].name, "demo");
        assert_eq!(specs[0].wasm, Path::new("/base/out/demo.wasm"));
        assert_eq!(specs[0].init_arg, candid::encode_args(()).unwrap());
    }

    #[test]
    fn should_pass_hex_candid_init_arguments_through() {
        #[derive(candid::Deserialize, candid::CandidType)]
        struct Init {
            base: u64,
        }
        let encoded = candid::encode_one(Init { base: 7 }).unwrap();
        let text = format!(
            r#"{{"canisters":{{"im":{{"wasm":"im.wasm","init_arg_hex":"{}"}}}}}}"#,
            hex::encode(&encoded)
        );
        let specs = parse_ok(&text);
        assert_eq!(specs[0].init_arg, encoded);
        let init: Init = candid::decode_one(&specs[0].init_arg).unwrap();
        assert_eq!(init.base, 7);
    }

    #[test]
    fn should_read_the_id_a_canister_is_created_with() {
        let specs = parse_ok(
            r#"{"canisters":{"a":{"wasm":"a.wasm","id":"uxrrr-q7777-77774-qaaaq-cai"},"b":{"wasm":"b.wasm"}}}"#,
        );
        assert_eq!(
            specs[0].id,
            Some(candid::Principal::from_text("uxrrr-q7777-77774-qaaaq-cai").unwrap())
        );
        assert_eq!(specs[1].id, None);
        assert!(matches!(
            parse(
                r#"{"canisters":{"a":{"wasm":"a.wasm","id":"not-a-principal"}}}"#,
                Path::new("/")
            ),
            Err(ParseError::Config(ConfigError::Id { .. }))
        ));
    }

    #[test]
    fn should_reject_bad_names_bad_candid_and_unknown_fields() {
        for text in [
            r#"{"canisters":{"Bad Name":{"wasm":"x.wasm"}}}"#,
            r#"{"canisters":{"x":{"wasm":"x.wasm","init_arg_hex":"zz"}}}"#,
            r#"{"canisters":{"x":{"wasm":"x.wasm","init_arg_hex":"00ff"}}}"#,
            r#"{"canisters":{"x":{"wasm":"x.wasm","extra":1}}}"#,
            r#"{"canisters":[]}"#,
            "not json",
        ] {
            assert!(parse(text, Path::new("/")).is_err(), "{text}");
        }
    }
}
