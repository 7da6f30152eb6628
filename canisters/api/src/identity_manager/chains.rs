//! Addresses for other chains: the account's keys are held by the signer
//! canister at its global principal (the account's principal for Sigil's
//! own origin), and the identity manager writes their addresses.

use candid::{CandidType, Deserialize, Principal};

use super::{AccountNumber, Error, Timestamp};
use crate::method::method;
use crate::signer::KeyFamily;

/// The Bitcoin network whose addresses the identity manager writes.
#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BitcoinNetwork {
    Mainnet,
    /// Testnet and signet (`tb1…` addresses).
    Testnet,
    /// A local regtest network (`bcrt1…`).
    Regtest,
}

/// The install argument for chains; fixed once set, since changing the
/// signer or Sigil's origin would give every account other addresses.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ChainsConfig {
    /// The signer canister, which holds the accounts' threshold keys.
    pub signer: Principal,
    /// Sigil's own origin (`https://…`, as a browser writes it): an
    /// account's global principal is its principal for this origin.
    pub global_origin: String,
    pub bitcoin_network: BitcoinNetwork,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AddressesArgs {
    pub account: AccountNumber,
}

/// The account's addresses, one per family.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Addresses {
    /// The account's global principal, which owns the keys.
    pub owner: Principal,
    /// EIP-55: the same on every EVM chain.
    pub evm: String,
    /// P2WPKH (bech32) on the configured network.
    pub bitcoin: String,
    /// Base58 Ed25519 public key.
    pub solana: String,
}

/// The longest message signed for another chain (EVM `personal_sign`,
/// Solana `signMessage`), in bytes.
pub const MAX_MESSAGE_LEN: usize = 16 * 1024;
/// How many signatures an account may ask for at once, and how often one
/// more after that (see `Error::TooManySignatures`).
pub const SIGNATURE_BURST: u64 = 10;
pub const SIGNATURE_REFILL_NS: u64 = 30 * 1_000_000_000;

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SignEvmMessageArgs {
    pub account: AccountNumber,
    /// The message's bytes (a dapp's `0x…` hex already decoded, text as
    /// UTF-8), at most [`MAX_MESSAGE_LEN`].
    #[serde(with = "serde_bytes")]
    pub message: Vec<u8>,
}

/// An EIP-191 `personal_sign` signature.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct EvmMessageSignature {
    /// The EIP-55 address that signed.
    pub address: String,
    /// `r · s · v`: 65 bytes, `s` low, `v` 27 or 28.
    #[serde(with = "serde_bytes")]
    pub signature: Vec<u8>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SignSolanaMessageArgs {
    pub account: AccountNumber,
    /// The message's bytes, at most [`MAX_MESSAGE_LEN`].
    #[serde(with = "serde_bytes")]
    pub message: Vec<u8>,
}

/// A Solana `signMessage` signature: Ed25519 over the message's bytes.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SolanaMessageSignature {
    /// The base58 address (public key) that signed.
    pub address: String,
    /// 64 bytes.
    #[serde(with = "serde_bytes")]
    pub signature: Vec<u8>,
}

/// How many signatures of an account the log keeps; older ones go.
pub const MAX_LOGGED_SIGNATURES: usize = 100;

/// What kind of thing was signed.
#[derive(CandidType, Deserialize, serde::Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureKind {
    /// EIP-191 `personal_sign`.
    EvmMessage,
    /// Solana `signMessage`.
    SolanaMessage,
}

/// One signature made for the account, as the log keeps it.
#[derive(CandidType, Deserialize, serde::Serialize, Clone, Debug, PartialEq, Eq)]
pub struct SignatureRecord {
    pub time: Timestamp,
    pub family: KeyFamily,
    pub kind: SignatureKind,
    /// SHA-256 of the bytes that were signed over (the message), so that a
    /// device can tell which message it was without the log keeping it.
    #[serde(with = "serde_bytes")]
    pub message_sha256: Vec<u8>,
    pub message_length: u64,
    /// The dapp that asked, when one did; `None`: Sigil's own pages.
    pub origin: Option<String>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SignatureLogArgs {
    pub account: AccountNumber,
}

method!(
    /// Caller: a device of the account (a passkey with two-factor on). An
    /// update: the first lookup asks the signer, canister to canister.
    GetAddresses = "addresses", Update, AddressesArgs => Result<Addresses, Error>
);
method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    /// Signs `"\x19Ethereum Signed Message:\n" · len · message` with the
    /// account's EVM key.
    SignEvmMessage = "sign_evm_message", Update, SignEvmMessageArgs => Result<EvmMessageSignature, Error>
);
method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    /// Signs the message's bytes with the account's Solana (Ed25519) key.
    SignSolanaMessage = "sign_solana_message", Update, SignSolanaMessageArgs => Result<SolanaMessageSignature, Error>
);
method!(
    /// Caller: a device of the account (a passkey with two-factor on). The
    /// account's last signatures, oldest first.
    GetSignatureLog = "signature_log", Query, SignatureLogArgs => Result<Vec<SignatureRecord>, Error>
);
