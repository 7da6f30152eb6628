//! Per-origin principals and client delegations.

use candid::{CandidType, Deserialize, Principal};

use super::{AccountNumber, Error, PreparedDelegation, PublicKey, SignedDelegation, Timestamp};
use crate::method::method;

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct GetPrincipalArgs {
    pub account: AccountNumber,
    pub origin: String,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PrepareDelegationArgs {
    pub account: AccountNumber,
    pub origin: String,
    pub session_key: PublicKey,
    /// Nanoseconds; default 30 minutes, at most 30 days (longer is
    /// shortened).
    pub max_time_to_live: Option<u64>,
    pub targets: Option<Vec<Principal>>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct GetDelegationArgs {
    pub account: AccountNumber,
    pub origin: String,
    pub session_key: PublicKey,
    /// The expiration `prepare_delegation` returned.
    pub expiration: Timestamp,
    pub targets: Option<Vec<Principal>>,
}

method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    GetPrincipal = "get_principal", Query, GetPrincipalArgs => Result<Principal, Error>
);
method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    PrepareDelegation = "prepare_delegation", Update, PrepareDelegationArgs => Result<PreparedDelegation, Error>
);
method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    GetDelegation = "get_delegation", Query, GetDelegationArgs => Result<SignedDelegation, Error>
);
