//! Interface of the `signer` canister: the threshold keys of Sigil's
//! accounts (chain-key ECDSA on secp256k1 and Schnorr on Ed25519), behind
//! the identity manager. See `canisters/signer/signer.did`.
//!
//! The signer answers only the identity manager named when it was
//! installed. It knows owners (the accounts' global principals) and key
//! families, never accounts, devices or policies: deciding whether a
//! signature may be made is the identity manager's, before it asks.
//!
//! Each method takes one record and answers `Result<T, Error>`.

use std::fmt;

use candid::{CandidType, Deserialize, Principal};
use serde_bytes::ByteBuf;

use crate::method::method;

/// The largest message a Schnorr (Ed25519) signature is made over, in
/// bytes: Solana's off-chain messages are at most 65,535 bytes with their
/// header.
pub const MAX_SCHNORR_MESSAGE_LEN: usize = 65_536;
/// The length of the hash that an ECDSA signature is made over.
pub const ECDSA_HASH_LEN: usize = 32;

/// A family of addresses, each with its own threshold key per owner.
#[derive(
    CandidType,
    Deserialize,
    serde::Serialize,
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
)]
pub enum KeyFamily {
    /// Bitcoin (P2WPKH): ECDSA on secp256k1.
    Bitcoin,
    /// Every EVM chain (one address on all of them): ECDSA on secp256k1.
    Evm,
    /// Solana: Schnorr on Ed25519.
    Solana,
}

impl KeyFamily {
    pub const ALL: [KeyFamily; 3] = [KeyFamily::Bitcoin, KeyFamily::Evm, KeyFamily::Solana];

    /// The threshold scheme of the family's keys.
    pub fn algorithm(self) -> Algorithm {
        match self {
            KeyFamily::Bitcoin | KeyFamily::Evm => Algorithm::EcdsaSecp256k1,
            KeyFamily::Solana => Algorithm::SchnorrEd25519,
        }
    }
}

/// A threshold signature scheme of the IC's management canister.
#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `ecdsa_public_key` / `sign_with_ecdsa` on secp256k1: public keys are
    /// SEC1-compressed (33 bytes), signatures `r · s` (64 bytes) over a
    /// 32-byte hash.
    EcdsaSecp256k1,
    /// `schnorr_public_key` / `sign_with_schnorr` on Ed25519: public keys
    /// are 32 bytes, signatures 64 bytes over the message itself.
    SchnorrEd25519,
}

/// Set at install and never changed: a new identity manager or key name
/// would give every owner other keys, and so other addresses.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct InitArgs {
    /// The only caller the signer answers.
    pub identity_manager: Principal,
    /// The name of the IC's threshold keys: `dfx_test_key` locally,
    /// `key_1` on mainnet.
    pub key_name: String,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyArgs {
    /// The account's global principal.
    pub owner: Principal,
    pub family: KeyFamily,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SignArgs {
    /// The account's global principal.
    pub owner: Principal,
    pub family: KeyFamily,
    /// For ECDSA families, the 32-byte hash to sign; for Solana, the
    /// message itself (at most [`MAX_SCHNORR_MESSAGE_LEN`] bytes).
    pub message: ByteBuf,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyReply {
    /// SEC1-compressed (33 bytes) for ECDSA families, 32 bytes for Ed25519.
    pub public_key: ByteBuf,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SignReply {
    /// 64 bytes: `r · s` for ECDSA (as the IC makes it, `s` may be high),
    /// `R · S` for Ed25519.
    pub signature: ByteBuf,
}

/// Every expected failure of the signer.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Only the identity manager may call the signer.
    NotIdentityManager {
        caller: Principal,
    },
    /// The anonymous principal owns no keys.
    AnonymousOwner,
    /// An ECDSA signature is made over a 32-byte hash.
    NotAHash {
        length: u64,
    },
    MessageTooLong {
        length: u64,
        max: u64,
    },
    /// The management canister refused or failed the threshold call.
    ThresholdCall {
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotIdentityManager { caller } => {
                write!(
                    f,
                    "only the identity manager may ask the signer; {caller} may not"
                )
            }
            Error::AnonymousOwner => f.write_str("the anonymous principal owns no keys"),
            Error::NotAHash { length } => {
                write!(
                    f,
                    "an ECDSA signature is made over a 32-byte hash, not {length} bytes"
                )
            }
            Error::MessageTooLong { length, max } => {
                write!(
                    f,
                    "the message is {length} bytes; at most {max} can be signed"
                )
            }
            Error::ThresholdCall { message } => {
                write!(
                    f,
                    "the Internet Computer could not make the signature: {message}"
                )
            }
        }
    }
}

impl std::error::Error for Error {}

method!(
    /// The owner's public key of a family (a threshold call the first time,
    /// then kept).
    GetPublicKey = "public_key", Update, PublicKeyArgs => Result<PublicKeyReply, Error>
);
method!(
    /// A signature by the owner's key of a family.
    Sign = "sign", Update, SignArgs => Result<SignReply, Error>
);
