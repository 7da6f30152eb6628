//! The `authorize-client` request: `{kind: "authorize-client",
//! sessionPublicKey: Uint8Array, maxTimeToLive?: bigint,
//! derivationOrigin?: string}`. Other properties (`allowPinAuthentication`,
//! custom values) are ignored.
//!
//! Invariants of a parsed [`AuthorizeRequest`]: the session key is a
//! structurally valid IC session key; the lifetime is in
//! `1..=MAX_TIME_TO_LIVE_NANOS` (longer requests are shortened, never
//! refused); the derivation origin, when present, is at most
//! [`MAX_ORIGIN_LEN`] bytes (whether it is *allowed* is decided by
//! [`super::origin`]).

use thiserror::Error;

use super::origin::MAX_ORIGIN_LEN;
use super::session_key::{SessionKey, SessionKeyError};
use super::value::Value;

/// The `kind` of a request.
pub const REQUEST_KIND: &str = "authorize-client";
/// Delegation lifetime when the request names none: 30 minutes.
pub use sigil_api::identity_manager::DEFAULT_DELEGATION_TTL_NS as DEFAULT_TIME_TO_LIVE_NANOS;
/// Longest delegation lifetime granted: 30 days.
pub use sigil_api::identity_manager::MAX_DELEGATION_TTL_NS as MAX_TIME_TO_LIVE_NANOS;

