//! Interface of the `identity_manager` canister: accounts, their devices,
//! the two-factor policy, per-origin principals and client delegations.
//! See `canisters/identity_manager/identity_manager.did`.
//!
//! - this module: the records the methods exchange, and the limits (as in
//!   Internet Identity), so that the app checks input before it calls the
//!   canister; the canister enforces them;
//! - [`accounts`], [`devices`], [`delegations`], [`chains`] (addresses),
//!   [`signing`], [`policy`] and [`connections`] (the dapps an account
//!   connected): each method's arguments, reply and [`Method`] descriptor,
//!   which the canister, the app, the tests and the benchmarks all call it
//!   by;
//! - [`error`]: every expected failure, with words for a person.

mod accounts;
mod chains;
mod connections;
mod delegations;
mod devices;
mod error;
mod policy;
mod proof_of_work;
mod signing;

use std::fmt;

use candid::{CandidType, Deserialize, Principal};
use serde_bytes::ByteBuf;

pub use crate::method::{CallKind, Method};
pub use accounts::*;
pub use chains::*;
pub use connections::*;
pub use delegations::*;
pub use devices::*;
pub use error::Error;
pub use policy::*;
pub use proof_of_work::*;
pub use signing::*;

/// An account number (the "NFIDentity"), allocated by `create_account`.
pub type AccountNumber = u64;
/// A DER-encoded public key (`SubjectPublicKeyInfo`).
pub type PublicKey = ByteBuf;
/// A WebAuthn credential id.
pub type CredentialId = ByteBuf;
/// Nanoseconds since the Unix epoch (the IC's time).
pub type Timestamp = u64;

/// Maximum length of a DER public key (device or session key), in bytes.
pub use sigil_keys::MAX_PUBLIC_KEY_LEN;
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
#[derive(CandidType, Deserialize, serde::Serialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Signs in day to day.
    Authentication,
    /// Kept aside to regain access (a security key in a drawer, a phrase).
    Recovery,
}

/// The kind of key a device holds. It must agree with the algorithm of the
/// device's DER public key, which the canister checks.
#[derive(CandidType, Deserialize, serde::Serialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// Only a recovery device can be protected. A protected device is
    /// renamed only by itself and removed only by itself or by a passkey
    /// of the account, so a stolen session of another device cannot take
    /// away the way back in, and a planted device never outlives the
    /// owner's passkeys.
    pub protected: bool,
}

/// Optional configuration, given at install and (to change it) at upgrade.
/// Fields left out keep their current value (at install: the default).
#[derive(CandidType, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct InitArgs {
    /// The first account number. Default 10_000. Raising it at upgrade moves
    /// the next number up; numbers are never reused or lowered.
    pub base_account_number: Option<AccountNumber>,
    /// The token bucket of registrations that need no proof of work.
    /// Default: 100 tokens, one token regained every 10 seconds.
    pub registration_rate_limit: Option<RateLimitConfig>,
    /// Leading zero bits of the proof of work a registration needs while
    /// the bucket is empty, 1 to [`MAX_PROOF_OF_WORK_DIFFICULTY`].
    /// Default: [`DEFAULT_PROOF_OF_WORK_DIFFICULTY`].
    pub registration_proof_of_work_difficulty: Option<u8>,
    /// The signer and Sigil's own origin, for addresses and signatures of
    /// other chains; set once (a later, different value is refused).
    pub chains: Option<ChainsConfig>,
    /// The EVM chains signed for (and a new account's policy allows); may
    /// change at upgrade. Default: none.
    pub evm_chains: Option<Vec<EvmChain>>,
    /// How long a loosening of a signing policy waits, 1 second to 30
    /// days. Default: [`POLICY_LOOSENING_DELAY_NS`] (24 hours).
    pub policy_loosening_delay_ns: Option<u64>,
}

/// A token bucket: up to `capacity` registrations at once, one more every
/// `refill_period_ns`; past it, registrations need a [`ProofOfWork`].
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

/// Figures about the canister (for its controllers).
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    pub accounts: u64,
    pub devices: u64,
    /// Stable memory in use, in bytes.
    pub stable_memory_bytes: u64,
}
