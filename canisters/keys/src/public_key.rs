//! DER `SubjectPublicKeyInfo` public keys (RFC 5280 §4.1.2.7) of the kinds
//! the IC verifies signatures with (IC interface specification,
//! "Signatures"):
//!
//! - Ed25519 (RFC 8410): OID 1.3.101.112, no parameters, a 32-byte key;
//! - ECDSA (RFC 5480): OID 1.2.840.10045.2.1 with the named curve P-256
//!   (1.2.840.10045.3.1.7) or secp256k1 (1.3.132.0.10) as parameter, and an
//!   *uncompressed* SEC1 point (65 bytes, `0x04` first). The IC refuses
//!   compressed points, so a key holding one could never sign anything;
//! - WebAuthn: OID 1.3.6.1.4.1.56387.1.1, no parameters, a COSE ES256 key on
//!   P-256 ([`crate::cose`]), the only COSE key Sigil's passkeys are made
//!   with.
//!
//! The check is structural: algorithm identifier, curve, point encoding and
//! length, no trailing bytes. Whether a point lies on its curve is left to
//! the IC: a device must sign before it is stored (the identity manager
//! only adds a key that has signed a call), so an off-curve key never is.
//!
//! Every input gives `Ok` or a typed [`KeyError`]; nothing here panics.

use thiserror::Error;

use crate::cose::{CoseError, CoseKey, OID_IC_WEBAUTHN};
use crate::der::{self, DerError};

/// Longest DER public key accepted anywhere (a device's key or a session
/// key), in bytes. Internet Identity uses the same limit.
pub const MAX_PUBLIC_KEY_LEN: usize = 300;

pub const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
pub const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
pub const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
pub const OID_SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];

/// The kind of a valid public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    Ed25519,
    EcdsaP256,
    EcdsaSecp256k1,
    /// A passkey: a COSE ES256 key in the IC's WebAuthn DER form.
    WebAuthn,
}

impl KeyKind {
    fn name(self) -> &'static str {
        match self {
            KeyKind::Ed25519 => "Ed25519",
            KeyKind::EcdsaP256 => "ECDSA P-256",
            KeyKind::EcdsaSecp256k1 => "ECDSA secp256k1",
            KeyKind::WebAuthn => "WebAuthn",
        }
    }
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why bytes are not a public key the IC can verify signatures with.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    #[error("it is empty")]
    Empty,
    #[error("it is {0} bytes long, more than {MAX_PUBLIC_KEY_LEN}")]
    TooLong(usize),
    #[error("it is not DER: {0}")]
    Der(#[from] DerError),
    #[error("its algorithm is not Ed25519, ECDSA P-256, ECDSA secp256k1 or WebAuthn")]
    UnsupportedAlgorithm,
    #[error("its ECDSA curve is not P-256 or secp256k1")]
    UnsupportedCurve,
    #[error("its {0} point is compressed; the Internet Computer needs it uncompressed")]
    CompressedPoint(KeyKind),
    #[error("its {0} key has the wrong length or encoding")]
    MalformedPoint(KeyKind),
    #[error("{0}")]
    Cose(#[from] CoseError),
}

/// A structurally valid public key, kept as its DER bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    der: Vec<u8>,
    kind: KeyKind,
}