/// Why an `authorize-client` message is not a valid request.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RequestError {
    #[error("the request has no sessionPublicKey")]
    MissingSessionKey,
    #[error("sessionPublicKey must be a Uint8Array, not {0}")]
    SessionKeyType(&'static str),
    #[error("sessionPublicKey is not a usable public key: {0}")]
    SessionKey(#[from] SessionKeyError),
    #[error("maxTimeToLive must be a bigint (nanoseconds), not {0}")]
    TimeToLiveType(&'static str),
    #[error("maxTimeToLive must be more than zero nanoseconds")]
    TimeToLiveNotPositive,
    #[error("derivationOrigin must be a string, not {0}")]
    DerivationOriginType(&'static str),
    #[error("derivationOrigin is longer than {MAX_ORIGIN_LEN} bytes")]
    DerivationOriginTooLong,
}

/// A valid request, with the origin it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// `event.origin` of the message: where every reply goes.
    pub origin: String,
    pub session_key: SessionKey,
    /// The delegation lifetime in nanoseconds, already bounded.
    pub time_to_live_nanos: u64,
    /// True when the request asked for more than the maximum.
    pub time_to_live_shortened: bool,
    pub derivation_origin: Option<String>,
}

impl AuthorizeRequest {
    /// The origin whose principal the dapp receives.
    pub fn effective_derivation_origin(&self) -> &str {
        self.derivation_origin.as_deref().unwrap_or(&self.origin)
    }
}

/// Whether `data` claims to be a request (an object whose `kind` is
/// `"authorize-client"`); anything else is not addressed to Sigil.
pub fn is_request(data: &Value) -> bool {
    data.get("kind").and_then(Value::as_str) == Some(REQUEST_KIND)
}

/// Parses a request received from `origin`.
pub fn parse_request(origin: &str, data: &Value) -> Result<AuthorizeRequest, RequestError> {
    let session_key = match data.get_defined("sessionPublicKey") {
        None => return Err(RequestError::MissingSessionKey),
        Some(Value::Bytes(bytes)) => SessionKey::parse(bytes)?,
        Some(other) => return Err(RequestError::SessionKeyType(other.describe())),
    };
    let (time_to_live_nanos, time_to_live_shortened) =
        time_to_live(data.get_defined("maxTimeToLive"))?;
    let derivation_origin = match data.get_defined("derivationOrigin") {
        None => None,
        Some(Value::String(text)) if text.len() > MAX_ORIGIN_LEN => {
            return Err(RequestError::DerivationOriginTooLong);
        }
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => return Err(RequestError::DerivationOriginType(other.describe())),
    };
    Ok(AuthorizeRequest {
        origin: origin.to_owned(),
        session_key,
        time_to_live_nanos,
        time_to_live_shortened,
        derivation_origin,
    })
}

/// The bounded lifetime and whether it was shortened. A bigint is the
/// protocol's type; an integral number is accepted as well.
fn time_to_live(value: Option<&Value>) -> Result<(u64, bool), RequestError> {
    let requested: i128 = match value {
        None => return Ok((DEFAULT_TIME_TO_LIVE_NANOS, false)),
        Some(Value::BigInt(n)) => *n,
        Some(Value::Number(n)) if n.is_finite() => n.trunc() as i128,
        Some(other) => return Err(RequestError::TimeToLiveType(other.describe())),
    };
    bound_time_to_live(requested).ok_or(RequestError::TimeToLiveNotPositive)
}

/// A requested delegation lifetime in nanoseconds, bounded to
/// `1..=MAX_TIME_TO_LIVE_NANOS`, and whether it was shortened; `None` when
/// it is not positive. Every dapp channel bounds lifetimes with this.
pub fn bound_time_to_live(requested: i128) -> Option<(u64, bool)> {
    if requested <= 0 {
        return None;
    }
    let max = i128::from(MAX_TIME_TO_LIVE_NANOS);
    if requested > max {
        Some((MAX_TIME_TO_LIVE_NANOS, true))
    } else {
        Some((requested as u64, false))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::authorize::session_key::tests::{ed25519_spki, p256_spki};

    pub const DAPP: &str = "https://dapp.example";

    pub fn request_with(extra: Vec<(&str, Value)>) -> Value {
        let mut entries = vec![
            ("kind".to_owned(), Value::String(REQUEST_KIND.into())),
            ("sessionPublicKey".to_owned(), Value::Bytes(p256_spki())),
        ];
        for (key, value) in extra {
            entries.retain(|(k, _)| k != key);
            entries.push((key.to_owned(), value));
        }
        Value::Object(entries)
    }

    fn ttl_of(value: Value) -> Result<(u64, bool), RequestError> {
        parse_request(DAPP, &request_with(vec![("maxTimeToLive", value)]))
            .map(|r| (r.time_to_live_nanos, r.time_to_live_shortened))
    }

    const DAY: i128 = 24 * 60 * 60 * 1_000_000_000;

    #[test]
    fn should_parse_what_auth_client_sends() {
        let data = request_with(vec![
            ("maxTimeToLive", Value::BigInt(8 * 60 * 60 * 1_000_000_000)),
            ("allowPinAuthentication", Value::Undefined),
            ("derivationOrigin", Value::Undefined),
        ]);
        let request = parse_request(DAPP, &data).expect("valid request");
        assert_eq!(request.origin, DAPP);
        assert_eq!(request.session_key.der(), &p256_spki()[..]);
        assert_eq!(request.time_to_live_nanos, 8 * 60 * 60 * 1_000_000_000);
        assert!(!request.time_to_live_shortened);
        assert_eq!(request.derivation_origin, None);
        assert_eq!(request.effective_derivation_origin(), DAPP);
    }

    #[test]
    fn should_default_the_lifetime_to_30_minutes() {
        assert_eq!(
            ttl_of(Value::Undefined),
            Ok((DEFAULT_TIME_TO_LIVE_NANOS, false))
        );
        let request = parse_request(DAPP, &request_with(vec![])).expect("valid request");
        assert_eq!(request.time_to_live_nanos, 30 * 60 * 1_000_000_000);
    }

    #[test]
    fn should_shorten_ttl_longer_than_30_days() {
        assert_eq!(
            ttl_of(Value::BigInt(60 * DAY)),
            Ok((MAX_TIME_TO_LIVE_NANOS, true))
        );
        assert_eq!(
            ttl_of(Value::BigInt(i128::MAX)),
            Ok((MAX_TIME_TO_LIVE_NANOS, true))
        );
        assert_eq!(
            ttl_of(Value::BigInt(30 * DAY)),
            Ok((MAX_TIME_TO_LIVE_NANOS, false))
        );
        assert_eq!(
            ttl_of(Value::Number(1e300)),
            Ok((MAX_TIME_TO_LIVE_NANOS, true))
        );
    }

    #[test]
    fn should_refuse_lifetimes_that_are_not_positive_numbers() {
        assert_eq!(
            ttl_of(Value::BigInt(0)),
            Err(RequestError::TimeToLiveNotPositive)
        );
        assert_eq!(
            ttl_of(Value::BigInt(-5)),
            Err(RequestError::TimeToLiveNotPositive)
        );
        assert_eq!(
            ttl_of(Value::Number(0.5)),
            Err(RequestError::TimeToLiveNotPositive)
        );
        assert_eq!(
            ttl_of(Value::Number(f64::NAN)),
            Err(RequestError::TimeToLiveType("a number"))
        );
        assert_eq!(
            ttl_of(Value::String("1".into())),
            Err(RequestError::TimeToLiveType("a string"))
        );
        assert_eq!(
            ttl_of(Value::Null),
            Err(RequestError::TimeToLiveType("null"))
        );
    }

    #[test]
    fn should_refuse_a_missing_or_mistyped_session_key() {
        let without = Value::object([("kind", Value::String(REQUEST_KIND.into()))]);
        assert_eq!(
            parse_request(DAPP, &without),
            Err(RequestError::MissingSessionKey)
        );
        let as_array = request_with(vec![(
            "sessionPublicKey",
            Value::Array(vec![Value::Number(48.0)]),
        )]);
        assert_eq!(
            parse_request(DAPP, &as_array),
            Err(RequestError::SessionKeyType("an array"))
        );
        let raw = request_with(vec![("sessionPublicKey", Value::Bytes(vec![7; 32]))]);
        assert!(matches!(
            parse_request(DAPP, &raw),
            Err(RequestError::SessionKey(_))
        ));
    }

    #[test]
    fn should_keep_a_derivation_origin_and_refuse_overlong_ones() {
        let data = request_with(vec![
            ("sessionPublicKey", Value::Bytes(ed25519_spki())),
            (
                "derivationOrigin",
                Value::String("https://x.icp0.io".into()),
            ),
        ]);
        let request = parse_request(DAPP, &data).expect("valid request");
        assert_eq!(request.effective_derivation_origin(), "https://x.icp0.io");
        let long = request_with(vec![("derivationOrigin", Value::String("h".repeat(256)))]);
        assert_eq!(
            parse_request(DAPP, &long),
            Err(RequestError::DerivationOriginTooLong)
        );
        let number = request_with(vec![("derivationOrigin", Value::Number(1.0))]);
        assert_eq!(
            parse_request(DAPP, &number),
            Err(RequestError::DerivationOriginType("a number"))
        );
    }

    #[test]
    fn should_recognise_requests_by_kind_only() {
        assert!(is_request(&request_with(vec![])));
        assert!(!is_request(&Value::object([(
            "kind",
            Value::String("authorize-ready".into())
        )])));
        assert!(!is_request(&Value::String(REQUEST_KIND.into())));
        assert!(!is_request(&Value::Null));
    }
}
