//! Malformed and hostile HTTP requests get a proper status and the network
//! keeps serving.

use std::borrow::Cow;

use candid::Principal;
use ic_transport_types::{Envelope, EnvelopeContent};

use localnet::testing::now_nanos;

use crate::harness::{self, DemoCanisters, Localnet, no_args, query};

fn anonymous_query(canister_id: Principal, ingress_expiry: u64) -> Vec<u8> {
    Envelope {
        content: Cow::Owned(EnvelopeContent::Query {
            ingress_expiry,
            sender: Principal::anonymous(),
            canister_id,
            method_name: "whoami".into(),
            arg: no_args(),
            nonce: None,
            sender_info: None,
        }),
        sender_pubkey: None,
        sender_sig: None,
        sender_delegation: None,
    }
    .encode_bytes()
}

async fn post(net: &Localnet, path: &str, body: Vec<u8>) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(format!("{}{path}", net.url))
        .header("content-type", "application/cbor")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn should_answer_bad_requests_with_client_errors_and_keep_serving() {
    let net = harness::start();
    let demo = net.demo();
    let query_path = format!("/api/v2/canister/{demo}/query");
    let call_path = format!("/api/v3/canister/{demo}/call");
    let read_state_path = format!("/api/v2/canister/{demo}/read_state");
    let valid_expiry = now_nanos() + 120_000_000_000;

    let cases: Vec<(&str, String, Vec<u8>)> = vec![
        (
            "malformed CBOR",
            query_path.clone(),
            b"\xd9\xd9\xf7 not cbor".to_vec(),
        ),
        ("empty body", call_path.clone(), Vec::new()),
        ("truncated envelope", query_path.clone(), {
            let mut body = anonymous_query(demo, valid_expiry);
            body.truncate(body.len() / 2);
            body
        }),
        (
            "expired ingress",
            query_path.clone(),
            anonymous_query(demo, now_nanos() - 60_000_000_000),
        ),
        (
            "ingress expiry an hour ahead",
            query_path.clone(),
            anonymous_query(demo, now_nanos() + 3_600_000_000_000),
        ),
        (
            "bad principal in the path",
            "/api/v2/canister/not-a-principal/query".into(),
            anonymous_query(demo, valid_expiry),
        ),
        (
            "a query envelope sent to read_state",
            read_state_path,
            anonymous_query(demo, valid_expiry),
        ),
    ];
    for (case, path, body) in cases {
        let status = post(&net, &path, body).await;
        assert!(status.is_client_error(), "{case}: got {status}");
    }

    let oversized = vec![0u8; 2 * 1024 * 1024 + 1];
    let status = post(&net, &call_path, oversized).await;
    assert_eq!(status, reqwest::StatusCode::PAYLOAD_TOO_LARGE);

    let status = reqwest::get(format!("{}/api/v9/nothing", net.url))
        .await
        .unwrap()
        .status();
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);

    // Still serving.
    let agent = net.anonymous_agent().await;
    let seen: Principal = query(&agent, demo, "whoami", no_args()).await.unwrap();
    assert_eq!(seen, Principal::anonymous());
}

#[tokio::test]
async fn should_survive_a_burst_of_random_bodies() {
    let net = harness::start();
    let demo = net.demo();
    let paths = [
        format!("/api/v2/canister/{demo}/query"),
        format!("/api/v3/canister/{demo}/query"),
        format!("/api/v2/canister/{demo}/call"),
        format!("/api/v3/canister/{demo}/call"),
        format!("/api/v4/canister/{demo}/call"),
        format!("/api/v2/canister/{demo}/read_state"),
        format!("/api/v3/canister/{demo}/read_state"),
    ];
    let valid = anonymous_query(demo, now_nanos() + 120_000_000_000);
    for round in 0..200usize {
        let path = &paths[round % paths.len()];
        // Alternate between random bytes and bit-flipped valid envelopes.
        let body = if round % 2 == 0 {
            (0..(round * 7 % 300))
                .map(|_| rand::random::<u8>())
                .collect()
        } else {
            let mut body = valid.clone();
            let at = rand::random::<usize>() % body.len();
            body[at] ^= 1 << (round % 8);
            body
        };
        let status = post(&net, path, body).await;
        assert!(!status.is_server_error(), "round {round}: {status}");
    }
    let agent = net.anonymous_agent().await;
    let seen: Principal = query(&agent, demo, "whoami", no_args()).await.unwrap();
    assert_eq!(seen, Principal::anonymous());
}
