//! Passkeys through `navigator.credentials` (WebAuthn Level 3).
//!
//! - Creation asks for a discoverable credential (resident key preferred),
//!   user verification required, ES256, no attestation.
//! - Assertion with an empty `allowCredentials` lets the person pick any
//!   Sigil passkey without typing anything (discoverable credentials); with
//!   an account's credential ids, a passkey the browser cannot offer by
//!   itself (not discoverable) answers too.
//!
//! Results are converted with `TryFrom` into typed values; the pure parsing
//! (authenticator data, COSE, the IC's DER form) is in `crate::passkey`.

use js_sys::{Array, ArrayBuffer, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AttestationConveyancePreference, AuthenticatorAssertionResponse,
    AuthenticatorAttestationResponse, AuthenticatorSelectionCriteria, CredentialCreationOptions,
    CredentialRequestOptions, PublicKeyCredential, PublicKeyCredentialCreationOptions,
    PublicKeyCredentialDescriptor, PublicKeyCredentialParameters,
    PublicKeyCredentialRequestOptions, PublicKeyCredentialRpEntity, PublicKeyCredentialType,
    PublicKeyCredentialUserEntity, UserVerificationRequirement,
};

use super::{JsFailure, buffer_bytes, window};
use crate::passkey::aaguid::Attachment;
use crate::passkey::cose::ALG_ES256;
use crate::passkey::{Registration, RegistrationError};

/// How long the browser shows its passkey prompt.
const TIMEOUT_MILLIS: u32 = 120_000;

/// Why a passkey operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebAuthnError {
    #[error("The passkey prompt was closed or timed out.")]
    Cancelled,
    #[error("This passkey is already registered.")]
    AlreadyRegistered,
    #[error("This browser cannot use passkeys here ({0}).")]
    NotSupported(JsFailure),
    /// The page that embeds Sigil did not let its frame use passkeys.
    #[error(
        "The app shows Sigil in a frame that may not use passkeys. Sign in through the app's \
         pop-up instead, or ask its developers to allow passkeys in the frame."
    )]
    NotAllowedInFrame,
    #[error("The passkey operation failed ({0}).")]
    Js(JsFailure),
    #[error("The browser returned an unexpected passkey response: {0}")]
    Malformed(&'static str),
    #[error("The new passkey cannot be used: {0}")]
    Registration(#[from] RegistrationError),
}

impl From<JsValue> for WebAuthnError {
    fn from(value: JsValue) -> Self {
        let failure = JsFailure::from(value);
        match failure.name.as_str() {
            "NotAllowedError" | "AbortError" => WebAuthnError::Cancelled,
            "InvalidStateError" => WebAuthnError::AlreadyRegistered,
            "NotSupportedError" | "SecurityError" => WebAuthnError::NotSupported(failure),
            _ => WebAuthnError::Js(failure),
        }
    }
}

impl From<JsFailure> for WebAuthnError {
    fn from(failure: JsFailure) -> Self {
        WebAuthnError::Js(failure)
    }
}

/// What a new passkey is for.
pub struct PasskeyCreation<'a> {
    /// Shown by the browser as the site name.
    pub rp_name: &'a str,
    /// A stable, opaque user handle (at most 64 bytes).
    pub user_id: &'a [u8],
    pub user_name: &'a str,
    pub user_display_name: &'a str,
    pub challenge: &'a [u8],
    /// Credential ids the account already has, so the same authenticator is
    /// not registered twice.
    pub exclude_credentials: &'a [Vec<u8>],
}

/// A passkey the browser just created.
#[derive(Debug, Clone)]
pub struct CreatedPasskey {
    pub registration: Registration,
    pub attachment: Attachment,
    pub client_data_json: Vec<u8>,
}

/// A passkey's signature over a challenge.
#[derive(Debug, Clone)]
pub struct PasskeyAssertion {
    pub credential_id: Vec<u8>,
    pub authenticator_data: Vec<u8>,
    pub client_data_json: Vec<u8>,
    /// DER-encoded ECDSA signature, as WebAuthn returns it.
    pub signature: Vec<u8>,
    pub user_handle: Option<Vec<u8>>,
}

/// Fails with [`WebAuthnError::NotAllowedInFrame`] when the document's
/// permissions policy denies `feature`, which browsers otherwise report as
/// a closed prompt. Only browsers with `document.featurePolicy` (Chromium)
/// can tell; elsewhere the call goes ahead.
fn check_permission(feature: &str) -> Result<(), WebAuthnError> {
    let document = window()?.document().map(JsValue::from);
    let policy = document.and_then(|document| {
        js_sys::Reflect::get(&document, &JsValue::from_str("featurePolicy")).ok()
    });
    let allows = policy
        .filter(|policy| policy.is_object())
        .and_then(|policy| {
            let allows_feature = js_sys::Reflect::get(&policy, &JsValue::from_str("allowsFeature"))
                .ok()?
                .dyn_into::<js_sys::Function>()
                .ok()?;
            allows_feature
                .call1(&policy, &JsValue::from_str(feature))
                .ok()?
                .as_bool()
        });
    match allows {
        Some(false) => Err(WebAuthnError::NotAllowedInFrame),
        _ => Ok(()),
    }
}

