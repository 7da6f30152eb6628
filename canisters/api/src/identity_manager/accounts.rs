//! Accounts: creation, the two-factor flag, the canister's figures.

use candid::{CandidType, Deserialize};

use super::{AccountNumber, Device, Error, ProofOfWork, Stats, Timestamp};
use crate::method::method;

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

#[derive(CandidType, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegistrationRequirementArgs {}

/// What `create_account` needs right now.
#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistrationRequirement {
    /// `None` while registrations are free; else the bits of work needed.
    pub proof_of_work_difficulty: Option<u8>,
    /// The canister's time: the timestamp to do the work for, whatever the
    /// caller's clock says.
    pub time: Timestamp,
}

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
    /// Public: whether a registration needs work now (not a secret: it
    /// says only how busy registration is).
    GetRegistrationRequirement = "registration_requirement", Query, RegistrationRequirementArgs => Result<RegistrationRequirement, Error>
);
method!(
    /// Caller: a controller of the canister.
    GetStats = "stats", Query, StatsArgs => Result<Stats, Error>
);
