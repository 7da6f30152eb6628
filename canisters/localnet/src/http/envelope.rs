//! Decoding and checking request envelopes (IC interface specification,
//! "Authentication", "Request ids", "Effective canister id").
//!
//! Order of checks, each failing with the status the IC's replica uses:
//!
//! 1. `Content-Type: application/cbor` — else 400.
//! 2. The body decodes as an envelope whose `request_type` fits the
//!    endpoint — else 400.
//! 3. The request id (representation-independent hash of `content`) can be
//!    computed; a `nonce` has at most 32 bytes — else 400.
//! 4. `ingress_expiry` lies in `[now, now + 5 min + 60 s]` — else 400.
//! 5. The sender's signature and delegations verify ([`crate::auth`]) —
//!    else 400 (the current replica reports all validation errors as 400).

use axum::http::{HeaderMap, StatusCode, header};
use candid::Principal;
use ic_transport_types::{Envelope, EnvelopeContent};

use super::responses::{CONTENT_TYPE_CBOR, HttpError};
use crate::auth::{self, SignedRequest};
use crate::messages::RequestId;

/// Longest accepted time to live of a request.
pub const MAX_INGRESS_TTL_NANOS: u64 = 5 * 60 * 1_000_000_000;
/// Clock drift tolerated on top of [`MAX_INGRESS_TTL_NANOS`].
pub const PERMITTED_DRIFT_NANOS: u64 = 60 * 1_000_000_000;
/// Longest accepted nonce.
pub const MAX_NONCE_BYTES: usize = 32;

/// Which endpoint a request arrived at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RequestKind {
    Call,
    Query,
    ReadState,
}

impl RequestKind {
    fn name(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Query => "query",
            Self::ReadState => "read_state",
        }
    }

    fn of(content: &EnvelopeContent) -> Self {
        match content {
            EnvelopeContent::Call { .. } => Self::Call,
            EnvelopeContent::Query { .. } => Self::Query,
            EnvelopeContent::ReadState { .. } => Self::ReadState,
        }
    }
}

/// A request that passed every envelope check.
#[derive(Debug)]
pub(crate) struct CheckedRequest {
    pub request_id: RequestId,
    pub content: EnvelopeContent,
    pub sender: Principal,
    /// The canisters the request may reach, `None` when unrestricted.
    pub targets: Option<Vec<Principal>>,
}

impl CheckedRequest {
    /// Whether the sender's delegations allow reaching `canister`.
    pub fn may_target(&self, canister: &Principal) -> bool {
        self.targets
            .as_ref()
            .is_none_or(|targets| targets.contains(canister))
    }
}

/// Parses a principal in its text form (from the URL).
pub(crate) fn parse_principal(text: &str) -> Result<Principal, HttpError> {
    Principal::from_text(text)
        .map_err(|e| HttpError::bad_request(format!("Could not parse principal {text:.100}: {e}")))
}

/// The request must declare a CBOR body.
pub(crate) fn check_content_type(headers: &HeaderMap) -> Result<(), HttpError> {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase());
    if essence.as_deref() == Some(CONTENT_TYPE_CBOR) {
        Ok(())
    } else {
        Err(HttpError::bad_request(format!(
            "Unexpected content-type, expected {CONTENT_TYPE_CBOR}."
        )))
    }
}

/// `ingress_expiry` must not have passed and must not be too far ahead.
pub(crate) fn check_ingress_expiry(expiry: u64, now_nanos: u64) -> Result<(), HttpError> {
    let max = now_nanos.saturating_add(MAX_INGRESS_TTL_NANOS + PERMITTED_DRIFT_NANOS);
    if expiry < now_nanos || expiry > max {
        return Err(HttpError::bad_request(format!(
            "Invalid request expiry: Specified ingress_expiry not within expected range: \
             Minimum allowed expiry: {now_nanos}, Maximum allowed expiry: {max}, \
             Provided expiry: {expiry}"
        )));
    }
    Ok(())
}

