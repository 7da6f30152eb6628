//! The messages that cross the boundary between the HTTP interface and the
//! replica: ingress calls, queries, their outcomes and rejects.
//!
//! Reject codes and error codes follow the IC interface specification
//! ("Reject codes") and the replica's `IC0xxx` error codes, so that agents
//! report them as they would report the IC's.

use candid::Principal;

/// A 32-byte request id: the representation-independent hash of a request's
/// content (IC interface specification, "Request ids").
pub type RequestId = [u8; 32];

/// An update call that arrived as ingress and passed authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngressCall {
    pub request_id: RequestId,
    pub sender: Principal,
    pub canister_id: Principal,
    /// The canister the request was routed to (`/canister/<id>/call`); for
    /// calls to the management canister it names the canister the call is
    /// about.
    pub effective_canister_id: Principal,
    pub method_name: String,
    pub arg: Vec<u8>,
    /// Nanoseconds since the epoch after which the request must not run.
    pub ingress_expiry: u64,
}

impl IngressCall {
    /// Who sent the call and where it went.
    pub fn origin(&self) -> RequestOrigin {
        RequestOrigin {
            sender: self.sender,
            canister_id: self.canister_id,
            effective_canister_id: self.effective_canister_id,
        }
    }
}

/// Who sent an ingress call, and where: decides who may read its status
/// (only its sender, through the same effective canister id). Kept, and
/// persisted, with the request's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestOrigin {
    pub sender: Principal,
    pub canister_id: Principal,
    pub effective_canister_id: Principal,
}

/// A non-replicated query that passed authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryCall {
    pub sender: Principal,
    pub canister_id: Principal,
    pub method_name: String,
    pub arg: Vec<u8>,
    /// The certificate offered to the canister through
    /// `ic0.data_certificate_*`: it certifies the canister's current
    /// `certified_data` and the time.
    pub data_certificate: Option<Vec<u8>>,
}

/// The IC's reject codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u64)]
pub enum RejectCode {
    SysFatal = 1,
    SysTransient = 2,
    DestinationInvalid = 3,
    CanisterReject = 4,
    CanisterError = 5,
    SysUnknown = 6,
}

impl RejectCode {
    pub fn from_u64(code: u64) -> Option<Self> {
        Some(match code {
            1 => Self::SysFatal,
            2 => Self::SysTransient,
            3 => Self::DestinationInvalid,
            4 => Self::CanisterReject,
            5 => Self::CanisterError,
            6 => Self::SysUnknown,
            _ => return None,
        })
    }
}

/// A reject as the IC reports it: code, message and (for system errors) an
/// `IC0xxx` error code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reject {
    pub code: RejectCode,
    pub message: String,
    pub error_code: Option<String>,
}

impl Reject {
    /// A reject raised by the system rather than by canister code.
    pub fn system(code: RejectCode, error_code: &str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            error_code: Some(error_code.to_string()),
        }
    }

    /// A reject produced by canister code through `ic0.msg_reject`.
    pub fn canister(message: impl Into<String>) -> Self {
        Self {
            code: RejectCode::CanisterReject,
            message: message.into(),
            error_code: Some("IC0406".to_string()),
        }
    }
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "reject code {}: {}", self.code as u64, self.message)
    }
}

impl std::error::Error for Reject {}

/// The status of an ingress call, as `read_state` reports it under
/// `/request_status/<request_id>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    Received,
    Processing,
    Replied(Vec<u8>),
    Rejected(Reject),
    /// The reply or reject was dropped after its time to be read passed.
    Done,
}

/// What the HTTP interface needs to know about a canister to certify it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanisterInfo {
    pub canister_id: Principal,
    /// SHA-256 of the installed wasm module, if any.
    pub module_hash: Option<[u8; 32]>,
    pub controllers: Vec<Principal>,
    pub certified_data: Vec<u8>,
}
