//! Checks of what a caller gives: sizes (`sigil_api::identity_manager`'s
//! `MAX_*`), public keys (parsed by `sigil-keys`, as the app parses them,
//! so only keys the IC verifies signatures with are accepted), and the
//! device rules that hold before any account is read.

use sigil_api::identity_manager::{
    Device, Error, KeyType, MAX_ALIAS_LEN, MAX_CREDENTIAL_ID_LEN, MAX_PUBLIC_KEY_LEN, Purpose,
};
use sigil_keys::KeyKind;

use crate::storage::StoredDevice;

fn too_long(length: usize, max: usize) -> (u64, u64) {
    (length as u64, max as u64)
}

/// The kind of `public_key`, or why the IC could never verify it.
pub fn key_type(public_key: &[u8]) -> Result<KeyType, Error> {
    validate_public_key_len(public_key)?;
    sigil_keys::kind_of(public_key)
        .map(key_type_of)
        .map_err(|error| Error::InvalidPublicKey {
            reason: error.to_string(),
        })
}

pub fn key_type_of(kind: KeyKind) -> KeyType {
    match kind {
        KeyKind::Ed25519 => KeyType::Ed25519,
        KeyKind::EcdsaP256 => KeyType::P256,
        KeyKind::EcdsaSecp256k1 => KeyType::Secp256k1,
        KeyKind::WebAuthn => KeyType::WebAuthn,
    }
}

/// Refuses a public key argument that is longer than any stored key (for
/// lookups, which need not parse it).
pub fn validate_public_key_len(public_key: &[u8]) -> Result<(), Error> {
    if public_key.len() > MAX_PUBLIC_KEY_LEN {
        let (length, max) = too_long(public_key.len(), MAX_PUBLIC_KEY_LEN);
        return Err(Error::PublicKeyTooLong { length, max });
    }
    Ok(())
}

pub fn validate_alias(alias: &str) -> Result<(), Error> {
    if alias.len() > MAX_ALIAS_LEN {
        let (length, max) = too_long(alias.len(), MAX_ALIAS_LEN);
        return Err(Error::AliasTooLong { length, max });
    }
    Ok(())
}

pub fn validate_credential_id(credential_id: &[u8]) -> Result<(), Error> {
    if credential_id.is_empty() {
        return Err(Error::EmptyCredentialId);
    }
    if credential_id.len() > MAX_CREDENTIAL_ID_LEN {
        let (length, max) = too_long(credential_id.len(), MAX_CREDENTIAL_ID_LEN);
        return Err(Error::CredentialIdTooLong { length, max });
    }
    Ok(())
}

/// Checks every field of a device given by a caller: sizes, a key the IC
/// verifies whose kind is the declared one (otherwise an Ed25519 key could
/// pose as a passkey and pass two-factor), and `protected` only for a
/// recovery device.
pub fn validate_device(device: Device) -> Result<StoredDevice, Error> {
    let actual = key_type(&device.public_key)?;
    validate_alias(&device.alias)?;
    if let Some(id) = &device.credential_id {
        validate_credential_id(id)?;
    }
    if actual != device.key_type {
        return Err(Error::KeyTypeMismatch {
            declared: device.key_type,
            actual,
        });
    }
    if device.protected && device.purpose != Purpose::Recovery {
        return Err(Error::ProtectedNotRecovery);
    }
    Ok(device.into())
}

/// A session key is a key a dapp signs with: Ed25519 or ECDSA, never a
/// WebAuthn key.
pub fn validate_session_key(session_key: &[u8]) -> Result<(), Error> {
    if session_key.len() > MAX_PUBLIC_KEY_LEN {
        let (length, max) = too_long(session_key.len(), MAX_PUBLIC_KEY_LEN);
        return Err(Error::SessionKeyTooLong { length, max });
    }
    let invalid = |reason: String| Error::InvalidSessionKey { reason };
    match sigil_keys::kind_of(session_key) {
        Ok(KeyKind::WebAuthn) => Err(invalid(
            "a session key cannot be a WebAuthn key".to_string(),
        )),
        Ok(_) => Ok(()),
        Err(error) => Err(invalid(error.to_string())),
    }
}
