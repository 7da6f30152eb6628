//! Canister signatures (IC interface specification, "Canister signatures").
//!
//! The public key is DER with OID `1.3.6.1.4.1.56387.1.2` whose BIT STRING
//! holds `len(canister_id) · canister_id · seed` (one length byte, at most 29
//! for a principal). The signature is the CBOR map `{certificate: bytes, tree:
//! hash tree}` and must start with the self-describing tag 55799 (`d9 d9 f7`),
//! as the IC requires. It is valid for a message `m` when
//!
//! 1. the `certificate` is a certificate (section "Certification") whose
//!    tree contains `time` and whose `canister/<canister_id>/certified_data`
//!    leaf equals the root hash of `tree`;
//! 2. `tree` contains an empty leaf at `sig/<SHA-256(seed)>/<SHA-256(m)>`;
//! 3. the certificate's BLS signature verifies over
//!    `"\x0Dic-state-root" · root_hash(certificate.tree)` with the network's
//!    root key.
//!
//! This network has a single subnet signing with the root key, so it never
//! issues certificates with a subnet delegation; a certificate carrying one
//! is refused ([`AuthError::CanisterSigDelegationNotSupported`]) rather than
//! half-checked. The cheap tree checks run before the pairing.

use super::scheme::{AuthError, KeyKind, malformed};
use candid::Principal;
use ic_certification::{Certificate, HashTree, LookupResult};
use serde::Deserialize;
use sha2::{Digest, Sha256};

const KIND: KeyKind = KeyKind::CanisterSignature;

/// Domain separator of certificate signatures ("Certification").
pub const IC_STATE_ROOT_DOMAIN_SEPARATOR: &[u8] = b"\x0Dic-state-root";

/// The CBOR self-describing tag 55799.
const SELF_DESCRIBING_TAG: [u8; 3] = [0xd9, 0xd9, 0xf7];

/// DER prefix of a BLS12-381 G2 public key (the root key in
/// `/api/v2/status`), accepted in place of the 96 raw bytes.
pub(crate) const BLS_DER_PREFIX: [u8; 37] = [
    0x30, 0x81, 0x82, 0x30, 0x1d, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05,
    0x03, 0x01, 0x02, 0x01, 0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05, 0x03,
    0x02, 0x01, 0x03, 0x61, 0x00,
];

/// Splits the BIT STRING payload of a canister signature key into the
/// signing canister and the seed.
pub(crate) fn parse_public_key(raw: &[u8]) -> Result<(Principal, Vec<u8>), AuthError> {
    let (&len, rest) = raw
        .split_first()
        .ok_or_else(|| AuthError::MalformedPublicKey("empty canister signature key".into()))?;
    let len = usize::from(len);
    if len > 29 || rest.len() < len {
        return Err(AuthError::MalformedPublicKey(
            "canister signature key has an invalid canister id length".into(),
        ));
    }
    let (id, seed) = rest.split_at(len);
    let canister_id = Principal::try_from_slice(id)
        .map_err(|_| AuthError::MalformedPublicKey("invalid signing canister id".into()))?;
    Ok((canister_id, seed.to_vec()))
}

#[derive(Deserialize)]
struct CanisterSignature {
    certificate: serde_bytes::ByteBuf,
    tree: HashTree,
}

/// The raw 96-byte root key from either raw or DER form.
pub(crate) fn raw_root_key(root_public_key: &[u8]) -> Result<&[u8], AuthError> {
    match root_public_key.len() {
        96 => Ok(root_public_key),
        133 if root_public_key[..37] == BLS_DER_PREFIX => Ok(&root_public_key[37..]),
        n => Err(AuthError::InvalidRootKey(format!(
            "expected a 96-byte BLS12-381 G2 key, got {n} bytes"
        ))),
    }
}

/// Verifies a canister signature by `canister_id` with `seed` on `message`.
pub(crate) fn verify(
    canister_id: Principal,
    seed: &[u8],
    message: &[u8],
    signature: &[u8],
    root_public_key: &[u8],
) -> Result<(), AuthError> {
    if !signature.starts_with(&SELF_DESCRIBING_TAG) {
        return Err(malformed(
            KIND,
            "missing the self-describing CBOR tag 55799".into(),
        ));
    }
    let sig: CanisterSignature = serde_cbor::from_slice(signature)
        .map_err(|e| malformed(KIND, format!("not a {{certificate, tree}} map ({e})")))?;
    let certificate: Certificate = serde_cbor::from_slice(&sig.certificate)
        .map_err(|e| malformed(KIND, format!("invalid certificate ({e})")))?;
    if certificate.delegation.is_some() {
        return Err(AuthError::CanisterSigDelegationNotSupported);
    }
    if !matches!(
        certificate.tree.lookup_path([b"time"]),
        LookupResult::Found(_)
    ) {
        return Err(malformed(KIND, "the certificate has no time".into()));
    }

    let certified_data_path: [&[u8]; 3] = [b"canister", canister_id.as_slice(), b"certified_data"];
    match certificate.tree.lookup_path(certified_data_path) {
        LookupResult::Found(data) if data == sig.tree.digest() => {}
        _ => return Err(AuthError::CanisterSigCertifiedDataMismatch(canister_id)),
    }

    let seed_hash = Sha256::digest(seed);
    let message_hash = Sha256::digest(message);
    let sig_path: [&[u8]; 3] = [b"sig", &seed_hash, &message_hash];
    match sig.tree.lookup_path(sig_path) {
        LookupResult::Found([]) => {}
        _ => return Err(AuthError::CanisterSigNotInTree),
    }

    let root = raw_root_key(root_public_key)?;
    let mut signed = IC_STATE_ROOT_DOMAIN_SEPARATOR.to_vec();
    signed.extend_from_slice(&certificate.tree.digest());
    ic_verify_bls_signature::verify_bls_signature(&certificate.signature, &signed, root)
        .map_err(|()| AuthError::CanisterSigCertificateInvalid)
}
