//! The account's devices as the wallet shows them, and the checks on what
//! the person types about them. Plain Rust, tested on the host; the
//! canister enforces every rule again.
//!
//! Invariants:
//! - exactly the device whose key signed this browser's session is marked
//!   [`DeviceEntry::this_device`];
//! - a device is [`DeviceEntry::only_way_in`] when it is the account's one
//!   authentication device, which the identity manager never removes.

use sigil_api::identity_manager::{Device, KeyType, MAX_ALIAS_LEN, Purpose};
use thiserror::Error;

/// What kind of device a row shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    Passkey,
    RecoveryPasskey,
    Key,
    RecoveryKey,
}

impl DeviceKind {
    fn of(device: &Device) -> Self {
        match (device.key_type, device.purpose) {
            (KeyType::WebAuthn, Purpose::Authentication) => DeviceKind::Passkey,
            (KeyType::WebAuthn, Purpose::Recovery) => DeviceKind::RecoveryPasskey,
            (_, Purpose::Authentication) => DeviceKind::Key,
            (_, Purpose::Recovery) => DeviceKind::RecoveryKey,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DeviceKind::Passkey => "Passkey",
            DeviceKind::RecoveryPasskey => "Recovery passkey",
            DeviceKind::Key => "Key",
            DeviceKind::RecoveryKey => "Recovery key",
        }
    }
}

/// One row of the device list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEntry {
    /// The device's DER public key: how the canister names it.
    pub public_key: Vec<u8>,
    pub alias: String,
    pub kind: DeviceKind,
    /// The session in this browser was signed by this device.
    pub this_device: bool,
    /// Only the device itself may rename or remove it.
    pub protected: bool,
    /// The account's one authentication device: it cannot be removed.
    pub only_way_in: bool,
}

/// The rows for `devices`, in the canister's order. `session_device_key` is
/// the DER key of the passkey that signed this browser's session.
pub fn entries(devices: &[Device], session_device_key: &[u8]) -> Vec<DeviceEntry> {
    let authentication_devices = devices
        .iter()
        .filter(|device| device.purpose == Purpose::Authentication)
        .count();
    devices
        .iter()
        .map(|device| DeviceEntry {
            public_key: device.public_key.to_vec(),
            alias: device.alias.clone(),
            kind: DeviceKind::of(device),
            this_device: device.public_key.as_slice() == session_device_key,
            protected: device.protected,
            only_way_in: device.purpose == Purpose::Authentication && authentication_devices == 1,
        })
        .collect()
}

/// The credential ids of the account's passkeys, so that the browser does
/// not register the same authenticator twice.
pub fn credential_ids(devices: &[Device]) -> Vec<Vec<u8>> {
    devices
        .iter()
        .filter_map(|device| device.credential_id.as_ref().map(|id| id.to_vec()))
        .collect()
}

/// Why a typed device name cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AliasError {
    #[error("Type a name for this device.")]
    Empty,
    #[error("That name is too long: use at most {max} characters (fewer with accents or emoji).")]
    TooLong { max: usize },
    #[error("A name cannot contain line breaks or other control characters.")]
    ControlCharacter,
}

