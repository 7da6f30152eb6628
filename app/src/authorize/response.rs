//! The messages Sigil posts to the dapp, as neutral [`Value`]s the browser
//! adapter turns into JavaScript: `Uint8Array` for bytes, `BigInt` for the
//! expiration (nanoseconds since the epoch).

use super::error::AuthorizeError;
use super::value::Value;

pub const READY_KIND: &str = "authorize-ready";
pub const SUCCESS_KIND: &str = "authorize-client-success";
pub const FAILURE_KIND: &str = "authorize-client-failure";

/// `{kind: "authorize-ready"}`: posted with target `"*"`, it carries nothing
/// secret.
pub fn ready() -> Value {
    Value::object([("kind", Value::String(READY_KIND.into()))])
}

/// `{kind: "authorize-client-failure", text}`.
pub fn failure(error: &AuthorizeError) -> Value {
    Value::object([
        ("kind", Value::String(FAILURE_KIND.into())),
        ("text", Value::String(error.to_string())),
    ])
}

/// One signed delegation of the chain given to the dapp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedDelegation {
    /// DER public key the delegation is to (the dapp's session key).
    pub pubkey: Vec<u8>,
    /// Nanoseconds since the Unix epoch.
    pub expiration: u64,
    /// Principals (raw bytes) the delegation is restricted to, if any.
    /// `@dfinity/auth-client` 3.x persists targets by calling `toHex()` on
    /// them, which posted values do not have: leave this `None` on the
    /// `/#authorize` channel.
    pub targets: Option<Vec<Vec<u8>>>,
    pub signature: Vec<u8>,
}

/// The delegation chain from the user's key to the dapp's session key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeSuccess {
    pub delegations: Vec<SignedDelegation>,
    /// DER public key of the user (a canister signature key).
    pub user_public_key: Vec<u8>,
}

/// `{kind: "authorize-client-success", delegations: [{delegation: {pubkey,
/// expiration, targets?}, signature}], userPublicKey}`.
pub fn success(success: &AuthorizeSuccess) -> Value {
    let delegations = success
        .delegations
        .iter()
        .map(|signed| {
            let mut delegation = vec![
                ("pubkey".to_owned(), Value::Bytes(signed.pubkey.clone())),
                (
                    "expiration".to_owned(),
                    Value::BigInt(i128::from(signed.expiration)),
                ),
            ];
            if let Some(targets) = &signed.targets {
                let targets = targets.iter().cloned().map(Value::Bytes).collect();
                delegation.push(("targets".to_owned(), Value::Array(targets)));
            }
            Value::object([
                ("delegation", Value::Object(delegation)),
                ("signature", Value::Bytes(signed.signature.clone())),
            ])
        })
        .collect();
    Value::object([
        ("kind", Value::String(SUCCESS_KIND.into())),
        ("delegations", Value::Array(delegations)),
        (
            "userPublicKey",
            Value::Bytes(success.user_public_key.clone()),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_post_ready_with_only_its_kind() {
        assert_eq!(
            ready(),
            Value::object([("kind", Value::String("authorize-ready".into()))])
        );
    }

    #[test]
    fn should_put_the_error_text_in_a_failure() {
        let message = failure(&AuthorizeError::Cancelled);
        assert_eq!(
            message.get("kind").and_then(Value::as_str),
            Some("authorize-client-failure")
        );
        assert_eq!(
            message.get("text").and_then(Value::as_str),
            Some("The person cancelled the sign-in")
        );
    }

    #[test]
    fn should_serialise_a_success_in_the_auth_client_shape() {
        let message = success(&AuthorizeSuccess {
            delegations: vec![SignedDelegation {
                pubkey: vec![1, 2],
                expiration: 1_700_000_000_000_000_000,
                targets: None,
                signature: vec![3],
            }],
            user_public_key: vec![4],
        });
        let expected = Value::object([
            ("kind", Value::String("authorize-client-success".into())),
            (
                "delegations",
                Value::Array(vec![Value::object([
                    (
                        "delegation",
                        Value::object([
                            ("pubkey", Value::Bytes(vec![1, 2])),
                            ("expiration", Value::BigInt(1_700_000_000_000_000_000)),
                        ]),
                    ),
                    ("signature", Value::Bytes(vec![3])),
                ])]),
            ),
            ("userPublicKey", Value::Bytes(vec![4])),
        ]);
        assert_eq!(message, expected);
    }

    #[test]
    fn should_include_targets_only_when_given() {
        let message = success(&AuthorizeSuccess {
            delegations: vec![SignedDelegation {
                pubkey: vec![],
                expiration: 0,
                targets: Some(vec![vec![0xab]]),
                signature: vec![],
            }],
            user_public_key: vec![],
        });
        let Some(Value::Array(delegations)) = message.get("delegations") else {
            panic!("delegations array");
        };
        let targets = delegations[0]
            .get("delegation")
            .and_then(|d| d.get("targets"));
        assert_eq!(targets, Some(&Value::Array(vec![Value::Bytes(vec![0xab])])));
    }
}
