//! The management canister (`aaaaa-aa`).
//!
//! [`dispatch`] decodes a call's Candid argument with the IC's own types
//! (crate `ic-management-canister-types`, the types ic-cdk's management
//! canister bindings use), checks who may call what, asks the replica to act
//! through [`ManagementContext`], and encodes the reply with the IC's reply
//! types. Threshold keys come from [`crate::threshold`].
//!
//! # Who may call what (as on the IC)
//!
//! - Controllers only (the ingress sender or the calling canister must be
//!   among the target canister's controllers): `install_code`,
//!   `uninstall_code`, `update_settings`, `start_canister`,
//!   `stop_canister`, `delete_canister`; `canister_status` also from the
//!   canister itself.
//! - Canisters only (rejected from ingress, as the IC's ingress filter
//!   does): `create_canister`, `deposit_cycles`, `raw_rand`,
//!   `ecdsa_public_key`, `sign_with_ecdsa`, `schnorr_public_key`,
//!   `sign_with_schnorr`, `canister_info`.
//! - Anyone (every principal is on the local network's provisional
//!   whitelist): `provisional_create_canister_with_cycles`,
//!   `provisional_top_up_canister`.
//!
//! # Rejects
//!
//! Reject codes and `IC0xxx` error codes follow the IC's: an unknown method
//! is `IC0536` (code 5) "Management canister has no method '<m>'", an
//! undecodable argument `IC0408` (code 4) "Error decoding candid: …", a
//! canister-only method from ingress `IC0406` (code 4) "Only canisters can
//! call ic00 method <m>", a non-controller `IC0512` (code 5), an unknown
//! canister `IC0301` (code 3). Messages carry no `IC0xxx: ` prefix; the
//! error code travels in [`Reject::error_code`].
//!
//! # Cycles
//!
//! On a reply, [`cycles_consumed`] tells the replica how many of the
//! attached cycles the call kept (the rest, and everything on a reject, is
//! refunded to the calling canister).
//!
//! # Invariants
//!
//! Nothing here panics on a call's method name, argument or cycles: Candid
//! decoding runs under a quota proportional to the argument's size, and
//! every out-of-range value becomes a [`Reject`].

use candid::{CandidType, Nat, Principal};
use ic_management_canister_types as ic;
use serde::Deserialize;

use crate::messages::{Reject, RejectCode};
use crate::persist::RunStatus;
use crate::threshold::{self, KeyScheme, ThresholdError};

/// How `install_code` treats the canister's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallMode {
    Install,
    Reinstall,
    /// Keeps stable memory; runs `canister_pre_upgrade` on the old module and
    /// `canister_post_upgrade` on the new one. `skip_pre_upgrade` skips the former.
    Upgrade {
        skip_pre_upgrade: bool,
    },
}

/// The canister status the management canister reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanisterStatusInfo {
    pub status: crate::persist::RunStatus,
    pub controllers: Vec<Principal>,
    pub module_hash: Option<[u8; 32]>,
    pub memory_size: u64,
    pub cycles: u128,
}

/// Where a management call came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallOrigin {
    /// An ingress message from a user, signed by (or delegated to) `sender`.
    Ingress { sender: Principal },
    /// A call from a canister on this subnet.
    Canister(Principal),
}

impl CallOrigin {
    /// The principal the IC treats as the caller: the ingress sender or the
    /// calling canister.
    pub fn caller(&self) -> Principal {
        match self {
            CallOrigin::Ingress { sender } => *sender,
            CallOrigin::Canister(id) => *id,
        }
    }
}

