//! Signing in on this device. Each way in ends in a [`SignedIn`]: an
//! account and a [`SessionCaller`] that calls canisters as one of its
//! passkeys, without a prompt, until the session expires.
//!
//! - [`passkey::sign_up`]: a new passkey, one assertion that delegates to a
//!   new session key, then `create_account` through that session;
//! - [`passkey::sign_in`]: one assertion by any Sigil passkey (discoverable:
//!   the person types nothing), then `lookup_credential_id`;
//! - [`stored::resume`]: the session kept in IndexedDB, while it is live;
//! - [`stored::sign_out`]: deletes it.

pub mod passkey;
pub mod stored;

use sigil_api::identity_manager::{AccountNumber, Error as IdentityManagerError};
use thiserror::Error;

use crate::api::error::ApiError;
use crate::api::session_caller::SessionCaller;
use crate::browser::storage::StorageError;
use crate::browser::webauthn::WebAuthnError;
use crate::browser::webcrypto::CryptoError;
use crate::session::passkey_signature::PasskeySignatureError;

/// A signed-in person.
#[derive(Clone)]
pub struct SignedIn {
    pub account: AccountNumber,
    pub caller: SessionCaller,
}

/// What a sign-in is waiting for, to show the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    CreatingPasskey,
    WaitingForPasskey,
    FindingAccount,
    CreatingAccount,
}

impl Step {
    pub fn label(self) -> &'static str {
        match self {
            Step::CreatingPasskey => "Create a passkey in your browser's prompt…",
            Step::WaitingForPasskey => "Confirm with your passkey…",
            Step::FindingAccount => "Finding your account…",
            Step::CreatingAccount => "Creating your account…",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignInError {
    #[error("{0}")]
    Passkey(#[from] WebAuthnError),
    #[error("This passkey does not belong to a Sigil account. Create a new passkey instead.")]
    UnknownPasskey,
    #[error("This browser could not make a session key: {0}")]
    Crypto(#[from] CryptoError),
    #[error("This browser could not keep the session: {0}")]
    Storage(#[from] StorageError),
    #[error("The passkey's answer cannot be used: {0}")]
    PasskeySignature(#[from] PasskeySignatureError),
    #[error("{0}")]
    Api(ApiError),
}

impl From<ApiError> for SignInError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::IdentityManager(IdentityManagerError::UnknownCredentialId) => {
                SignInError::UnknownPasskey
            }
            other => SignInError::Api(other),
        }
    }
}

impl SignInError {
    /// Whether the person can simply try again (or choose another way in)
    /// on the same screen; other failures end the request.
    pub fn lets_person_retry(&self) -> bool {
        matches!(
            self,
            SignInError::Passkey(WebAuthnError::Cancelled | WebAuthnError::AlreadyRegistered)
                | SignInError::UnknownPasskey
        )
    }
}
