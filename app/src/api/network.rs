//! The network's HTTP interface (IC interface specification, "HTTPS
//! interface"): `/api/v2/status`, `/api/v3` query and read_state, `/api/v4`
//! call. The app posts the envelopes it encoded and checks every reply
//! here: each certificate with [`certificate::verify`] (the root key or the
//! subnet's delegation from it, the subnet's authority over the canister,
//! the BLS signature, the time), each query reply with
//! [`reply::verify_query_signatures`] against the node keys of the
//! canister's subnet, which come from a verified `read_state` of `/subnet`
//! and are kept for [`SUBNET_CACHE_NANOS`].

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use candid::Principal;
use futures_util::future::join;
use ic_certification::{Certificate, Label};
use ic_transport_types::{
    EnvelopeContent, QueryResponse, ReadStateResponse, RequestId, TransportCallResponse,
};
use serde::de::DeserializeOwned;

use super::certificate::{self, IC_ROOT_KEY, Subnet};
use super::envelope;
use super::error::ApiError;
use super::reply::{self, CallStatus};
use crate::browser::cbor_fetch::post_cbor;
use crate::browser::http::get_bytes;
use crate::browser::now_nanos;
use crate::browser::timer::sleep_millis;

/// How long an update's status is polled before giving up (as long as
/// agents commonly wait), and the first and longest wait between two polls.
const MAX_POLLING_MILLIS: u32 = 5 * 60 * 1000;
const FIRST_POLL_MILLIS: u32 = 500;
const LONGEST_POLL_MILLIS: u32 = 1000;

/// How long a subnet's node keys are used before they are read again
/// (nodes join and leave subnets).
pub const SUBNET_CACHE_NANOS: u64 = 5 * 60 * 1_000_000_000;

/// The largest `/api/v2/status` reply read, and how long it may take.
const MAX_STATUS_BYTES: usize = 16 * 1024;
const STATUS_TIMEOUT_MILLIS: u32 = 10_000;

/// The network's URL, its root key and the subnets read so far. Cheap to
/// clone (clones share the subnets).
#[derive(Clone)]
pub struct Network {
    /// The network's URL, ending in `/`.
    url: String,
    root_key: Rc<[u8]>,
    subnets: Rc<RefCell<KeptSubnets>>,
}

/// Each canister's subnet, with when it was read (nanoseconds).
type KeptSubnets = BTreeMap<Principal, (Rc<Subnet>, u64)>;

/// What an update call's submission gave.
pub enum Submitted {
    /// The certified reply.
    Replied(Vec<u8>),
    /// Not answered yet: poll its status with [`Network::wait`].
    Pending,
}

impl Network {
    /// The Internet Computer at `url` (ending in `/`), whose certificates
    /// are signed under its built-in root key.
    pub fn mainnet(url: String) -> Self {
        Self::with_root_key(url, IC_ROOT_KEY.to_vec())
    }

    /// A local network at `url` (ending in `/`), with the root key it gives
    /// out. Never for mainnet: whoever answers could name any key.
    pub async fn local(url: String) -> Result<Self, ApiError> {
        let body = get_bytes(
            &format!("{url}api/v2/status"),
            MAX_STATUS_BYTES,
            STATUS_TIMEOUT_MILLIS,
        )
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
        let root_key = certificate::root_key_from_status(&body)
            .map_err(|e| ApiError::Network(e.to_string()))?;
        Ok(Self::with_root_key(url, root_key))
    }

    fn with_root_key(url: String, root_key: Vec<u8>) -> Self {
        Self {
            url,
            root_key: root_key.into(),
            subnets: Rc::default(),
        }
    }

    /// The root key that every certificate must chain to.
    pub fn root_key(&self) -> &[u8] {
        &self.root_key
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        envelope: Vec<u8>,
    ) -> Result<Option<T>, ApiError> {
        let (status, body) = post_cbor(&format!("{}{path}", self.url), envelope)
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        match status {
            200 => serde_cbor::from_slice(&body)
                .map(Some)
                .map_err(|e| ApiError::Decode(e.to_string())),
            202 => Ok(None),
            _ => Err(ApiError::Network(format!(
                "HTTP status {status}: {}",
                String::from_utf8_lossy(&body)
            ))),
        }
    }

    /// A signed query to `canister`; its reply counts only with valid
    /// signatures of the canister's subnet's nodes.
    pub async fn query(
        &self,
        canister: Principal,
        request_id: RequestId,
        envelope: Vec<u8>,
    ) -> Result<Vec<u8>, ApiError> {
        let path = format!("api/v3/canister/{canister}/query");
        let (response, subnet) = join(
            self.post::<QueryResponse>(&path, envelope),
            self.subnet(canister),
        )
        .await;
        let response =
            response?.ok_or_else(|| ApiError::Network("the query was not answered".into()))?;
        let mut subnet = subnet?;
        // A node the kept subnet does not know may have joined since: read
        // the subnet once more before refusing the reply.
        let known = response
            .signatures()
            .iter()
            .all(|s| subnet.node_key(&s.identity).is_some());
        if !known {
            subnet = self.read_subnet(canister).await?;
        }
        reply::verify_query_signatures(
            &response,
            request_id,
            now_nanos(),
            subnet.nodes(),
            |node| subnet.node_key(node),
        )
        .map_err(|e| ApiError::Network(e.to_string()))?;
        match response {
            QueryResponse::Replied { reply, .. } => Ok(reply.arg),
            QueryResponse::Rejected { reject, .. } => {
                Err(ApiError::Rejected(reject.reject_message))
            }
        }
    }

