//! COSE public keys (RFC 9052/9053) from WebAuthn, and the IC's DER form of a
//! WebAuthn public key: a `SubjectPublicKeyInfo` whose algorithm is OID
//! 1.3.6.1.4.1.56387.1.1 and whose BIT STRING holds the COSE key bytes exactly
//! as the authenticator produced them (IC interface specification, "Web
//! Authentication").
//!
//! Only ES256 on P-256 is accepted: it is the algorithm Sigil asks for and
//! the one every passkey provider offers.

use thiserror::Error;

use crate::cbor::{self, Cbor, CborError};
use crate::der;

/// Contents of OID 1.3.6.1.4.1.56387.1.1 (DFINITY's "WebAuthn COSE key").
pub const OID_IC_WEBAUTHN: [u8; 10] = [0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb8, 0x43, 0x01, 0x01];

/// COSE algorithm identifier for ECDSA with SHA-256 (ES256).
pub const ALG_ES256: i64 = -7;

const LABEL_KTY: i128 = 1;
const LABEL_ALG: i128 = 3;
const LABEL_CRV: i128 = -1;
const LABEL_X: i128 = -2;
const LABEL_Y: i128 = -3;
const KTY_EC2: i128 = 2;
const CRV_P256: i128 = 1;

/// Why a COSE key is not usable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CoseError {
    #[error("the passkey's public key is not valid CBOR: {0}")]
    Cbor(#[from] CborError),
    #[error("the passkey's public key lacks {0}")]
    Missing(&'static str),
    #[error("the passkey uses an unsupported key type (kty {kty}, alg {alg})")]
    Unsupported { kty: i128, alg: i128 },
    #[error("the passkey's public key has a {0}-byte coordinate, expected 32")]
    CoordinateLength(usize),
}

/// A validated ES256 COSE key, with the bytes it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoseKey {
    bytes: Vec<u8>,
}

impl CoseKey {
    /// Parses and validates `bytes` as one COSE EC2 P-256 ES256 key.
    pub fn parse(bytes: &[u8]) -> Result<Self, CoseError> {
        let map = cbor::decode(bytes)?;
        let int = |label, name| {
            map.get_int(label)
                .and_then(Cbor::as_integer)
                .ok_or(CoseError::Missing(name))
        };
        let kty = int(LABEL_KTY, "a key type")?;
        let alg = int(LABEL_ALG, "an algorithm")?;
        if kty != KTY_EC2 || alg != i128::from(ALG_ES256) {
            return Err(CoseError::Unsupported { kty, alg });
        }
        let crv = int(LABEL_CRV, "a curve")?;
        if crv != CRV_P256 {
            return Err(CoseError::Unsupported { kty, alg });
        }
        for (label, name) in [(LABEL_X, "an x coordinate"), (LABEL_Y, "a y coordinate")] {
            let coordinate = map
                .get_int(label)
                .and_then(Cbor::as_bytes)
                .ok_or(CoseError::Missing(name))?;
            if coordinate.len() != 32 {
                return Err(CoseError::CoordinateLength(coordinate.len()));
            }
        }
        Ok(Self {
            bytes: bytes.to_vec(),
        })
    }

    /// The COSE bytes as the authenticator encoded them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The key's point, SEC1 uncompressed (`0x04 · x · y`), as ECDSA
    /// verifiers take it.
    pub fn sec1_point(&self) -> [u8; 65] {
        let mut point = [0x04; 65];
        if let Ok(map) = cbor::decode(&self.bytes) {
            for (label, range) in [(LABEL_X, 1..33), (LABEL_Y, 33..65)] {
                if let Some(coordinate) = map.get_int(label).and_then(Cbor::as_bytes) {
                    point[range].copy_from_slice(coordinate);
                }
            }
        }
        point
    }

