//! Interface of the `identity_manager` canister: accounts, their devices,
//! the two-factor policy, per-origin principals and client delegations.
//! See `canisters/identity_manager/identity_manager.did`.
//!
//! Limits (as in Internet Identity) are constants here so that the app can
//! check input before it calls the canister; the canister enforces them.

use std::fmt;

use candid::{CandidType, Deserialize, Principal};
use serde_bytes::ByteBuf;

/// An account number (the "NFIDentity"), allocated by `create_account`.
pub type AccountNumber = u64;
/// A DER-encoded public key (`SubjectPublicKeyInfo`).
pub type PublicKey = ByteBuf;
/// A WebAuthn credential id.
pub type CredentialId = ByteBuf;
/// Nanoseconds since the Unix epoch (the IC's time).
pub type Timestamp = u64;

/// Maximum length of a DER public key (device or session key), in bytes.
pub const MAX_PUBLIC_KEY_LEN: usize = 300;
/// Maximum length of a device alias, in bytes (UTF-8).
pub const MAX_ALIAS_LEN: usize = 64;
/// Maximum length of a WebAuthn credential id, in bytes.
pub const MAX_CREDENTIAL_ID_LEN: usize = 350;
/// Maximum number of devices of one account.
pub const MAX_DEVICES_PER_ACCOUNT: usize = 10;
/// Maximum length of a (derivation) origin, in bytes.
pub const MAX_ORIGIN_LEN: usize = 255;
/// Maximum number of canisters a delegation may be restricted to.
pub const MAX_DELEGATION_TARGETS: usize = 1_000;
/// Lifetime of a delegation when the request names none: 30 minutes.
pub const DEFAULT_DELEGATION_TTL_NS: u64 = 30 * 60 * 1_000_000_000;
/// Longest lifetime of a delegation: 30 days. Longer requests are shortened.
pub const MAX_DELEGATION_TTL_NS: u64 = 30 * 24 * 60 * 60 * 1_000_000_000;

/// What a device is for.
#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Signs in day to day.
    Authentication,
    /// Kept aside to regain access (a security key in a drawer, a phrase).
    Recovery,
}

/// The kind of key a device holds. It must agree with the algorithm of the
/// device's DER public key, which the canister checks.
#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// A WebAuthn credential (passkey or security key): a COSE key wrapped in
    /// DER with OID 1.3.6.1.4.1.56387.1.1 (IC interface specification,
    /// "Web Authentication").
    WebAuthn,
    /// An Ed25519 key (RFC 8410), e.g. derived from a recovery phrase.
    Ed25519,
    /// An ECDSA key on secp256k1 (RFC 5480).
    Secp256k1,
    /// An ECDSA key on P-256 (RFC 5480), e.g. a WebCrypto key.
    P256,
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyType::WebAuthn => "WebAuthn",
            KeyType::Ed25519 => "Ed25519",
            KeyType::Secp256k1 => "ECDSA secp256k1",
            KeyType::P256 => "ECDSA P-256",
        })
    }
}

/// A device (an authentication factor) of an account.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// DER public key, at most [`MAX_PUBLIC_KEY_LEN`] bytes. The device signs
    /// in as `Principal::self_authenticating(public_key)`.
    pub public_key: PublicKey,
    /// A name the user recognises, at most [`MAX_ALIAS_LEN`] bytes.
    pub alias: String,
    /// The WebAuthn credential id, at most [`MAX_CREDENTIAL_ID_LEN`] bytes.
    pub credential_id: Option<CredentialId>,
    pub purpose: Purpose,
    pub key_type: KeyType,
    /// A protected device can be renamed or removed only by itself.
    pub protected: bool,
}

/// Optional configuration, given at install and (to change it) at upgrade.
/// Fields left out keep their current value (at install: the default).
#[derive(CandidType, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct InitArgs {
    /// The first account number. Default 10_000. Raising it at upgrade moves
    /// the next number up; numbers are never reused or lowered.
    pub base_account_number: Option<AccountNumber>,
    /// The token bucket that limits `create_account`. Default: 100 tokens,
    /// one token regained every 10 seconds.
    pub registration_rate_limit: Option<RateLimitConfig>,
}

