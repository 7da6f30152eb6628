//! Structural checks of DER `SubjectPublicKeyInfo` public keys (RFC 5280
//! §4.1.2.7), for the key kinds the IC accepts as request signers (IC
//! interface specification, "Signatures"):
//!
//! - Ed25519 (RFC 8410): OID 1.3.101.112, no parameters, 32-byte key;
//! - ECDSA (RFC 5480): OID 1.2.840.10045.2.1 with curve P-256
//!   (1.2.840.10045.3.1.7) or secp256k1 (1.3.132.0.10), SEC1 point of 65
//!   (uncompressed) or 33 (compressed) bytes;
//! - WebAuthn: OID 1.3.6.1.4.1.56387.1.1, no parameters, a CBOR COSE key.
//!
//! The parser reads with bounds-checked slices only: any byte string gives
//! `Ok` or `Err`, never a panic. Points are not checked to lie on their
//! curve; the IC rejects such a key when it verifies a signature.

use sigil_api::identity_manager::KeyType;

const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];
const OID_WEBAUTHN: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb8, 0x43, 0x01, 0x01];

const TAG_SEQUENCE: u8 = 0x30;
const TAG_OID: u8 = 0x06;
const TAG_BIT_STRING: u8 = 0x03;

/// Reads one DER element (tag, definite length, content) from the front.
fn element(input: &[u8]) -> Result<(u8, &[u8], &[u8]), &'static str> {
    let (&tag, rest) = input.split_first().ok_or("truncated")?;
    let (&first, rest) = rest.split_first().ok_or("truncated")?;
    let (length, rest) = match first {
        0x00..=0x7f => (usize::from(first), rest),
        0x81 => {
            let (&len, rest) = rest.split_first().ok_or("truncated")?;
            if len < 0x80 {
                return Err("length not minimally encoded");
            }
            (usize::from(len), rest)
        }
        0x82 => {
            let bytes = rest.get(..2).ok_or("truncated")?;
            let len = usize::from(bytes[0]) << 8 | usize::from(bytes[1]);
            if len < 0x100 {
                return Err("length not minimally encoded");
            }
            (len, rest.get(2..).ok_or("truncated")?)
        }
        _ => return Err("unsupported length encoding"),
    };
    let content = rest.get(..length).ok_or("truncated")?;
    let rest = rest.get(length..).ok_or("truncated")?;
    Ok((tag, content, rest))
}

fn expect<'a>(
    input: &'a [u8],
    tag: u8,
    what: &'static str,
) -> Result<(&'a [u8], &'a [u8]), &'static str> {
    let (found, content, rest) = element(input)?;
    if found != tag {
        return Err(what);
    }
    Ok((content, rest))
}

/// The kind of key `der` holds, or why it is not a supported public key.
pub fn key_type(der: &[u8]) -> Result<KeyType, &'static str> {
    let (spki, rest) = expect(der, TAG_SEQUENCE, "not a DER sequence")?;
    if !rest.is_empty() {
        return Err("trailing bytes after the key");
    }
    let (algorithm, rest) = expect(spki, TAG_SEQUENCE, "missing algorithm identifier")?;
    let (bits, rest) = expect(rest, TAG_BIT_STRING, "missing key bit string")?;
    if !rest.is_empty() {
        return Err("trailing bytes in the key");
    }
    let (&unused_bits, key) = bits.split_first().ok_or("empty key bit string")?;
    if unused_bits != 0 {
        return Err("key bit string is not whole bytes");
    }
    let (oid, parameters) = expect(algorithm, TAG_OID, "missing algorithm OID")?;
    match oid {
        OID_ED25519 => {
            no_parameters(parameters)?;
            if key.len() != 32 {
                return Err("an Ed25519 key is 32 bytes");
            }
            Ok(KeyType::Ed25519)
        }
        OID_EC_PUBLIC_KEY => {
            let (curve, rest) = expect(parameters, TAG_OID, "missing curve OID")?;
            if !rest.is_empty() {
                return Err("trailing algorithm parameters");
            }
            let key_type = match curve {
                OID_P256 => KeyType::P256,
                OID_SECP256K1 => KeyType::Secp256k1,
                _ => return Err("unsupported elliptic curve"),
            };
            match key {
                [0x04, point @ ..] if point.len() == 64 => Ok(key_type),
                [0x02 | 0x03, x @ ..] if x.len() == 32 => Ok(key_type),
                _ => Err("not a SEC1 point on a 256-bit curve"),
            }
        }
        OID_WEBAUTHN => {
            no_parameters(parameters)?;
            match key.first() {
                // CBOR major type 5 (map): a COSE_Key (RFC 9052 §7).
                Some(0xa0..=0xbf) => Ok(KeyType::WebAuthn),
                _ => Err("a WebAuthn key must hold a COSE key (a CBOR map)"),
            }
        }
        _ => Err("unsupported key algorithm"),
    }
}

