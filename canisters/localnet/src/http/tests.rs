//! Router tests against a fake replica, driven by the real `ic-agent` and
//! by hand-written HTTP requests for the error paths.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;

use ic_agent::agent::{RejectCode as WireRejectCode, RequestStatusResponse};
use ic_agent::{Agent, AgentError};
use ic_transport_types::{Envelope, EnvelopeContent};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::ids;
use crate::messages::RejectCode;

/// Canister methods of the fake: `echo` replies with its argument, `fail`
/// rejects, `refuse` is refused at submission, `certificate` (query)
/// replies with the data certificate it was given, `bare_reject` (query)
/// rejects without an error code.
#[derive(Default)]
struct FakeReplica {
    canisters: BTreeMap<Principal, CanisterInfo>,
    queue: Vec<IngressCall>,
    statuses: HashMap<RequestId, RequestStatus>,
    origins: HashMap<RequestId, RequestOrigin>,
    rounds: u64,
}

fn not_found(canister_id: &Principal) -> Reject {
    Reject::system(
        RejectCode::DestinationInvalid,
        "IC0301",
        format!("Canister {canister_id} not found"),
    )
}

impl ReplicaHandle for FakeReplica {
    fn time_nanos(&self) -> u64 {
        now_nanos()
    }

    fn submit_ingress(&mut self, call: IngressCall) -> Result<(), Reject> {
        if !self.canisters.contains_key(&call.canister_id) {
            return Err(not_found(&call.canister_id));
        }
        if call.method_name == "refuse" {
            return Err(Reject::system(
                RejectCode::CanisterReject,
                "IC0406",
                "refused by inspect_message",
            ));
        }
        self.statuses
            .insert(call.request_id, RequestStatus::Received);
        self.origins.insert(call.request_id, call.origin());
        self.queue.push(call);
        Ok(())
    }

    fn execute_round(&mut self) {
        self.rounds += 1;
        for call in std::mem::take(&mut self.queue) {
            let status = if call.method_name == "fail" {
                RequestStatus::Rejected(Reject::canister("failed on purpose"))
            } else {
                RequestStatus::Replied(call.arg)
            };
            self.statuses.insert(call.request_id, status);
        }
    }

    fn request_status(&self, request_id: &RequestId) -> Option<RequestStatus> {
        self.statuses.get(request_id).cloned()
    }

    fn request_origin(&self, request_id: &RequestId) -> Option<RequestOrigin> {
        self.origins.get(request_id).copied()
    }

    fn query(&mut self, call: QueryCall) -> Result<Vec<u8>, Reject> {
        if !self.canisters.contains_key(&call.canister_id) {
            return Err(not_found(&call.canister_id));
        }
        match call.method_name.as_str() {
            "certificate" => Ok(call.data_certificate.unwrap_or_default()),
            "fail" => Err(Reject::canister("failed on purpose")),
            "bare_reject" => Err(Reject {
                code: RejectCode::CanisterError,
                message: "trapped".into(),
                error_code: None,
            }),
            _ => Ok(call.arg),
        }
    }

    fn canister_info(&self, canister_id: &Principal) -> Option<CanisterInfo> {
        self.canisters.get(canister_id).cloned()
    }

    fn canister_ids(&self) -> Vec<Principal> {
        self.canisters.keys().copied().collect()
    }
}

fn test_keys() -> Keys {
    let mut root = [0u8; 32];
    root[0] = 42;
    Keys::from_secrets(&root, &[7; 32]).unwrap()
}

fn canister() -> Principal {
    ids::canister_id(1)
}

fn fake() -> FakeReplica {
    let mut replica = FakeReplica::default();
    for index in [1, 4] {
        let id = ids::canister_id(index);
        replica.canisters.insert(
            id,
            CanisterInfo {
                canister_id: id,
                module_hash: Some([9; 32]),
                controllers: vec![Principal::anonymous()],
                certified_data: vec![index as u8; 32],
            },
        );
    }
    replica
}

struct Server {
    addr: SocketAddr,
    state: Arc<AppState<FakeReplica>>,
    _stop: watch::Sender<bool>,
}

async fn start() -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = Arc::new(AppState::new(fake(), test_keys()));
    let (stop, stop_rx) = watch::channel(false);
    tokio::spawn(round_runner(Arc::clone(&state), stop_rx));
    let app = router(Arc::clone(&state));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server {
        addr,
        state,
        _stop: stop,
    }
}