/// A token bucket: up to `capacity` registrations at once, one more every
/// `refill_period_ns`.
#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitConfig {
    pub capacity: u64,
    pub refill_period_ns: u64,
}

/// The result of `lookup_credential_id`: whose passkey this is.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CredentialLookup {
    pub account: AccountNumber,
    pub public_key: PublicKey,
}

/// The result of `prepare_delegation`: the user's public key for the origin
/// (a canister-signature DER key) and when the delegation expires.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PreparedDelegation {
    pub user_key: PublicKey,
    pub expiration: Timestamp,
}

/// A delegation as defined by the IC interface specification
/// ("Authentication", `sender_delegation`).
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Delegation {
    pub pubkey: PublicKey,
    pub expiration: Timestamp,
    pub targets: Option<Vec<Principal>>,
}

/// A delegation together with its canister signature (CBOR
/// `{certificate, tree}`, IC interface specification "Canister signatures").
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SignedDelegation {
    pub delegation: Delegation,
    #[serde(with = "serde_bytes")]
    pub signature: Vec<u8>,
}

/// Figures about the canister.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    pub accounts: u64,
    pub devices: u64,
    /// Stable memory in use, in bytes.
    pub stable_memory_bytes: u64,
}

/// Every expected failure of the identity manager.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The anonymous principal cannot own or use an account.
    AnonymousCaller,
    /// `create_account` must be called by the new device itself.
    NotDeviceOwner {
        caller: Principal,
        expected: Principal,
    },
    /// The caller is not a device (or a session of a device) of the account.
    Unauthorized {
        caller: Principal,
        account: AccountNumber,
    },
    /// Two-factor authentication is on: only a passkey may act for the account.
    PasskeyRequired {
        account: AccountNumber,
    },
    /// Two-factor authentication cannot be turned on without a passkey.
    NoPasskey {
        account: AccountNumber,
    },
    AccountNotFound {
        account: AccountNumber,
    },
    DeviceNotFound {
        account: AccountNumber,
    },
    UnknownCredentialId,
    UnknownPublicKey,
    PublicKeyTooLong {
        length: u64,
        max: u64,
    },
    InvalidPublicKey {
        reason: String,
    },
    KeyTypeMismatch {
        declared: KeyType,
        actual: KeyType,
    },
    AliasTooLong {
        length: u64,
        max: u64,
    },
    CredentialIdTooLong {
        length: u64,
        max: u64,
    },
    EmptyCredentialId,
    TooManyDevices {
        max: u64,
    },
    PublicKeyAlreadyRegistered,
    CredentialIdAlreadyRegistered,
    /// An account keeps at least one authentication device.
    LastAuthenticationDevice,
    /// An account starts with a device for authentication, not recovery.
    FirstDeviceNotForAuthentication,
    /// With two-factor authentication on, an account keeps at least one passkey.
    LastPasskey,
    /// A protected device can be changed only by itself.
    ProtectedDevice,
    RateLimited {
        retry_after_ns: u64,
    },
    AccountNumbersExhausted,
    OriginTooLong {
        length: u64,
        max: u64,
    },
    EmptyOrigin,
    SessionKeyTooLong {
        length: u64,
        max: u64,
    },
    InvalidSessionKey {
        reason: String,
    },
    TooManyTargets {
        count: u64,
        max: u64,
    },
    /// The canister's salt is not set yet (it is drawn right after install).
    SaltNotSet,
    /// The salt could not be drawn from the management canister.
    RandomnessUnavailable {
        message: String,
    },
    /// `get_delegation` found no signature: call `prepare_delegation` first
    /// (prepared signatures expire after a minute and do not survive upgrades).
    NoSuchDelegation,
    /// Certificates exist only in (non-replicated) query calls.
    NoCertificate,
}

