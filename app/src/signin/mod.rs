//! Signing in on this device. Each way in ends in a [`SignedIn`]: an
//! account and a [`SessionCaller`] that calls canisters as one of its
//! passkeys, without a prompt, until the session expires.
//!
//! - [`passkey::sign_up`]: a new passkey, one assertion that delegates to a
//!   new session key, then `create_account` through that session (with a
//!   proof of work first while the identity manager asks for one);
//! - [`passkey::sign_in`] with [`Passkeys::Discoverable`]: one assertion by
//!   any Sigil passkey the browser offers (the person types nothing), then
//!   `lookup_credential_id`;
//! - [`passkey::sign_in`] with [`Passkeys::OfAccount`], for passkeys the
//!   browser cannot offer by itself: the person types the account number,
//!   `credential_ids` names its passkeys, one assertion by one of them, then
//!   `lookup_credential_id`, whose account must be the one typed;
//! - [`stored::resume`]: the session kept in IndexedDB, while it is live;
//! - [`stored::sign_out`]: deletes it;
//! - [`step_up::step_up`]: a passkey confirms one signature the policy
//!   asks it for.

pub mod passkey;
mod proof_of_work;
pub mod step_up;
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

/// Which passkeys may answer a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passkeys {
    /// Any Sigil passkey the browser can offer by itself.
    Discoverable,
    /// The passkeys of the account the person typed.
    OfAccount(AccountNumber),
}

/// What a sign-in is waiting for, to show the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    CreatingPasskey,
    FindingPasskeys,
    WaitingForPasskey,
    FindingAccount,
    ProvingWork,
    CreatingAccount,
    ConfirmingPasskey,
}

impl Step {
    pub fn label(self) -> &'static str {
        match self {
            Step::CreatingPasskey => "Create a passkey in your browser's prompt…",
            Step::FindingPasskeys => "Looking up your account's passkeys…",
            Step::WaitingForPasskey => "Confirm with your passkey…",
            Step::FindingAccount => "Finding your account…",
            Step::ProvingWork => {
                "Many accounts are being made right now: your browser is doing a short check first…"
            }
            Step::CreatingAccount => "Creating your account…",
            Step::ConfirmingPasskey => "Confirm with the new passkey to add it…",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignInError {
    #[error("{0}")]
    Passkey(#[from] WebAuthnError),
    #[error("This passkey does not belong to a Sigil account. Create a new passkey instead.")]
    UnknownPasskey,
    #[error("There is no account {account}. Check the number and try again.")]
    UnknownAccount { account: AccountNumber },
    #[error("Account {account} has no passkey to sign in with. Check the number and try again.")]
    NoPasskeys { account: AccountNumber },
    /// The passkey that answered is not one of the typed account's (the
    /// browser should only let those answer).
    #[error(
        "This passkey belongs to account {found}, not to account {typed}. Check the number, or choose another passkey."
    )]
    OtherAccount {
        typed: AccountNumber,
        found: AccountNumber,
    },
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
                | SignInError::UnknownAccount { .. }
                | SignInError::NoPasskeys { .. }
                | SignInError::OtherAccount { .. }
        )
    }
}
