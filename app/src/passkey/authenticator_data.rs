//! WebAuthn authenticator data (WebAuthn Level 3, §6.1) and the attestation
//! object that carries it at registration (§6.5).
//!
//! Layout: `rpIdHash[32] · flags[1] · signCount[4]`, then, when the AT flag is
//! set, `aaguid[16] · credentialIdLength[2] · credentialId · COSE key`, then
//! extensions (a CBOR map) when the ED flag is set.

use thiserror::Error;

use super::aaguid::Aaguid;
use super::cose::{CoseError, CoseKey};
use crate::encoding::cbor::{self, Cbor, CborError};

/// Longest credential id Sigil stores (the identity manager's limit).
pub use sigil_api::identity_manager::MAX_CREDENTIAL_ID_LEN;

const FLAG_USER_PRESENT: u8 = 0x01;
const FLAG_USER_VERIFIED: u8 = 0x04;
const FLAG_ATTESTED_CREDENTIAL: u8 = 0x40;
const FLAG_EXTENSIONS: u8 = 0x80;

/// Why authenticator data or an attestation object is unusable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthenticatorDataError {
    #[error("the authenticator data ends early")]
    Truncated,
    #[error("the passkey returned no credential")]
    NoAttestedCredential,
    #[error("the passkey's credential id is {0} bytes long, more than {MAX_CREDENTIAL_ID_LEN}")]
    CredentialIdTooLong(usize),
    #[error(transparent)]
    Key(#[from] CoseError),
    #[error("the authenticator data has malformed extensions: {0}")]
    Extensions(CborError),
    #[error("{0} bytes follow the authenticator data")]
    TrailingBytes(usize),
    #[error("the attestation object is not valid CBOR: {0}")]
    AttestationCbor(CborError),
    #[error("the attestation object has no authenticator data")]
    NoAuthenticatorData,
}

/// The credential an authenticator created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestedCredential {
    pub aaguid: Aaguid,
    pub credential_id: Vec<u8>,
    pub public_key: CoseKey,
}

/// Parsed authenticator data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatorData {
    pub rp_id_hash: [u8; 32],
    pub user_present: bool,
    pub user_verified: bool,
    pub sign_count: u32,
    pub attested: Option<AttestedCredential>,
}

impl AuthenticatorData {
    pub fn parse(bytes: &[u8]) -> Result<Self, AuthenticatorDataError> {
        let mut rest = bytes;
        let rp_id_hash: [u8; 32] = take(&mut rest, 32)?
            .try_into()
            .map_err(|_| AuthenticatorDataError::Truncated)?;
        let flags = take(&mut rest, 1)?[0];
        let sign_count = u32::from_be_bytes(
            take(&mut rest, 4)?
                .try_into()
                .map_err(|_| AuthenticatorDataError::Truncated)?,
        );
        let attested = if flags & FLAG_ATTESTED_CREDENTIAL != 0 {
            let aaguid = Aaguid(
                take(&mut rest, 16)?
                    .try_into()
                    .map_err(|_| AuthenticatorDataError::Truncated)?,
            );
            let id_len = usize::from(u16::from_be_bytes(
                take(&mut rest, 2)?
                    .try_into()
                    .map_err(|_| AuthenticatorDataError::Truncated)?,
            ));
            if id_len > MAX_CREDENTIAL_ID_LEN {
                return Err(AuthenticatorDataError::CredentialIdTooLong(id_len));
            }
            let credential_id = take(&mut rest, id_len)?.to_vec();
            let (_, key_len) = cbor::decode_prefix(rest).map_err(CoseError::from)?;
            let public_key = CoseKey::parse(take(&mut rest, key_len)?)?;
            Some(AttestedCredential {
                aaguid,
                credential_id,
                public_key,
            })
        } else {
            None
        };
        if flags & FLAG_EXTENSIONS != 0 {
            let (_, len) = cbor::decode_prefix(rest).map_err(AuthenticatorDataError::Extensions)?;
            take(&mut rest, len)?;
        }
        if !rest.is_empty() {
            return Err(AuthenticatorDataError::TrailingBytes(rest.len()));
        }
        Ok(Self {
            rp_id_hash,
            user_present: flags & FLAG_USER_PRESENT != 0,
            user_verified: flags & FLAG_USER_VERIFIED != 0,
            sign_count,
            attested,
        })
    }
}

