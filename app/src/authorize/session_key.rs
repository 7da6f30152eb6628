//! The dapp's session public key: a DER key of a kind the IC accepts as a
//! delegation target (Ed25519, ECDSA P-256 or secp256k1 with an
//! uncompressed point), parsed by `sigil-keys` exactly as the identity
//! manager parses it. A WebAuthn key cannot be a session key: a dapp signs
//! its requests itself.

use sigil_keys::{KeyError, KeyKind, PublicKey};
use thiserror::Error;

pub use sigil_keys::MAX_PUBLIC_KEY_LEN as MAX_SESSION_KEY_LEN;

/// Why bytes are not a usable session key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SessionKeyError {
    #[error("{0}")]
    Key(#[from] KeyError),
    #[error("it is a passkey's key, which cannot sign a dapp's requests")]
    WebAuthn,
}

/// A valid session public key, kept as its DER bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKey(PublicKey);

impl SessionKey {
    pub fn parse(der: &[u8]) -> Result<Self, SessionKeyError> {
        let key = PublicKey::parse(der)?;
        if key.kind() == KeyKind::WebAuthn {
            return Err(SessionKeyError::WebAuthn);
        }
        Ok(Self(key))
    }

    pub fn der(&self) -> &[u8] {
        self.0.der()
    }

    pub fn kind(&self) -> KeyKind {
        self.0.kind()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use sigil_keys::public_key::test_keys;

    pub fn ed25519_spki() -> Vec<u8> {
        test_keys::ed25519(0x11)
    }

    pub fn p256_spki() -> Vec<u8> {
        test_keys::p256(0x22)
    }

    #[test]
    fn should_accept_the_three_ic_session_key_types() {
        let kinds = [
            test_keys::ed25519(1),
            test_keys::p256(1),
            test_keys::secp256k1(1),
        ]
        .map(|key| SessionKey::parse(&key).map(|key| key.kind()));
        assert_eq!(
            kinds,
            [
                Ok(KeyKind::Ed25519),
                Ok(KeyKind::EcdsaP256),
                Ok(KeyKind::EcdsaSecp256k1)
            ]
        );
    }

    #[test]
    fn should_refuse_every_key_the_ic_cannot_verify() {
        for (name, key) in test_keys::unusable() {
            assert!(
                matches!(SessionKey::parse(&key), Err(SessionKeyError::Key(_))),
                "{name}"
            );
        }
    }

    #[test]
    fn should_refuse_a_passkey_as_session_key() {
        assert_eq!(
            SessionKey::parse(&test_keys::webauthn(1)),
            Err(SessionKeyError::WebAuthn)
        );
    }
}