impl PublicKey {
    pub fn parse(der: &[u8]) -> Result<Self, KeyError> {
        let kind = kind_of(der)?;
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

/// The kind of key `der` holds, or why it is not one the IC verifies.
/// The COSE key inside the IC's DER encoding of a WebAuthn public key.
pub fn webauthn_cose_key(der: &[u8]) -> Result<CoseKey, KeyError> {
    if kind_of(der)? != KeyKind::WebAuthn {
        return Err(KeyError::UnsupportedAlgorithm);
    }
    let mut outer = der::Reader::new(der);
    let mut spki = der::Reader::new(outer.read(der::TAG_SEQUENCE)?);
    spki.read(der::TAG_SEQUENCE)?;
    Ok(CoseKey::parse(spki.read_bit_string()?)?)
}

pub fn kind_of(der: &[u8]) -> Result<KeyKind, KeyError> {
    if der.is_empty() {
        return Err(KeyError::Empty);
    }
    if der.len() > MAX_PUBLIC_KEY_LEN {
        return Err(KeyError::TooLong(der.len()));
    }
    let mut outer = der::Reader::new(der);
    let mut spki = der::Reader::new(outer.read(der::TAG_SEQUENCE)?);
    outer.finish()?;
    let mut algorithm = der::Reader::new(spki.read(der::TAG_SEQUENCE)?);
    let key = spki.read_bit_string()?;
    spki.finish()?;

    let oid = algorithm.read(der::TAG_OID)?;
    let kind = match oid {
        OID_ED25519 => KeyKind::Ed25519,
        OID_EC_PUBLIC_KEY => match algorithm.read(der::TAG_OID)? {
            OID_P256 => KeyKind::EcdsaP256,
            OID_SECP256K1 => KeyKind::EcdsaSecp256k1,
            _ => return Err(KeyError::UnsupportedCurve),
        },
        _ if oid == OID_IC_WEBAUTHN => KeyKind::WebAuthn,
        _ => return Err(KeyError::UnsupportedAlgorithm),
    };
    algorithm.finish()?;

    match kind {
        KeyKind::Ed25519 if key.len() == 32 => Ok(kind),
        KeyKind::EcdsaP256 | KeyKind::EcdsaSecp256k1 => match key {
            [0x04, point @ ..] if point.len() == 64 => Ok(kind),
            [0x02 | 0x03, x @ ..] if x.len() == 32 => Err(KeyError::CompressedPoint(kind)),
            _ => Err(KeyError::MalformedPoint(kind)),
        },
        KeyKind::WebAuthn => CoseKey::parse(key).map(|_| kind).map_err(KeyError::from),
        KeyKind::Ed25519 => Err(KeyError::MalformedPoint(kind)),
    }
}

/// Well-formed DER keys for tests (the points are arbitrary bytes).
#[cfg(any(test, feature = "test-vectors"))]
pub mod test_keys {
    use super::*;
    use crate::cose::tests::cose;

    pub fn ed25519(seed: u8) -> Vec<u8> {
        der::subject_public_key_info(OID_ED25519, &[seed; 32])
    }

    /// An ECDSA SPKI with curve `curve` and point `point`.
    pub fn ecdsa(curve: &[u8], point: &[u8]) -> Vec<u8> {
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

    fn uncompressed(seed: u8) -> Vec<u8> {
        let mut point = vec![0x04];
        point.extend([seed; 64]);
        point
    }

    fn compressed(seed: u8) -> Vec<u8> {
        let mut point = vec![0x02];
        point.extend([seed; 32]);
        point
    }

    pub fn p256(seed: u8) -> Vec<u8> {
        ecdsa(OID_P256, &uncompressed(seed))
    }

    pub fn secp256k1(seed: u8) -> Vec<u8> {
        ecdsa(OID_SECP256K1, &uncompressed(seed))
    }

    pub fn compressed_p256(seed: u8) -> Vec<u8> {
        ecdsa(OID_P256, &compressed(seed))
    }

    pub fn compressed_secp256k1(seed: u8) -> Vec<u8> {
        ecdsa(OID_SECP256K1, &compressed(seed))
    }

    /// The IC's WebAuthn DER form of `cose` bytes (valid or not).
    pub fn webauthn_wrapping(cose: &[u8]) -> Vec<u8> {
        der::subject_public_key_info(&OID_IC_WEBAUTHN, cose)
    }

    /// A WebAuthn key wrapping a COSE ES256 P-256 key.
    pub fn webauthn(seed: u8) -> Vec<u8> {
        let mut key = cose(0x02, 0x26, 0x01, 32, 32);
        let last = key.len() - 1;
        key[last] = seed;
        webauthn_wrapping(&key)
    }

    /// WebAuthn keys the IC refuses: an empty COSE map, a COSE key on
    /// another curve, with another algorithm, an RSA key, no map at all.
    pub fn unusable_webauthn() -> Vec<(&'static str, Vec<u8>)> {
        vec![
            ("COSE {}", webauthn_wrapping(&[0xa0])),
            (
                "COSE on P-384",
                webauthn_wrapping(&cose(0x02, 0x26, 0x02, 32, 32)),
            ),
            (
                "COSE EdDSA",
                webauthn_wrapping(&cose(0x02, 0x27, 0x01, 32, 32)),
            ),
            (
                "COSE RSA",
                webauthn_wrapping(&cose(0x03, 0x26, 0x01, 32, 32)),
            ),
            ("not a map", webauthn_wrapping(&[0x01])),
        ]
    }

    /// Every key above that the IC refuses, with a name for messages.
    pub fn unusable() -> Vec<(&'static str, Vec<u8>)> {
        let mut keys = vec![
            ("compressed P-256", compressed_p256(1)),
            ("compressed secp256k1", compressed_secp256k1(1)),
        ];
        keys.extend(unusable_webauthn());
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::test_keys::*;
    use super::*;

    #[test]
    fn should_recognise_every_supported_key_kind() {
        assert_eq!(kind_of(&ed25519(1)), Ok(KeyKind::Ed25519));
        assert_eq!(kind_of(&p256(1)), Ok(KeyKind::EcdsaP256));
        assert_eq!(kind_of(&secp256k1(1)), Ok(KeyKind::EcdsaSecp256k1));
        assert_eq!(kind_of(&webauthn(1)), Ok(KeyKind::WebAuthn));
    }

    #[test]
    fn should_accept_a_key_exported_by_webcrypto() {
        // A P-256 SPKI as `crypto.subtle.exportKey("spki", …)` returns it.
        let exported = crate::cose::tests::unhex(concat!(
            "3059301306072a8648ce3d020106082a8648ce3d03010703420004",
            "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
        ));
        assert_eq!(kind_of(&exported), Ok(KeyKind::EcdsaP256));
    }

    #[test]
    fn should_accept_a_real_passkey() {
        let yubikey = crate::cose::tests::unhex(crate::cose::tests::YUBIKEY_IC_DER);
        assert_eq!(kind_of(&yubikey), Ok(KeyKind::WebAuthn));
    }

    #[test]
    fn should_refuse_compressed_points() {
        assert_eq!(
            kind_of(&compressed_p256(1)),
            Err(KeyError::CompressedPoint(KeyKind::EcdsaP256))
        );
        assert_eq!(
            kind_of(&compressed_secp256k1(1)),
            Err(KeyError::CompressedPoint(KeyKind::EcdsaSecp256k1))
        );
    }

    #[test]
    fn should_refuse_every_cose_key_but_es256_on_p256() {
        for (name, key) in unusable_webauthn() {
            assert!(
                matches!(kind_of(&key), Err(KeyError::Cose(_))),
                "{name}: {:?}",
                kind_of(&key)
            );
        }
    }

    #[test]
    fn should_refuse_other_algorithms_and_curves() {
        let rsa_oid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
        assert_eq!(
            kind_of(&der::subject_public_key_info(&rsa_oid, &[1; 32])),
            Err(KeyError::UnsupportedAlgorithm)
        );
        let p384 = [0x2b, 0x81, 0x04, 0x00, 0x22];
        assert_eq!(
            kind_of(&ecdsa(&p384, &[0x04; 97])),
            Err(KeyError::UnsupportedCurve)
        );
    }

    #[test]
    fn should_refuse_points_of_the_wrong_shape() {
        assert_eq!(
            kind_of(&der::subject_public_key_info(OID_ED25519, &[1; 31])),
            Err(KeyError::MalformedPoint(KeyKind::Ed25519))
        );
        assert_eq!(
            kind_of(&ecdsa(OID_P256, &[0x05; 65])),
            Err(KeyError::MalformedPoint(KeyKind::EcdsaP256))
        );
        assert_eq!(
            kind_of(&ecdsa(OID_P256, &[0x04; 33])),
            Err(KeyError::MalformedPoint(KeyKind::EcdsaP256))
        );
    }

    #[test]
    fn should_refuse_parameters_where_none_belong() {
        let mut algorithm = Vec::new();
        der::write(&mut algorithm, der::TAG_OID, OID_ED25519);
        der::write(&mut algorithm, der::TAG_NULL, &[]);
        let mut body = Vec::new();
        der::write(&mut body, der::TAG_SEQUENCE, &algorithm);
        der::write(&mut body, der::TAG_BIT_STRING, &[0; 33]);
        let mut key = Vec::new();
        der::write(&mut key, der::TAG_SEQUENCE, &body);
        assert!(matches!(kind_of(&key), Err(KeyError::Der(_))));
    }

    #[test]
    fn should_refuse_empty_oversized_and_trailing_input() {
        assert_eq!(kind_of(&[]), Err(KeyError::Empty));
        assert_eq!(kind_of(&[0x30; 301]), Err(KeyError::TooLong(301)));
        let mut trailing = ed25519(1);
        trailing.push(0);
        assert_eq!(
            kind_of(&trailing),
            Err(KeyError::Der(DerError::TrailingBytes(1)))
        );
    }

    #[test]
    fn should_refuse_every_truncation_of_valid_keys() {
        for key in [ed25519(1), p256(1), secp256k1(1), webauthn(1)] {
            for end in 0..key.len() {
                assert!(kind_of(&key[..end]).is_err(), "prefix of {end} bytes");
            }
        }
    }
}
