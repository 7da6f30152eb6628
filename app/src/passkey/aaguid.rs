//! Device aliases from the authenticator's AAGUID (WebAuthn §6.5.1): a short
//! table of well-known passkey providers, with a fallback by attachment for
//! every other authenticator (and for the all-zero AAGUID that privacy-minded
//! providers send).
//!
//! Every alias fits the identity manager's 64-byte limit.

use std::fmt;

/// An authenticator model identifier.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Aaguid(pub [u8; 16]);

impl fmt::Display for Aaguid {
    /// The canonical lowercase UUID form, `8-4-4-4-12`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Aaguid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Aaguid({self})")
    }
}

/// Where the authenticator lives, as WebAuthn reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attachment {
    /// Built into the device (or a synced provider on it).
    Platform,
    /// A roaming authenticator: a security key or a phone.
    CrossPlatform,
    Unknown,
}

/// Well-known AAGUIDs (from public passkey provider listings).
const KNOWN: &[(&str, &str)] = &[
    (
        "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4",
        "Google Password Manager",
    ),
    ("adce0002-35bc-c60a-648b-0b25f1f05503", "Chrome on Mac"),
    ("771b48fd-d3d4-4f74-9232-fc157ab0507a", "Edge on Mac"),
    ("08987058-cadc-4b81-b6e1-30de50dcbe96", "Windows Hello"),
    ("9ddd1817-af5a-4672-a2b9-3e3dd95000a9", "Windows Hello"),
    ("6028b017-b1d4-4c02-b4b3-afcdafc96bb2", "Windows Hello"),
    (
        "d3452668-01fd-4c12-926c-83a4204853aa",
        "Microsoft Password Manager",
    ),
    ("fbfc3007-154e-4ecc-8c0b-6e020557d7bd", "Apple Passwords"),
    (
        "dd4ec289-e01d-41c9-bb89-70fa845d4bf2",
        "iCloud Keychain (Managed)",
    ),
    ("bada5566-a7aa-401f-bd96-45619a55120d", "1Password"),
    ("d548826e-79b4-db40-a3d8-11116f7e8349", "Bitwarden"),
    ("531126d6-e717-415c-9320-3d9aa6981239", "Dashlane"),
    ("b84e4048-15dc-4dd0-8640-f4f60813c8af", "NordPass"),
    ("0ea242b4-43c4-4a1b-8b17-dd6d0b6baec6", "Keeper"),
    ("f3809540-7f14-49c1-a8b3-8f813b225541", "Enpass"),
    ("50726f74-6f6e-5061-7373-50726f746f6e", "Proton Pass"),
    ("fdb141b2-5d84-443e-8a35-4698c205a502", "KeePassXC"),
    ("eaecdef2-1c31-5634-8639-f1cbd9c00a08", "KeePassDX"),
    ("53414d53-554e-4700-0000-000000000000", "Samsung Pass"),
    ("cb69481e-8ff7-4039-93ec-0a2729a154a8", "YubiKey 5"),
    ("ee882879-721c-4913-9775-3dfcce97072a", "YubiKey 5"),
    ("fa2b99dc-9e39-4257-8f92-4a30d23c4118", "YubiKey 5 NFC"),
];

/// The name of a well-known authenticator model.
pub fn known_name(aaguid: Aaguid) -> Option<&'static str> {
    let text = aaguid.to_string();
    KNOWN
        .iter()
        .find(|(id, _)| *id == text)
        .map(|(_, name)| *name)
}

/// The alias a new device gets: the provider's name when known, otherwise a
/// description of where the passkey lives.
pub fn default_alias(aaguid: Aaguid, attachment: Attachment) -> &'static str {
    known_name(aaguid).unwrap_or(match attachment {
        Attachment::Platform => "Passkey on this device",
        Attachment::CrossPlatform => "Security key",
        Attachment::Unknown => "Passkey",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Aaguid {
        let hex: String = text.chars().filter(|c| *c != '-').collect();
        let mut bytes = [0u8; 16];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex");
        }
        Aaguid(bytes)
    }

    #[test]
    fn should_format_as_a_lowercase_uuid() {
        let aaguid = Aaguid([
            0xEA, 0x9B, 0x8D, 0x66, 0x4D, 0x01, 0x1D, 0x21, 0x3C, 0xE4, 0xB6, 0xB4, 0x8C, 0xB5,
            0x75, 0xD4,
        ]);
        assert_eq!(aaguid.to_string(), "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4");
    }

    #[test]
    fn should_name_well_known_providers() {
        assert_eq!(
            default_alias(
                parse("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"),
                Attachment::Platform
            ),
            "Google Password Manager"
        );
        assert_eq!(
            default_alias(
                parse("bada5566-a7aa-401f-bd96-45619a55120d"),
                Attachment::Unknown
            ),
            "1Password"
        );
    }

    #[test]
    fn should_fall_back_by_attachment_for_unknown_and_zero_aaguids() {
        let zero = Aaguid([0; 16]);
        assert_eq!(
            default_alias(zero, Attachment::Platform),
            "Passkey on this device"
        );
        assert_eq!(
            default_alias(zero, Attachment::CrossPlatform),
            "Security key"
        );
        assert_eq!(
            default_alias(Aaguid([7; 16]), Attachment::Unknown),
            "Passkey"
        );
    }

    #[test]
    fn should_keep_every_table_entry_well_formed_and_within_the_alias_limit() {
        for (id, name) in KNOWN {
            assert_eq!(parse(id).to_string(), *id, "{id} is canonical");
            assert!(!name.is_empty() && name.len() <= 64, "{name}");
        }
    }
}
