//! The small part of DER (X.690) that public keys need: reading definite
//! length TLVs and writing `SEQUENCE`, `OBJECT IDENTIFIER` and `BIT STRING`.
//!
//! Invariants: the reader never reads past its input, accepts only the
//! minimal (DER) length encodings up to four length bytes, and reports every
//! problem as a [`DerError`]; nothing here panics on any input.

use thiserror::Error;

pub const TAG_BIT_STRING: u8 = 0x03;
pub const TAG_NULL: u8 = 0x05;
pub const TAG_OID: u8 = 0x06;
pub const TAG_SEQUENCE: u8 = 0x30;

/// Why bytes are not the DER that was expected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DerError {
    #[error("the DER ends early")]
    Truncated,
    #[error("expected DER tag {expected:#04x}, found {found:#04x}")]
    UnexpectedTag { expected: u8, found: u8 },
    #[error("the DER length is not minimally encoded")]
    NonMinimalLength,
    #[error("the DER length is too large")]
    LengthTooLarge,
    #[error("{0} bytes follow the DER value")]
    TrailingBytes(usize),
    #[error("the BIT STRING has unused bits")]
    UnusedBits,
}

/// A cursor over DER bytes.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// Reads one TLV with tag `tag` and returns its contents.
    pub fn read(&mut self, tag: u8) -> Result<&'a [u8], DerError> {
        let (&found, after_tag) = self.rest.split_first().ok_or(DerError::Truncated)?;
        if found != tag {
            return Err(DerError::UnexpectedTag {
                expected: tag,
                found,
            });
        }
        let (len, after_len) = read_length(after_tag)?;
        if after_len.len() < len {
            return Err(DerError::Truncated);
        }
        let (contents, rest) = after_len.split_at(len);
        self.rest = rest;
        Ok(contents)
    }

    /// The tag of the next TLV, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads a BIT STRING without unused bits and returns its bytes.
    pub fn read_bit_string(&mut self) -> Result<&'a [u8], DerError> {
        let contents = self.read(TAG_BIT_STRING)?;
        match contents.split_first() {
            Some((0, bits)) => Ok(bits),
            Some(_) => Err(DerError::UnusedBits),
            None => Err(DerError::Truncated),
        }
    }

    /// Fails unless every byte was read.
    pub fn finish(self) -> Result<(), DerError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DerError::TrailingBytes(self.rest.len()))
        }
    }
}

fn read_length(bytes: &[u8]) -> Result<(usize, &[u8]), DerError> {
    let (&first, rest) = bytes.split_first().ok_or(DerError::Truncated)?;
    if first < 0x80 {
        return Ok((usize::from(first), rest));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return Err(DerError::LengthTooLarge);
    }
    if rest.len() < count {
        return Err(DerError::Truncated);
    }
    let (len_bytes, rest) = rest.split_at(count);
    if len_bytes[0] == 0 {
        return Err(DerError::NonMinimalLength);
    }
    let len = len_bytes
        .iter()
        .fold(0usize, |len, &byte| (len << 8) | usize::from(byte));
    if len < 0x80 {
        return Err(DerError::NonMinimalLength);
    }
    Ok((len, rest))
}

/// Appends one TLV to `out`.
pub fn write(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
}

/// `SubjectPublicKeyInfo` with algorithm `oid` (its encoded contents) and no
/// parameters, holding `key` in its BIT STRING.
pub fn subject_public_key_info(oid: &[u8], key: &[u8]) -> Vec<u8> {
    let mut algorithm = Vec::with_capacity(oid.len() + 2);
    write(&mut algorithm, TAG_OID, oid);
    let mut bits = Vec::with_capacity(key.len() + 1);
    bits.push(0);
    bits.extend_from_slice(key);
    let mut body = Vec::with_capacity(algorithm.len() + bits.len() + 8);
    write(&mut body, TAG_SEQUENCE, &algorithm);
    write(&mut body, TAG_BIT_STRING, &bits);
    let mut out = Vec::with_capacity(body.len() + 4);
    write(&mut out, TAG_SEQUENCE, &body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_write_short_and_long_lengths_minimally() {
        let mut out = Vec::new();
        write(&mut out, TAG_SEQUENCE, &[0; 3]);
        assert_eq!(out, [0x30, 3, 0, 0, 0]);
        let mut out = Vec::new();
        write(&mut out, TAG_SEQUENCE, &[0; 200]);
        assert_eq!(&out[..3], [0x30, 0x81, 200]);
        let mut out = Vec::new();
        write(&mut out, TAG_SEQUENCE, &[0; 300]);
        assert_eq!(&out[..4], [0x30, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn should_read_back_what_it_writes() {
        for len in [0usize, 1, 127, 128, 255, 256, 1000] {
            let contents = vec![7u8; len];
            let mut out = Vec::new();
            write(&mut out, TAG_OID, &contents);
            let mut reader = Reader::new(&out);
            assert_eq!(reader.read(TAG_OID), Ok(&contents[..]));
            assert_eq!(reader.finish(), Ok(()));
        }
    }

    #[test]
    fn should_reject_non_minimal_lengths() {
        assert_eq!(
            Reader::new(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0]).read(TAG_SEQUENCE),
            Err(DerError::NonMinimalLength)
        );
        assert_eq!(
            Reader::new(&[0x30, 0x82, 0x00, 0x85]).read(TAG_SEQUENCE),
            Err(DerError::NonMinimalLength)
        );
    }

    #[test]
    fn should_reject_lengths_beyond_the_input() {
        assert_eq!(
            Reader::new(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).read(TAG_SEQUENCE),
            Err(DerError::Truncated)
        );
        assert_eq!(
            Reader::new(&[0x30, 0x88, 1, 2, 3, 4, 5, 6, 7, 8]).read(TAG_SEQUENCE),
            Err(DerError::LengthTooLarge)
        );
    }

    #[test]
    fn should_survive_every_truncation_of_a_key() {
        let spki = subject_public_key_info(&[0x2b, 0x65, 0x70], &[9; 32]);
        for end in 0..spki.len() {
            let mut reader = Reader::new(&spki[..end]);
            assert!(reader.read(TAG_SEQUENCE).is_err(), "prefix of {end} bytes");
        }
    }
}
