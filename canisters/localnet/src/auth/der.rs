//! A strict reader for the DER subset that IC public keys use: an X.509
//! `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7), i.e.
//!
//! ```text
//! SEQUENCE { SEQUENCE { OBJECT IDENTIFIER, parameters OPTIONAL }, BIT STRING }
//! ```
//!
//! Only definite, minimally encoded lengths are accepted (DER, X.690 §10.1),
//! the BIT STRING must have no unused bits, and no byte may follow any of the
//! structures. Every access is bounds-checked: arbitrary input yields an error,
//! never a panic.

/// ASN.1 universal tags used here.
const TAG_SEQUENCE: u8 = 0x30;
const TAG_OID: u8 = 0x06;
const TAG_BIT_STRING: u8 = 0x03;

/// One type-length-value element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
}

/// A parsed `SubjectPublicKeyInfo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spki<'a> {
    /// The content bytes of the algorithm OBJECT IDENTIFIER.
    pub algorithm: &'a [u8],
    /// The algorithm parameters, if present.
    pub parameters: Option<Tlv<'a>>,
    /// The BIT STRING's payload (after the "unused bits" byte).
    pub key: &'a [u8],
}

/// Reads one element from the front of `input`; returns it and the rest.
fn read_tlv(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), String> {
    let (&tag, rest) = input.split_first().ok_or("unexpected end of DER input")?;
    if tag & 0x1f == 0x1f {
        return Err("multi-byte DER tags are not used in public keys".into());
    }
    let (&first, rest) = rest.split_first().ok_or("missing DER length")?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81 => {
            let (&b, rest) = rest.split_first().ok_or("truncated DER length")?;
            if b < 0x80 {
                return Err("non-minimal DER length".into());
            }
            (usize::from(b), rest)
        }
        0x82 => {
            let bytes = rest.get(..2).ok_or("truncated DER length")?;
            let len = usize::from(bytes[0]) << 8 | usize::from(bytes[1]);
            if len < 0x100 {
                return Err("non-minimal DER length".into());
            }
            (len, &rest[2..])
        }
        0x80 => return Err("indefinite lengths are not allowed in DER".into()),
        _ => return Err("DER length too large for a public key".into()),
    };
    if rest.len() < len {
        return Err("DER element longer than its input".into());
    }
    let (content, rest) = rest.split_at(len);
    Ok((Tlv { tag, content }, rest))
}

/// Reads exactly one element of the given tag spanning all of `input`.
fn read_only<'a>(input: &'a [u8], tag: u8, what: &str) -> Result<Tlv<'a>, String> {
    let (tlv, rest) = read_tlv(input)?;
    if tlv.tag != tag {
        return Err(format!("expected {what}"));
    }
    if !rest.is_empty() {
        return Err(format!("trailing bytes after {what}"));
    }
    Ok(tlv)
}

/// Parses a DER `SubjectPublicKeyInfo`.
pub fn parse_spki(der: &[u8]) -> Result<Spki<'_>, String> {
    let outer = read_only(der, TAG_SEQUENCE, "a SubjectPublicKeyInfo SEQUENCE")?;
    let (alg_id, rest) = read_tlv(outer.content)?;
    if alg_id.tag != TAG_SEQUENCE {
        return Err("expected an AlgorithmIdentifier SEQUENCE".into());
    }
    let bit_string = read_only(rest, TAG_BIT_STRING, "a BIT STRING")?;

    let (oid, params) = read_tlv(alg_id.content)?;
    if oid.tag != TAG_OID || oid.content.is_empty() {
        return Err("expected an algorithm OBJECT IDENTIFIER".into());
    }
    let parameters = if params.is_empty() {
        None
    } else {
        let (tlv, rest) = read_tlv(params)?;
        if !rest.is_empty() {
            return Err("trailing bytes after the algorithm parameters".into());
        }
        Some(tlv)
    };

    let (&unused_bits, key) = bit_string.content.split_first().ok_or("empty BIT STRING")?;
    if unused_bits != 0 {
        return Err("public key BIT STRING has unused bits".into());
    }
    Ok(Spki {
        algorithm: oid.content,
        parameters,
        key,
    })
}

/// Whether `params` is exactly the OBJECT IDENTIFIER with content `oid`.
pub fn params_are_oid(params: Option<Tlv<'_>>, oid: &[u8]) -> bool {
    matches!(params, Some(Tlv { tag: TAG_OID, content }) if content == oid)
}

/// Encodes a `SubjectPublicKeyInfo` (no parameters when `parameters` is
/// `None`; `parameters` is an OID's content bytes otherwise).
pub fn encode_spki(algorithm: &[u8], parameters: Option<&[u8]>, key: &[u8]) -> Vec<u8> {
    let mut alg = encode_tlv(TAG_OID, algorithm);
    if let Some(p) = parameters {
        alg.extend(encode_tlv(TAG_OID, p));
    }
    let mut bits = Vec::with_capacity(key.len() + 1);
    bits.push(0);
    bits.extend_from_slice(key);
    let mut body = encode_tlv(TAG_SEQUENCE, &alg);
    body.extend(encode_tlv(TAG_BIT_STRING, &bits));
    encode_tlv(TAG_SEQUENCE, &body)
}

fn encode_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        // Keys never exceed 64 KiB; larger inputs are clamped by callers.
        let len = u16::try_from(len).unwrap_or(u16::MAX);
        out.push(0x82);
        out.extend(len.to_be_bytes());
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ED25519_OID: &[u8] = &[0x2b, 0x65, 0x70];

    #[test]
    fn an_encoded_key_parses_back_to_its_parts() {
        let der = encode_spki(ED25519_OID, None, &[7; 32]);
        let spki = parse_spki(&der).unwrap();
        assert_eq!(spki.algorithm, ED25519_OID);
        assert_eq!(spki.parameters, None);
        assert_eq!(spki.key, &[7; 32]);
    }

    #[test]
    fn long_keys_use_long_form_lengths_and_parse_back() {
        for len in [127, 128, 200, 255, 256, 1000] {
            let key = vec![1; len];
            let der = encode_spki(ED25519_OID, Some(&[1, 2, 3]), &key);
            let spki = parse_spki(&der).unwrap();
            assert_eq!(spki.key, &key[..]);
            assert!(params_are_oid(spki.parameters, &[1, 2, 3]));
        }
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        let mut der = encode_spki(ED25519_OID, None, &[7; 32]);
        der.push(0);
        assert!(parse_spki(&der).is_err());
    }

    #[test]
    fn non_minimal_and_indefinite_lengths_are_rejected() {
        // SEQUENCE with length 0x81 0x05 (should be short form).
        assert!(read_tlv(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0]).is_err());
        assert!(read_tlv(&[0x30, 0x82, 0x00, 0x05, 0, 0, 0, 0, 0]).is_err());
        assert!(read_tlv(&[0x30, 0x80, 0, 0]).is_err());
        assert!(read_tlv(&[0x30, 0x84, 0, 0, 0, 1, 0]).is_err());
    }

    #[test]
    fn unused_bits_in_the_key_are_rejected() {
        let mut der = encode_spki(ED25519_OID, None, &[7; 32]);
        let pos = der.len() - 33;
        der[pos] = 1;
        assert!(parse_spki(&der).is_err());
    }

    #[test]
    fn every_truncation_of_a_key_is_rejected_without_panicking() {
        let der = encode_spki(ED25519_OID, Some(&[9; 8]), &[7; 300]);
        for cut in 0..der.len() {
            assert!(parse_spki(&der[..cut]).is_err());
        }
    }
}
