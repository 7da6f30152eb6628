//! WebAuthn signatures (IC interface specification, "Signatures" →
//! "Web Authentication").
//!
//! The public key is DER with OID `1.3.6.1.4.1.56387.1.1` whose BIT STRING is
//! a COSE key (RFC 8152). Supported: EC2 / ES256 (`kty` 2, `alg` -7, `crv` 1,
//! 32-byte `x` and `y` on P-256). RS256 keys (`kty` 3, `alg` -257) are
//! recognised but refused as unsupported.
//!
//! The signature is a CBOR map (the self-describing tag 55799 is allowed)
//! `{authenticator_data: bytes, client_data_json: bytes or text, signature:
//! bytes}`. It is valid for a message `m` when
//!
//! 1. `client_data_json` is JSON with string fields `type`, `challenge` and
//!    `origin`; `type` is `"webauthn.get"` (an assertion, not a credential
//!    creation) and `challenge` is `base64url(m)` without padding;
//! 2. `signature` is a DER-encoded ECDSA P-256 signature by the COSE key over
//!    `authenticator_data || SHA-256(client_data_json)` (hashed again with
//!    SHA-256 by ECDSA), the bytes an authenticator signs in an assertion
//!    (WebAuthn Level 2, §6.3.3).

use super::scheme::{AuthError, KeyKind, malformed, verify_p256};
use serde::Deserialize;
use serde_cbor::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const KIND: KeyKind = KeyKind::WebAuthnEcdsaP256;

/// The COSE key labels and values used (RFC 8152 §7, §13; RFC 8230 §4).
const COSE_KTY: i128 = 1;
const COSE_ALG: i128 = 3;
const COSE_EC2_CRV: i128 = -1;
const COSE_EC2_X: i128 = -2;
const COSE_EC2_Y: i128 = -3;
const COSE_KTY_EC2: i128 = 2;
const COSE_KTY_RSA: i128 = 3;
const COSE_ALG_ES256: i128 = -7;
const COSE_ALG_RS256: i128 = -257;
const COSE_CRV_P256: i128 = 1;

/// Parses the COSE key inside a WebAuthn DER public key.
pub(crate) fn parse_cose_key(cose: &[u8]) -> Result<p256::ecdsa::VerifyingKey, AuthError> {
    let bad = |reason: &str| AuthError::MalformedPublicKey(format!("COSE key: {reason}"));
    let value: Value = serde_cbor::from_slice(cose).map_err(|_| bad("not valid CBOR"))?;
    let Value::Map(map) = value else {
        return Err(bad("not a CBOR map"));
    };
    let int = |label: i128| match map.get(&Value::Integer(label)) {
        Some(Value::Integer(v)) => Some(*v),
        _ => None,
    };
    let kty = int(COSE_KTY).ok_or_else(|| bad("missing key type"))?;
    let alg = int(COSE_ALG).ok_or_else(|| bad("missing algorithm"))?;
    match (kty, alg) {
        (COSE_KTY_EC2, COSE_ALG_ES256) => {}
        (COSE_KTY_RSA, COSE_ALG_RS256) => {
            return Err(AuthError::UnsupportedKeyType(
                "WebAuthn RSA (COSE RS256) keys are not supported".into(),
            ));
        }
        (kty, alg) => {
            return Err(AuthError::UnsupportedKeyType(format!(
                "WebAuthn COSE key type {kty} with algorithm {alg}"
            )));
        }
    }
    if int(COSE_EC2_CRV) != Some(COSE_CRV_P256) {
        return Err(AuthError::UnsupportedKeyType(
            "WebAuthn ES256 key on a curve other than P-256".into(),
        ));
    }
    let coordinate = |label: i128, name: &str| match map.get(&Value::Integer(label)) {
        Some(Value::Bytes(b)) if b.len() == 32 => Ok(b.as_slice()),
        _ => Err(bad(&format!("{name} must be 32 bytes"))),
    };
    let x = coordinate(COSE_EC2_X, "x")?;
    let y = coordinate(COSE_EC2_Y, "y")?;
    let mut point = [0u8; 65];
    point[0] = 0x04;
    point[1..33].copy_from_slice(x);
    point[33..].copy_from_slice(y);
    p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
        .map_err(|_| bad("point is not on curve P-256"))
}

#[derive(Deserialize)]
struct WebAuthnSignature {
    authenticator_data: serde_bytes::ByteBuf,
    // `ByteBuf` accepts CBOR byte strings and text strings alike.
    client_data_json: serde_bytes::ByteBuf,
    signature: serde_bytes::ByteBuf,
}

#[derive(Deserialize)]
struct ClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    #[allow(dead_code)]
    origin: String,
}

/// Verifies a WebAuthn assertion `signature` over `message` (see the module
/// documentation for the exact checks).
pub(crate) fn verify(
    key: &p256::ecdsa::VerifyingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), AuthError> {
    let sig: WebAuthnSignature = serde_cbor::from_slice(signature)
        .map_err(|e| malformed(KIND, format!("not a WebAuthn signature map ({e})")))?;
    let client_data: ClientData = serde_json::from_slice(&sig.client_data_json)
        .map_err(|e| AuthError::MalformedClientData(e.to_string()))?;
    if client_data.kind != "webauthn.get" {
        return Err(AuthError::WebAuthnWrongType(client_data.kind));
    }
    if client_data.challenge.trim_end_matches('=') != base64url(message) {
        return Err(AuthError::WebAuthnChallengeMismatch);
    }
    let ecdsa = p256::ecdsa::Signature::from_der(&sig.signature)
        .map_err(|_| malformed(KIND, "the ECDSA signature is not valid DER".into()))?;
    let mut signed = Vec::with_capacity(sig.authenticator_data.len() + 32);
    signed.extend_from_slice(&sig.authenticator_data);
    signed.extend_from_slice(&Sha256::digest(&sig.client_data_json));
    verify_p256(key, &signed, &ecdsa, KIND)
}

/// Base64url without padding (RFC 4648 §5), as WebAuthn encodes challenges.
pub(crate) fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        let sextets = chunk.len() + 1;
        for i in 0..sextets {
            let index = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

/// Encodes an ES256 COSE key for `key` (used to build WebAuthn DER keys).
pub fn cose_key_es256(key: &p256::ecdsa::VerifyingKey) -> Vec<u8> {
    let point = key.to_encoded_point(false);
    let mut map = BTreeMap::new();
    map.insert(Value::Integer(COSE_KTY), Value::Integer(COSE_KTY_EC2));
    map.insert(Value::Integer(COSE_ALG), Value::Integer(COSE_ALG_ES256));
    map.insert(Value::Integer(COSE_EC2_CRV), Value::Integer(COSE_CRV_P256));
    let x = point.x().map(|x| x.to_vec()).unwrap_or_default();
    let y = point.y().map(|y| y.to_vec()).unwrap_or_default();
    map.insert(Value::Integer(COSE_EC2_X), Value::Bytes(x));
    map.insert(Value::Integer(COSE_EC2_Y), Value::Bytes(y));
    serde_cbor::to_vec(&Value::Map(map)).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc_4648_test_vectors_without_padding() {
        let cases: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(base64url(input), expected);
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }
}
