//! Response bodies: CBOR (tag 55799) for answers, plain text for HTTP-level
//! errors, as the IC's replica does.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ic_transport_types::{
    NodeSignature, RejectCode as WireRejectCode, RejectResponse, ReplyResponse,
};
use serde::Serialize;

use crate::certification::{to_self_describing_cbor, wire_reject_code};
use crate::messages::Reject;

pub(crate) const CONTENT_TYPE_CBOR: &str = "application/cbor";

/// An HTTP-level refusal: a status and a plain-text explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpError {
    pub status: StatusCode,
    pub message: String,
}

impl HttpError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.message).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    }
}

/// A CBOR body with the given status.
pub(crate) fn cbor(status: StatusCode, value: &impl serde::Serialize) -> Response {
    match to_self_describing_cbor(value) {
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(CONTENT_TYPE_CBOR),
            );
            response
        }
        Err(e) => HttpError::internal(format!("cannot encode the response: {e}")).into_response(),
    }
}

/// The reject as `ic-transport-types` models it (for computing the
/// signable form of a query response).
pub(crate) fn reject_response(reject: &Reject) -> RejectResponse {
    let code = match WireRejectCode::try_from(u64::from(wire_reject_code(reject.code))) {
        Ok(code) => code,
        Err(_) => WireRejectCode::SysTransient,
    };
    RejectResponse {
        reject_code: code,
        reject_message: reject.message.clone(),
        error_code: reject.error_code.clone(),
    }
}

/// The reject fields of a response body. A missing `error_code` is left
/// out rather than sent as `null`: `@dfinity/agent` cannot hash a `null`
/// when it checks a query signature, and both agents skip absent fields.
#[derive(Debug, Serialize)]
pub(crate) struct WireReject {
    pub reject_code: u8,
    pub reject_message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

impl From<&Reject> for WireReject {
    fn from(reject: &Reject) -> Self {
        Self {
            reject_code: wire_reject_code(reject.code),
            reject_message: reject.message.clone(),
            error_code: reject.error_code.clone(),
        }
    }
}

/// The body of a query response (IC interface specification, "Request:
/// Query call").
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(crate) enum WireQueryResponse {
    Replied {
        reply: ReplyResponse,
        signatures: Vec<NodeSignature>,
    },
    Rejected {
        reject_code: u8,
        reject_message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        error_code: Option<String>,
        signatures: Vec<NodeSignature>,
    },
}

/// The body of a synchronous call response (IC interface specification,
/// "Request: Call"); 202 has no body.
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub(crate) enum WireCallResponse {
    Replied {
        #[serde(with = "serde_bytes")]
        certificate: Vec<u8>,
    },
    NonReplicatedRejection {
        reject_code: u8,
        reject_message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        error_code: Option<String>,
    },
}

/// 202 Accepted with an empty body.
pub(crate) fn accepted() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::ACCEPTED;
    response
}
