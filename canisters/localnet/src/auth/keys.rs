//! Public keys by DER algorithm identifier ("Signatures" in the IC interface
//! specification) and the plain signature schemes: Ed25519 and ECDSA on
//! P-256 and secp256k1.
//!
//! * Ed25519 (`1.3.101.112`, RFC 8410, no parameters): 64-byte signatures,
//!   verified with `ic-ed25519` (the IC's own implementation, ZIP-215 rules).
//! * ECDSA (`1.2.840.10045.2.1`) with the named curve P-256
//!   (`1.2.840.10045.3.1.7`) or secp256k1 (`1.3.132.0.10`) as parameter. The
//!   point must be an uncompressed SEC1 point on the curve (the canonical
//!   encoding agents produce). Signatures are the 64 bytes `r || s` over the
//!   SHA-256 hash of the message. Like the IC, both `s` and `n - s` are
//!   accepted (no low-S rule): agents and WebCrypto do not normalise `s`.
//! * WebAuthn (`1.3.6.1.4.1.56387.1.1`, no parameters) wraps a COSE key, see
//!   [`super::webauthn`].
//! * Canister signatures (`1.3.6.1.4.1.56387.1.2`, no parameters), see
//!   [`super::canister_sig`].
//!
//! RSA keys (`1.2.840.113549.1.1.1`, and COSE RS256 inside WebAuthn) are
//! refused with [`AuthError::UnsupportedKeyType`].

use super::der::{self, Spki};
use super::scheme::{AuthError, KeyKind, malformed, verify_p256};
use super::{canister_sig, webauthn};
use candid::Principal;

/// Largest DER public key accepted (IC devices are at most 300 bytes).
pub const MAX_PUBLIC_KEY_BYTES: usize = 2048;

pub(crate) const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
pub(crate) const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
pub(crate) const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
pub(crate) const OID_SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];
pub(crate) const OID_COSE: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb8, 0x43, 0x01, 0x01];
pub(crate) const OID_CANISTER_SIG: &[u8] =
    &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb8, 0x43, 0x01, 0x02];
pub(crate) const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// A parsed, validated public key.
pub(crate) enum PublicKey {
    Ed25519(ic_ed25519::PublicKey),
    EcdsaP256(p256::ecdsa::VerifyingKey),
    EcdsaSecp256k1(ic_secp256k1::PublicKey),
    WebAuthnP256(p256::ecdsa::VerifyingKey),
    Canister {
        canister_id: Principal,
        seed: Vec<u8>,
    },
}

impl PublicKey {
    pub(crate) fn kind(&self) -> KeyKind {
        match self {
            Self::Ed25519(_) => KeyKind::Ed25519,
            Self::EcdsaP256(_) => KeyKind::EcdsaP256,
            Self::EcdsaSecp256k1(_) => KeyKind::EcdsaSecp256k1,
            Self::WebAuthnP256(_) => KeyKind::WebAuthnEcdsaP256,
            Self::Canister { .. } => KeyKind::CanisterSignature,
        }
    }

    /// Parses a DER `SubjectPublicKeyInfo` into one of the supported keys.
    pub(crate) fn from_der(bytes: &[u8]) -> Result<Self, AuthError> {
        if bytes.len() > MAX_PUBLIC_KEY_BYTES {
            return Err(AuthError::MalformedPublicKey(format!(
                "{} bytes exceed the limit of {MAX_PUBLIC_KEY_BYTES}",
                bytes.len()
            )));
        }
        let spki = der::parse_spki(bytes).map_err(AuthError::MalformedPublicKey)?;
        match spki.algorithm {
            OID_ED25519 => parse_ed25519(bytes, &spki),
            OID_EC_PUBLIC_KEY => parse_ecdsa(&spki),
            OID_COSE => {
                no_parameters(&spki, "WebAuthn")?;
                webauthn::parse_cose_key(spki.key).map(Self::WebAuthnP256)
            }
            OID_CANISTER_SIG => {
                no_parameters(&spki, "canister signature")?;
                let (canister_id, seed) = canister_sig::parse_public_key(spki.key)?;
                Ok(Self::Canister { canister_id, seed })
            }
            OID_RSA => Err(AuthError::UnsupportedKeyType(
                "RSA public keys are not supported".into(),
            )),
            other => Err(AuthError::UnsupportedKeyType(format!(
                "algorithm {}",
                oid_to_string(other)
            ))),
        }
    }

