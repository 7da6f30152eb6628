//! The dapp's session public key: a DER `SubjectPublicKeyInfo` of one of the
//! key types the IC accepts for a delegation target — Ed25519 (RFC 8410),
//! ECDSA P-256 or ECDSA secp256k1 (RFC 5480, named curve parameters).
//!
//! The check is structural: algorithm identifier, curve, point encoding and
//! length, no trailing bytes. Whether an ECDSA point lies on its curve is
//! left to the identity manager and the IC, which verify signatures with it.

use thiserror::Error;

use crate::encoding::der::{self, DerError};

/// Longest session key accepted (the identity manager's public key limit).
pub const MAX_SESSION_KEY_LEN: usize = 300;

const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];

/// The kind of a valid session key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Ed25519,
    EcdsaP256,
    EcdsaSecp256k1,
}

/// Why bytes are not a usable session key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SessionKeyError {
    #[error("it is empty")]
    Empty,
    #[error("it is {0} bytes long, more than {MAX_SESSION_KEY_LEN}")]
    TooLong(usize),
    #[error("it is not DER: {0}")]
    Der(#[from] DerError),
    #[error("its algorithm is not Ed25519, ECDSA P-256 or ECDSA secp256k1")]
    UnsupportedAlgorithm,
    #[error("its ECDSA curve is not P-256 or secp256k1")]
    UnsupportedCurve,
    #[error("its public key has the wrong length or encoding for {0:?}")]
    MalformedPoint(KeyKind),
}

/// A structurally valid session public key, kept as its DER bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKey {
    der: Vec<u8>,
    kind: KeyKind,
}