/// What the management canister needs from the replica. The replica
/// implements it; `dispatch` does argument decoding, authorization and the
/// replies.
pub trait ManagementContext {
    fn time_nanos(&self) -> u64;
    fn controllers(&self, canister_id: &Principal) -> Option<Vec<Principal>>;
    fn create_canister(
        &mut self,
        controllers: Vec<Principal>,
        cycles: u128,
        specified_id: Option<Principal>,
    ) -> Result<Principal, Reject>;
    /// Installs a module and runs `canister_init` / the upgrade hooks.
    fn install_code(
        &mut self,
        canister_id: Principal,
        mode: InstallMode,
        wasm: Vec<u8>,
        arg: Vec<u8>,
        sender: Principal,
    ) -> Result<(), Reject>;
    fn uninstall_code(&mut self, canister_id: Principal) -> Result<(), Reject>;
    fn set_controllers(
        &mut self,
        canister_id: Principal,
        controllers: Vec<Principal>,
    ) -> Result<(), Reject>;
    /// `start_canister` asks for `Running`, `stop_canister` for `Stopped`
    /// (the reply is sent when this returns).
    fn set_status(
        &mut self,
        canister_id: Principal,
        status: crate::persist::RunStatus,
    ) -> Result<(), Reject>;
    fn delete_canister(&mut self, canister_id: Principal) -> Result<(), Reject>;
    fn canister_status(&self, canister_id: &Principal) -> Option<CanisterStatusInfo>;
    fn deposit_cycles(&mut self, canister_id: Principal, cycles: u128) -> Result<(), Reject>;
    /// 32 fresh random bytes.
    fn random_bytes(&mut self) -> [u8; 32];
    fn threshold_keys(&self) -> &crate::threshold::MasterKeys;
}

/// The cycles a canister created by `provisional_create_canister_with_cycles`
/// gets when the call names no amount (the IC's default).
pub const DEFAULT_PROVISIONAL_CYCLES: u128 = 100_000_000_000_000;

/// The most controllers a canister may have.
pub const MAX_CONTROLLERS: usize = 10;

/// Default settings reported by `canister_status` (the IC's defaults; the
/// local network accepts and ignores these settings).
const DEFAULT_FREEZING_THRESHOLD: u64 = 2_592_000;
const DEFAULT_RESERVED_CYCLES_LIMIT: u128 = 5_000_000_000_000;
const DEFAULT_LOG_MEMORY_LIMIT: u64 = 4096;
const DEFAULT_WASM_MEMORY_LIMIT: u64 = 3 << 30;

/// Candid decoding budget: a fixed allowance plus a multiple of the
/// argument's size (a `blob` costs about 4 units per byte).
const DECODING_QUOTA_BASE: usize = 1_000_000;
const DECODING_QUOTA_PER_BYTE: usize = 8;
const SKIPPING_QUOTA: usize = 10_000_000;

