//! Instructions (wasmi fuel) that representative messages of the demo
//! canister take on the local network, measured in process through the
//! replica's own API. Each row is one round: the message and every message
//! it caused (for `random_bytes` and `sign_ecdsa`: the callbacks after the
//! management canister's replies).
//!
//! `cargo bench -p localnet --bench instructions` prints a Markdown table.
//! Instruction counts do not depend on the machine or its load.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use candid::Principal;
use localnet::config::CanisterSpec;
use localnet::messages::{IngressCall, QueryCall, RequestStatus};
use localnet::replica::{ExecutionLimits, Replica, ReplicaConfig};
use sigil_api::demo::SignEcdsaArgs;

fn demo_wasm() -> PathBuf {
    std::env::var_os("DEMO_WASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/wasm32-unknown-unknown/release/demo.wasm")
        })
}

fn update(replica: &mut Replica, canister_id: Principal, method: &str, arg: Vec<u8>) -> (u64, u64) {
    let request_id: [u8; 32] = rand::random();
    replica
        .submit_ingress(IngressCall {
            request_id,
            sender: Principal::anonymous(),
            canister_id,
            effective_canister_id: canister_id,
            method_name: method.to_string(),
            arg,
            ingress_expiry: replica.time_nanos() + 60_000_000_000,
        })
        .unwrap();
    replica.execute_round();
    match replica.request_status(&request_id) {
        Some(RequestStatus::Replied(_)) => {}
        other => panic!("{method}: {other:?}"),
    }
    let stats = replica.last_round();
    (stats.messages, stats.instructions)
}

fn query(replica: &mut Replica, canister_id: Principal, method: &str) -> u64 {
    replica
        .query(QueryCall {
            sender: Principal::anonymous(),
            canister_id,
            method_name: method.to_string(),
            arg: candid::encode_args(()).unwrap(),
            data_certificate: None,
        })
        .unwrap();
    replica.last_round().last_message_instructions
}

fn main() {
    let state_dir = std::env::temp_dir().join(format!("localnet-bench-{}", std::process::id()));
    std::fs::create_dir_all(&state_dir).unwrap();
    let mut replica = Replica::open(ReplicaConfig {
        state_dir: state_dir.clone(),
        limits: ExecutionLimits::default(),
    })
    .unwrap();
    let specs = [CanisterSpec {
        name: "demo".into(),
        wasm: demo_wasm(),
        init_arg: candid::encode_args(()).unwrap(),
        id: None,
    }];
    let demo = localnet::deploy::deploy(&mut replica, &state_dir, &specs).unwrap()[0].canister_id;
    let no_args = || candid::encode_args(()).unwrap();

    // The first message after install initialises the canister's runtime
    // (allocator, thread-locals); measure steady use.
    let first = update(&mut replica, demo, "whoami_update", no_args()).1;

    println!("| message | messages in round | instructions |");
    println!("| --- | ---: | ---: |");
    for (name, method, arg) in [
        ("update `whoami_update`", "whoami_update", no_args()),
        (
            "update `increment` (stable write, certified data)",
            "increment",
            no_args(),
        ),
        (
            "update `random_bytes` (raw_rand round trip)",
            "random_bytes",
            no_args(),
        ),
        (
            "update `sign_ecdsa` (two management calls)",
            "sign_ecdsa",
            candid::encode_one(SignEcdsaArgs {
                message_hash: vec![7; 32],
                derivation_path: vec![serde_bytes::ByteBuf::from(b"alice".to_vec())],
            })
            .unwrap(),
        ),
    ] {
        let (messages, instructions) = update(&mut replica, demo, method, arg);
        println!("| {name} | {messages} | {instructions} |");
    }
    // After the updates, so that lazily initialised canister state (which
    // a query computes but never keeps) is in place, as in steady use.
    println!(
        "| query `whoami` | 1 | {} |",
        query(&mut replica, demo, "whoami")
    );
    println!(
        "| query `counter` | 1 | {} |",
        query(&mut replica, demo, "counter")
    );
    println!("| first message after install (`whoami_update`) | 1 | {first} |");
    drop(replica);
    std::fs::remove_dir_all(state_dir).unwrap();
}
