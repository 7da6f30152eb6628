//! Sigil's identity manager: accounts, their devices, the two-factor
//! policy, per-origin principals, client delegations signed with canister
//! signatures, and the gate to the signer's keys for other chains.
//! Interface: `identity_manager.did`, whose methods and records are
//! `sigil_api::identity_manager`; rules: the module documentation of
//! `authorization`, `accounts`, `devices`, `registration`, `inspect`,
//! `delegation`, `chains`, `signatures`, `policies` and `connections`.
//!
//! Entry points here are thin: they read the environment (caller, time,
//! canister id, certificate) and call a plain `_impl` function over the
//! state, which is where the logic and its tests live.
//!
//! Queries answer from one replica without consensus and cannot change
//! state; they are used for reads. Updates go through consensus; they are
//! used for every change and for `prepare_delegation`, which must change
//! the certified data. Every ingress update first passes
//! `canister_inspect_message` (see `inspect`).
//!
//! What an anonymous caller can learn, and why it must: the account and
//! public key of a passkey from its credential id (`lookup_credential_id`,
//! what a discoverable passkey gives the browser, needed to verify the
//! sign-in), and the credential ids of an account's passkeys from its number
//! (`credential_ids`, what the browser needs to ask for one of them when the
//! passkey is not discoverable; a relying party hands them to any browser
//! in `allowCredentials`), and whether registering needs a proof of work
//! now (`registration_requirement`). Aliases, purposes, the two-factor flag, other
//! devices and principals are for the account's own devices; the figures
//! (`stats`) for the canister's controllers.

pub mod accounts;
pub mod authorization;
pub mod chains;
pub mod connections;
pub mod delegation;
pub mod devices;
pub mod inspect;
pub mod memory;
pub mod pending;
pub mod policies;
pub mod policy;
pub mod prepared;
pub mod rate_limit;
pub mod registration;
pub mod signature_map;
pub mod signatures;
pub mod signer_client;
pub mod state;
pub mod step_up;
pub mod storage;
pub mod validation;

#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::time::Duration;

use candid::Principal;
use ic_cdk::{init, inspect_message, post_upgrade, query, update};
use ic_stable_structures::DefaultMemoryImpl;
use sigil_api::identity_manager::{
    AccountNumber, AddDeviceArgs, Addresses, AddressesArgs, ApproveSignatureArgs,
    ConfirmDeviceArgs, ConnectArgs, Connection, ConnectionsArgs, CreateAccountArgs, CredentialId,
    CredentialIdsArgs, CredentialLookup, Device, DisconnectArgs, Error, GetDelegationArgs,
    GetPrincipalArgs, InitArgs, ListDevicesArgs, LookupCredentialIdArgs, PendingDevice, PolicyArgs,
    PolicyState, PrepareDelegationArgs, PrepareSignatureArgs, PreparedDelegation,
    PreparedSignature, RegistrationRequirement, RegistrationRequirementArgs, RemoveDeviceArgs,
    RenameDeviceArgs, SetPolicyArgs, SetTwoFactorArgs, SignatureLogArgs, SignatureRecord, Signed,
    SignedDelegation, Stats, StatsArgs, TwoFactorArgs,
};
use sigil_api::signer::KeyFamily;

use crate::state::{Env, State};

thread_local! {
    static STATE: RefCell<State<DefaultMemoryImpl>> =
        RefCell::new(State::init(DefaultMemoryImpl::default()));
}

fn with_state<R>(f: impl FnOnce(&State<DefaultMemoryImpl>) -> R) -> R {
    STATE.with_borrow(f)
}

fn with_state_mut<R>(f: impl FnOnce(&mut State<DefaultMemoryImpl>) -> R) -> R {
    STATE.with_borrow_mut(f)
}

fn env() -> Env {
    let caller = ic_cdk::api::msg_caller();
    Env {
        caller,
        now: ic_cdk::api::time(),
        canister_id: ic_cdk::api::canister_self(),
        caller_is_controller: ic_cdk::api::is_controller(&caller),
    }
}

fn certify_signatures() {
    let root = with_state(|state| state.signatures.certified_data());
    ic_cdk::api::certified_data_set(root);
}

/// Configures the canister (see `InitArgs` for the defaults) and draws the
/// salt right after install.
#[init]
fn init(args: Option<InitArgs>) {
    start(args);
}