/// The authenticator data inside a CBOR attestation object
/// `{fmt, attStmt, authData}`.
pub fn authenticator_data_of_attestation(
    attestation_object: &[u8],
) -> Result<&[u8], AuthenticatorDataError> {
    let object =
        cbor::decode(attestation_object).map_err(AuthenticatorDataError::AttestationCbor)?;
    object
        .get_text("authData")
        .and_then(Cbor::as_bytes)
        .ok_or(AuthenticatorDataError::NoAuthenticatorData)
}

fn take<'a>(rest: &mut &'a [u8], n: usize) -> Result<&'a [u8], AuthenticatorDataError> {
    if rest.len() < n {
        return Err(AuthenticatorDataError::Truncated);
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Ok(head)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::passkey::cose::tests::yubikey_cose;
    use crate::test_support::Rng;

    pub fn registration_data(flags: u8, credential_id: &[u8], cose: &[u8]) -> Vec<u8> {
        let mut out = vec![0xaa; 32];
        out.push(flags);
        out.extend(7u32.to_be_bytes());
        out.extend((0u8..16).collect::<Vec<_>>());
        out.extend((credential_id.len() as u16).to_be_bytes());
        out.extend(credential_id);
        out.extend(cose);
        out
    }

    pub fn attestation_object(auth_data: &[u8]) -> Vec<u8> {
        // {"fmt": "none", "attStmt": {}, "authData": h'…'}
        let mut out = vec![0xa3, 0x63];
        out.extend(b"fmt");
        out.push(0x64);
        out.extend(b"none");
        out.push(0x67);
        out.extend(b"attStmt");
        out.push(0xa0);
        out.push(0x68);
        out.extend(b"authData");
        out.push(0x59);
        out.extend((auth_data.len() as u16).to_be_bytes());
        out.extend(auth_data);
        out
    }

    #[test]
    fn should_read_the_credential_from_registration_data() {
        let data = registration_data(0x45, &[9; 20], &yubikey_cose());
        let parsed = AuthenticatorData::parse(&data).expect("valid authenticator data");
        assert!(parsed.user_present && parsed.user_verified);
        assert_eq!(parsed.sign_count, 7);
        let attested = parsed.attested.expect("attested credential");
        assert_eq!(attested.credential_id, vec![9; 20]);
        assert_eq!(attested.public_key.as_bytes(), &yubikey_cose()[..]);
        assert_eq!(
            attested.aaguid.0,
            *b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
        );
    }

    #[test]
    fn should_read_assertion_data_without_a_credential() {
        let mut data = vec![0u8; 32];
        data.push(0x05);
        data.extend(1u32.to_be_bytes());
        let parsed = AuthenticatorData::parse(&data).expect("valid authenticator data");
        assert_eq!(parsed.attested, None);
        assert_eq!(parsed.sign_count, 1);
    }

    #[test]
    fn should_skip_extensions_and_refuse_trailing_bytes() {
        let mut data = registration_data(0xc5, &[1; 16], &yubikey_cose());
        data.push(0xa0);
        assert!(AuthenticatorData::parse(&data).is_ok());
        data.push(0x00);
        assert_eq!(
            AuthenticatorData::parse(&data),
            Err(AuthenticatorDataError::TrailingBytes(1))
        );
    }

    #[test]
    fn should_refuse_overlong_credential_ids() {
        let data = registration_data(0x45, &[1; 351], &yubikey_cose());
        assert_eq!(
            AuthenticatorData::parse(&data),
            Err(AuthenticatorDataError::CredentialIdTooLong(351))
        );
    }

    #[test]
    fn should_find_the_authenticator_data_in_an_attestation_object() {
        let data = registration_data(0x45, &[9; 20], &yubikey_cose());
        let object = attestation_object(&data);
        assert_eq!(authenticator_data_of_attestation(&object), Ok(&data[..]));
    }

    #[test]
    fn should_refuse_every_truncation_and_random_corruption() {
        let data = registration_data(0x45, &[9; 20], &yubikey_cose());
        for end in 0..data.len() {
            assert!(
                AuthenticatorData::parse(&data[..end]).is_err(),
                "prefix of {end} bytes"
            );
        }
        let mut rng = Rng::new(42);
        for _ in 0..5_000 {
            let mut corrupt = data.clone();
            let at = rng.below(corrupt.len());
            corrupt[at] = rng.next_u64() as u8;
            let _ = AuthenticatorData::parse(&corrupt);
            let _ = authenticator_data_of_attestation(&attestation_object(&corrupt));
        }
    }
}