/// Executes one management canister method for `origin`. `cycles` are those
/// attached to the call. Returns the Candid-encoded reply.
pub fn dispatch(
    context: &mut dyn ManagementContext,
    origin: CallOrigin,
    method: &str,
    arg: &[u8],
    cycles: u128,
) -> Result<Vec<u8>, Reject> {
    match method {
        "create_canister" => create_canister(context, origin, arg, cycles),
        "provisional_create_canister_with_cycles" => {
            provisional_create_canister_with_cycles(context, origin, arg)
        }
        "install_code" => install_code(context, origin, arg),
        "uninstall_code" => {
            let args: ic::UninstallCodeArgs = decode(arg)?;
            authorize_controller(context, origin, method, &args.canister_id)?;
            context.uninstall_code(args.canister_id)?;
            encode_unit()
        }
        "update_settings" => update_settings(context, origin, arg),
        "start_canister" => set_status(context, origin, method, arg, RunStatus::Running),
        "stop_canister" => set_status(context, origin, method, arg, RunStatus::Stopped),
        "canister_status" => canister_status(context, origin, arg),
        "delete_canister" => delete_canister(context, origin, arg),
        "deposit_cycles" => {
            only_canisters(origin, method)?;
            let args: ic::DepositCyclesArgs = decode(arg)?;
            require_canister(context, &args.canister_id)?;
            context.deposit_cycles(args.canister_id, cycles)?;
            encode_unit()
        }
        "provisional_top_up_canister" => {
            let args: ic::ProvisionalTopUpCanisterArgs = decode(arg)?;
            let amount = nat_to_u128(&args.amount, "amount")?;
            require_canister(context, &args.canister_id)?;
            context.deposit_cycles(args.canister_id, amount)?;
            encode_unit()
        }
        "raw_rand" => {
            only_canisters(origin, method)?;
            let () = decode_unit(arg)?;
            let bytes: ic::RawRandResult = context.random_bytes().to_vec();
            encode(bytes)
        }
        "ecdsa_public_key" => {
            let caller = only_canisters(origin, method)?;
            let args: ic::EcdsaPublicKeyArgs = decode(arg)?;
            let canister_id = args.canister_id.unwrap_or(caller);
            let key = context
                .threshold_keys()
                .public_key(
                    KeyScheme::EcdsaSecp256k1,
                    &args.key_id.name,
                    &canister_id,
                    &args.derivation_path,
                )
                .map_err(threshold_reject)?;
            encode(ic::EcdsaPublicKeyResult {
                public_key: key.public_key,
                chain_code: key.chain_code.to_vec(),
            })
        }
        "sign_with_ecdsa" => {
            let caller = only_canisters(origin, method)?;
            let args: ic::SignWithEcdsaArgs = decode(arg)?;
            if args.message_hash.len() != 32 {
                return Err(rejected_message("message_hash must be 32 bytes"));
            }
            check_signature_fee(method, &args.key_id.name, cycles)?;
            let signature = context
                .threshold_keys()
                .sign_with_ecdsa(
                    &args.key_id.name,
                    &caller,
                    &args.derivation_path,
                    &args.message_hash,
                )
                .map_err(threshold_reject)?;
            encode(ic::SignWithEcdsaResult {
                signature: signature.to_vec(),
            })
        }
        "schnorr_public_key" => {
            let caller = only_canisters(origin, method)?;
            let args: ic::SchnorrPublicKeyArgs = decode(arg)?;
            let canister_id = args.canister_id.unwrap_or(caller);
            let key = context
                .threshold_keys()
                .public_key(
                    schnorr_scheme(args.key_id.algorithm),
                    &args.key_id.name,
                    &canister_id,
                    &args.derivation_path,
                )
                .map_err(threshold_reject)?;
            encode(ic::SchnorrPublicKeyResult {
                public_key: key.public_key,
                chain_code: key.chain_code.to_vec(),
            })
        }
        "sign_with_schnorr" => sign_with_schnorr(context, origin, arg, cycles),
        "canister_info" => {
            only_canisters(origin, method)?;
            let args: ic::CanisterInfoArgs = decode(arg)?;
            let status = require_canister(context, &args.canister_id)?;
            encode(ic::CanisterInfoResult {
                total_num_changes: 0,
                recent_changes: Vec::new(),
                module_hash: status.module_hash.map(|hash| hash.to_vec()),
                controllers: status.controllers,
            })
        }
        _ => Err(no_method(method)),
    }
}

/// Checks an ingress message to the management canister before the replica
/// accepts it, as the IC's ingress filter does: methods only canisters may
/// call (and unknown methods) are refused, and controller-only methods are
/// refused unless `sender` controls the canister the argument names.
/// `dispatch` repeats these checks when the message runs.
pub fn check_ingress(
    context: &dyn ManagementContext,
    sender: &Principal,
    method: &str,
    arg: &[u8],
) -> Result<(), Reject> {
    match method {
        "provisional_create_canister_with_cycles" | "provisional_top_up_canister" => Ok(()),
        "install_code" | "uninstall_code" | "update_settings" | "start_canister"
        | "stop_canister" | "canister_status" | "delete_canister" => {
            let record: ic::CanisterIdRecord = decode(arg).map_err(|_| {
                Reject::system(
                    RejectCode::CanisterReject,
                    "IC0408",
                    format!("Failed to decode payload for ic00 method: {method}"),
                )
            })?;
            let controllers = context
                .controllers(&record.canister_id)
                .ok_or_else(|| canister_not_found(&record.canister_id))?;
            if controllers.contains(sender) {
                Ok(())
            } else {
                Err(ingress_not_controller(&record.canister_id, method))
            }
        }
        _ => Err(only_canisters_reject(method)),
    }
}

