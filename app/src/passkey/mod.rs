//! Passkeys (WebAuthn) without the browser: what a registration yields, in
//! the forms the identity manager stores. The browser calls live in
//! `browser::webauthn`; everything here is pure and unit-tested.

pub mod aaguid;
pub mod authenticator_data;
pub use sigil_keys::cose;

use thiserror::Error;

use aaguid::{Aaguid, Attachment};
use authenticator_data::{
    AuthenticatorData, AuthenticatorDataError, authenticator_data_of_attestation,
};

/// Why a new passkey cannot become a device.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegistrationError {
    #[error(transparent)]
    Data(#[from] AuthenticatorDataError),
    #[error("the passkey did not verify the person (no PIN, fingerprint or face check)")]
    NotUserVerified,
}

/// A passkey the browser just created, ready to be added as a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub credential_id: Vec<u8>,
    /// The IC's DER form of the WebAuthn public key.
    pub public_key_der: Vec<u8>,
    pub aaguid: Aaguid,
    /// A default device name from the AAGUID.
    pub alias: &'static str,
}

impl Registration {
    /// Reads the credential out of a registration's attestation object.
    pub fn from_attestation(
        attestation_object: &[u8],
        attachment: Attachment,
    ) -> Result<Self, RegistrationError> {
        let data =
            AuthenticatorData::parse(authenticator_data_of_attestation(attestation_object)?)?;
        if !data.user_verified {
            return Err(RegistrationError::NotUserVerified);
        }
        let credential = data
            .attested
            .ok_or(AuthenticatorDataError::NoAttestedCredential)?;
        Ok(Self {
            public_key_der: credential.public_key.to_ic_der(),
            alias: aaguid::default_alias(credential.aaguid, attachment),
            aaguid: credential.aaguid,
            credential_id: credential.credential_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passkey::authenticator_data::tests::{attestation_object, registration_data};
    use crate::passkey::cose::tests::{YUBIKEY_IC_DER, unhex, yubikey_cose};

    #[test]
    fn should_turn_an_attestation_into_a_device_with_the_ic_key_form() {
        let object = attestation_object(&registration_data(0x45, &[3; 32], &yubikey_cose()));
        let registration = Registration::from_attestation(&object, Attachment::CrossPlatform)
            .expect("valid registration");
        assert_eq!(registration.credential_id, vec![3; 32]);
        assert_eq!(registration.public_key_der, unhex(YUBIKEY_IC_DER));
        assert_eq!(registration.alias, "Security key");
    }

    #[test]
    fn should_refuse_a_passkey_that_did_not_verify_the_person() {
        let object = attestation_object(&registration_data(0x41, &[3; 32], &yubikey_cose()));
        assert_eq!(
            Registration::from_attestation(&object, Attachment::Platform),
            Err(RegistrationError::NotUserVerified)
        );
    }

    #[test]
    fn should_refuse_assertion_data_without_a_credential() {
        let mut data = vec![0u8; 32];
        data.push(0x05);
        data.extend(1u32.to_be_bytes());
        assert_eq!(
            Registration::from_attestation(&attestation_object(&data), Attachment::Platform),
            Err(RegistrationError::Data(
                AuthenticatorDataError::NoAttestedCredential
            ))
        );
    }
}
