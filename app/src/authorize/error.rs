//! Every way an authorization can fail after a request arrived. Each
//! variant's text is posted to the dapp in `authorize-client-failure`, so it
//! says what went wrong in words a developer can act on.

use thiserror::Error;

use super::origin::DerivationError;
use super::request::RequestError;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthorizeError {
    #[error("Invalid authorize-client request: {0}")]
    InvalidRequest(#[from] RequestError),
    #[error("Invalid derivation origin: {0}")]
    InvalidDerivationOrigin(#[from] DerivationError),
    #[error("Sigil stopped waiting for a request; open it again from the app")]
    TimedOut,
    #[error("Sigil could not load its configuration: {0}")]
    Configuration(String),
    #[error("The person cancelled the sign-in")]
    Cancelled,
    #[error("Sigil could not sign the person in: {0}")]
    SignIn(String),
    #[error("Sigil could not issue the delegation: {0}")]
    Delegation(String),
}
