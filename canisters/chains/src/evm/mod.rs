//! EVM accounts: the address of a secp256k1 key is the last 20 bytes of
//! Keccak-256 of its uncompressed point (without the `0x04` prefix), the
//! same on every EVM chain; its text is EIP-55 mixed-case hexadecimal,
//! whose letter cases carry a checksum.
//!
//! - [`message`]: EIP-191 `personal_sign` messages;
//! - [`typed_data`]: EIP-712 typed data;
//! - [`transaction`]: EIP-1559 and legacy transactions, with [`calls`]
//!   for the contract calls a review can read;
//! - [`quantity`]: numbers as requests write them and people read them;
//! - [`signature`]: low-`s` recoverable signatures.

mod calls;
#[cfg(any(test, feature = "test-vectors"))]
pub mod examples;
mod message;
pub mod quantity;
mod signature;
pub mod transaction;
pub mod typed_data;

use std::fmt;

use k256::PublicKey;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use sha3::{Digest, Keccak256};

use crate::ChainError;

pub use message::{personal_message_bytes, personal_message_hash};
pub use signature::RecoverableSignature;
pub use transaction::{SignedTransaction, Transaction, UnsignedTransaction, transaction};
pub use typed_data::{TypedData, typed_data};

/// Keccak-256 (the pre-standard SHA-3 that Ethereum uses).
pub fn keccak256(bytes: &[u8]) -> [u8; 32] {
    Keccak256::digest(bytes).into()
}

/// An EVM account address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address(pub [u8; 20]);

impl Address {
    /// The address of a secp256k1 public key in SEC1 form (compressed or
    /// not).
    pub fn from_public_key(sec1: &[u8]) -> Result<Self, ChainError> {
        let key = PublicKey::from_sec1_bytes(sec1).map_err(|_| ChainError::InvalidSecp256k1Key)?;
        let point = key.to_encoded_point(false);
        let hash = keccak256(&point.as_bytes()[1..]);
        let mut address = [0; 20];
        address.copy_from_slice(&hash[12..]);
        Ok(Self(address))
    }

    /// Reads `0x` and 40 hexadecimal digits. All-lower or all-upper case
    /// digits carry no checksum and are taken as they are; mixed case must
    /// match the EIP-55 checksum.
    pub fn parse(text: &str) -> Result<Self, ChainError> {
        let digits = text
            .strip_prefix("0x")
            .filter(|digits| digits.len() == 40)
            .ok_or(ChainError::MalformedAddress)?;
        let mut address = [0; 20];
        hex::decode_to_slice(digits, &mut address).map_err(|_| ChainError::MalformedAddress)?;
        let address = Self(address);
        let has_lower = digits.bytes().any(|c| c.is_ascii_lowercase());
        let has_upper = digits.bytes().any(|c| c.is_ascii_uppercase());
        if has_lower && has_upper && address.to_checksummed()[2..] != *digits {
            return Err(ChainError::BadChecksum);
        }
        Ok(address)
    }

    /// The EIP-55 text: `0x`, then each hexadecimal letter upper case where
    /// the matching nibble of Keccak-256 of the lower-case digits is 8 or
    /// more.
    pub fn to_checksummed(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let lower: Vec<u8> = self
            .0
            .iter()
            .flat_map(|byte| {
                [
                    DIGITS[usize::from(byte >> 4)],
                    DIGITS[usize::from(byte & 15)],
                ]
            })
            .collect();
        let hash = keccak256(&lower);
        let mut text = String::with_capacity(42);
        text.push_str("0x");
        for (i, &digit) in lower.iter().enumerate() {
            let nibble = if i % 2 == 0 {
                hash[i / 2] >> 4
            } else {
                hash[i / 2] & 15
            };
            text.push(char::from(if nibble >= 8 {
                digit.to_ascii_uppercase()
            } else {
                digit
            }));
        }
        text
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_checksummed())
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples of EIP-55.
    const EIP55: [&str; 8] = [
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ];

    #[test]
    fn should_write_the_eip55_examples() {
        for text in EIP55 {
            let address = Address::parse(text).expect("a valid address");
            assert_eq!(address.to_checksummed(), text);
        }
    }

    #[test]
    fn should_derive_the_address_of_the_secret_key_one() {
        // The generator point is the public key of the secret key 1; its
        // address is a well-known one.
        let generator =
            hex::decode("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
                .expect("hex");
        let address = Address::from_public_key(&generator).expect("a key");
        assert_eq!(
            address.to_string(),
            "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
        );
        let uncompressed = k256::PublicKey::from_sec1_bytes(&generator)
            .expect("a key")
            .to_encoded_point(false);
        assert_eq!(
            Address::from_public_key(uncompressed.as_bytes()),
            Ok(address),
            "compressed and uncompressed forms give one address"
        );
    }

    #[test]
    fn should_refuse_a_broken_checksum_and_malformed_text() {
        assert_eq!(
            Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"),
            Err(ChainError::BadChecksum)
        );
        for text in [
            "",
            "0x",
            "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA\u{e9}",
        ] {
            assert_eq!(
                Address::parse(text),
                Err(ChainError::MalformedAddress),
                "{text:?}"
            );
        }
    }

    #[test]
    fn should_refuse_keys_off_the_curve() {
        // x = 2^256 - 1 is larger than the field; the others are no SEC1.
        let mut too_large = [0xff; 33];
        too_large[0] = 2;
        for key in [&[][..], &too_large[..], &[4; 65][..], &[0; 33][..]] {
            assert_eq!(
                Address::from_public_key(key),
                Err(ChainError::InvalidSecp256k1Key)
            );
        }
    }
}
