//! Reading one ICRC JSON-RPC request (method and params, as
//! `provider::channel` hands them over) into a [`Request`], or refusing it
//! with the error its reply carries.
//!
//! Rules:
//! - Params are an object; the methods without params also accept none
//!   (the channel reads a missing `params` as `[]`). Keys the standards do
//!   not define are ignored, and a key sent with the value `undefined` is
//!   absent by the time it is JSON, so it is accepted too.
//! - A method Sigil does not serve is 2000; a param of the wrong type or
//!   out of bounds is -32602, naming the param.
//! - `icrc34_delegation`'s `publicKey` is a base64 DER key the IC accepts
//!   as a session key (the rules of `/#authorize`); `maxTimeToLive` is a
//!   decimal string of nanoseconds, bounded as `/#authorize` bounds it;
//!   `targets` are at most [`MAX_DELEGATION_TARGETS`] distinct principals.
//! - `icrc95DerivationOrigin`, on any request, is at most
//!   [`MAX_ORIGIN_LEN`] bytes; whether it is allowed is decided by
//!   `authorize::origin`, as for `derivationOrigin`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use candid::Principal;
use serde_json::{Map, Value};
use sigil_api::identity_manager::MAX_DELEGATION_TARGETS;

use super::error::SignerError;
use super::scopes::Scope;
use crate::authorize::origin::MAX_ORIGIN_LEN;
use crate::authorize::request::{DEFAULT_TIME_TO_LIVE_NANOS, bound_time_to_live};
use crate::authorize::session_key::{MAX_SESSION_KEY_LEN, SessionKey};

/// Most scopes one `icrc25_request_permissions` may name.
pub const MAX_REQUESTED_SCOPES: usize = 64;

/// What the relying party asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    SupportedStandards,
    Permissions,
    /// The supported scopes asked for, each once, in [`Scope::ALL`]'s
    /// order (unknown ones are dropped, as ICRC-25 says).
    RequestPermissions(Vec<Scope>),
    Accounts,
    Delegation(DelegationRequest),
}

impl Request {
    /// The permission the request needs, if any.
    pub fn scope(&self) -> Option<Scope> {
        match self {
            Request::Accounts => Some(Scope::Accounts),
            Request::Delegation(_) => Some(Scope::Delegation),
            Request::SupportedStandards | Request::Permissions | Request::RequestPermissions(_) => {
                None
            }
        }
    }
}

/// `icrc34_delegation`'s params.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationRequest {
    pub session_key: SessionKey,
    /// Bounded to `1..=MAX_TIME_TO_LIVE_NANOS`.
    pub time_to_live_nanos: u64,
    /// `None`: a relying-party delegation (the origin's own principal);
    /// otherwise an account delegation to exactly these canisters.
    pub targets: Option<Vec<Principal>>,
}

/// A request and the derivation origin it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub request: Request,
    pub derivation_origin: Option<String>,
}

impl Incoming {
    /// Reads `method` with `params`.
    pub fn read(method: &str, params: &Value) -> Result<Self, SignerError> {
        let empty = Map::new();
        let object = match params {
            Value::Object(object) => object,
            Value::Array(items) if items.is_empty() => &empty,
            _ => return Err(SignerError::invalid("params must be an object")),
        };
        let request = match method {
            "icrc25_supported_standards" => Request::SupportedStandards,
            "icrc25_permissions" => Request::Permissions,
            "icrc25_request_permissions" => Request::RequestPermissions(scopes(object)?),
            "icrc27_accounts" => Request::Accounts,
            "icrc34_delegation" => Request::Delegation(delegation(object)?),
            other => return Err(SignerError::NotSupported(bounded(other))),
        };
        Ok(Self {
            request,
            derivation_origin: derivation_origin(object)?,
        })
    }
}

/// At most 64 characters of a name the dapp chose, for an error's words.
fn bounded(text: &str) -> String {
    text.chars().take(64).collect()
}