/// Accounts, devices, salt and configuration are in stable memory and stay;
/// `args` may change the configuration. Prepared signatures and proposed
/// devices (heap) are gone.
#[post_upgrade]
fn post_upgrade(args: Option<InitArgs>) {
    start(args);
}

fn start(args: Option<InitArgs>) {
    if let Err(message) = with_state_mut(|state| state.configure(args)) {
        ic_cdk::trap(format!("invalid identity manager argument: {message}"));
    }
    certify_signatures();
    schedule_salt(Duration::ZERO);
}

/// Draws the salt in a timer (right after install), retrying every minute
/// until it is set.
fn schedule_salt(delay: Duration) {
    ic_cdk_timers::set_timer(delay, async {
        if ensure_salt().await.is_err() {
            schedule_salt(Duration::from_secs(60));
        }
    });
}

/// Sets the salt from `raw_rand` unless it is set (it never changes).
async fn ensure_salt() -> Result<(), Error> {
    if with_state(|state| state.storage.header().salt().is_some()) {
        return Ok(());
    }
    let random = ic_cdk_management_canister::raw_rand()
        .await
        .map_err(|error| Error::RandomnessUnavailable {
            message: error.to_string(),
        })?;
    with_state_mut(|state| state.set_salt_once(&random))
}

/// Drops ingress updates that cannot succeed before they execute (see
/// `inspect`); the reason is the reject message the caller sees.
#[inspect_message]
fn inspect_message() {
    let method = ic_cdk::api::msg_method_name();
    let arg = ic_cdk::api::msg_arg_data();
    match with_state(|state| inspect::inspect(state, &env(), &method, &arg)) {
        Ok(()) => ic_cdk::api::accept_message(),
        Err(refusal) => ic_cdk::trap(format!("{method} refused: {refusal}")),
    }
}

/// Creates an account with `device` as its first (authentication) device
/// and returns its number. The caller must be the device itself
/// (`Principal::self_authenticating(device.public_key)`): proof that it
/// holds the key. Past the free registrations, a proof of work. An update:
/// it allocates a number.
#[update]
fn create_account(args: CreateAccountArgs) -> Result<AccountNumber, Error> {
    // The salt is not needed here: the timer set at install fetches it,
    // and `prepare_delegation` does if it is still missing.
    with_state_mut(|state| accounts::create_account_impl(&mut state.storage, &env(), args))
}

/// Proposes a device; it joins the account when it calls `confirm_device`
/// itself within ten minutes. Caller: a device of the account (a passkey
/// with two-factor on). An update.
#[update]
fn add_device(args: AddDeviceArgs) -> Result<PendingDevice, Error> {
    with_state_mut(|state| {
        devices::add_device_impl(&state.storage, &mut state.pending, &env(), args)
    })
}

/// Adds the device proposed for the account. Caller: that device. An
/// update.
#[update]
fn confirm_device(args: ConfirmDeviceArgs) -> Result<(), Error> {
    with_state_mut(|state| {
        devices::confirm_device_impl(&mut state.storage, &mut state.pending, &env(), args)
    })
}

/// Renames a device. Caller: a device of the account (a passkey with
/// two-factor on); a protected device only by itself. An update.
#[update]
fn rename_device(args: RenameDeviceArgs) -> Result<(), Error> {
    with_state_mut(|state| devices::rename_device_impl(&mut state.storage, &env(), args))
}

/// Removes a device, never the last authentication device (nor, with
/// two-factor on, the last passkey). Caller: a device of the account (a
/// passkey with two-factor on); a protected device only itself or a
/// passkey. An update.
#[update]
fn remove_device(args: RemoveDeviceArgs) -> Result<(), Error> {
    with_state_mut(|state| {
        devices::remove_device_impl(&mut state.storage, &mut state.pending, &env(), args)
    })
}

/// The account's devices. Caller: a device of the account (a passkey with
/// two-factor on). A query: a read, answered fast.
#[query]
fn list_devices(args: ListDevicesArgs) -> Result<Vec<Device>, Error> {
    with_state(|state| devices::list_devices_impl(&state.storage, &env(), args))
}

/// The account and public key of a passkey, from its credential id (all a
/// discoverable credential tells the browser). Public, so the frontend can
/// ask before sign-in. A query.
#[query]
fn lookup_credential_id(args: LookupCredentialIdArgs) -> Result<CredentialLookup, Error> {
    with_state(|state| devices::lookup_credential_id_impl(&state.storage, args))
}

