//! Interface of the `demo` canister: a small canister that demo dapps and the
//! local network's tests call. See `canisters/demo/demo.did`.

use candid::{CandidType, Deserialize};

/// Arguments of `sign_ecdsa`: the message hash and the derivation path under
/// which the management canister signs it with threshold ECDSA (secp256k1).
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SignEcdsaArgs {
    #[serde(with = "serde_bytes")]
    pub message_hash: Vec<u8>,
    pub derivation_path: Vec<serde_bytes::ByteBuf>,
}

/// A threshold ECDSA signature together with the public key it verifies
/// against (SEC1 compressed), both as the management canister returned them.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct EcdsaSignature {
    #[serde(with = "serde_bytes")]
    pub public_key: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub signature: Vec<u8>,
}

/// Why `sign_ecdsa` failed: the management canister's reject, passed on.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum SignEcdsaError {
    InvalidMessageHash { length: u64 },
    ManagementCanister { message: String },
}

/// The stable counter together with the system's certificate of it, as a
/// query sees it (`certificate` is present only in non-replicated queries).
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CertifiedCounter {
    pub value: u64,
    pub certificate: Option<serde_bytes::ByteBuf>,
}