async fn agent(server: &Server) -> Agent {
    let agent = Agent::builder()
        .with_url(format!("http://{}", server.addr))
        .build()
        .unwrap();
    agent.fetch_root_key().await.unwrap();
    agent
}

/// A minimal HTTP/1.1 exchange; returns the status and the body.
async fn exchange(addr: SocketAddr, head: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{head}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(request.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    (status, head, response[split + 4..].to_vec())
}

async fn post(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let head =
        format!("POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n");
    let (status, _, body) = exchange(addr, &head, body).await;
    (status, body)
}

fn envelope(content: EnvelopeContent) -> Vec<u8> {
    Envelope {
        content: Cow::Owned(content),
        sender_pubkey: None,
        sender_sig: None,
        sender_delegation: None,
    }
    .encode_bytes()
}

fn call_content(method: &str, arg: &[u8], expiry: u64) -> EnvelopeContent {
    EnvelopeContent::Call {
        nonce: Some(vec![1, 2, 3]),
        ingress_expiry: expiry,
        sender: Principal::anonymous(),
        canister_id: canister(),
        method_name: method.into(),
        arg: arg.to_vec(),
        sender_info: None,
    }
}

fn query_content(expiry: u64) -> EnvelopeContent {
    EnvelopeContent::Query {
        ingress_expiry: expiry,
        sender: Principal::anonymous(),
        canister_id: canister(),
        method_name: "echo".into(),
        arg: vec![],
        nonce: None,
        sender_info: None,
    }
}

fn soon() -> u64 {
    now_nanos() + 60_000_000_000
}

#[tokio::test]
async fn the_status_decodes_into_the_agents_status_type_with_the_root_key() {
    let server = start().await;
    let agent = agent(&server).await;
    let status = agent.status().await.unwrap();
    assert_eq!(
        status.root_key.as_deref(),
        Some(server.state.keys().root_key_der())
    );
    assert_eq!(status.replica_health_status.as_deref(), Some("healthy"));
    assert_eq!(agent.read_root_key(), server.state.keys().root_key_der());
}

#[tokio::test]
async fn a_query_reply_carries_a_node_signature_the_agent_accepts() {
    let server = start().await;
    let agent = agent(&server).await;
    let reply = agent
        .query(&canister(), "echo")
        .with_arg(b"hello".to_vec())
        .call()
        .await
        .unwrap();
    assert_eq!(reply, b"hello");
}

#[tokio::test]
async fn a_query_to_an_unknown_canister_gives_a_reject_the_agent_parses() {
    let server = start().await;
    let agent = agent(&server).await;
    let err = agent
        .query(&ids::canister_id(77), "echo")
        .call()
        .await
        .unwrap_err();
    let AgentError::UncertifiedReject { reject, .. } = err else {
        panic!("unexpected error {err:?}");
    };
    assert_eq!(reject.reject_code, WireRejectCode::DestinationInvalid);
    assert_eq!(reject.error_code.as_deref(), Some("IC0301"));
}

#[tokio::test]
async fn a_query_reject_without_error_code_leaves_the_field_out_and_verifies() {
    let server = start().await;
    let agent = agent(&server).await;
    let err = agent
        .query(&canister(), "bare_reject")
        .call()
        .await
        .unwrap_err();
    let AgentError::UncertifiedReject { reject, .. } = err else {
        panic!("unexpected error {err:?}");
    };
    assert_eq!(reject.reject_code, WireRejectCode::CanisterError);
    assert_eq!(reject.error_code, None);

    let mut content = query_content(soon());
    if let EnvelopeContent::Query { method_name, .. } = &mut content {
        *method_name = "bare_reject".into();
    }
    let path = format!("/api/v2/canister/{}/query", canister());
    let (status, body) = post(server.addr, &path, "application/cbor", &envelope(content)).await;
    assert_eq!(status, 200);
    let serde_cbor::Value::Map(map) = serde_cbor::from_slice(&body).unwrap() else {
        panic!("not a map");
    };
    assert!(!map.contains_key(&serde_cbor::Value::Text("error_code".into())));
    assert_eq!(
        map.get(&serde_cbor::Value::Text("status".into())),
        Some(&serde_cbor::Value::Text("rejected".into()))
    );
}

#[tokio::test]
async fn a_query_sees_a_data_certificate_for_its_certified_data() {
    let server = start().await;
    let agent = agent(&server).await;
    let bytes = agent
        .query(&canister(), "certificate")
        .call()
        .await
        .unwrap();
    let certificate: ic_agent::Certificate = serde_cbor::from_slice(&bytes).unwrap();
    agent.verify(&certificate, canister()).unwrap();
    assert_eq!(
        certificate
            .tree
            .lookup_path([&b"canister"[..], canister().as_slice(), b"certified_data"]),
        ic_certification::LookupResult::Found(&[1; 32])
    );
}

#[tokio::test]
async fn an_update_through_the_synchronous_endpoint_returns_a_certified_reply() {
    let server = start().await;
    let agent = agent(&server).await;
    let reply = agent
        .update(&canister(), "echo")
        .with_arg(b"stored".to_vec())
        .call_and_wait()
        .await
        .unwrap();
    assert_eq!(reply, b"stored");
}

#[tokio::test]
async fn a_rejected_update_is_certified_and_a_refused_one_is_not() {
    let server = start().await;
    let agent = agent(&server).await;
    let err = agent
        .update(&canister(), "fail")
        .call_and_wait()
        .await
        .unwrap_err();
    let AgentError::CertifiedReject { reject, .. } = err else {
        panic!("unexpected error {err:?}");
    };
    assert_eq!(reject.reject_code, WireRejectCode::CanisterReject);
    assert_eq!(reject.reject_message, "failed on purpose");

    let err = agent
        .update(&canister(), "refuse")
        .call_and_wait()
        .await
        .unwrap_err();
    let AgentError::UncertifiedReject { reject, .. } = err else {
        panic!("unexpected error {err:?}");
    };
    assert_eq!(reject.error_code.as_deref(), Some("IC0406"));
}

#[tokio::test]
async fn canister_information_and_subnet_keys_are_readable() {
    let server = start().await;
    let agent = agent(&server).await;
    let controllers = agent
        .read_state_canister_controllers(canister())
        .await
        .unwrap();
    assert_eq!(controllers, vec![Principal::anonymous()]);
    let hash = agent
        .read_state_canister_module_hash(canister())
        .await
        .unwrap();
    assert_eq!(hash, vec![9; 32]);

    let keys = server.state.keys();
    let subnet = agent.fetch_subnet_by_id(&keys.subnet_id()).await.unwrap();
    assert!(subnet.contains_canister(&canister()));
    assert_eq!(
        subnet.get_node_key(&keys.node_id()),
        Some(keys.node_public_key_der())
    );
    let subnet = agent.fetch_subnet_by_canister(&canister()).await.unwrap();
    assert_eq!(subnet.id(), keys.subnet_id());
}

#[tokio::test]
async fn an_unknown_request_id_reads_as_unknown() {
    let server = start().await;
    let agent = agent(&server).await;
    let (status, _) = agent
        .request_status_raw(&ic_agent::RequestId::new(&[5; 32]), canister())
        .await
        .unwrap();
    assert_eq!(status, RequestStatusResponse::Unknown);
}

#[tokio::test]
async fn another_senders_request_status_is_forbidden() {
    let server = start().await;
    let agent = agent(&server).await;
    let id = [6; 32];
    {
        let mut replica = server.state.replica.lock().unwrap();
        replica
            .statuses
            .insert(id, RequestStatus::Replied(b"secret".to_vec()));
        replica.origins.insert(
            id,
            RequestOrigin {
                sender: Principal::self_authenticating(b"someone else"),
                canister_id: canister(),
                effective_canister_id: canister(),
            },
        );
    }
    let err = agent
        .request_status_raw(&ic_agent::RequestId::new(&id), canister())
        .await
        .unwrap_err();
    let AgentError::HttpError(payload) = err else {
        panic!("unexpected error {err:?}");
    };
    assert_eq!(payload.status, 403);
}

#[tokio::test]
async fn an_asynchronous_call_is_accepted_and_executed_soon_after() {
    let server = start().await;
    let agent = agent(&server).await;
    let content = call_content("echo", b"later", soon());
    let request_id = content.to_request_id();
    let path = format!("/api/v2/canister/{}/call", canister());
    let (status, body) = post(server.addr, &path, "application/cbor", &envelope(content)).await;
    assert_eq!(status, 202);
    assert!(body.is_empty());
    let (reply, _) = agent.wait(&request_id, canister()).await.unwrap();
    assert_eq!(reply, b"later");
}

#[tokio::test]
async fn an_asynchronous_call_refused_before_execution_gets_a_reject_body() {
    let server = start().await;
    let path = format!("/api/v2/canister/{}/call", canister());
    let body = envelope(call_content("refuse", b"", soon()));
    let (status, body) = post(server.addr, &path, "application/cbor", &body).await;
    assert_eq!(status, 200);
    let reject: ic_transport_types::RejectResponse = serde_cbor::from_slice(&body).unwrap();
    assert_eq!(reject.error_code.as_deref(), Some("IC0406"));
}

#[tokio::test]
async fn the_v3_call_answers_like_v4() {
    let server = start().await;
    let path = format!("/api/v3/canister/{}/call", canister());
    let body = envelope(call_content("echo", b"v3", soon()));
    let (status, body) = post(server.addr, &path, "application/cbor", &body).await;
    assert_eq!(status, 200);
    let response: ic_transport_types::TransportCallResponse =
        serde_cbor::from_slice(&body).unwrap();
    assert!(matches!(
        response,
        ic_transport_types::TransportCallResponse::Replied { .. }
    ));
}

#[tokio::test]
async fn malformed_requests_get_the_ics_status_codes() {
    let server = start().await;
    let addr = server.addr;
    let query = format!("/api/v3/canister/{}/query", canister());

    let (status, _) = post(addr, &query, "application/cbor", b"\xff\xfe not cbor").await;
    assert_eq!(status, 400, "malformed CBOR");

    let body = envelope(query_content(soon()));
    let (status, _) = post(addr, &query, "application/json", &body).await;
    assert_eq!(status, 400, "wrong content type");

    let (status, _) = post(
        addr,
        "/api/v3/canister/not-a-principal/query",
        "application/cbor",
        &body,
    )
    .await;
    assert_eq!(status, 400, "bad principal text");

    let expired = envelope(query_content(now_nanos() - 1));
    let (status, text) = post(addr, &query, "application/cbor", &expired).await;
    assert_eq!(status, 400, "expired ingress");
    assert!(String::from_utf8_lossy(&text).contains("ingress_expiry"));

    let call = envelope(call_content("echo", b"", soon()));
    let (status, _) = post(addr, &query, "application/cbor", &call).await;
    assert_eq!(status, 400, "a call at the query endpoint");

    let elsewhere = format!("/api/v3/canister/{}/query", ids::canister_id(4));
    let (status, _) = post(addr, &elsewhere, "application/cbor", &body).await;
    assert_eq!(status, 400, "effective canister id mismatch");

    let foreign = Principal::self_authenticating(b"another subnet");
    let subnet = format!("/api/v3/subnet/{foreign}/read_state");
    let (status, _) = post(addr, &subnet, "application/cbor", &body).await;
    assert_eq!(status, 400, "foreign subnet");

    let huge = vec![0u8; MAX_REQUEST_BYTES + 1];
    let (status, _) = post(addr, &query, "application/cbor", &huge).await;
    assert_eq!(status, 413, "oversized body");

    // The server still answers after all of that.
    let (status, _) = post(addr, &query, "application/cbor", &body).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn preflight_requests_are_answered_with_cors_headers() {
    let server = start().await;
    let head = format!(
        "OPTIONS /api/v2/canister/{}/call HTTP/1.1\r\nHost: localhost\r\nOrigin: http://example.org\r\nAccess-Control-Request-Method: POST\r\n",
        canister()
    );
    let (status, head, _) = exchange(server.addr, &head, b"").await;
    assert_eq!(status, 204);
    assert!(
        head.to_ascii_lowercase()
            .contains("access-control-allow-origin: *")
    );
}

#[tokio::test]
async fn rounds_run_on_an_idle_network_so_that_timers_fire() {
    let server = start().await;
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let rounds = server.state.replica.lock().unwrap().rounds;
    assert!(rounds >= 1, "{rounds} rounds without requests");
}
