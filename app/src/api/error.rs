//! [`ApiError`]: why a canister call failed, in words a person can read.

use sigil_api::identity_manager::Error as IdentityManagerError;
use thiserror::Error;

use crate::browser::webcrypto::CryptoError;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    #[error("Sigil is not set up for this network: {0}")]
    Configuration(String),
    #[error(
        "The Internet Computer could not be reached ({0}). Check your connection and try again."
    )]
    Network(String),
    #[error("The Internet Computer refused the request: {0}")]
    Rejected(String),
    /// The identity manager answered with one of its errors.
    #[error("{0}")]
    IdentityManager(IdentityManagerError),
    #[error("The Internet Computer's answer could not be read: {0}")]
    Decode(String),
    #[error("This device could not sign the request: {0}")]
    Signing(CryptoError),
}

impl From<candid::Error> for ApiError {
    fn from(error: candid::Error) -> Self {
        ApiError::Decode(error.to_string())
    }
}

impl From<CryptoError> for ApiError {
    fn from(error: CryptoError) -> Self {
        ApiError::Signing(error)
    }
}