/// The canister a management call is about, which agents use as the
/// effective canister id of the call (`/api/v2/canister/<id>/call`): the
/// `canister_id` field of the argument, or `specified_id` for
/// `provisional_create_canister_with_cycles`. `None` when the argument
/// names no canister.
pub fn effective_canister_id(method: &str, arg: &[u8]) -> Option<Principal> {
    match method {
        "provisional_create_canister_with_cycles" => {
            decode::<ic::ProvisionalCreateCanisterWithCyclesArgs>(arg)
                .ok()
                .and_then(|args| args.specified_id)
        }
        "install_code"
        | "uninstall_code"
        | "update_settings"
        | "start_canister"
        | "stop_canister"
        | "canister_status"
        | "delete_canister"
        | "deposit_cycles"
        | "provisional_top_up_canister"
        | "canister_info" => decode::<ic::CanisterIdRecord>(arg)
            .ok()
            .map(|record| record.canister_id),
        _ => None,
    }
}

/// Whether `method` creates a canister: any effective canister id routes
/// it (the new canister has no id yet).
pub fn creates_canisters(method: &str) -> bool {
    matches!(
        method,
        "create_canister" | "provisional_create_canister_with_cycles"
    )
}

/// How many of the `attached` cycles a call that was replied to keeps; the
/// replica refunds the rest to the caller (and refunds everything when the
/// call was rejected). `create_canister` and `deposit_cycles` hand all
/// attached cycles to the target canister; the signing methods keep their
/// fee.
pub fn cycles_consumed(method: &str, attached: u128) -> u128 {
    match method {
        "create_canister" | "deposit_cycles" => attached,
        "sign_with_ecdsa" | "sign_with_schnorr" => attached.min(threshold::SIGNATURE_FEE),
        _ => 0,
    }
}

fn create_canister(
    context: &mut dyn ManagementContext,
    origin: CallOrigin,
    arg: &[u8],
    cycles: u128,
) -> Result<Vec<u8>, Reject> {
    let caller = only_canisters(origin, "create_canister")?;
    let args: ic::CreateCanisterArgs = decode(arg)?;
    let controllers = initial_controllers(args.settings.as_ref(), caller)?;
    let canister_id = context.create_canister(controllers, cycles, None)?;
    encode(ic::CreateCanisterResult { canister_id })
}

fn provisional_create_canister_with_cycles(
    context: &mut dyn ManagementContext,
    origin: CallOrigin,
    arg: &[u8],
) -> Result<Vec<u8>, Reject> {
    let args: ic::ProvisionalCreateCanisterWithCyclesArgs = decode(arg)?;
    let cycles = match &args.amount {
        Some(amount) => nat_to_u128(amount, "amount")?,
        None => DEFAULT_PROVISIONAL_CYCLES,
    };
    let controllers = initial_controllers(args.settings.as_ref(), origin.caller())?;
    if let Some(id) = &args.specified_id
        && context.controllers(id).is_some()
    {
        return Err(Reject::system(
            RejectCode::SysTransient,
            "IC0205",
            format!("Unsuccessful canister creation: canister id {id} already exists."),
        ));
    }
    let canister_id = context.create_canister(controllers, cycles, args.specified_id)?;
    encode(ic::ProvisionalCreateCanisterWithCyclesResult { canister_id })
}

fn install_code(
    context: &mut dyn ManagementContext,
    origin: CallOrigin,
    arg: &[u8],
) -> Result<Vec<u8>, Reject> {
    let args: ic::InstallCodeArgs = decode(arg)?;
    let canister_id = args.canister_id;
    let status = authorize_controller(context, origin, "install_code", &canister_id)?;
    let mode = match args.mode {
        ic::CanisterInstallMode::Install => {
            if status.module_hash.is_some() {
                return Err(Reject::system(
                    RejectCode::CanisterError,
                    "IC0538",
                    format!(
                        "Canister {canister_id} cannot be installed because the canister is not empty. Try installing with mode='reinstall' instead."
                    ),
                ));
            }
            InstallMode::Install
        }
        ic::CanisterInstallMode::Reinstall => InstallMode::Reinstall,
        ic::CanisterInstallMode::Upgrade(flags) => {
            let flags = flags.unwrap_or_default();
            if flags.wasm_memory_persistence == Some(ic::WasmMemoryPersistence::Keep) {
                return Err(Reject::system(
                    RejectCode::CanisterError,
                    "IC0504",
                    "Invalid upgrade option: wasm_memory_persistence = keep needs enhanced orthogonal persistence, which the local network does not support",
                ));
            }
            if status.module_hash.is_none() {
                return Err(Reject::system(
                    RejectCode::CanisterError,
                    "IC0537",
                    format!(
                        "Canister {canister_id} has no Wasm module to upgrade: install one with mode='install' first."
                    ),
                ));
            }
            InstallMode::Upgrade {
                skip_pre_upgrade: flags.skip_pre_upgrade.unwrap_or(false),
            }
        }
    };
    if args.wasm_module.starts_with(&[0x1f, 0x8b]) {
        return Err(Reject::system(
            RejectCode::CanisterError,
            "IC0505",
            format!(
                "Canister {canister_id}: gzip-compressed Wasm modules are not supported by the local network; install the uncompressed module."
            ),
        ));
    }
    context.install_code(
        canister_id,
        mode,
        args.wasm_module,
        args.arg,
        origin.caller(),
    )?;
    encode_unit()
}

