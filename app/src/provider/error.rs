//! The errors a dapp receives, as EIP-1193 and EIP-1474 number them. Each
//! carries its words for the dapp (and the person, where the Sigil window
//! shows it); [`ProviderError::to_json`] writes the JSON-RPC `error` member.

use serde_json::{Value, json};
use thiserror::Error;

/// EIP-1193: the person rejected the request (also by closing the window).
pub const USER_REJECTED: i64 = 4001;
/// EIP-1193: the origin or account is not authorized.
pub const UNAUTHORIZED: i64 = 4100;
/// EIP-1193: the method is not supported.
pub const UNSUPPORTED_METHOD: i64 = 4200;
/// The chain is not one Sigil knows (as wallets answer
/// `wallet_switchEthereumChain`).
pub const UNKNOWN_CHAIN: i64 = 4902;
/// EIP-1474: the parameters are not valid.
pub const INVALID_PARAMS: i64 = -32602;
/// EIP-1474: Sigil failed (the network, a canister).
pub const INTERNAL_ERROR: i64 = -32603;
/// EIP-1474: Sigil is busy with another request of this window.
pub const RESOURCE_UNAVAILABLE: i64 = -32002;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProviderError {
    #[error("The person rejected the request in Sigil.")]
    Rejected,
    #[error("{origin} is not connected to Sigil: ask for eth_requestAccounts first.")]
    NotConnected { origin: String },
    #[error("{address} is not the account Sigil connected to {origin}.")]
    OtherAccount { address: String, origin: String },
    /// The account's signing policy refused it; the words are the policy's.
    #[error("{0}")]
    Policy(String),
    #[error("Sigil does not support {0}.")]
    Unsupported(String),
    #[error("Sigil does not know chain {0}. Add it with wallet_addEthereumChain first.")]
    UnknownChain(String),
    #[error("Invalid params: {0}")]
    InvalidParams(String),
    #[error("Sigil is answering another request in this window.")]
    Busy,
    #[error("{0}")]
    Internal(String),
}

impl ProviderError {
    pub fn code(&self) -> i64 {
        match self {
            ProviderError::Rejected => USER_REJECTED,
            ProviderError::NotConnected { .. }
            | ProviderError::OtherAccount { .. }
            | ProviderError::Policy(_) => UNAUTHORIZED,
            ProviderError::Unsupported(_) => UNSUPPORTED_METHOD,
            ProviderError::UnknownChain(_) => UNKNOWN_CHAIN,
            ProviderError::InvalidParams(_) => INVALID_PARAMS,
            ProviderError::Busy => RESOURCE_UNAVAILABLE,
            ProviderError::Internal(_) => INTERNAL_ERROR,
        }
    }

    /// The JSON-RPC `error` member. A dapp that is no longer connected
    /// says so in `data`, so that the provider forgets its accounts.
    pub fn to_json(&self) -> Value {
        let mut error = json!({ "code": self.code(), "message": self.to_string() });
        if matches!(self, ProviderError::NotConnected { .. }) {
            error["data"] = json!({ "connected": false });
        }
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_number_errors_as_eip1193_and_eip1474_do() {
        let cases = [
            (ProviderError::Rejected, 4001),
            (
                ProviderError::NotConnected {
                    origin: "https://dapp.example".into(),
                },
                4100,
            ),
            (ProviderError::Policy("over the limit".into()), 4100),
            (ProviderError::Unsupported("eth_sign".into()), 4200),
            (ProviderError::UnknownChain("0x5".into()), 4902),
            (ProviderError::InvalidParams("no address".into()), -32602),
            (ProviderError::Internal("offline".into()), -32603),
        ];
        for (error, code) in cases {
            let json = error.to_json();
            assert_eq!(json["code"], code, "{error}");
            assert_eq!(json["message"], error.to_string());
        }
    }

    #[test]
    fn should_tell_the_provider_only_when_the_origin_is_not_connected() {
        let not_connected = ProviderError::NotConnected {
            origin: "https://dapp.example".into(),
        };
        assert_eq!(not_connected.to_json()["data"]["connected"], false);
        assert!(ProviderError::Rejected.to_json().get("data").is_none());
        assert!(
            ProviderError::Policy("no".into())
                .to_json()
                .get("data")
                .is_none()
        );
    }
}