    /// The IC's DER encoding of this WebAuthn public key.
    pub fn to_ic_der(&self) -> Vec<u8> {
        der::subject_public_key_info(&OID_IC_WEBAUTHN, &self.bytes)
    }
}

/// Test vectors, shared with the app's tests.
#[cfg(any(test, feature = "test-vectors"))]
pub mod tests {
    #[cfg(test)]
    use super::*;

    /// A YubiKey's key in the IC's DER form (the same vector the local
    /// network's signature tests use).
    pub const YUBIKEY_IC_DER: &str = "305e300c060a2b0601040183b8430101034e00a5010203262001215820b487d183dc4806058eb31a29bedefd7bcca987b77a381a3684871d8449c183942258202a122cc711a80453678c3032de4b6fff2c86342e82d1e7adb617c4165c43ce5e";

    pub fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }

    pub fn yubikey_cose() -> Vec<u8> {
        unhex(YUBIKEY_IC_DER)[19..].to_vec()
    }

    /// `{1: kty, 3: alg, -1: crv, -2: x, -3: y}` with the given coordinate lengths.
    pub fn cose(kty: u8, alg: u8, crv: u8, x_len: u8, y_len: u8) -> Vec<u8> {
        let mut out = vec![0xa5, 0x01, kty, 0x03, alg, 0x20, crv, 0x21, 0x58, x_len];
        out.extend(std::iter::repeat_n(1, usize::from(x_len)));
        out.extend([0x22, 0x58, y_len]);
        out.extend(std::iter::repeat_n(2, usize::from(y_len)));
        out
    }

    #[test]
    fn should_wrap_a_cose_key_in_the_ic_webauthn_der_form() {
        let key = CoseKey::parse(&yubikey_cose()).expect("valid ES256 key");
        assert_eq!(key.to_ic_der(), unhex(YUBIKEY_IC_DER));
    }

    #[test]
    fn should_give_the_point_of_a_key_found_in_its_der_form() {
        let key = crate::webauthn_cose_key(&unhex(YUBIKEY_IC_DER)).expect("a WebAuthn key");
        let point = key.sec1_point();
        assert_eq!(point[0], 0x04);
        assert_eq!(point[1..33], unhex(YUBIKEY_IC_DER)[29..61]);
        assert_eq!(point[33..], unhex(YUBIKEY_IC_DER)[64..96]);
        let ed25519 = crate::public_key::test_keys::ed25519(1);
        assert!(crate::webauthn_cose_key(&ed25519).is_err());
    }

    #[test]
    fn should_accept_an_es256_p256_key() {
        assert!(CoseKey::parse(&cose(0x02, 0x26, 0x01, 32, 32)).is_ok());
    }

    #[test]
    fn should_refuse_rsa_and_other_curves() {
        // RS256: kty 3, alg -257 does not fit this helper; kty 3 alone is enough.
        assert_eq!(
            CoseKey::parse(&cose(0x03, 0x26, 0x01, 32, 32)),
            Err(CoseError::Unsupported { kty: 3, alg: -7 })
        );
        assert_eq!(
            CoseKey::parse(&cose(0x02, 0x26, 0x02, 32, 32)),
            Err(CoseError::Unsupported { kty: 2, alg: -7 })
        );
        assert_eq!(
            CoseKey::parse(&cose(0x02, 0x27, 0x01, 32, 32)),
            Err(CoseError::Unsupported { kty: 2, alg: -8 })
        );
    }

    #[test]
    fn should_refuse_short_coordinates() {
        assert_eq!(
            CoseKey::parse(&cose(0x02, 0x26, 0x01, 31, 32)),
            Err(CoseError::CoordinateLength(31))
        );
    }

    #[test]
    fn should_refuse_every_truncation_of_a_key() {
        let bytes = yubikey_cose();
        for end in 0..bytes.len() {
            assert!(
                CoseKey::parse(&bytes[..end]).is_err(),
                "prefix of {end} bytes"
            );
        }
    }
}