fn update_settings(
    context: &mut dyn ManagementContext,
    origin: CallOrigin,
    arg: &[u8],
) -> Result<Vec<u8>, Reject> {
    let args: ic::UpdateSettingsArgs = decode(arg)?;
    authorize_controller(context, origin, "update_settings", &args.canister_id)?;
    if let Some(controllers) = args.settings.controllers {
        check_controllers(&controllers)?;
        context.set_controllers(args.canister_id, controllers)?;
    }
    encode_unit()
}

fn set_status(
    context: &mut dyn ManagementContext,
    origin: CallOrigin,
    method: &str,
    arg: &[u8],
    status: RunStatus,
) -> Result<Vec<u8>, Reject> {
    let args: ic::CanisterIdRecord = decode(arg)?;
    authorize_controller(context, origin, method, &args.canister_id)?;
    context.set_status(args.canister_id, status)?;
    encode_unit()
}

fn canister_status(
    context: &mut dyn ManagementContext,
    origin: CallOrigin,
    arg: &[u8],
) -> Result<Vec<u8>, Reject> {
    let args: ic::CanisterStatusArgs = decode(arg)?;
    let status = if origin == CallOrigin::Canister(args.canister_id) {
        require_canister(context, &args.canister_id)?
    } else {
        authorize_controller(context, origin, "canister_status", &args.canister_id)?
    };
    encode(status_result(status))
}

fn delete_canister(
    context: &mut dyn ManagementContext,
    origin: CallOrigin,
    arg: &[u8],
) -> Result<Vec<u8>, Reject> {
    let args: ic::DeleteCanisterArgs = decode(arg)?;
    let canister_id = args.canister_id;
    let status = authorize_controller(context, origin, "delete_canister", &canister_id)?;
    if origin == CallOrigin::Canister(canister_id) {
        return Err(Reject::system(
            RejectCode::CanisterError,
            "IC0512",
            format!("Canister {canister_id} cannot delete itself."),
        ));
    }
    if status.status != RunStatus::Stopped {
        return Err(Reject::system(
            RejectCode::CanisterError,
            "IC0510",
            format!("Canister {canister_id} must be stopped before it is deleted."),
        ));
    }
    context.delete_canister(canister_id)?;
    encode_unit()
}

fn sign_with_schnorr(
    context: &mut dyn ManagementContext,
    origin: CallOrigin,
    arg: &[u8],
    cycles: u128,
) -> Result<Vec<u8>, Reject> {
    let caller = only_canisters(origin, "sign_with_schnorr")?;
    let args: ic::SignWithSchnorrArgs = decode(arg)?;
    let scheme = schnorr_scheme(args.key_id.algorithm);
    check_signature_fee("sign_with_schnorr", &args.key_id.name, cycles)?;
    let merkle_root = args.aux.as_ref().map(|aux| match aux {
        ic::SchnorrAux::Bip341(bip341) => bip341.merkle_root_hash.as_slice(),
    });
    let randomness = context.random_bytes();
    let signature = context
        .threshold_keys()
        .sign_with_schnorr(
            scheme,
            &args.key_id.name,
            &caller,
            &args.derivation_path,
            &args.message,
            merkle_root,
            randomness,
        )
        .map_err(threshold_reject)?;
    encode(ic::SignWithSchnorrResult {
        signature: signature.to_vec(),
    })
}