fn scopes(params: &Map<String, Value>) -> Result<Vec<Scope>, SignerError> {
    let Some(Value::Array(items)) = params.get("scopes") else {
        return Err(SignerError::invalid("scopes must be an array of scopes"));
    };
    if items.len() > MAX_REQUESTED_SCOPES {
        return Err(SignerError::invalid(format!(
            "scopes may name at most {MAX_REQUESTED_SCOPES} scopes"
        )));
    }
    let mut methods = Vec::with_capacity(items.len());
    for item in items {
        match item.get("method") {
            Some(Value::String(method)) => methods.push(method.as_str()),
            _ => return Err(SignerError::invalid("each scope must have a method string")),
        }
    }
    Ok(Scope::ALL
        .into_iter()
        .filter(|scope| methods.contains(&scope.method()))
        .collect())
}

fn delegation(params: &Map<String, Value>) -> Result<DelegationRequest, SignerError> {
    let public_key = match params.get("publicKey") {
        Some(Value::String(text)) => base64_bytes("publicKey", text, MAX_SESSION_KEY_LEN)?,
        _ => return Err(SignerError::invalid("publicKey must be a base64 DER key")),
    };
    let session_key = SessionKey::parse(&public_key)
        .map_err(|error| SignerError::invalid(format!("publicKey is not usable: {error}")))?;
    let time_to_live_nanos = match params.get("maxTimeToLive") {
        None => DEFAULT_TIME_TO_LIVE_NANOS,
        Some(Value::String(text)) => nanoseconds(text)?,
        Some(_) => {
            return Err(SignerError::invalid(
                "maxTimeToLive must be a string of nanoseconds",
            ));
        }
    };
    let targets = match params.get("targets") {
        None => None,
        Some(Value::Array(items)) => Some(targets(items)?),
        Some(_) => {
            return Err(SignerError::invalid(
                "targets must be an array of principals",
            ));
        }
    };
    Ok(DelegationRequest {
        session_key,
        time_to_live_nanos,
        targets,
    })
}

/// Decodes standard base64 (with padding) of at most `max` bytes.
pub fn base64_bytes(name: &str, text: &str, max: usize) -> Result<Vec<u8>, SignerError> {
    if text.len() > max.div_ceil(3) * 4 {
        return Err(SignerError::invalid(format!(
            "{name} is longer than {max} bytes"
        )));
    }
    STANDARD
        .decode(text)
        .map_err(|_| SignerError::invalid(format!("{name} is not base64")))
}

/// A lifetime: decimal digits only, bounded as every channel bounds it.
fn nanoseconds(text: &str) -> Result<u64, SignerError> {
    let invalid = || SignerError::invalid("maxTimeToLive must be a decimal string of nanoseconds");
    if text.is_empty() || text.len() > 30 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let requested: i128 = text.parse().map_err(|_| invalid())?;
    bound_time_to_live(requested)
        .map(|(nanos, _)| nanos)
        .ok_or_else(|| SignerError::invalid("maxTimeToLive must be more than zero"))
}

fn targets(items: &[Value]) -> Result<Vec<Principal>, SignerError> {
    if items.is_empty() || items.len() > MAX_DELEGATION_TARGETS {
        return Err(SignerError::invalid(format!(
            "targets must name 1 to {MAX_DELEGATION_TARGETS} canisters"
        )));
    }
    let mut principals = Vec::with_capacity(items.len());
    for item in items {
        let principal = item
            .as_str()
            .and_then(|text| Principal::from_text(text).ok())
            .ok_or_else(|| SignerError::invalid("each target must be a principal's text"))?;
        if !principals.contains(&principal) {
            principals.push(principal);
        }
    }
    Ok(principals)
}

fn derivation_origin(params: &Map<String, Value>) -> Result<Option<String>, SignerError> {
    match params.get("icrc95DerivationOrigin") {
        None => Ok(None),
        Some(Value::String(text)) if text.len() <= MAX_ORIGIN_LEN => Ok(Some(text.clone())),
        Some(Value::String(_)) => Err(SignerError::invalid(format!(
            "icrc95DerivationOrigin is longer than {MAX_ORIGIN_LEN} bytes"
        ))),
        Some(_) => Err(SignerError::invalid(
            "icrc95DerivationOrigin must be an origin string",
        )),
    }
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
