//! The demo canister through the network: state, certification, errors,
//! randomness and threshold ECDSA.

use candid::Principal;
use ic_agent::hash_tree::LookupResult;
use ic_agent::{AgentError, Certificate};
use k256::ecdsa::signature::hazmat::PrehashVerifier;
use sha2::{Digest, Sha256};
use sigil_api::demo::{CertifiedCounter, EcdsaSignature, SignEcdsaArgs, SignEcdsaError};

use crate::harness::{self, DemoCanisters, Localnet, no_args, query, update};

#[tokio::test]
async fn should_show_an_update_to_the_next_query() {
    let net = harness::start();
    let agent = net.anonymous_agent().await;
    let before: u64 = query(&agent, net.demo(), "counter", no_args())
        .await
        .unwrap();
    let after: u64 = update(&agent, net.demo(), "increment", no_args())
        .await
        .unwrap();
    assert_eq!(after, before + 1);
    let seen: u64 = query(&agent, net.demo(), "counter", no_args())
        .await
        .unwrap();
    assert_eq!(seen, after);
}

#[tokio::test]
async fn should_certify_canister_data_under_the_root_key_from_status() {
    let net = harness::start();
    let agent = net.anonymous_agent().await;
    let value: u64 = update(&agent, net.demo(), "increment", no_args())
        .await
        .unwrap();
    // The agent checked the update's certificate and the query's node
    // signature; now check the certificate the canister hands out itself.
    let certified: CertifiedCounter = query(&agent, net.demo(), "certified_counter", no_args())
        .await
        .unwrap();
    assert_eq!(certified.value, value);
    let certificate: Certificate =
        serde_cbor::from_slice(&certified.certificate.expect("a data certificate")).unwrap();
    agent.verify(&certificate, net.demo()).unwrap();
    let demo = net.demo();
    let path: [&[u8]; 3] = [b"canister", demo.as_slice(), b"certified_data"];
    match certificate.tree.lookup_path(&path) {
        LookupResult::Found(data) => assert_eq!(data, value.to_be_bytes()),
        other => panic!("certified_data not in the certificate: {other:?}"),
    }
    // The certificate vouches for this canister's data only.
    let demo2 = net.demo2();
    let other: [&[u8]; 3] = [b"canister", demo2.as_slice(), b"certified_data"];
    assert!(!matches!(
        certificate.tree.lookup_path(&other),
        LookupResult::Found(_)
    ));
    // The root key from status is a DER-wrapped 96-byte BLS12-381 G2 key.
    assert_eq!(agent.read_root_key().len(), 133);
}

#[tokio::test]
async fn should_reject_a_trapping_method_and_keep_serving() {
    let net = harness::start();
    let agent = net.anonymous_agent().await;
    let arg = candid::encode_one("the demo fails on purpose").unwrap();
    match agent
        .update(&net.demo(), "fail")
        .with_arg(arg)
        .call_and_wait()
        .await
    {
        Err(AgentError::CertifiedReject { reject, .. }) => {
            assert_eq!(reject.reject_code as u64, 5, "{reject:?}");
            assert!(
                reject.reject_message.contains("the demo fails on purpose"),
                "{reject:?}"
            );
        }
        other => panic!("expected a certified reject, got {other:?}"),
    }
    let seen: Principal = query(&agent, net.demo(), "whoami", no_args())
        .await
        .unwrap();
    assert_eq!(seen, Principal::anonymous());
}

