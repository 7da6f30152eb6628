//! The asynchronous v2 call and the state tree as agents read it.

use std::borrow::Cow;

use candid::Principal;
use ic_agent::RequestId;
use ic_transport_types::{Envelope, EnvelopeContent, RequestStatusResponse};
use sha2::{Digest, Sha256};

use localnet::testing::now_nanos;

use crate::harness::{self, DemoCanisters, no_args};

#[tokio::test]
async fn should_accept_a_v2_call_with_202_and_report_its_reply_in_read_state() {
    let net = harness::start();
    let content = EnvelopeContent::Call {
        nonce: Some(rand::random::<[u8; 16]>().to_vec()),
        ingress_expiry: now_nanos() + 120_000_000_000,
        sender: Principal::anonymous(),
        canister_id: net.demo(),
        method_name: "increment".into(),
        arg: no_args(),
        sender_info: None,
    };
    let request_id = ic_transport_types::to_request_id(&content).unwrap();
    let body = Envelope {
        content: Cow::Owned(content),
        sender_pubkey: None,
        sender_sig: None,
        sender_delegation: None,
    }
    .encode_bytes();
    let response = reqwest::Client::new()
        .post(format!("{}/api/v2/canister/{}/call", net.url, net.demo()))
        .header("content-type", "application/cbor")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::ACCEPTED);

    // The agent polls read_state (and verifies each certificate) until the
    // status is final.
    let agent = net.anonymous_agent().await;
    let (reply, _certificate) = agent
        .wait(&RequestId::new(&request_id), net.demo())
        .await
        .unwrap();
    let value: u64 = candid::decode_one(&reply).unwrap();
    assert_eq!(value, 1);
    let (status, _) = agent
        .request_status_raw(&RequestId::new(&request_id), net.demo())
        .await
        .unwrap();
    assert!(
        matches!(status, RequestStatusResponse::Replied(_)),
        "{status:?}"
    );

    // An id nobody sent is provably unknown.
    let (status, _) = agent
        .request_status_raw(&RequestId::new(&rand::random()), net.demo())
        .await
        .unwrap();
    assert!(
        matches!(status, RequestStatusResponse::Unknown),
        "{status:?}"
    );
}

#[tokio::test]
async fn should_certify_module_hash_and_controllers_of_a_canister() {
    let net = harness::start();
    let agent = net.anonymous_agent().await;
    let wasm = std::fs::read(crate::harness::canister_wasm("demo")).unwrap();
    let module_hash = agent
        .read_state_canister_module_hash(net.demo())
        .await
        .unwrap();
    assert_eq!(module_hash, Sha256::digest(&wasm).to_vec());
    let controllers = agent
        .read_state_canister_controllers(net.demo())
        .await
        .unwrap();
    let deployer = localnet::deploy::deployer_principal(&net.state_dir).unwrap();
    assert_eq!(controllers, vec![deployer]);
}
