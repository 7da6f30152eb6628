//! Signatures for other chains, in two steps: `prepare_signature` reads the
//! request, computes exactly what the account's key would sign, and returns
//! a [`Review`] of it made from those bytes; `approve_signature` signs what
//! was prepared, by its id, so that what the person was shown is what is
//! signed. The app only renders the review: it decodes nothing itself.

use candid::{CandidType, Deserialize};
use serde_bytes::ByteBuf;

use super::{AccountNumber, Error, StepUpAssertion, Timestamp};
use crate::method::method;

/// The longest message signed for another chain (EVM `personal_sign`,
/// Solana `signMessage`), in bytes.
pub const MAX_MESSAGE_LEN: usize = 16 * 1024;
/// The longest EIP-712 typed data JSON, in bytes.
pub const MAX_TYPED_DATA_LEN: usize = 32 * 1024;
/// The longest transaction data (contract call or creation code), in bytes:
/// EIP-3860's limit on creation code.
pub const MAX_TRANSACTION_DATA_LEN: usize = 49_152;
/// How many signatures an account may ask for at once, and how often one
/// more after that (see `Error::TooManySignatures`).
pub const SIGNATURE_BURST: u64 = 10;
pub const SIGNATURE_REFILL_NS: u64 = 30 * 1_000_000_000;
/// How long a prepared signature waits for its approval.
pub const PREPARED_SIGNATURE_TTL_NS: u64 = 10 * 60 * 1_000_000_000;
/// How many prepared signatures an account may have waiting; preparing
/// one more drops the oldest.
pub const MAX_PREPARED_SIGNATURES: usize = 4;

/// An EVM chain the identity manager signs for (install argument).
#[derive(CandidType, Deserialize, serde::Serialize, Clone, Debug, PartialEq, Eq)]
pub struct EvmChain {
    /// EIP-155 chain id (1: Ethereum, 31337: a local node).
    pub chain_id: u64,
    /// What a person calls it ("Ethereum").
    pub name: String,
    /// Its native currency's symbol ("ETH"), 18 decimals.
    pub symbol: String,
}

/// An EVM transaction as JSON-RPC writes one (`eth_sendTransaction`):
/// quantities as `0x` hexadecimal (or decimal digits), data as `0x` hex.
/// With `gas_price` it is a legacy (EIP-155) transaction; with the two
/// EIP-1559 fees, an EIP-1559 one. Without `to` it creates a contract.
#[derive(CandidType, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct EvmTransactionRequest {
    pub chain_id: String,
    pub nonce: String,
    pub to: Option<String>,
    /// Wei; none is zero.
    pub value: Option<String>,
    /// At most [`MAX_TRANSACTION_DATA_LEN`] bytes.
    pub data: Option<String>,
    /// The gas limit.
    pub gas: String,
    pub gas_price: Option<String>,
    pub max_fee_per_gas: Option<String>,
    pub max_priority_fee_per_gas: Option<String>,
    /// EIP-2930 access list (EIP-1559 transactions only).
    pub access_list: Option<Vec<AccessListEntry>>,
}

#[derive(CandidType, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct AccessListEntry {
    pub address: String,
    /// `0x` and 64 hexadecimal digits each.
    pub storage_keys: Vec<String>,
}

/// What to sign.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum SignatureRequest {
    /// EIP-191 `personal_sign` of the message's bytes (a dapp's `0x…` hex
    /// already decoded, text as UTF-8), at most [`MAX_MESSAGE_LEN`].
    EvmMessage {
        message: ByteBuf,
    },
    /// EIP-712 typed data (`eth_signTypedData_v4`), the JSON as the dapp
    /// passed it, at most [`MAX_TYPED_DATA_LEN`] bytes.
    EvmTypedData {
        json: String,
    },
    EvmTransaction(Box<EvmTransactionRequest>),
    /// A bare 32-byte hash (`eth_sign`), signed only where the account's
    /// policy turns raw-hash signing on.
    EvmHash {
        hash: ByteBuf,
    },
    /// Solana `signMessage` of the message's bytes, at most
    /// [`MAX_MESSAGE_LEN`].
    SolanaMessage {
        message: ByteBuf,
    },
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PrepareSignatureArgs {
    pub account: AccountNumber,
    pub request: SignatureRequest,
    /// The dapp that asked (as the Sigil window saw it in the
    /// `MessageEvent`), for the log; `None`: Sigil's own pages.
    pub origin: Option<String>,
}

/// One line of a review.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ReviewField {
    pub label: String,
    pub value: String,
}

/// What is about to be signed, in words, made from the bytes that will be
/// signed.
#[derive(CandidType, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Review {
    /// What kind of request it is ("Send 1.5 ETH", "Sign a message").
    pub title: String,
    /// Every part of what is signed, in order.
    pub fields: Vec<ReviewField>,
    /// What deserves a second look (an unlimited token approval, a contract
    /// creation), in words.
    pub warnings: Vec<String>,
}

impl Review {
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }

    pub fn field(&mut self, label: impl Into<String>, value: impl Into<String>) {
        self.fields.push(ReviewField {
            label: label.into(),
            value: value.into(),
        });
    }

    pub fn warn(&mut self, warning: impl Into<String>) {
        self.warnings.push(warning.into());
    }

    /// The value of the first field labelled `label`.
    pub fn value_of(&self, label: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|field| field.label == label)
            .map(|field| field.value.as_str())
    }
}

/// A prepared signature, waiting for `approve_signature` until
/// `expires_at`.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PreparedSignature {
    pub id: u64,
    pub review: Review,
    pub expires_at: Timestamp,
    /// Set when the account's policy asks for a passkey: the challenge a
    /// passkey of the account must sign (WebAuthn), for
    /// `ApproveSignatureArgs::step_up`. It binds this canister, the
    /// account, this request's id and what will be signed.
    pub step_up_challenge: Option<ByteBuf>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ApproveSignatureArgs {
    pub account: AccountNumber,
    /// `PreparedSignature::id`.
    pub id: u64,
    /// A passkey's assertion over `PreparedSignature::step_up_challenge`,
    /// where the policy asks for one.
    pub step_up: Option<StepUpAssertion>,
}

/// A signature made.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Signed {
    /// `personal_sign` or typed data: `r · s · v`, 65 bytes, `s` low, `v`
    /// 27 or 28, by the EIP-55 `address`.
    EvmSignature { address: String, signature: ByteBuf },
    /// A signed transaction, EIP-2718 encoded (an EIP-1559 one carries the
    /// y parity; a legacy one EIP-155's `v`), ready for
    /// `eth_sendRawTransaction`, and its hash.
    EvmTransaction {
        address: String,
        raw: ByteBuf,
        hash: ByteBuf,
    },
    /// Ed25519 over the message's bytes, 64 bytes, by the base58 `address`.
    SolanaSignature { address: String, signature: ByteBuf },
}

method!(
    /// Caller: a device of the account (a passkey with two-factor on).
    /// Reads and checks the request and returns its review; nothing is
    /// signed yet.
    PrepareSignature = "prepare_signature", Update, PrepareSignatureArgs => Result<PreparedSignature, Error>
);
method!(
    /// Caller: the device that prepared the signature. Signs exactly what
    /// was prepared, once.
    ApproveSignature = "approve_signature", Update, ApproveSignatureArgs => Result<Signed, Error>
);