#[tokio::test]
async fn should_reject_unknown_canisters_and_methods() {
    let net = harness::start();
    let agent = net.anonymous_agent().await;
    let missing = localnet::ids::canister_id(1_000);
    match query::<Principal>(&agent, missing, "whoami", no_args()).await {
        Err(AgentError::UncertifiedReject { reject, .. }) => {
            assert_eq!(reject.reject_code as u64, 3, "{reject:?}")
        }
        Err(AgentError::HttpError(payload)) => assert!(payload.status >= 400, "{payload}"),
        other => panic!("expected a reject, got {other:?}"),
    }
    match query::<Principal>(&agent, net.demo(), "no_such_method", no_args()).await {
        Err(AgentError::UncertifiedReject { reject, .. }) => {
            assert!(
                reject.reject_message.contains("no_such_method"),
                "{reject:?}"
            )
        }
        other => panic!("expected a reject, got {other:?}"),
    }
    let refused = update::<Principal>(&agent, net.demo(), "no_such_method", no_args()).await;
    assert!(refused.is_err(), "{refused:?}");
}

#[tokio::test]
async fn should_stop_a_runaway_loop_at_the_instruction_limit() {
    let net = harness::start_with(&["--instruction-limit", "200000000"]);
    let agent = net.anonymous_agent().await;
    match update::<u64>(&agent, net.demo(), "spin", no_args()).await {
        Err(AgentError::CertifiedReject { reject, .. }) => {
            assert_eq!(reject.reject_code as u64, 5, "{reject:?}");
            assert!(reject.reject_message.contains("instructions"), "{reject:?}");
        }
        other => panic!("expected the instruction limit, got {other:?}"),
    }
    let value: u64 = update(&agent, net.demo(), "increment", no_args())
        .await
        .unwrap();
    assert_eq!(value, 1);
}

#[tokio::test]
async fn should_give_32_fresh_random_bytes_from_raw_rand() {
    let net = harness::start();
    let agent = net.anonymous_agent().await;
    let first: Vec<u8> = update(&agent, net.demo(), "random_bytes", no_args())
        .await
        .unwrap();
    let second: Vec<u8> = update(&agent, net.demo(), "random_bytes", no_args())
        .await
        .unwrap();
    assert_eq!(first.len(), 32);
    assert_eq!(second.len(), 32);
    assert_ne!(first, second);
}

async fn sign(
    net: &Localnet,
    canister: Principal,
    hash: &[u8],
    path: &[&[u8]],
) -> Result<EcdsaSignature, SignEcdsaError> {
    let agent = net.anonymous_agent().await;
    let args = SignEcdsaArgs {
        message_hash: hash.to_vec(),
        derivation_path: path
            .iter()
            .map(|p| serde_bytes::ByteBuf::from(p.to_vec()))
            .collect(),
    };
    update(
        &agent,
        canister,
        "sign_ecdsa",
        candid::encode_one(args).unwrap(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn should_sign_with_threshold_ecdsa_verifiably_and_per_derivation_path() {
    let net = harness::start();
    let hash: [u8; 32] = Sha256::digest(b"sigil").into();
    let signed = sign(&net, net.demo(), &hash, &[b"alice"]).await.unwrap();
    let key = k256::ecdsa::VerifyingKey::from_sec1_bytes(&signed.public_key).unwrap();
    let signature = k256::ecdsa::Signature::from_slice(&signed.signature).unwrap();
    key.verify_prehash(&hash, &signature).unwrap();
    let other_hash: [u8; 32] = Sha256::digest(b"other").into();
    assert!(key.verify_prehash(&other_hash, &signature).is_err());

    let again = sign(&net, net.demo(), &other_hash, &[b"alice"])
        .await
        .unwrap();
    assert_eq!(
        again.public_key, signed.public_key,
        "same canister and path, same key"
    );
    let bob = sign(&net, net.demo(), &hash, &[b"bob"]).await.unwrap();
    assert_ne!(
        bob.public_key, signed.public_key,
        "another path, another key"
    );
    let other_canister = sign(&net, net.demo2(), &hash, &[b"alice"]).await.unwrap();
    assert_ne!(
        other_canister.public_key, signed.public_key,
        "another canister, another key"
    );

    let short = sign(&net, net.demo(), &hash[..31], &[b"alice"]).await;
    assert_eq!(
        short,
        Err(SignEcdsaError::InvalidMessageHash { length: 31 })
    );
}