/// Creates a passkey.
pub async fn create_passkey(
    request: &PasskeyCreation<'_>,
) -> Result<CreatedPasskey, WebAuthnError> {
    check_permission("publickey-credentials-create")?;
    let rp = PublicKeyCredentialRpEntity::new(request.rp_name);
    let user = PublicKeyCredentialUserEntity::new(
        request.user_name,
        request.user_display_name,
        &Uint8Array::from(request.user_id),
    );
    let algorithms = Array::of1(&PublicKeyCredentialParameters::new(
        ALG_ES256 as i32,
        PublicKeyCredentialType::PublicKey,
    ));
    let options = PublicKeyCredentialCreationOptions::new(
        &Uint8Array::from(request.challenge),
        &algorithms,
        &rp,
        &user,
    );
    let selection = AuthenticatorSelectionCriteria::new();
    selection.set_resident_key("preferred");
    selection.set_require_resident_key(false);
    selection.set_user_verification(UserVerificationRequirement::Required);
    options.set_authenticator_selection(&selection);
    options.set_attestation(AttestationConveyancePreference::None);
    options.set_exclude_credentials(&descriptors(request.exclude_credentials));
    options.set_timeout(TIMEOUT_MILLIS);
    let container = CredentialCreationOptions::new();
    container.set_public_key(&options);
    let promise = window()?
        .navigator()
        .credentials()
        .create_with_options(&container)?;
    CreatedPasskey::try_from(credential(JsFuture::from(promise).await?)?)
}

/// Asks for a passkey signature over `challenge`; with no
/// `allow_credentials` any discoverable Sigil passkey may answer.
pub async fn get_assertion(
    challenge: &[u8],
    allow_credentials: &[Vec<u8>],
) -> Result<PasskeyAssertion, WebAuthnError> {
    check_permission("publickey-credentials-get")?;
    let options = PublicKeyCredentialRequestOptions::new(&Uint8Array::from(challenge));
    options.set_allow_credentials(&descriptors(allow_credentials));
    options.set_user_verification(UserVerificationRequirement::Required);
    options.set_timeout(TIMEOUT_MILLIS);
    let container = CredentialRequestOptions::new();
    container.set_public_key(&options);
    let promise = window()?
        .navigator()
        .credentials()
        .get_with_options(&container)?;
    PasskeyAssertion::try_from(credential(JsFuture::from(promise).await?)?)
}

fn descriptors(ids: &[Vec<u8>]) -> Array {
    ids.iter()
        .map(|id| {
            PublicKeyCredentialDescriptor::new(
                &Uint8Array::from(id.as_slice()),
                PublicKeyCredentialType::PublicKey,
            )
        })
        .collect()
}

fn credential(value: JsValue) -> Result<PublicKeyCredential, WebAuthnError> {
    if value.is_null() || value.is_undefined() {
        return Err(WebAuthnError::Cancelled);
    }
    value
        .dyn_into()
        .map_err(|_| WebAuthnError::Malformed("not a PublicKeyCredential"))
}

impl TryFrom<PublicKeyCredential> for CreatedPasskey {
    type Error = WebAuthnError;

    fn try_from(credential: PublicKeyCredential) -> Result<Self, WebAuthnError> {
        let response: AuthenticatorAttestationResponse = credential
            .response()
            .dyn_into()
            .map_err(|_| WebAuthnError::Malformed("not an attestation response"))?;
        // `authenticatorAttachment` (WebAuthn Level 3) is not in web-sys's
        // stable API; an absent or unreadable value means "unknown".
        let attachment =
            js_sys::Reflect::get(&credential, &JsValue::from_str("authenticatorAttachment"))
                .ok()
                .and_then(|value| value.as_string());
        let attachment = match attachment.as_deref() {
            Some("platform") => Attachment::Platform,
            Some("cross-platform") => Attachment::CrossPlatform,
            _ => Attachment::Unknown,
        };
        let registration = Registration::from_attestation(
            &buffer_bytes(&response.attestation_object()),
            attachment,
        )?;
        if registration.credential_id != buffer_bytes(&credential.raw_id()) {
            return Err(WebAuthnError::Malformed(
                "the credential id differs from the attested one",
            ));
        }
        Ok(Self {
            registration,
            attachment,
            client_data_json: buffer_bytes(&response.client_data_json()),
        })
    }
}

impl TryFrom<PublicKeyCredential> for PasskeyAssertion {
    type Error = WebAuthnError;

    fn try_from(credential: PublicKeyCredential) -> Result<Self, WebAuthnError> {
        let response: AuthenticatorAssertionResponse = credential
            .response()
            .dyn_into()
            .map_err(|_| WebAuthnError::Malformed("not an assertion response"))?;
        Ok(Self {
            credential_id: buffer_bytes(&credential.raw_id()),
            authenticator_data: buffer_bytes(&response.authenticator_data()),
            client_data_json: buffer_bytes(&response.client_data_json()),
            signature: buffer_bytes(&response.signature()),
            user_handle: response
                .user_handle()
                .map(|handle: ArrayBuffer| buffer_bytes(&handle)),
        })
    }
}
