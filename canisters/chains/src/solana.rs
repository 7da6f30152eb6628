//! Solana accounts: an address is the account's 32-byte Ed25519 public key
//! in base58 (Bitcoin's alphabet, no checksum).

use crate::ChainError;

/// Checks that `signature` is `public_key`'s Ed25519 signature of
/// `message` (strictly: no small-order key, no non-canonical signature).
pub fn verify_message(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), ChainError> {
    let key: &[u8; 32] = public_key
        .try_into()
        .map_err(|_| ChainError::InvalidEd25519Key)?;
    let key =
        ed25519_dalek::VerifyingKey::from_bytes(key).map_err(|_| ChainError::InvalidEd25519Key)?;
    let signature =
        ed25519_dalek::Signature::from_slice(signature).map_err(|_| ChainError::BadSignature)?;
    key.verify_strict(message, &signature)
        .map_err(|_| ChainError::BadSignature)
}

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

    /// RFC 8032, section 7.1, TEST 1 and TEST 2.
    #[test]
    fn should_verify_the_rfc8032_signatures_and_refuse_others() {
        let key = |text| hex::decode(text).expect("hex");
        let one = key("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        let one_signature = key(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        );
        assert_eq!(verify_message(&one, b"", &one_signature), Ok(()));
        let two = key("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
        let two_signature = key(
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        );
        assert_eq!(verify_message(&two, &[0x72], &two_signature), Ok(()));
        assert_eq!(
            verify_message(&two, &[0x73], &two_signature),
            Err(ChainError::BadSignature)
        );
        assert_eq!(
            verify_message(&one, &[0x72], &two_signature),
            Err(ChainError::BadSignature)
        );
        assert_eq!(
            verify_message(&one, b"", &one_signature[..63]),
            Err(ChainError::BadSignature)
        );
        assert_eq!(
            verify_message(&one[..31], b"", &one_signature),
            Err(ChainError::InvalidEd25519Key)
        );
    }

    #[test]
    fn should_refuse_keys_that_are_not_32_bytes() {
        for key in [&[][..], &[1; 31][..], &[1; 33][..]] {
            assert_eq!(address(key), Err(ChainError::InvalidEd25519Key));
        }
    }
}