/// Decodes and checks an envelope that arrived at an endpoint of `kind`.
pub(crate) fn check_envelope(
    body: &[u8],
    kind: RequestKind,
    now_nanos: u64,
    root_public_key: &[u8],
) -> Result<CheckedRequest, HttpError> {
    let envelope: Envelope<'static> = serde_cbor::from_slice(body).map_err(|e| {
        HttpError::bad_request(format!(
            "Could not parse body as {} request: {e}",
            kind.name()
        ))
    })?;
    let Envelope {
        content,
        sender_pubkey,
        sender_sig,
        sender_delegation,
    } = envelope;
    let content = content.into_owned();
    let actual = RequestKind::of(&content);
    if actual != kind {
        return Err(HttpError::bad_request(format!(
            "Malformed request: expected a request of type {}, got {}",
            kind.name(),
            actual.name()
        )));
    }
    let request_id: RequestId = *ic_transport_types::to_request_id(&content)
        .map_err(|e| HttpError::bad_request(format!("Cannot compute the request id: {e}")))?;
    let nonce = match &content {
        EnvelopeContent::Call { nonce, .. } | EnvelopeContent::Query { nonce, .. } => {
            nonce.as_deref()
        }
        EnvelopeContent::ReadState { .. } => None,
    };
    if nonce.is_some_and(|nonce| nonce.len() > MAX_NONCE_BYTES) {
        return Err(HttpError::bad_request(format!(
            "Malformed request: the nonce must have at most {MAX_NONCE_BYTES} bytes"
        )));
    }
    check_ingress_expiry(content.ingress_expiry(), now_nanos)?;

    let sender = *content.sender();
    let authenticated = auth::authenticate(
        &SignedRequest {
            request_id: &request_id,
            sender,
            sender_pubkey: sender_pubkey.as_deref(),
            sender_sig: sender_sig.as_deref(),
            sender_delegation: sender_delegation.as_deref(),
        },
        now_nanos,
        root_public_key,
    )
    .map_err(|e| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "Failed to authenticate request 0x{}: {e}",
                hex::encode(request_id)
            ),
        )
    })?;
    // A delegation with `permissions: "queries"` allows queries and
    // read_state only (IC interface specification, "Authentication").
    if authenticated.queries_only && kind == RequestKind::Call {
        return Err(HttpError::bad_request(format!(
            "Failed to authenticate request 0x{}: a delegation in the chain permits queries only",
            hex::encode(request_id)
        )));
    }
    Ok(CheckedRequest {
        request_id,
        content,
        sender: authenticated.sender,
        targets: authenticated.targets,
    })
}