impl Error {
    /// The error in words a person understands.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::AnonymousCaller => {
                write!(f, "Please sign in: anonymous calls cannot use accounts.")
            }
            Error::NotDeviceOwner { caller, expected } => write!(
                f,
                "The account must be created by the device being registered (expected caller {expected}, got {caller})."
            ),
            Error::Unauthorized { caller, account } => {
                write!(f, "{caller} is not a device of account {account}.")
            }
            Error::PasskeyRequired { account } => write!(
                f,
                "Account {account} has two-factor authentication on: sign in with a passkey."
            ),
            Error::NoPasskey { account } => write!(
                f,
                "Add a passkey to account {account} before turning on two-factor authentication."
            ),
            Error::AccountNotFound { account } => write!(f, "There is no account {account}."),
            Error::DeviceNotFound { account } => {
                write!(f, "Account {account} has no device with this public key.")
            }
            Error::UnknownCredentialId => write!(f, "No account uses this passkey."),
            Error::UnknownPublicKey => write!(f, "No account uses this public key."),
            Error::PublicKeyTooLong { length, max } => {
                write!(
                    f,
                    "The public key is {length} bytes long; at most {max} are allowed."
                )
            }
            Error::InvalidPublicKey { reason } => {
                write!(f, "The public key is not valid: {reason}.")
            }
            Error::KeyTypeMismatch { declared, actual } => write!(
                f,
                "The device is declared as {declared} but its public key is of type {actual}."
            ),
            Error::AliasTooLong { length, max } => {
                write!(
                    f,
                    "The device name is {length} bytes long; at most {max} are allowed."
                )
            }
            Error::CredentialIdTooLong { length, max } => {
                write!(
                    f,
                    "The credential id is {length} bytes long; at most {max} are allowed."
                )
            }
            Error::EmptyCredentialId => write!(f, "The credential id is empty."),
            Error::TooManyDevices { max } => {
                write!(
                    f,
                    "An account can have at most {max} devices; remove one first."
                )
            }
            Error::PublicKeyAlreadyRegistered => {
                write!(f, "This public key is already registered to an account.")
            }
            Error::CredentialIdAlreadyRegistered => {
                write!(f, "This passkey is already registered to an account.")
            }
            Error::LastAuthenticationDevice => {
                write!(
                    f,
                    "The last sign-in device of an account cannot be removed."
                )
            }
            Error::FirstDeviceNotForAuthentication => write!(
                f,
                "A new account needs a sign-in device first; recovery devices come later."
            ),
            Error::LastPasskey => write!(
                f,
                "With two-factor authentication on, the last passkey cannot be removed."
            ),
            Error::ProtectedDevice => {
                write!(f, "A protected device can only be changed by itself.")
            }
            Error::RateLimited { retry_after_ns } => write!(
                f,
                "Too many new accounts right now; try again in {} seconds.",
                retry_after_ns.div_ceil(1_000_000_000)
            ),
            Error::AccountNumbersExhausted => write!(f, "No account numbers are left."),
            Error::OriginTooLong { length, max } => {
                write!(
                    f,
                    "The origin is {length} bytes long; at most {max} are allowed."
                )
            }
            Error::EmptyOrigin => write!(f, "The origin is empty."),
            Error::SessionKeyTooLong { length, max } => {
                write!(
                    f,
                    "The session key is {length} bytes long; at most {max} are allowed."
                )
            }
            Error::InvalidSessionKey { reason } => {
                write!(f, "The session key is not valid: {reason}.")
            }
            Error::TooManyTargets { count, max } => write!(
                f,
                "A delegation can name at most {max} target canisters, not {count}."
            ),
            Error::SaltNotSet => write!(
                f,
                "The identity manager is still starting; try again shortly."
            ),
            Error::RandomnessUnavailable { message } => {
                write!(f, "Could not get randomness from the network: {message}.")
            }
            Error::NoSuchDelegation => write!(
                f,
                "No prepared delegation matches; prepare it again (prepared delegations last one minute)."
            ),
            Error::NoCertificate => write!(
                f,
                "A delegation can only be fetched with a query call (certificates are not available here)."
            ),
        }
    }
}

impl std::error::Error for Error {}