    /// Submits a signed update call to `canister`.
    pub async fn call(
        &self,
        canister: Principal,
        request_id: RequestId,
        envelope: Vec<u8>,
    ) -> Result<Submitted, ApiError> {
        let path = format!("api/v4/canister/{canister}/call");
        match self.post::<TransportCallResponse>(&path, envelope).await? {
            None | Some(TransportCallResponse::Accepted) => Ok(Submitted::Pending),
            Some(TransportCallResponse::NonReplicatedRejection(reject)) => {
                Err(ApiError::Rejected(reject.reject_message))
            }
            Some(TransportCallResponse::Replied { certificate }) => {
                match self.status(canister, &request_id, &certificate)? {
                    CallStatus::Replied(reply) => Ok(Submitted::Replied(reply)),
                    CallStatus::Pending => Ok(Submitted::Pending),
                    other => Err(finished(other)),
                }
            }
        }
    }

    /// Polls the status of the call `request_id` to `canister` with the
    /// signed `read_state` request `envelope` until it is answered.
    pub async fn wait(
        &self,
        canister: Principal,
        request_id: RequestId,
        envelope: Vec<u8>,
    ) -> Result<Vec<u8>, ApiError> {
        let path = format!("api/v3/canister/{canister}/read_state");
        let (mut pause, mut waited) = (FIRST_POLL_MILLIS, 0);
        loop {
            if let Some(ReadStateResponse { certificate }) =
                self.post(&path, envelope.clone()).await?
            {
                match self.status(canister, &request_id, &certificate)? {
                    CallStatus::Pending => {}
                    CallStatus::Replied(reply) => return Ok(reply),
                    other => return Err(finished(other)),
                }
            }
            if waited >= MAX_POLLING_MILLIS {
                return Err(ApiError::Network(
                    "the call was not answered in time".into(),
                ));
            }
            sleep_millis(pause).await;
            waited += pause;
            pause = (pause * 7 / 5).min(LONGEST_POLL_MILLIS);
        }
    }

    /// The call's status in `certificate`, once it is verified for
    /// `canister`.
    fn status(
        &self,
        canister: Principal,
        request_id: &RequestId,
        certificate: &[u8],
    ) -> Result<CallStatus, ApiError> {
        let certificate = decode_certificate(certificate)?;
        certificate::verify(&certificate, &self.root_key, canister, now_nanos())
            .map_err(|e| ApiError::Network(e.to_string()))?;
        reply::call_status(&certificate, request_id).map_err(|e| ApiError::Network(e.to_string()))
    }

    /// The subnet of `canister`: the one kept, while it is recent, or else
    /// read anew.
    async fn subnet(&self, canister: Principal) -> Result<Rc<Subnet>, ApiError> {
        let kept = self.subnets.borrow().get(&canister).cloned();
        match kept {
            Some((subnet, read_at)) if now_nanos().saturating_sub(read_at) < SUBNET_CACHE_NANOS => {
                Ok(subnet)
            }
            _ => self.read_subnet(canister).await,
        }
    }

    /// Reads the subnet of `canister` with an anonymous `read_state` of
    /// `/subnet`, and keeps it.
    async fn read_subnet(&self, canister: Principal) -> Result<Rc<Subnet>, ApiError> {
        let content = EnvelopeContent::ReadState {
            ingress_expiry: envelope::ingress_expiry(now_nanos()),
            sender: Principal::anonymous(),
            paths: vec![vec![Label::from("subnet")]],
        };
        let path = format!("api/v3/canister/{canister}/read_state");
        let ReadStateResponse { certificate } = self
            .post(&path, envelope::encode_anonymous(&content))
            .await?
            .ok_or_else(|| ApiError::Network("the subnet's keys were not given".into()))?;
        let now = now_nanos();
        let subnet = Subnet::from_certificate(
            &decode_certificate(&certificate)?,
            &self.root_key,
            canister,
            now,
        )
        .map_err(|e| ApiError::Network(e.to_string()))?;
        let subnet = Rc::new(subnet);
        self.subnets
            .borrow_mut()
            .insert(canister, (Rc::clone(&subnet), now));
        Ok(subnet)
    }
}

fn decode_certificate(bytes: &[u8]) -> Result<Certificate, ApiError> {
    serde_cbor::from_slice(bytes).map_err(|e| ApiError::Decode(e.to_string()))
}

fn finished(status: CallStatus) -> ApiError {
    match status {
        CallStatus::Rejected { message, .. } => ApiError::Rejected(message),
        _ => ApiError::Network("the call's reply is no longer available".into()),
    }
}