fn no_parameters(parameters: &[u8]) -> Result<(), &'static str> {
    if parameters.is_empty() {
        Ok(())
    } else {
        Err("unexpected algorithm parameters")
    }
}

#[cfg(test)]
pub mod test_keys {
    //! Well-formed DER keys for tests (the points are arbitrary bytes).

    pub fn ed25519(seed: u8) -> Vec<u8> {
        let mut der = vec![
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
        ];
        der.extend([seed; 32]);
        der
    }

    pub fn p256(seed: u8) -> Vec<u8> {
        let mut der = vec![
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
        ];
        der.extend([seed; 64]);
        der
    }

    pub fn secp256k1(seed: u8) -> Vec<u8> {
        let mut der = vec![
            0x30, 0x56, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a, 0x03, 0x42, 0x00, 0x04,
        ];
        der.extend([seed; 64]);
        der
    }

    /// A WebAuthn key wrapping a COSE EC2 P-256 key (77 bytes of CBOR).
    pub fn webauthn(seed: u8) -> Vec<u8> {
        let mut cose = vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20];
        cose.extend([seed; 32]);
        cose.extend([0x22, 0x58, 0x20]);
        cose.extend([seed; 32]);
        let mut der = vec![0x30, 0x5e, 0x30, 0x0c, 0x06, 0x0a];
        der.extend([0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb8, 0x43, 0x01, 0x01]);
        der.extend([0x03, 0x4e, 0x00]);
        der.extend(cose);
        der
    }
}

#[cfg(test)]
mod tests {
    use super::test_keys::*;
    use super::*;

    #[test]
    fn should_recognise_every_supported_key_type() {
        assert_eq!(key_type(&ed25519(1)), Ok(KeyType::Ed25519));
        assert_eq!(key_type(&p256(1)), Ok(KeyType::P256));
        assert_eq!(key_type(&secp256k1(1)), Ok(KeyType::Secp256k1));
        assert_eq!(key_type(&webauthn(1)), Ok(KeyType::WebAuthn));
    }

    #[test]
    fn should_accept_a_compressed_ecdsa_point() {
        let mut der = vec![
            0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00, 0x02,
        ];
        der.extend([9; 32]);
        assert_eq!(key_type(&der), Ok(KeyType::P256));
    }

    #[test]
    fn should_refuse_truncated_keys_at_every_length() {
        for key in [ed25519(1), p256(1), secp256k1(1), webauthn(1)] {
            for len in 0..key.len() {
                assert!(key_type(&key[..len]).is_err(), "{len}");
            }
        }
    }

    #[test]
    fn should_refuse_trailing_bytes() {
        let mut key = ed25519(1);
        key.push(0);
        assert!(key_type(&key).is_err());
    }

    #[test]
    fn should_refuse_unknown_algorithms_and_curves() {
        let mut rsa_like = ed25519(1);
        rsa_like[8] = 0x71;
        assert_eq!(key_type(&rsa_like), Err("unsupported key algorithm"));
        let mut other_curve = p256(1);
        other_curve[22] = 0x08;
        assert_eq!(key_type(&other_curve), Err("unsupported elliptic curve"));
    }

    #[test]
    fn should_parse_long_form_lengths() {
        // A WebAuthn key whose COSE part is 200 bytes: lengths need 0x81.
        let mut cose = vec![0xa1];
        cose.extend([0; 199]);
        let mut bits = vec![0x03, 0x81, 201, 0x00];
        bits.extend(cose);
        let mut inner = vec![0x30, 0x0c, 0x06, 0x0a];
        inner.extend([0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb8, 0x43, 0x01, 0x01]);
        inner.extend(bits);
        let mut der = vec![0x30, 0x81, inner.len() as u8];
        der.extend(inner);
        assert_eq!(key_type(&der), Ok(KeyType::WebAuthn));
    }
}
