//! The errors a relying party receives, numbered as ICRC-25 (1000–4000)
//! and JSON-RPC 2.0 (-32602) number them. Each carries its words for the
//! dapp and for the person, where the window shows it. The `error` member
//! is `{code, message}` only: no standard used here defines `data` for
//! these codes, and strict clients refuse members they do not know.

use serde_json::{Value, json};
use thiserror::Error;

/// ICRC-25: a generic error.
pub const GENERIC_ERROR: i64 = 1000;
/// ICRC-25: the method is not supported by Sigil.
pub const NOT_SUPPORTED: i64 = 2000;
/// ICRC-49: the target canister has no consent message for the call.
pub const CONSENT_MESSAGE_UNAVAILABLE: i64 = 2001;
/// ICRC-25: the permission for the method is not granted.
pub const PERMISSION_NOT_GRANTED: i64 = 3000;
/// ICRC-25: the person aborted the action.
pub const ACTION_ABORTED: i64 = 3001;
/// ICRC-25: a network error.
pub const NETWORK_ERROR: i64 = 4000;
/// JSON-RPC 2.0: the parameters are not valid.
pub const INVALID_PARAMS: i64 = -32602;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignerError {
    #[error("{0}")]
    Generic(String),
    #[error("Sigil does not support {0}.")]
    NotSupported(String),
    #[error("{0} offers no consent message for this call, so Sigil cannot show what it does.")]
    ConsentMessageUnavailable(String),
    #[error("This app may not use {0}: its permission is denied in Sigil.")]
    PermissionNotGranted(String),
    #[error("The person declined the request in Sigil.")]
    ActionAborted,
    #[error("Sigil could not reach the Internet Computer: {0}")]
    Network(String),
    #[error("Invalid params: {0}")]
    InvalidParams(String),
    #[error("Sigil is answering another request in this window.")]
    Busy,
}

impl SignerError {
    pub fn code(&self) -> i64 {
        match self {
            SignerError::Generic(_) | SignerError::Busy => GENERIC_ERROR,
            SignerError::NotSupported(_) => NOT_SUPPORTED,
            SignerError::ConsentMessageUnavailable(_) => CONSENT_MESSAGE_UNAVAILABLE,
            SignerError::PermissionNotGranted(_) => PERMISSION_NOT_GRANTED,
            SignerError::ActionAborted => ACTION_ABORTED,
            SignerError::Network(_) => NETWORK_ERROR,
            SignerError::InvalidParams(_) => INVALID_PARAMS,
        }
    }

    /// The JSON-RPC `error` member.
    pub fn to_json(&self) -> Value {
        json!({ "code": self.code(), "message": self.to_string() })
    }

    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        SignerError::InvalidParams(reason.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_number_every_error_as_the_standards_do() {
        let cases = [
            (SignerError::Generic("x".into()), 1000),
            (SignerError::Busy, 1000),
            (SignerError::NotSupported("icrc7_x".into()), 2000),
            (
                SignerError::ConsentMessageUnavailable("aaaaa-aa".into()),
                2001,
            ),
            (
                SignerError::PermissionNotGranted("icrc27_accounts".into()),
                3000,
            ),
            (SignerError::ActionAborted, 3001),
            (SignerError::Network("offline".into()), 4000),
            (SignerError::InvalidParams("x".into()), -32602),
        ];
        for (error, code) in cases {
            assert_eq!(error.code(), code, "{error:?}");
        }
    }

    #[test]
    fn should_write_only_code_and_message() {
        let json = SignerError::ActionAborted.to_json();
        let keys: Vec<&String> = json
            .as_object()
            .expect("a value of the test")
            .keys()
            .collect();
        assert_eq!(keys, ["code", "message"]);
        assert_eq!(json["code"], 3001);
        assert_eq!(json["message"], "The person declined the request in Sigil.");
    }
}
