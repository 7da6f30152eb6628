//! Accounts: creation, the two-factor flag, the canister's figures.

use candid::{CandidType, Deserialize};

use super::method::method;
use super::{AccountNumber, Device, Error, ProofOfWork, Stats};

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CreateAccountArgs {
    /// The first device: for authentication, not protected.
    pub device: Device,
    /// Needed only while the canister answers `ProofOfWorkRequired`.
    pub proof_of_work: Option<ProofOfWork>,
}

#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetTwoFactorArgs {
    pub account: AccountNumber,
    pub enabled: bool,
}

#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TwoFactorArgs {
    pub account: AccountNumber,
}

#[derive(CandidType, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatsArgs {}

method!(
    /// Caller: the first device itself.
    CreateAccount = "create_account", Update, CreateAccountArgs => Result<AccountNumber, Error>
);
method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    SetTwoFactor = "set_two_factor", Update, SetTwoFactorArgs => Result<(), Error>
);
method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    TwoFactor = "two_factor", Query, TwoFactorArgs => Result<bool, Error>
);
method!(
    /// Caller: a controller of the canister.
    GetStats = "stats", Query, StatsArgs => Result<Stats, Error>
);
