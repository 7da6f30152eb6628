//! Deploys the canisters of a [`config`](crate::config) onto the replica, in
//! process, through the management canister's ingress interface — the same
//! path an agent's `provisional_create_canister_with_cycles` and
//! `install_code` take.
//!
//! - A canister named in `canister_ids.json` (state directory) that still
//!   exists is upgraded (or installed, if it has no module); otherwise it is
//!   created and installed, and its id recorded.
//! - Every deployed canister is controlled by the network's deployer: the
//!   self-authenticating principal of an Ed25519 key kept in
//!   `deployer.ed25519` in the state directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use candid::{CandidType, Principal};
use ic_management_canister_types::{
    CanisterInstallMode, CanisterSettings, CreateCanisterResult, InstallCodeArgs,
    ProvisionalCreateCanisterWithCyclesArgs, UpgradeFlags,
};

use crate::config::CanisterSpec;
use crate::messages::{IngressCall, Reject, RequestStatus};
use crate::replica::Replica;

/// File (in the state directory) mapping canister names to ids.
pub const CANISTER_IDS_FILE: &str = "canister_ids.json";
const DEPLOYER_KEY_FILE: &str = "deployer.ed25519";
/// How long an in-process deploy message may wait, like an agent's expiry.
const INGRESS_TTL_NANOS: u64 = 4 * 60 * 1_000_000_000;

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("cannot read the wasm of `{name}` at {path}: {source}")]
    ReadWasm {
        name: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("state directory I/O failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("{path} is corrupt: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("deploying `{name}` failed: {reject}")]
    Rejected { name: String, reject: Reject },
    #[error("deploying `{name}` failed: the management canister's reply is malformed: {reason}")]
    MalformedReply { name: String, reason: String },
}

/// What deploying one canister did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeployAction {
    Installed,
    Upgraded,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployed {
    pub name: String,
    pub canister_id: Principal,
    pub action: DeployAction,
}

/// The deployer's principal, creating its key on first use.
pub fn deployer_principal(state_dir: &Path) -> Result<Principal, DeployError> {
    let path = state_dir.join(DEPLOYER_KEY_FILE);
    let key = match std::fs::read(&path) {
        Ok(bytes) => {
            let seed: [u8; 32] = bytes.try_into().map_err(|_| DeployError::Corrupt {
                path: path.clone(),
                reason: "expected a 32-byte Ed25519 seed".into(),
            })?;
            ic_ed25519::PrivateKey::deserialize_raw_32(&seed)
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let key = ic_ed25519::PrivateKey::generate();
            write_private(&path, &key.serialize_raw())?;
            key
        }
        Err(error) => return Err(error.into()),
    };
    Ok(Principal::self_authenticating(
        key.public_key().serialize_rfc8410_der(),
    ))
}

/// The recorded canister ids, by name.
pub fn read_canister_ids(state_dir: &Path) -> Result<BTreeMap<String, Principal>, DeployError> {
    let path = state_dir.join(CANISTER_IDS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(error) => return Err(error.into()),
    };
    let corrupt = |reason: String| DeployError::Corrupt {
        path: path.clone(),
        reason,
    };
    let raw: BTreeMap<String, String> =
        serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
    raw.into_iter()
        .map(|(name, id)| {
            let id = Principal::from_text(&id).map_err(|e| corrupt(format!("{name}: {e}")))?;
            Ok((name, id))
        })
        .collect()
}

/// Deploys `specs`, recording new ids in the state directory.
pub fn deploy(
    replica: &mut Replica,
    state_dir: &Path,
    specs: &[CanisterSpec],
) -> Result<Vec<Deployed>, DeployError> {
    let deployer = deployer_principal(state_dir)?;
    let mut ids = read_canister_ids(state_dir)?;
    let mut deployed = Vec::with_capacity(specs.len());
    for spec in specs {
        let wasm = std::fs::read(&spec.wasm).map_err(|source| DeployError::ReadWasm {
            name: spec.name.clone(),
            path: spec.wasm.clone(),
            source,
        })?;
        let existing = ids
            .get(&spec.name)
            .and_then(|id| replica.canister_info(id))
            .map(|info| (info.canister_id, info.module_hash.is_some()));
        let (canister_id, mode, action) = match existing {
            Some((id, true)) => (
                id,
                CanisterInstallMode::Upgrade(Some(UpgradeFlags {
                    skip_pre_upgrade: None,
                    wasm_memory_persistence: None,
                })),
                DeployAction::Upgraded,
            ),
            Some((id, false)) => (id, CanisterInstallMode::Install, DeployAction::Installed),
            None => {
                let id = create_canister(replica, deployer, &spec.name, spec.id)?;
                ids.insert(spec.name.clone(), id);
                write_canister_ids(state_dir, &ids)?;
                (id, CanisterInstallMode::Install, DeployAction::Installed)
            }
        };
        let args = InstallCodeArgs {
            mode,
            canister_id,
            wasm_module: wasm,
            arg: spec.init_arg.clone(),
            sender_canister_version: None,
        };
        call_management(
            replica,
            deployer,
            canister_id,
            "install_code",
            &args,
            &spec.name,
        )?;
        deployed.push(Deployed {
            name: spec.name.clone(),
            canister_id,
            action,
        });
    }
    Ok(deployed)
}