fn schnorr_scheme(algorithm: ic::SchnorrAlgorithm) -> KeyScheme {
    match algorithm {
        ic::SchnorrAlgorithm::Bip340secp256k1 => KeyScheme::SchnorrBip340Secp256k1,
        ic::SchnorrAlgorithm::Ed25519 => KeyScheme::SchnorrEd25519,
    }
}

/// Refuses a signing call that carries less than the fee. Unknown key
/// names pass here and are refused, with the list of keys, by the key
/// lookup.
fn check_signature_fee(method: &str, key_name: &str, cycles: u128) -> Result<(), Reject> {
    let Some(fee) = threshold::signature_fee(key_name) else {
        return Ok(());
    };
    if cycles < fee {
        return Err(rejected_message(format!(
            "{method} request sent with {cycles} cycles, but {fee} cycles are required."
        )));
    }
    Ok(())
}

fn status_result(status: CanisterStatusInfo) -> ic::CanisterStatusResult {
    let zero = || Nat::from(0u8);
    ic::CanisterStatusResult {
        status: match status.status {
            RunStatus::Running => ic::CanisterStatusType::Running,
            RunStatus::Stopping => ic::CanisterStatusType::Stopping,
            RunStatus::Stopped => ic::CanisterStatusType::Stopped,
        },
        ready_for_migration: false,
        version: 0,
        settings: ic::DefiniteCanisterSettings {
            controllers: status.controllers,
            compute_allocation: zero(),
            memory_allocation: zero(),
            freezing_threshold: Nat::from(DEFAULT_FREEZING_THRESHOLD),
            reserved_cycles_limit: Nat::from(DEFAULT_RESERVED_CYCLES_LIMIT),
            log_visibility: ic::LogVisibility::Controllers,
            log_memory_limit: Nat::from(DEFAULT_LOG_MEMORY_LIMIT),
            wasm_memory_limit: Nat::from(DEFAULT_WASM_MEMORY_LIMIT),
            wasm_memory_threshold: zero(),
            environment_variables: Vec::new(),
        },
        module_hash: status.module_hash.map(|hash| hash.to_vec()),
        memory_size: Nat::from(status.memory_size),
        memory_metrics: ic::MemoryMetrics {
            wasm_memory_size: zero(),
            stable_memory_size: zero(),
            global_memory_size: zero(),
            wasm_binary_size: zero(),
            custom_sections_size: zero(),
            canister_history_size: zero(),
            wasm_chunk_store_size: zero(),
            snapshots_size: zero(),
            log_memory_store_size: zero(),
        },
        cycles: Nat::from(status.cycles),
        reserved_cycles: zero(),
        idle_cycles_burned_per_day: zero(),
        query_stats: ic::QueryStats {
            num_calls_total: zero(),
            num_instructions_total: zero(),
            request_payload_bytes_total: zero(),
            response_payload_bytes_total: zero(),
        },
    }
}

fn initial_controllers(
    settings: Option<&ic::CanisterSettings>,
    caller: Principal,
) -> Result<Vec<Principal>, Reject> {
    match settings.and_then(|settings| settings.controllers.clone()) {
        Some(controllers) => {
            check_controllers(&controllers)?;
            Ok(controllers)
        }
        None => Ok(vec![caller]),
    }
}

fn check_controllers(controllers: &[Principal]) -> Result<(), Reject> {
    if controllers.len() > MAX_CONTROLLERS {
        return Err(Reject::system(
            RejectCode::CanisterError,
            "IC0504",
            format!(
                "Could not validate the settings: Invalid settings: 'controllers' length exceeds maximum size allowed of {MAX_CONTROLLERS}."
            ),
        ));
    }
    Ok(())
}

