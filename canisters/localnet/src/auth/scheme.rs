//! The ground floor of request authentication: the signature schemes a key
//! can belong to ([`KeyKind`]), the error every check returns
//! ([`AuthError`]), and the one primitive two schemes share (ECDSA P-256
//! verification, used by plain P-256 keys and by WebAuthn).
//!
//! Invariant: this module imports nothing from `auth`. The dependencies
//! among the modules of `auth` go one way: `auth` → `keys` → `webauthn`,
//! `canister_sig` → `scheme` (and `der`); no module imports one that
//! imports it back.

use candid::Principal;

/// The signature schemes a public key can belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// Ed25519 (OID 1.3.101.112).
    Ed25519,
    /// ECDSA on P-256 (OID 1.2.840.10045.2.1, curve 1.2.840.10045.3.1.7).
    EcdsaP256,
    /// ECDSA on secp256k1 (OID 1.2.840.10045.2.1, curve 1.3.132.0.10).
    EcdsaSecp256k1,
    /// WebAuthn with a COSE ES256 key (OID 1.3.6.1.4.1.56387.1.1).
    WebAuthnEcdsaP256,
    /// Canister signature (OID 1.3.6.1.4.1.56387.1.2).
    CanisterSignature,
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Ed25519 => "Ed25519",
            Self::EcdsaP256 => "ECDSA P-256",
            Self::EcdsaSecp256k1 => "ECDSA secp256k1",
            Self::WebAuthnEcdsaP256 => "WebAuthn (ECDSA P-256)",
            Self::CanisterSignature => "canister",
        })
    }
}

/// Why a request (or a signature) is not authentic.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("the anonymous sender must not carry a public key, signature or delegation")]
    AnonymousWithCredentials,
    #[error("sender {0} is not anonymous but the request has no sender_pubkey")]
    MissingPublicKey(Principal),
    #[error("sender {0} is not anonymous but the request has no sender_sig")]
    MissingSignature(Principal),
    #[error("sender {sender} does not match sender_pubkey, whose principal is {expected}")]
    SenderMismatch {
        sender: Principal,
        expected: Principal,
    },
    #[error("malformed public key: {0}")]
    MalformedPublicKey(String),
    #[error("unsupported public key type: {0}")]
    UnsupportedKeyType(String),
    #[error("signature of {len} bytes exceeds the limit of {max}")]
    SignatureTooLarge { len: usize, max: usize },
    #[error("malformed {kind} signature: {reason}")]
    MalformedSignature { kind: KeyKind, reason: String },
    #[error("{0} signature does not verify")]
    InvalidSignature(KeyKind),
    #[error("malformed WebAuthn client data JSON: {0}")]
    MalformedClientData(String),
    #[error("WebAuthn client data has type {0:?}, expected \"webauthn.get\"")]
    WebAuthnWrongType(String),
    #[error("WebAuthn challenge does not match the signed message")]
    WebAuthnChallengeMismatch,
    #[error(
        "canister signature certificate carries a subnet delegation, which this network never issues"
    )]
    CanisterSigDelegationNotSupported,
    #[error("canister signature certificate is not signed by the root key")]
    CanisterSigCertificateInvalid,
    #[error("canister signature: certified data of canister {0} does not match the signature tree")]
    CanisterSigCertifiedDataMismatch(Principal),
    #[error("canister signature: no empty leaf at sig/<SHA-256(seed)>/<SHA-256(message)>")]
    CanisterSigNotInTree,
    #[error("invalid root public key: {0}")]
    InvalidRootKey(String),
    #[error("chain of {count} delegations is too long (at most {max} allowed)")]
    TooManyDelegations { count: usize, max: usize },
    #[error("delegation {index} lists {count} targets (at most {max} allowed)")]
    TooManyTargets {
        index: usize,
        count: usize,
        max: usize,
    },
    #[error("delegation {index} expired at {expiration} ns (now {now} ns)")]
    DelegationExpired {
        index: usize,
        expiration: u64,
        now: u64,
    },
    #[error("delegation {index} repeats a public key already in the chain")]
    DelegationCycle { index: usize },
    #[error("delegation {index} cannot be hashed: {reason}")]
    UnhashableDelegation { index: usize, reason: String },
    #[error("delegation {index}: {error}")]
    InvalidDelegation { index: usize, error: Box<AuthError> },
}

/// ECDSA P-256 verification over SHA-256(message), accepting either `s`.
pub(crate) fn verify_p256(
    key: &p256::ecdsa::VerifyingKey,
    message: &[u8],
    signature: &p256::ecdsa::Signature,
    kind: KeyKind,
) -> Result<(), AuthError> {
    use p256::ecdsa::signature::Verifier;
    let signature = signature.normalize_s().unwrap_or(*signature);
    key.verify(message, &signature)
        .map_err(|_| AuthError::InvalidSignature(kind))
}

pub(crate) fn malformed(kind: KeyKind, reason: String) -> AuthError {
    AuthError::MalformedSignature { kind, reason }
}