/// The credential ids of the account's passkeys, so that a person whose
/// passkey is not discoverable can sign in by typing the account number.
/// Public, as `lookup_credential_id` is: credential ids are not secrets
/// (a relying party sends them to the browser in `allowCredentials`).
/// A query.
#[query]
fn credential_ids(args: CredentialIdsArgs) -> Result<Vec<CredentialId>, Error> {
    with_state(|state| devices::credential_ids_impl(&state.storage, args))
}

/// Turns two-factor authentication on (needs a passkey in the account) or
/// off. Caller: a device of the account (a passkey with two-factor on).
/// An update.
#[update]
fn set_two_factor(args: SetTwoFactorArgs) -> Result<(), Error> {
    with_state_mut(|state| accounts::set_two_factor_impl(&mut state.storage, &env(), args))
}

/// Whether the account has two-factor authentication on. Caller: a device
/// of the account. A query.
#[query]
fn two_factor(args: TwoFactorArgs) -> Result<bool, Error> {
    with_state(|state| accounts::two_factor_impl(&state.storage, &env(), args))
}

/// The account's principal for `origin`. Caller: a device of the account
/// (a passkey with two-factor on). A query: derivation reads state only.
#[query]
fn get_principal(args: GetPrincipalArgs) -> Result<Principal, Error> {
    with_state(|state| delegation::get_principal_impl(&state.storage, &env(), args))
}

/// The account's addresses for other chains (EVM, Bitcoin, Solana), from
/// the keys the signer holds for its global principal. Caller: a device of
/// the account (a passkey with two-factor on). An update: the first time
/// it asks the signer, canister to canister, and keeps the addresses (they
/// never change); later lookups answer from them.
#[update]
async fn addresses(args: AddressesArgs) -> Result<Addresses, Error> {
    ensure_salt_for(args.account).await?;
    let (config, owner) = with_state(|state| chains::owner(&state.storage, &env(), args.account))?;
    if let Some(kept) = with_state(|state| state.storage.addresses(args.account)) {
        return Ok(kept);
    }
    let bitcoin = signer_client::public_key(config.signer, owner, KeyFamily::Bitcoin).await?;
    let evm = signer_client::public_key(config.signer, owner, KeyFamily::Evm).await?;
    let solana = signer_client::public_key(config.signer, owner, KeyFamily::Solana).await?;
    let addresses = chains::addresses(
        owner,
        config.bitcoin_network,
        chains::OwnerKeys {
            bitcoin: &bitcoin,
            evm: &evm,
            solana: &solana,
        },
    )?;
    with_state_mut(|state| (state.storage).keep_addresses(args.account, addresses.clone()));
    Ok(addresses)
}

/// Reads a request to sign for another chain (an EVM message, typed data
/// or transaction, or a Solana message), computes what the account's key
/// would sign and returns its review; nothing is signed until
/// `approve_signature`. Caller: a device of the account (a passkey with
/// two-factor on). An update: it asks the signer for the account's key.
#[update]
async fn prepare_signature(args: PrepareSignatureArgs) -> Result<PreparedSignature, Error> {
    ensure_salt_for(args.account).await?;
    let (config, owner) =
        with_state(|state| signatures::check_request(&state.storage, &env(), &args))?;
    let family = signatures::family(&args.request);
    let public_key = signer_client::public_key(config.signer, owner, family).await?;
    with_state_mut(|state| signatures::prepare(state, &env(), args, public_key))
}

/// Signs what `prepare_signature` prepared under this id, once. Caller:
/// the device that prepared it; at most ten signatures at once, then one
/// every 30 seconds. An update: the signer makes a threshold signature.
#[update]
async fn approve_signature(args: ApproveSignatureArgs) -> Result<Signed, Error> {
    let approval = with_state_mut(|state| signatures::approval(state, &env(), &args))?;
    let payload = &approval.prepared.payload;
    let signed = match signer_client::sign(
        approval.config.signer,
        approval.owner,
        payload.family(),
        payload.to_sign(),
    )
    .await
    {
        Ok(signature) => signatures::finish(&approval.prepared, &signature),
        Err(error) => Err(error),
    };
    match signed {
        Ok(signed) => {
            let record = signatures::record(&approval.prepared, ic_cdk::api::time());
            with_state_mut(|state| state.storage.log_signature(args.account, record));
            Ok(signed)
        }
        Err(error) => {
            with_state_mut(|state| signatures::refund(state, &approval, args.id));
            Err(error)
        }
    }
}

