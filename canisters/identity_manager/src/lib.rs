//! Sigil's identity manager: accounts, their devices, the two-factor
//! policy, per-origin principals and client delegations signed with
//! canister signatures. Interface: `identity_manager.did`; rules: the
//! module documentation of `accounts`, `devices` and `delegation`.
//!
//! Entry points here are thin: they read the environment (caller, time,
//! canister id, certificate) and call a plain `_impl` function over the
//! state, which is where the logic and its tests live.
//!
//! Queries answer from one replica without consensus and cannot change
//! state; they are used for reads. Updates go through consensus; they are
//! used for every change and for `prepare_delegation`, which must change
//! the certified data.

pub mod accounts;
pub mod delegation;
pub mod der;
pub mod devices;
pub mod memory;
pub mod rate_limit;
pub mod signature_map;
pub mod state;
pub mod storage;

#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::time::Duration;

use candid::Principal;
use ic_cdk::{init, post_upgrade, query, update};
use ic_stable_structures::DefaultMemoryImpl;
use sigil_api::identity_manager::{
    AccountNumber, CredentialId, CredentialLookup, Device, Error, InitArgs, PreparedDelegation,
    PublicKey, SignedDelegation, Stats, Timestamp,
};

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
    Env {
        caller: ic_cdk::api::msg_caller(),
        now: ic_cdk::api::time(),
        canister_id: ic_cdk::api::canister_self(),
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
/// `args` may change the configuration. Prepared signatures (heap) are gone.
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

/// Creates an account with `device` as its first (authentication) device
/// and returns its number. The caller must be the device itself
/// (`Principal::self_authenticating(device.public_key)`): proof that it
/// holds the key. Rate limited. An update: it allocates a number.
#[update]
fn create_account(device: Device) -> Result<AccountNumber, Error> {
    // The salt is not needed here: the timer set at install fetches it,
    // and `prepare_delegation` does if it is still missing.
    with_state_mut(|state| accounts::create_account_impl(&mut state.storage, &env(), device))
}

/// Adds a device. Caller: a device of the account (a passkey with
/// two-factor on). An update: it changes the account.
#[update]
fn add_device(account: AccountNumber, device: Device) -> Result<(), Error> {
    with_state_mut(|state| devices::add_device_impl(&mut state.storage, &env(), account, device))
}

/// Renames a device. Caller: a device of the account (a passkey with
/// two-factor on); a protected device only by itself. An update.
#[update]
fn rename_device(
    account: AccountNumber,
    public_key: PublicKey,
    alias: String,
) -> Result<(), Error> {
    with_state_mut(|state| {
        devices::rename_device_impl(&mut state.storage, &env(), account, &public_key, alias)
    })
}

/// Removes a device, never the last authentication device (nor, with
/// two-factor on, the last passkey). Caller: a device of the account (a
/// passkey with two-factor on); a protected device only by itself.
/// An update.
#[update]
fn remove_device(account: AccountNumber, public_key: PublicKey) -> Result<(), Error> {
    with_state_mut(|state| {
        devices::remove_device_impl(&mut state.storage, &env(), account, &public_key)
    })
}

/// The account's devices. Caller: a device of the account (a passkey with
/// two-factor on). A query: a read, answered fast.
#[query]
fn list_devices(account: AccountNumber) -> Result<Vec<Device>, Error> {
    with_state(|state| devices::list_devices_impl(&state.storage, &env(), account))
}

/// The account and public key of a passkey, from its credential id (all a
/// discoverable credential tells the browser). Public, so the frontend can
/// ask before sign-in. A query.
#[query]
fn lookup_credential_id(credential_id: CredentialId) -> Result<CredentialLookup, Error> {
    with_state(|state| devices::lookup_credential_id_impl(&state.storage, &credential_id))
}

/// The credential ids of the account's passkeys, so that a person whose
/// passkey is not discoverable can sign in by typing the account number.
/// Public, as `lookup_credential_id` is: credential ids are not secrets
/// (a relying party sends them to the browser in `allowCredentials`).
/// A query.
#[query]
fn credential_ids(account: AccountNumber) -> Result<Vec<CredentialId>, Error> {
    with_state(|state| devices::credential_ids_impl(&state.storage, account))
}

/// The account a device public key belongs to. Public. A query.
#[query]
fn lookup_public_key(public_key: PublicKey) -> Result<AccountNumber, Error> {
    with_state(|state| devices::lookup_public_key_impl(&state.storage, &public_key))
}

/// Turns two-factor authentication on (needs a passkey in the account) or
/// off. Caller: a device of the account (a passkey with two-factor on).
/// An update.
#[update]
fn set_two_factor(account: AccountNumber, enabled: bool) -> Result<(), Error> {
    with_state_mut(|state| {
        accounts::set_two_factor_impl(&mut state.storage, &env(), account, enabled)
    })
}

/// Whether the account has two-factor authentication on. Public, so the
/// frontend can pick the sign-in flow first. A query.
#[query]
fn two_factor(account: AccountNumber) -> Result<bool, Error> {
    with_state(|state| accounts::two_factor_impl(&state.storage, account))
}

/// The account's principal for `origin`. Caller: a device of the account
/// (a passkey with two-factor on). A query: derivation reads state only.
#[query]
fn get_principal(account: AccountNumber, origin: String) -> Result<Principal, Error> {
    with_state(|state| delegation::get_principal_impl(&state.storage, &env(), account, &origin))
}

/// Prepares a delegation from the account's key for `origin` to
/// `session_key`, for `max_ttl` (default 30 minutes, at most 30 days) and
/// optionally only for `targets`. Returns the user key and the expiration
/// to pass to `get_delegation` within a minute. Caller: a device of the
/// account (a passkey with two-factor on). An update: it changes the
/// certified data.
#[update]
async fn prepare_delegation(
    account: AccountNumber,
    origin: String,
    session_key: PublicKey,
    max_ttl: Option<u64>,
    targets: Option<Vec<Principal>>,
) -> Result<PreparedDelegation, Error> {
    // Only a device of the account may make the canister spend a call on
    // randomness; the caller is checked again after the await.
    with_state(|state| accounts::authorize(&state.storage, ic_cdk::api::msg_caller(), account))?;
    ensure_salt().await?;
    let result = with_state_mut(|state| {
        delegation::prepare_delegation_impl(
            state,
            &env(),
            account,
            &origin,
            &session_key,
            max_ttl,
            targets.as_ref(),
        )
    });
    certify_signatures();
    result
}

/// The delegation prepared with the same arguments, signed with a canister
/// signature. Caller: a device of the account (a passkey with two-factor
/// on). A query: only queries see the system's certificate.
#[query]
fn get_delegation(
    account: AccountNumber,
    origin: String,
    session_key: PublicKey,
    expiration: Timestamp,
    targets: Option<Vec<Principal>>,
) -> Result<SignedDelegation, Error> {
    let certificate = ic_cdk::api::data_certificate();
    with_state(|state| {
        delegation::get_delegation_impl(
            state,
            &env(),
            account,
            &origin,
            &session_key,
            expiration,
            targets,
            certificate.as_deref(),
        )
    })
}

/// Account and device counts and stable memory in use. Public. A query.
#[query]
fn stats() -> Stats {
    with_state(|state| accounts::stats_impl(&state.storage))
}

ic_cdk::export_candid!();
