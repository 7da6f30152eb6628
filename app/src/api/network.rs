//! The network's HTTP interface for requests the app has signed (IC
//! interface specification, "HTTPS interface"): `/api/v3` query and
//! read_state, `/api/v4` call. The app posts the envelope it encoded and
//! checks the reply here, so no part of the agent decodes the envelope
//! again; the agent verifies every certificate (`Agent::verify`: the root
//! key or the subnet's delegation from it, the subnet's authority over the
//! canister, the BLS signature, the time) and gives the canister's subnet
//! (node keys, fetched by a verified `read_state` and cached), against
//! which [`reply::verify_query_signatures`] checks a query's reply.

use candid::Principal;
use futures_util::future::join;
use ic_agent::Agent;
use ic_certification::Certificate;
use ic_transport_types::{QueryResponse, ReadStateResponse, RequestId, TransportCallResponse};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::reply::{self, CallStatus};
use crate::browser::cbor_fetch::post_cbor;
use crate::browser::now_nanos;
use crate::browser::timer::sleep_millis;

/// How long an update's status is polled before giving up (ic-agent's
/// default), and the first and longest wait between two polls.
const MAX_POLLING_MILLIS: u32 = 5 * 60 * 1000;
const FIRST_POLL_MILLIS: u32 = 500;
const LONGEST_POLL_MILLIS: u32 = 1000;

/// The agent (certificates, subnets, the root key) and the network's URL.
/// Cheap to clone.
#[derive(Clone)]
pub struct Network {
    agent: Agent,
    /// The network's URL, ending in `/`.
    url: String,
}

/// What an update call's submission gave.
pub enum Submitted {
    /// The certified reply.
    Replied(Vec<u8>),
    /// Not answered yet: poll its status with [`Network::wait`].
    Pending,
}

impl Network {
    pub fn new(agent: Agent, url: &url::Url) -> Self {
        let mut url = url.to_string();
        if !url.ends_with('/') {
            url.push('/');
        }
        Self { agent, url }
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
            self.agent.get_subnet_by_canister(&canister),
        )
        .await;
        let response =
            response?.ok_or_else(|| ApiError::Network("the query was not answered".into()))?;
        let mut subnet = subnet?;
        // A node the cached subnet does not know may have joined since:
        // fetch the subnet once more before refusing the reply.
        let known = response
            .signatures()
            .iter()
            .all(|s| subnet.contains_node(&s.identity));
        if !known {
            subnet = self.agent.fetch_subnet_by_canister(&canister).await?;
        }
        let nodes = subnet.iter_nodes().count();
        reply::verify_query_signatures(&response, request_id, now_nanos(), nodes, |node| {
            subnet.get_node_key(node)
        })
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

    /// The call's status in `certificate`, once the agent has verified it
    /// for `canister`.
    fn status(
        &self,
        canister: Principal,
        request_id: &RequestId,
        certificate: &[u8],
    ) -> Result<CallStatus, ApiError> {
        let certificate: Certificate =
            serde_cbor::from_slice(certificate).map_err(|e| ApiError::Decode(e.to_string()))?;
        self.agent.verify(&certificate, canister)?;
        reply::call_status(&certificate, request_id).map_err(|e| ApiError::Network(e.to_string()))
    }
}

fn finished(status: CallStatus) -> ApiError {
    match status {
        CallStatus::Rejected { message, .. } => ApiError::Rejected(message),
        _ => ApiError::Network("the call's reply is no longer available".into()),
    }
}