fn create_canister(
    replica: &mut Replica,
    deployer: Principal,
    name: &str,
    specified_id: Option<Principal>,
) -> Result<Principal, DeployError> {
    let args = ProvisionalCreateCanisterWithCyclesArgs {
        amount: None,
        settings: Some(CanisterSettings {
            controllers: Some(vec![deployer]),
            ..CanisterSettings::default()
        }),
        specified_id,
        sender_canister_version: None,
    };
    let reply = call_management(
        replica,
        deployer,
        Principal::management_canister(),
        "provisional_create_canister_with_cycles",
        &args,
        name,
    )?;
    let result: CreateCanisterResult =
        candid::decode_one(&reply).map_err(|e| DeployError::MalformedReply {
            name: name.to_string(),
            reason: e.to_string(),
        })?;
    Ok(result.canister_id)
}

fn call_management<A: CandidType>(
    replica: &mut Replica,
    sender: Principal,
    effective_canister_id: Principal,
    method_name: &str,
    args: &A,
    name: &str,
) -> Result<Vec<u8>, DeployError> {
    let rejected = |reject: Reject| DeployError::Rejected {
        name: name.to_string(),
        reject,
    };
    let arg = candid::encode_one(args).map_err(|e| DeployError::MalformedReply {
        name: name.to_string(),
        reason: format!("cannot encode the {method_name} argument: {e}"),
    })?;
    let request_id: [u8; 32] = rand::random();
    replica
        .submit_ingress(IngressCall {
            request_id,
            sender,
            canister_id: Principal::management_canister(),
            effective_canister_id,
            method_name: method_name.to_string(),
            arg,
            ingress_expiry: replica.time_nanos().saturating_add(INGRESS_TTL_NANOS),
        })
        .map_err(rejected)?;
    replica.execute_round();
    match replica.request_status(&request_id) {
        Some(RequestStatus::Replied(reply)) => Ok(reply),
        Some(RequestStatus::Rejected(reject)) => Err(rejected(reject)),
        other => Err(rejected(Reject::system(
            crate::messages::RejectCode::SysTransient,
            "IC0504",
            format!("{method_name} did not complete (status {other:?})"),
        ))),
    }
}

fn write_canister_ids(
    state_dir: &Path,
    ids: &BTreeMap<String, Principal>,
) -> Result<(), DeployError> {
    let text: BTreeMap<&str, String> = ids
        .iter()
        .map(|(name, id)| (name.as_str(), id.to_text()))
        .collect();
    let json = serde_json::to_string_pretty(&text).map_err(|e| DeployError::Corrupt {
        path: state_dir.join(CANISTER_IDS_FILE),
        reason: e.to_string(),
    })?;
    write_atomically(&state_dir.join(CANISTER_IDS_FILE), json.as_bytes())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), DeployError> {
    use std::io::Write;
    let temp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temp, path)?;
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), DeployError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "localnet-deploy-{name}-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn should_keep_the_deployer_principal_across_restarts() {
        let dir = temp_dir("deployer");
        let first = deployer_principal(&dir).unwrap();
        let second = deployer_principal(&dir).unwrap();
        assert_eq!(first, second);
        assert_ne!(first, Principal::anonymous());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn should_round_trip_canister_ids_and_reject_corrupt_files() {
        let dir = temp_dir("ids");
        assert!(read_canister_ids(&dir).unwrap().is_empty());
        let ids = BTreeMap::from([("demo".to_string(), crate::ids::canister_id(3))]);
        write_canister_ids(&dir, &ids).unwrap();
        assert_eq!(read_canister_ids(&dir).unwrap(), ids);
        std::fs::write(dir.join(CANISTER_IDS_FILE), r#"{"demo":"not a principal"}"#).unwrap();
        assert!(matches!(
            read_canister_ids(&dir),
            Err(DeployError::Corrupt { .. })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