/// The account's signing policy in force and any pending change. Caller:
/// a device of the account (a passkey with two-factor on).
#[query]
fn policy(args: PolicyArgs) -> Result<PolicyState, Error> {
    with_state(|state| policies::policy_impl(&state.storage, &env(), &args))
}

/// Asks for a new signing policy: what loosens nothing applies at once,
/// anything else after the configured delay (24 hours by default), the
/// tighter of the two in force meanwhile. Caller: a device of the account
/// (a passkey with two-factor on).
#[update]
fn set_policy(args: SetPolicyArgs) -> Result<PolicyState, Error> {
    with_state_mut(|state| policies::set_policy_impl(&mut state.storage, &env(), args))
}

/// Cancels the pending change of the account's policy. Caller: a passkey
/// of the account.
#[update]
fn cancel_policy_change(args: PolicyArgs) -> Result<PolicyState, Error> {
    with_state_mut(|state| policies::cancel_policy_change_impl(&mut state.storage, &env(), &args))
}

/// The account's last signatures (at most 100), oldest first. Caller: a
/// device of the account (a passkey with two-factor on).
/// Connects a dapp's origin to the account (or renews it), for 30 days.
#[update]
fn connect(args: ConnectArgs) -> Result<Connection, Error> {
    with_state_mut(|state| connections::connect_impl(&mut state.storage, &env(), args))
}

#[query]
fn connections(args: ConnectionsArgs) -> Result<Vec<Connection>, Error> {
    with_state(|state| connections::connections_impl(&state.storage, &env(), &args))
}

#[update]
fn disconnect(args: DisconnectArgs) -> Result<bool, Error> {
    with_state_mut(|state| connections::disconnect_impl(&mut state.storage, &env(), &args))
}

#[query]
fn signature_log(args: SignatureLogArgs) -> Result<Vec<SignatureRecord>, Error> {
    with_state(|state| signatures::signature_log_impl(&state.storage, &env(), args))
}

/// Sets the salt if it is missing (right after install). Only then may a
/// device of `account` make the canister spend a call on randomness; the
/// caller is checked again after the await.
async fn ensure_salt_for(account: AccountNumber) -> Result<(), Error> {
    if with_state(|state| state.storage.header().salt().is_none()) {
        with_state(|state| {
            authorization::authorize(&state.storage, ic_cdk::api::msg_caller(), account)
        })?;
        ensure_salt().await?;
    }
    Ok(())
}

/// Prepares a delegation from the account's key for `origin` to
/// `session_key`, for `max_time_to_live` (default 30 minutes, at most 30
/// days) and optionally only for `targets`. Returns the user key and the
/// expiration to pass to `get_delegation` within a minute. Caller: a
/// device of the account (a passkey with two-factor on). An update: it
/// changes the certified data.
#[update]
async fn prepare_delegation(args: PrepareDelegationArgs) -> Result<PreparedDelegation, Error> {
    ensure_salt_for(args.account).await?;
    let result = with_state_mut(|state| delegation::prepare_delegation_impl(state, &env(), &args));
    certify_signatures();
    result
}

/// The delegation prepared with the same arguments, signed with a canister
/// signature. Caller: a device of the account (a passkey with two-factor
/// on). A query: only queries see the system's certificate.
#[query]
fn get_delegation(args: GetDelegationArgs) -> Result<SignedDelegation, Error> {
    let certificate = ic_cdk::api::data_certificate();
    with_state(|state| delegation::get_delegation_impl(state, &env(), args, certificate.as_deref()))
}

/// Whether `create_account` needs a proof of work now, and the canister's
/// time to do it for. Public. A query.
#[query]
fn registration_requirement(
    _args: RegistrationRequirementArgs,
) -> Result<RegistrationRequirement, Error> {
    Ok(with_state(|state| {
        registration::requirement(state.storage.header(), &env())
    }))
}

/// Account and device counts and stable memory in use. Caller: a
/// controller of the canister. A query.
#[query]
fn stats(_args: StatsArgs) -> Result<Stats, Error> {
    with_state(|state| accounts::stats_impl(&state.storage, &env()))
}

ic_cdk::export_candid!();
