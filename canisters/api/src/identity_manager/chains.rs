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

/// How many signatures of an account the log keeps; older ones go.
pub const MAX_LOGGED_SIGNATURES: usize = 100;

/// What kind of thing was signed.
#[derive(CandidType, Deserialize, serde::Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureKind {
    /// EIP-191 `personal_sign`.
    EvmMessage,
    /// EIP-712 typed data.
    EvmTypedData,
    /// An EVM transaction (EIP-1559 or legacy).
    EvmTransaction,
    /// Solana `signMessage`.
    SolanaMessage,
    /// A bare hash (`eth_sign`).
    EvmHash,
}

/// One signature made for the account, as the log keeps it.
#[derive(CandidType, Deserialize, serde::Serialize, Clone, Debug, PartialEq, Eq)]
pub struct SignatureRecord {
    pub time: Timestamp,
    pub family: KeyFamily,
    pub kind: SignatureKind,
    /// SHA-256 of the request's payload (the message, the typed data JSON,
    /// the unsigned transaction's encoding), so that a device can tell
    /// which it was without the log keeping it.
    #[serde(with = "serde_bytes")]
    pub message_sha256: Vec<u8>,
    pub message_length: u64,
    /// The dapp that asked, when one did; `None`: Sigil's own pages.
    pub origin: Option<String>,
    /// The EVM chain, for typed data with a chain and for transactions.
    #[serde(default)]
    pub chain_id: Option<u64>,
    /// The review's title ("Send 1.5 ETH").
    #[serde(default)]
    pub summary: String,
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
    /// Caller: a device of the account (a passkey with two-factor on). The
    /// account's last signatures, oldest first.
    GetSignatureLog = "signature_log", Query, SignatureLogArgs => Result<Vec<SignatureRecord>, Error>
);
