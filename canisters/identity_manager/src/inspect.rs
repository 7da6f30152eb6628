//! `canister_inspect_message`: which ingress updates are let through to
//! execution. An update is dropped before it runs (and costs the canister
//! nothing) when its arguments do not decode or its caller cannot succeed:
//!
//! - `create_account`: anonymous, not the new device itself, a key or
//!   credential already registered, a malformed device, or no valid proof
//!   of work while one is required (see `registration`);
//! - `confirm_device`: not the device proposed for the account;
//! - every other account update: not a device of the named account (a
//!   passkey with two-factor on);
//! - any other method name (queries called as updates included).
//!
//! The checks repeat those the update itself makes (they read the same
//! state), so a message let through can still fail if the state changed
//! in between; one dropped here would always have failed.

use ic_stable_structures::Memory;
use sigil_api::identity_manager::{
    AddDevice, ApproveSignature, CancelPolicyChange, ConfirmDevice, Connect, CreateAccount,
    Disconnect, Error, GetAddresses, Method, PrepareDelegation, PrepareSignature, RemoveDevice,
    RenameDevice, SetPolicy, SetTwoFactor,
};

use crate::accounts::check_registration;
use crate::authorization::{authorize, reject_anonymous};
use crate::state::{Env, State};

/// Why an update is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    UnknownMethod(String),
    Undecodable(String),
    /// The update would fail with this error.
    WouldFail(Error),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::UnknownMethod(name) => write!(f, "{name} is not an update of this canister"),
            Refusal::Undecodable(reason) => write!(f, "the arguments do not decode: {reason}"),
            Refusal::WouldFail(error) => write!(f, "{error}"),
        }
    }
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        Refusal::WouldFail(error)
    }
}

fn decode<M: Method>(arg: &[u8]) -> Result<M::Args, Refusal> {
    candid::decode_one::<M::Args>(arg).map_err(|error| Refusal::Undecodable(error.to_string()))
}

/// Whether the update `method` with Candid arguments `arg` may execute.
pub fn inspect<M: Memory + Clone>(
    state: &State<M>,
    env: &Env,
    method: &str,
    arg: &[u8],
) -> Result<(), Refusal> {
    let storage = &state.storage;
    let caller = env.caller;
    match method {
        CreateAccount::NAME => {
            check_registration(storage, env, &decode::<CreateAccount>(arg)?)?;
        }
        ConfirmDevice::NAME => {
            reject_anonymous(caller)?;
            let account = decode::<ConfirmDevice>(arg)?.account;
            state
                .pending
                .for_confirmer(account, caller, env.now)
                .ok_or(Error::NoPendingDevice { account })?;
        }
        AddDevice::NAME => {
            authorize(storage, caller, decode::<AddDevice>(arg)?.account)?;
        }
        RenameDevice::NAME => {
            authorize(storage, caller, decode::<RenameDevice>(arg)?.account)?;
        }
        RemoveDevice::NAME => {
            authorize(storage, caller, decode::<RemoveDevice>(arg)?.account)?;
        }
        SetTwoFactor::NAME => {
            authorize(storage, caller, decode::<SetTwoFactor>(arg)?.account)?;
        }
        PrepareDelegation::NAME => {
            authorize(storage, caller, decode::<PrepareDelegation>(arg)?.account)?;
        }
        GetAddresses::NAME => {
            authorize(storage, caller, decode::<GetAddresses>(arg)?.account)?;
        }
        PrepareSignature::NAME => {
            authorize(storage, caller, decode::<PrepareSignature>(arg)?.account)?;
        }
        ApproveSignature::NAME => {
            let args = decode::<ApproveSignature>(arg)?;
            authorize(storage, caller, args.account)?;
            state
                .prepared
                .get(args.id, args.account, caller, env.now)
                .ok_or(Error::SignatureNotPrepared)?;
        }
        SetPolicy::NAME => {
            authorize(storage, caller, decode::<SetPolicy>(arg)?.account)?;
        }
        Connect::NAME => {
            authorize(storage, caller, decode::<Connect>(arg)?.account)?;
        }
        Disconnect::NAME => {
            authorize(storage, caller, decode::<Disconnect>(arg)?.account)?;
        }
        CancelPolicyChange::NAME => {
            let args = decode::<CancelPolicyChange>(arg)?;
            crate::policies::check_passkey(storage, env, args.account)?;
        }
        other => return Err(Refusal::UnknownMethod(other.to_string())),
    }
    Ok(())
}