    /// Verifies `signature` on `message` with this key; `root_public_key` is
    /// the network's raw BLS root key, used by canister signatures only.
    pub(crate) fn verify(
        &self,
        message: &[u8],
        signature: &[u8],
        root_public_key: &[u8],
    ) -> Result<(), AuthError> {
        match self {
            Self::Ed25519(key) => {
                if signature.len() != 64 {
                    return Err(malformed(
                        KeyKind::Ed25519,
                        format!("{} bytes, expected 64", signature.len()),
                    ));
                }
                key.verify_signature(message, signature)
                    .map_err(|_| AuthError::InvalidSignature(KeyKind::Ed25519))
            }
            Self::EcdsaP256(key) => {
                let sig = p256::ecdsa::Signature::from_slice(signature).map_err(|_| {
                    malformed(
                        KeyKind::EcdsaP256,
                        "expected 64 bytes r || s with 0 < r, s < n".into(),
                    )
                })?;
                verify_p256(key, message, &sig, KeyKind::EcdsaP256)
            }
            Self::EcdsaSecp256k1(key) => {
                if signature.len() != 64 {
                    return Err(malformed(
                        KeyKind::EcdsaSecp256k1,
                        format!("{} bytes, expected 64", signature.len()),
                    ));
                }
                if key.verify_ecdsa_signature_with_malleability(message, signature) {
                    Ok(())
                } else {
                    Err(AuthError::InvalidSignature(KeyKind::EcdsaSecp256k1))
                }
            }
            Self::WebAuthnP256(key) => webauthn::verify(key, message, signature),
            Self::Canister { canister_id, seed } => {
                canister_sig::verify(*canister_id, seed, message, signature, root_public_key)
            }
        }
    }
}

fn no_parameters(spki: &Spki<'_>, what: &str) -> Result<(), AuthError> {
    if spki.parameters.is_some() {
        return Err(AuthError::MalformedPublicKey(format!(
            "{what} keys take no algorithm parameters"
        )));
    }
    Ok(())
}

fn parse_ed25519(der: &[u8], spki: &Spki<'_>) -> Result<PublicKey, AuthError> {
    no_parameters(spki, "Ed25519")?;
    if spki.key.len() != 32 {
        return Err(AuthError::MalformedPublicKey(format!(
            "Ed25519 key of {} bytes, expected 32",
            spki.key.len()
        )));
    }
    ic_ed25519::PublicKey::deserialize_rfc8410_der(der)
        .map(PublicKey::Ed25519)
        .map_err(|_| AuthError::MalformedPublicKey("invalid Ed25519 point".into()))
}

fn parse_ecdsa(spki: &Spki<'_>) -> Result<PublicKey, AuthError> {
    let p256 = der::params_are_oid(spki.parameters, OID_P256);
    if !p256 && !der::params_are_oid(spki.parameters, OID_SECP256K1) {
        return Err(AuthError::UnsupportedKeyType(
            "ECDSA key on a curve other than P-256 and secp256k1".into(),
        ));
    }
    let point = spki.key;
    if point.len() != 65 || point[0] != 0x04 {
        return Err(AuthError::MalformedPublicKey(
            "ECDSA keys must be uncompressed SEC1 points (65 bytes, 0x04 prefix)".into(),
        ));
    }
    if p256 {
        p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
            .map(PublicKey::EcdsaP256)
            .map_err(|_| AuthError::MalformedPublicKey("point is not on curve P-256".into()))
    } else {
        ic_secp256k1::PublicKey::deserialize_sec1(point)
            .map(PublicKey::EcdsaSecp256k1)
            .map_err(|_| AuthError::MalformedPublicKey("point is not on curve secp256k1".into()))
    }
}

/// Dotted notation of an OID's content bytes (for messages).
fn oid_to_string(content: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for &b in content.iter().take(64) {
        value = value
            .saturating_mul(128)
            .saturating_add(u64::from(b & 0x7f));
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn object_identifiers_print_in_dotted_notation() {
        assert_eq!(oid_to_string(OID_ED25519), "1.3.101.112");
        assert_eq!(oid_to_string(OID_P256), "1.2.840.10045.3.1.7");
        assert_eq!(oid_to_string(OID_CANISTER_SIG), "1.3.6.1.4.1.56387.1.2");
        assert_eq!(oid_to_string(OID_RSA), "1.2.840.113549.1.1.1");
    }
}