impl SessionKey {
    pub fn parse(der: &[u8]) -> Result<Self, SessionKeyError> {
        if der.is_empty() {
            return Err(SessionKeyError::Empty);
        }
        if der.len() > MAX_SESSION_KEY_LEN {
            return Err(SessionKeyError::TooLong(der.len()));
        }
        let mut outer = der::Reader::new(der);
        let mut spki = der::Reader::new(outer.read(der::TAG_SEQUENCE)?);
        outer.finish()?;
        let mut algorithm = der::Reader::new(spki.read(der::TAG_SEQUENCE)?);
        let key = spki.read_bit_string()?;
        spki.finish()?;

        let oid = algorithm.read(der::TAG_OID)?;
        let kind = if oid == OID_ED25519 {
            KeyKind::Ed25519
        } else if oid == OID_EC_PUBLIC_KEY {
            let curve = algorithm.read(der::TAG_OID)?;
            if curve == OID_P256 {
                KeyKind::EcdsaP256
            } else if curve == OID_SECP256K1 {
                KeyKind::EcdsaSecp256k1
            } else {
                return Err(SessionKeyError::UnsupportedCurve);
            }
        } else {
            return Err(SessionKeyError::UnsupportedAlgorithm);
        };
        algorithm.finish()?;

        let well_formed = match kind {
            KeyKind::Ed25519 => key.len() == 32,
            KeyKind::EcdsaP256 | KeyKind::EcdsaSecp256k1 => match key.first() {
                Some(0x04) => key.len() == 65,
                Some(0x02 | 0x03) => key.len() == 33,
                _ => false,
            },
        };
        if !well_formed {
            return Err(SessionKeyError::MalformedPoint(kind));
        }
        Ok(Self {
            der: der.to_vec(),
            kind,
        })
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn ed25519_spki() -> Vec<u8> {
        der::subject_public_key_info(OID_ED25519, &[0x11; 32])
    }

    /// An ECDSA SPKI with curve `curve` and point `point`.
    pub fn ecdsa_spki(curve: &[u8], point: &[u8]) -> Vec<u8> {
        let mut algorithm = Vec::new();
        der::write(&mut algorithm, der::TAG_OID, OID_EC_PUBLIC_KEY);
        der::write(&mut algorithm, der::TAG_OID, curve);
        let mut bits = vec![0];
        bits.extend_from_slice(point);
        let mut body = Vec::new();
        der::write(&mut body, der::TAG_SEQUENCE, &algorithm);
        der::write(&mut body, der::TAG_BIT_STRING, &bits);
        let mut out = Vec::new();
        der::write(&mut out, der::TAG_SEQUENCE, &body);
        out
    }

    pub fn p256_spki() -> Vec<u8> {
        let mut point = vec![0x04];
        point.extend([0x22; 64]);
        ecdsa_spki(OID_P256, &point)
    }

    #[test]
    fn should_accept_the_three_ic_session_key_types() {
        assert_eq!(
            SessionKey::parse(&ed25519_spki()).map(|k| k.kind()),
            Ok(KeyKind::Ed25519)
        );
        assert_eq!(
            SessionKey::parse(&p256_spki()).map(|k| k.kind()),
            Ok(KeyKind::EcdsaP256)
        );
        let mut compressed = vec![0x03];
        compressed.extend([0x33; 32]);
        assert_eq!(
            SessionKey::parse(&ecdsa_spki(OID_SECP256K1, &compressed)).map(|k| k.kind()),
            Ok(KeyKind::EcdsaSecp256k1)
        );
    }

    #[test]
    fn should_accept_a_key_exported_by_webcrypto() {
        // A P-256 SPKI as `crypto.subtle.exportKey("spki", …)` returns it.
        let exported = crate::passkey::cose::tests::unhex(concat!(
            "3059301306072a8648ce3d020106082a8648ce3d03010703420004",
            "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
        ));
        assert_eq!(
            SessionKey::parse(&exported).map(|k| k.kind()),
            Ok(KeyKind::EcdsaP256)
        );
    }

    #[test]
    fn should_refuse_other_algorithms_and_curves() {
        let rsa_oid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
        assert_eq!(
            SessionKey::parse(&der::subject_public_key_info(&rsa_oid, &[1; 32])),
            Err(SessionKeyError::UnsupportedAlgorithm)
        );
        let p384 = [0x2b, 0x81, 0x04, 0x00, 0x22];
        assert_eq!(
            SessionKey::parse(&ecdsa_spki(&p384, &[0x04; 97])),
            Err(SessionKeyError::UnsupportedCurve)
        );
    }

    #[test]
    fn should_refuse_points_of_the_wrong_shape() {
        assert_eq!(
            SessionKey::parse(&der::subject_public_key_info(OID_ED25519, &[1; 31])),
            Err(SessionKeyError::MalformedPoint(KeyKind::Ed25519))
        );
        assert_eq!(
            SessionKey::parse(&ecdsa_spki(OID_P256, &[0x05; 65])),
            Err(SessionKeyError::MalformedPoint(KeyKind::EcdsaP256))
        );
        assert_eq!(
            SessionKey::parse(&ecdsa_spki(OID_P256, &[0x04; 33])),
            Err(SessionKeyError::MalformedPoint(KeyKind::EcdsaP256))
        );
    }

    #[test]
    fn should_refuse_empty_oversized_and_trailing_input() {
        assert_eq!(SessionKey::parse(&[]), Err(SessionKeyError::Empty));
        assert_eq!(
            SessionKey::parse(&[0x30; 301]),
            Err(SessionKeyError::TooLong(301))
        );
        let mut trailing = ed25519_spki();
        trailing.push(0);
        assert_eq!(
            SessionKey::parse(&trailing),
            Err(SessionKeyError::Der(DerError::TrailingBytes(1)))
        );
    }

    #[test]
    fn should_refuse_every_truncation_of_valid_keys() {
        for key in [ed25519_spki(), p256_spki()] {
            for end in 0..key.len() {
                assert!(
                    SessionKey::parse(&key[..end]).is_err(),
                    "prefix of {end} bytes"
                );
            }
        }
    }
}