/// The canister's status, if it exists and the caller controls it.
fn authorize_controller(
    context: &dyn ManagementContext,
    origin: CallOrigin,
    method: &str,
    canister_id: &Principal,
) -> Result<CanisterStatusInfo, Reject> {
    let status = require_canister(context, canister_id)?;
    let controllers = context
        .controllers(canister_id)
        .unwrap_or_else(|| status.controllers.clone());
    let caller = origin.caller();
    if controllers.contains(&caller) {
        return Ok(status);
    }
    Err(match origin {
        CallOrigin::Ingress { .. } => ingress_not_controller(canister_id, method),
        CallOrigin::Canister(_) => Reject::system(
            RejectCode::CanisterError,
            "IC0512",
            format!(
                "Only the controllers of the canister {canister_id} can control it.\nCanister's controllers: {}\nSender's ID: {caller}",
                controllers
                    .iter()
                    .map(Principal::to_text)
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ),
    })
}

fn require_canister(
    context: &dyn ManagementContext,
    canister_id: &Principal,
) -> Result<CanisterStatusInfo, Reject> {
    context
        .canister_status(canister_id)
        .ok_or_else(|| canister_not_found(canister_id))
}

/// The calling canister, or the IC's reject for a canister-only method
/// called by ingress.
fn only_canisters(origin: CallOrigin, method: &str) -> Result<Principal, Reject> {
    match origin {
        CallOrigin::Canister(id) => Ok(id),
        CallOrigin::Ingress { .. } => Err(only_canisters_reject(method)),
    }
}

fn only_canisters_reject(method: &str) -> Reject {
    rejected_message(format!("Only canisters can call ic00 method {method}"))
}

fn ingress_not_controller(canister_id: &Principal, method: &str) -> Reject {
    Reject::system(
        RejectCode::CanisterError,
        "IC0512",
        format!("Only controllers of canister {canister_id} can call ic00 method {method}"),
    )
}

fn canister_not_found(canister_id: &Principal) -> Reject {
    Reject::system(
        RejectCode::DestinationInvalid,
        "IC0301",
        format!("Canister {canister_id} not found."),
    )
}

fn no_method(method: &str) -> Reject {
    // Method names come from the network: bound what goes into the message.
    let shown: String = method.chars().take(100).collect();
    Reject::system(
        RejectCode::CanisterError,
        "IC0536",
        format!("Management canister has no method '{shown}'"),
    )
}

fn rejected_message(message: impl Into<String>) -> Reject {
    Reject::system(RejectCode::CanisterReject, "IC0406", message)
}

fn invalid_payload(message: impl Into<String>) -> Reject {
    Reject::system(RejectCode::CanisterReject, "IC0408", message)
}

fn threshold_reject(error: ThresholdError) -> Reject {
    rejected_message(error.to_string())
}

fn nat_to_u128(value: &Nat, field: &str) -> Result<u128, Reject> {
    u128::try_from(&value.0).map_err(|_| {
        invalid_payload(format!(
            "Error decoding candid: {field} does not fit in 128 bits"
        ))
    })
}

fn decoder_config(arg: &[u8]) -> candid::de::DecoderConfig {
    let mut config = candid::de::DecoderConfig::new();
    config
        .set_decoding_quota(
            arg.len()
                .saturating_mul(DECODING_QUOTA_PER_BYTE)
                .saturating_add(DECODING_QUOTA_BASE),
        )
        .set_skipping_quota(SKIPPING_QUOTA)
        .set_full_error_message(false);
    config
}

fn decode<T>(arg: &[u8]) -> Result<T, Reject>
where
    T: CandidType + for<'de> Deserialize<'de>,
{
    candid::utils::decode_one_with_config(arg, &decoder_config(arg))
        .map_err(|error| invalid_payload(format!("Error decoding candid: {error}")))
}

fn decode_unit(arg: &[u8]) -> Result<(), Reject> {
    candid::utils::decode_args_with_config::<()>(arg, &decoder_config(arg))
        .map_err(|error| invalid_payload(format!("Error decoding candid: {error}")))
}

fn encode<T: CandidType>(value: T) -> Result<Vec<u8>, Reject> {
    candid::encode_one(value).map_err(encode_failed)
}

/// The reply of methods that return `()`: an empty argument list.
fn encode_unit() -> Result<Vec<u8>, Reject> {
    candid::encode_args(()).map_err(encode_failed)
}

fn encode_failed(error: candid::Error) -> Reject {
    Reject::system(
        RejectCode::SysFatal,
        "IC0504",
        format!("the management canister could not encode its reply: {error}"),
    )
}

#[cfg(test)]
mod tests;
