//! Solana accounts: an address is the account's 32-byte Ed25519 public key
//! in base58 (Bitcoin's alphabet, no checksum).

use crate::ChainError;

/// The base58 address of an Ed25519 public key.
pub fn address(ed25519_public_key: &[u8]) -> Result<String, ChainError> {
    let key: &[u8; 32] = ed25519_public_key
        .try_into()
        .map_err(|_| ChainError::InvalidEd25519Key)?;
    Ok(bs58::encode(key).into_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_write_the_system_programs_address_for_the_zero_key() {
        assert_eq!(
            address(&[0; 32]).as_deref(),
            Ok("11111111111111111111111111111111")
        );
    }

    #[test]
    fn should_write_an_ed25519_key_in_base58() {
        // RFC 8032, section 7.1, TEST 1: the public key, and its base58 text
        // computed independently of this crate.
        let key = hex::decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
            .expect("hex");
        assert_eq!(
            address(&key).as_deref(),
            Ok("FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z")
        );
    }

    #[test]
    fn should_refuse_keys_that_are_not_32_bytes() {
        for key in [&[][..], &[1; 31][..], &[1; 33][..]] {
            assert_eq!(address(key), Err(ChainError::InvalidEd25519Key));
        }
    }
}
