//! Recoverable secp256k1 signatures as EVM chains take them: `s` in the
//! lower half of the group order (EIP-2), and the recovery id that picks
//! the signer's key out of the two that `r` allows.
//!
//! The IC's threshold ECDSA returns `r · s` without a recovery id; it is
//! found here by trying both against the signer's public key.

use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};

use crate::ChainError;

/// A signature with its recovery id (the y parity of `R`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecoverableSignature {
    /// `r · s`, `s` low.
    pub rs: [u8; 64],
    /// 0 or 1.
    pub y_parity: u8,
}

impl RecoverableSignature {
    /// Normalises `signature` (64 bytes `r · s`) over `hash` to low `s` and
    /// finds the recovery id that gives `public_key` (SEC1). Refuses a
    /// signature that is not `public_key`'s over `hash`.
    pub fn new(signature: &[u8], hash: &[u8; 32], public_key: &[u8]) -> Result<Self, ChainError> {
        let key = VerifyingKey::from_sec1_bytes(public_key)
            .map_err(|_| ChainError::InvalidSecp256k1Key)?;
        let signature = Signature::from_slice(signature).map_err(|_| ChainError::BadSignature)?;
        let signature = signature.normalize_s().unwrap_or(signature);
        let recovery = RecoveryId::trial_recovery_from_prehash(&key, hash, &signature)
            .map_err(|_| ChainError::BadSignature)?;
        Ok(Self {
            rs: signature.to_bytes().into(),
            y_parity: u8::from(recovery.is_y_odd()),
        })
    }

    /// The 65 bytes `r · s · v` of a signed message, `v` 27 or 28.
    pub fn to_message_signature(&self) -> [u8; 65] {
        let mut bytes = [0; 65];
        bytes[..64].copy_from_slice(&self.rs);
        bytes[64] = 27 + self.y_parity;
        bytes
    }

    /// The key that made this signature over `hash` (SEC1, compressed).
    pub fn recover(&self, hash: &[u8; 32]) -> Result<Vec<u8>, ChainError> {
        let signature = Signature::from_slice(&self.rs).map_err(|_| ChainError::BadSignature)?;
        let recovery = RecoveryId::new(self.y_parity == 1, false);
        let key = VerifyingKey::recover_from_prehash(hash, &signature, recovery)
            .map_err(|_| ChainError::BadSignature)?;
        Ok(key.to_encoded_point(true).as_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use k256::ecdsa::SigningKey;
    use k256::elliptic_curve::ops::Neg;
    use k256::elliptic_curve::scalar::IsHigh;

    use super::*;
    use crate::evm::{Address, personal_message_hash};

    fn secret_one() -> SigningKey {
        let mut secret = [0; 32];
        secret[31] = 1;
        SigningKey::from_slice(&secret).expect("a secret")
    }

    fn public_key(key: &SigningKey) -> Vec<u8> {
        key.verifying_key()
            .to_encoded_point(true)
            .as_bytes()
            .to_vec()
    }

    #[test]
    fn should_recover_the_signers_address_from_a_message_signature() {
        let key = secret_one();
        let hash = personal_message_hash(b"Hello World");
        let (signature, _) = key.sign_prehash_recoverable(&hash).expect("signed");
        let recoverable =
            RecoverableSignature::new(&signature.to_bytes(), &hash, &public_key(&key)).expect("ok");
        let bytes = recoverable.to_message_signature();
        assert!(bytes[64] == 27 || bytes[64] == 28);
        let recovered = recoverable.recover(&hash).expect("a key");
        assert_eq!(
            Address::from_public_key(&recovered)
                .expect("a key")
                .to_string(),
            "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
        );
    }

    #[test]
    fn should_make_a_high_s_signature_low_and_keep_it_valid() {
        let key = secret_one();
        let hash = [9; 32];
        let (signature, _) = key.sign_prehash_recoverable(&hash).expect("signed");
        let (r, s) = signature.split_scalars();
        let high = Signature::from_scalars(r, s.neg()).expect("a signature");
        assert!(bool::from(high.s().is_high()));
        let recoverable =
            RecoverableSignature::new(&high.to_bytes(), &hash, &public_key(&key)).expect("ok");
        let low = Signature::from_slice(&recoverable.rs).expect("a signature");
        assert!(!bool::from(low.s().is_high()));
        assert_eq!(recoverable.recover(&hash).expect("a key"), public_key(&key));
    }

    #[test]
    fn should_refuse_a_signature_of_another_key_or_hash() {
        let key = secret_one();
        let hash = [9; 32];
        let (signature, _) = key.sign_prehash_recoverable(&hash).expect("signed");
        let other = SigningKey::from_slice(&[7; 32]).expect("a secret");
        assert_eq!(
            RecoverableSignature::new(&signature.to_bytes(), &hash, &public_key(&other)),
            Err(ChainError::BadSignature)
        );
        assert_eq!(
            RecoverableSignature::new(&signature.to_bytes(), &[8; 32], &public_key(&key)),
            Err(ChainError::BadSignature)
        );
        assert_eq!(
            RecoverableSignature::new(&[0; 64], &hash, &public_key(&key)),
            Err(ChainError::BadSignature)
        );
        assert_eq!(
            RecoverableSignature::new(&[1; 63], &hash, &public_key(&key)),
            Err(ChainError::BadSignature)
        );
    }
}