/// The name the person typed, without surrounding spaces, if the identity
/// manager will take it.
pub fn parse_alias(input: &str) -> Result<String, AliasError> {
    let alias = input.trim();
    if alias.is_empty() {
        return Err(AliasError::Empty);
    }
    if alias.chars().any(char::is_control) {
        return Err(AliasError::ControlCharacter);
    }
    if alias.len() > MAX_ALIAS_LEN {
        return Err(AliasError::TooLong { max: MAX_ALIAS_LEN });
    }
    Ok(alias.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_bytes::ByteBuf;

    use super::*;

    fn device(key: u8, key_type: KeyType, purpose: Purpose, credential: Option<u8>) -> Device {
        Device {
            public_key: ByteBuf::from(vec![key; 4]),
            alias: format!("device {key}"),
            credential_id: credential.map(|id| ByteBuf::from(vec![id; 8])),
            purpose,
            key_type,
            protected: key == 3,
        }
    }

    #[test]
    fn should_mark_only_the_device_that_signed_the_session() {
        let devices = [
            device(1, KeyType::WebAuthn, Purpose::Authentication, Some(1)),
            device(2, KeyType::WebAuthn, Purpose::Authentication, Some(2)),
        ];
        let rows = entries(&devices, &[2; 4]);
        assert_eq!(
            rows.iter().map(|row| row.this_device).collect::<Vec<_>>(),
            [false, true]
        );
        let nobody = entries(&devices, &[9; 4]);
        assert!(nobody.iter().all(|row| !row.this_device));
    }

    #[test]
    fn should_name_each_kind_of_device_and_keep_the_protected_flag() {
        let devices = [
            device(1, KeyType::WebAuthn, Purpose::Authentication, Some(1)),
            device(2, KeyType::WebAuthn, Purpose::Recovery, Some(2)),
            device(3, KeyType::Ed25519, Purpose::Recovery, None),
            device(4, KeyType::P256, Purpose::Authentication, None),
        ];
        let rows = entries(&devices, &[1; 4]);
        let kinds: Vec<_> = rows.iter().map(|row| row.kind.label()).collect();
        assert_eq!(
            kinds,
            ["Passkey", "Recovery passkey", "Recovery key", "Key"]
        );
        assert_eq!(
            rows.iter().map(|row| row.protected).collect::<Vec<_>>(),
            [false, false, true, false]
        );
    }

    #[test]
    fn should_call_the_single_authentication_device_the_only_way_in() {
        let single = [
            device(1, KeyType::WebAuthn, Purpose::Authentication, Some(1)),
            device(2, KeyType::WebAuthn, Purpose::Recovery, Some(2)),
        ];
        let rows = entries(&single, &[1; 4]);
        assert!(rows[0].only_way_in);
        assert!(!rows[1].only_way_in, "recovery devices can always go");

        let two = [
            device(1, KeyType::WebAuthn, Purpose::Authentication, Some(1)),
            device(4, KeyType::P256, Purpose::Authentication, None),
        ];
        assert!(entries(&two, &[1; 4]).iter().all(|row| !row.only_way_in));
    }

    #[test]
    fn should_exclude_every_registered_credential_and_skip_keys_without_one() {
        let devices = [
            device(1, KeyType::WebAuthn, Purpose::Authentication, Some(1)),
            device(3, KeyType::Ed25519, Purpose::Recovery, None),
            device(2, KeyType::WebAuthn, Purpose::Recovery, Some(2)),
        ];
        assert_eq!(credential_ids(&devices), [vec![1; 8], vec![2; 8]]);
    }

    #[test]
    fn should_accept_a_trimmed_name_within_the_limit() {
        assert_eq!(
            parse_alias("  Work laptop \t").as_deref(),
            Ok("Work laptop")
        );
        let longest = "é".repeat(MAX_ALIAS_LEN / 2);
        assert_eq!(parse_alias(&longest), Ok(longest.clone()));
    }

    #[test]
    fn should_refuse_empty_overlong_and_control_character_names() {
        assert_eq!(parse_alias(""), Err(AliasError::Empty));
        assert_eq!(parse_alias("   \n "), Err(AliasError::Empty));
        // 33 two-byte letters are 66 bytes: over the limit in bytes, not letters.
        assert_eq!(
            parse_alias(&"é".repeat(MAX_ALIAS_LEN / 2 + 1)),
            Err(AliasError::TooLong { max: MAX_ALIAS_LEN })
        );
        assert_eq!(parse_alias("two\nlines"), Err(AliasError::ControlCharacter));
        assert_eq!(parse_alias("bell\u{7}"), Err(AliasError::ControlCharacter));
    }
}
