//! A borrowed CBOR (RFC 8949) decoder for what WebAuthn sends: attestation
//! objects and COSE keys. Definite lengths only (CTAP2 canonical CBOR never
//! uses indefinite ones).
//!
//! Invariants: nesting is bounded by [`MAX_DEPTH`]; a declared item count
//! larger than the remaining bytes is rejected before anything is allocated;
//! byte and text strings borrow from the input; nothing panics on any input.

use thiserror::Error;

/// Deepest nesting accepted; COSE keys and attestation objects use three.
pub const MAX_DEPTH: usize = 16;

/// One decoded CBOR item.
#[derive(Debug, Clone, PartialEq)]
pub enum Cbor<'a> {
    Unsigned(u64),
    /// The negative integer `-1 - n`.
    Negative(u64),
    Bytes(&'a [u8]),
    Text(&'a str),
    Array(Vec<Cbor<'a>>),
    Map(Vec<(Cbor<'a>, Cbor<'a>)>),
    Tag(u64, Box<Cbor<'a>>),
    /// Booleans, null, undefined and floats: kept opaque.
    Simple,
}

/// Why bytes are not the CBOR that was expected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CborError {
    #[error("the CBOR ends early")]
    Truncated,
    #[error("the CBOR nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("indefinite-length CBOR is not supported")]
    IndefiniteLength,
    #[error("reserved CBOR additional information {0}")]
    Reserved(u8),
    #[error("a CBOR text string is not UTF-8")]
    InvalidUtf8,
    #[error("{0} bytes follow the CBOR value")]
    TrailingBytes(usize),
}

impl<'a> Cbor<'a> {
    /// The integer value, for unsigned and negative integers.
    pub fn as_integer(&self) -> Option<i128> {
        match *self {
            Cbor::Unsigned(n) => Some(i128::from(n)),
            Cbor::Negative(n) => Some(-1 - i128::from(n)),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            Cbor::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&'a str> {
        match *self {
            Cbor::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The value under an integer key of a map.
    pub fn get_int(&self, key: i128) -> Option<&Cbor<'a>> {
        self.entries()
            .find(|(k, _)| k.as_integer() == Some(key))
            .map(|(_, v)| v)
    }

    /// The value under a text key of a map.
    pub fn get_text(&self, key: &str) -> Option<&Cbor<'a>> {
        self.entries()
            .find(|(k, _)| k.as_text() == Some(key))
            .map(|(_, v)| v)
    }

    fn entries(&self) -> impl Iterator<Item = &(Cbor<'a>, Cbor<'a>)> {
        match self {
            Cbor::Map(entries) => entries.iter(),
            _ => [].iter(),
        }
    }
}

/// Decodes exactly one item spanning all of `bytes`.
pub fn decode(bytes: &[u8]) -> Result<Cbor<'_>, CborError> {
    let (item, used) = decode_prefix(bytes)?;
    match bytes.len() - used {
        0 => Ok(item),
        extra => Err(CborError::TrailingBytes(extra)),
    }
}

/// Decodes the first item of `bytes` and returns it with its length in bytes.
pub fn decode_prefix(bytes: &[u8]) -> Result<(Cbor<'_>, usize), CborError> {
    let mut decoder = Decoder { bytes, pos: 0 };
    let item = decoder.item(0)?;
    Ok((item, decoder.pos))
}

struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
        let end = self.pos.checked_add(n).ok_or(CborError::Truncated)?;
        let slice = self.bytes.get(self.pos..end).ok_or(CborError::Truncated)?;
        self.pos = end;
        Ok(slice)
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn argument(&mut self, info: u8) -> Result<u64, CborError> {
        let width = match info {
            0..=23 => return Ok(u64::from(info)),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            31 => return Err(CborError::IndefiniteLength),
            _ => return Err(CborError::Reserved(info)),
        };
        let bytes = self.take(width)?;
        Ok(bytes.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b)))
    }

    /// A count of items that must each take at least one more byte.
    fn count(&mut self, info: u8, per_item: usize) -> Result<usize, CborError> {
        let n = self.argument(info)?;
        let n = usize::try_from(n).map_err(|_| CborError::Truncated)?;
        if n.saturating_mul(per_item) > self.remaining() {
            return Err(CborError::Truncated);
        }
        Ok(n)
    }

    fn item(&mut self, depth: usize) -> Result<Cbor<'a>, CborError> {
        if depth > MAX_DEPTH {
            return Err(CborError::TooDeep);
        }
        let initial = self.take(1)?[0];
        let (major, info) = (initial >> 5, initial & 0x1f);
        Ok(match major {
            0 => Cbor::Unsigned(self.argument(info)?),
            1 => Cbor::Negative(self.argument(info)?),
            2 => {
                let n = self.count(info, 1)?;
                Cbor::Bytes(self.take(n)?)
            }
            3 => {
                let n = self.count(info, 1)?;
                let text =
                    std::str::from_utf8(self.take(n)?).map_err(|_| CborError::InvalidUtf8)?;
                Cbor::Text(text)
            }
            4 => {
                let n = self.count(info, 1)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.item(depth + 1)?);
                }
                Cbor::Array(items)
            }
            5 => {
                let n = self.count(info, 2)?;
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    let key = self.item(depth + 1)?;
                    let value = self.item(depth + 1)?;
                    entries.push((key, value));
                }
                Cbor::Map(entries)
            }
            6 => {
                let tag = self.argument(info)?;
                Cbor::Tag(tag, Box::new(self.item(depth + 1)?))
            }
            _ => {
                // Simple values and floats: skip their argument bytes.
                match info {
                    0..=24 => {
                        self.argument(info)?;
                    }
                    25 => {
                        self.take(2)?;
                    }
                    26 => {
                        self.take(4)?;
                    }
                    27 => {
                        self.take(8)?;
                    }
                    31 => return Err(CborError::IndefiniteLength),
                    _ => return Err(CborError::Reserved(info)),
                }
                Cbor::Simple
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_decode_a_cose_style_map() {
        // {1: 2, 3: -7, -1: 1, -2: h'0102'}
        let bytes = [
            0xa4, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x42, 0x01, 0x02,
        ];
        let map = decode(&bytes).expect("valid CBOR");
        assert_eq!(map.get_int(1).and_then(Cbor::as_integer), Some(2));
        assert_eq!(map.get_int(3).and_then(Cbor::as_integer), Some(-7));
        assert_eq!(map.get_int(-1).and_then(Cbor::as_integer), Some(1));
        assert_eq!(
            map.get_int(-2).and_then(Cbor::as_bytes),
            Some(&[1u8, 2][..])
        );
    }

    #[test]
    fn should_report_the_length_of_a_prefix() {
        let bytes = [0x82, 0x01, 0x02, 0xff, 0xff];
        let (item, used) = decode_prefix(&bytes).expect("valid prefix");
        assert_eq!(used, 3);
        assert_eq!(
            item,
            Cbor::Array(vec![Cbor::Unsigned(1), Cbor::Unsigned(2)])
        );
        assert_eq!(decode(&bytes), Err(CborError::TrailingBytes(2)));
    }

    #[test]
    fn should_refuse_huge_declared_lengths_without_allocating() {
        let bytes = [0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(decode(&bytes), Err(CborError::Truncated));
        let bytes = [0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(decode(&bytes), Err(CborError::Truncated));
    }

    #[test]
    fn should_refuse_deep_nesting() {
        let bytes = vec![0x81; 1000];
        assert_eq!(decode(&bytes), Err(CborError::TooDeep));
    }

    #[test]
    fn should_refuse_indefinite_lengths() {
        assert_eq!(
            decode(&[0x9f, 0x01, 0xff]),
            Err(CborError::IndefiniteLength)
        );
    }

    #[test]
    fn should_never_panic_on_random_bytes() {
        // xorshift64*: deterministic, so a failure reproduces.
        let mut state = 0xc0de_u64;
        let mut next = move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_f491_4f6c_dd1d)
        };
        for _ in 0..20_000 {
            let len = (next() % 65) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let _ = decode(&bytes);
        }
    }
}