/// The effective canister id of a call or query (IC interface
/// specification, "Effective canister id"): a canister's own id, or, for
/// the management canister, the canister its argument names (any id for
/// the canister-creating methods). `named` is what
/// [`crate::management::effective_canister_id`] finds in the argument;
/// `None` (a method that names no canister, or an argument that does not
/// decode) is left to the management canister, which refuses such
/// messages from ingress.
pub(crate) fn check_effective_canister_id(
    canister_id: &Principal,
    named: Option<&Principal>,
    method_name: &str,
    effective_canister_id: &Principal,
) -> Result<(), HttpError> {
    let expected = if *canister_id != Principal::management_canister() {
        Some(canister_id)
    } else if crate::management::creates_canisters(method_name) {
        None
    } else {
        named
    };
    match expected {
        Some(expected) if expected != effective_canister_id => {
            Err(HttpError::bad_request(format!(
                "Specified CanisterId {expected} does not match effective canister id in URL {effective_canister_id}"
            )))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    const NOW: u64 = 1_800_000_000_000_000_000;

    fn query_envelope(expiry: u64, nonce: Option<Vec<u8>>) -> Vec<u8> {
        Envelope {
            content: Cow::Owned(EnvelopeContent::Query {
                ingress_expiry: expiry,
                sender: Principal::anonymous(),
                canister_id: crate::ids::canister_id(0),
                method_name: "greet".into(),
                arg: vec![],
                nonce,
                sender_info: None,
            }),
            sender_pubkey: None,
            sender_sig: None,
            sender_delegation: None,
        }
        .encode_bytes()
    }

    #[test]
    fn a_valid_anonymous_query_passes_with_its_request_id() {
        let body = query_envelope(NOW + 60_000_000_000, None);
        let checked = check_envelope(&body, RequestKind::Query, NOW, &[0; 96]).unwrap();
        let envelope: Envelope = serde_cbor::from_slice(&body).unwrap();
        assert_eq!(checked.request_id, *envelope.content.to_request_id());
        assert_eq!(checked.sender, Principal::anonymous());
        assert!(checked.may_target(&crate::ids::canister_id(0)));
    }

    #[test]
    fn malformed_cbor_is_a_bad_request() {
        let err = check_envelope(b"\xff\x00garbage", RequestKind::Query, NOW, &[]).unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(err.message.contains("Could not parse body"));
    }

    #[test]
    fn an_envelope_of_the_wrong_type_is_a_bad_request() {
        let body = query_envelope(NOW + 1, None);
        let err = check_envelope(&body, RequestKind::Call, NOW, &[]).unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(err.message.contains("expected a request of type call"));
    }

    #[test]
    fn expired_and_far_future_requests_are_bad_requests() {
        for expiry in [
            NOW - 1,
            NOW + MAX_INGRESS_TTL_NANOS + PERMITTED_DRIFT_NANOS + 1,
        ] {
            let body = query_envelope(expiry, None);
            let err = check_envelope(&body, RequestKind::Query, NOW, &[]).unwrap_err();
            assert_eq!(err.status, StatusCode::BAD_REQUEST);
            assert!(err.message.contains("ingress_expiry"));
        }
        let body = query_envelope(NOW + MAX_INGRESS_TTL_NANOS + PERMITTED_DRIFT_NANOS, None);
        assert!(check_envelope(&body, RequestKind::Query, NOW, &[]).is_ok());
    }

    #[test]
    fn an_overlong_nonce_is_a_bad_request() {
        let body = query_envelope(NOW + 1, Some(vec![0; 33]));
        let err = check_envelope(&body, RequestKind::Query, NOW, &[]).unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn bad_principal_text_is_a_bad_request() {
        assert_eq!(
            parse_principal("not-a-principal").unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            parse_principal("rwlgt-iiaaa-aaaaa-aaaaa-cai").unwrap(),
            crate::ids::canister_id(0)
        );
    }

    #[test]
    fn only_cbor_content_is_accepted() {
        let mut headers = HeaderMap::new();
        assert!(check_content_type(&headers).is_err());
        headers.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        assert!(check_content_type(&headers).is_err());
        headers.insert(
            header::CONTENT_TYPE,
            "Application/CBOR; x=y".parse().unwrap(),
        );
        assert!(check_content_type(&headers).is_ok());
    }

    #[test]
    fn the_management_canister_takes_the_canister_its_argument_names() {
        let a = crate::ids::canister_id(1);
        let b = crate::ids::canister_id(2);
        let ic00 = Principal::management_canister();
        assert!(check_effective_canister_id(&a, None, "m", &a).is_ok());
        assert!(check_effective_canister_id(&a, None, "m", &b).is_err());
        assert!(check_effective_canister_id(&ic00, Some(&b), "canister_status", &b).is_ok());
        assert!(check_effective_canister_id(&ic00, Some(&a), "canister_status", &b).is_err());
        assert!(check_effective_canister_id(&ic00, None, "raw_rand", &b).is_ok());
        assert!(
            check_effective_canister_id(
                &ic00,
                Some(&a),
                "provisional_create_canister_with_cycles",
                &b
            )
            .is_ok()
        );
    }
}
