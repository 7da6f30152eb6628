//! The demo canister, built for wasm32 (see `demo_wasm`): instrumentation,
//! its methods, traps, calls to the management canister and fees.

use super::*;

fn demo_wasm() -> Vec<u8> {
    let mut candidates = Vec::new();
    if let Ok(path) = std::env::var("DEMO_WASM") {
        candidates.push(std::path::PathBuf::from(path));
    }
    if let Ok(dir) = std::env::var("CARGO_TARGET_DIR") {
        candidates
            .push(std::path::Path::new(&dir).join("wasm32-unknown-unknown/release/demo.wasm"));
    }
    candidates.push(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/wasm32-unknown-unknown/release/demo.wasm"),
    );
    for path in &candidates {
        if let Ok(bytes) = std::fs::read(path) {
            return bytes;
        }
    }
    panic!(
        "demo.wasm not found (looked at {candidates:?}): build it first with \
         `cargo build -p demo --target wasm32-unknown-unknown --release` \
         (or point DEMO_WASM at it)"
    );
}

fn demo() -> CanisterInstance {
    let mut instance = instance_of(&demo_wasm(), HEAP_LIMIT);
    let init = MessageEnv {
        arg: Encode!().unwrap(),
        ..env()
    };
    assert_eq!(instance.execute(&Entry::Init, &init).result, Ok(()));
    instance
}

fn call(instance: &mut CanisterInstance, entry: Entry, arg: Vec<u8>) -> ExecutionOutcome {
    let env = MessageEnv { arg, ..env() };
    instance.execute(&entry, &env)
}

fn reply_bytes(outcome: &ExecutionOutcome) -> &[u8] {
    match &outcome.response {
        Some(Response::Reply(bytes)) => bytes,
        other => panic!("expected a reply, got {other:?} ({:?})", outcome.result),
    }
}

#[test]
fn should_instrument_the_demo_canister_and_keep_its_code_identical() {
    let wasm = demo_wasm();
    let out = instrument::instrument(&wasm).unwrap();
    assert_eq!(other_sections(&wasm), other_sections(&out.wasm));
    assert!(out.table_export.is_some());
    let module = CanisterModule::new(&wasm).unwrap();
    for name in [
        "canister_query whoami",
        "canister_update increment",
        "canister_update spin",
    ] {
        assert!(module.exports(name), "{name}");
    }
}

#[test]
fn should_answer_whoami_with_the_candid_encoded_caller() {
    let mut instance = demo();
    let outcome = call(
        &mut instance,
        Entry::Query("whoami".into()),
        Encode!().unwrap(),
    );
    assert_eq!(outcome.result, Ok(()));
    let caller = Decode!(reply_bytes(&outcome), Principal).unwrap();
    assert_eq!(caller, env().caller);
}

#[test]
fn should_count_in_stable_memory_and_certify_the_counter() {
    let mut instance = demo();
    for expected in 1..=2u64 {
        let outcome = call(&mut instance, update("increment"), Encode!().unwrap());
        assert_eq!(Decode!(reply_bytes(&outcome), u64).unwrap(), expected);
        assert_eq!(
            outcome.certified_data,
            Some(expected.to_be_bytes().to_vec())
        );
    }
    assert!(!instance.take_dirty_stable_pages().is_empty());
    let outcome = call(
        &mut instance,
        Entry::Query("counter".into()),
        Encode!().unwrap(),
    );
    assert_eq!(Decode!(reply_bytes(&outcome), u64).unwrap(), 2);
}

#[test]
fn should_trap_with_the_message_of_fail_and_keep_heap_and_stable_memory() {
    let mut instance = demo();
    call(&mut instance, update("increment"), Encode!().unwrap());
    let before = state(&instance);
    let outcome = call(&mut instance, update("fail"), Encode!(&"boom").unwrap());
    let message = outcome.result.unwrap_err();
    assert!(message.contains("boom"), "{message}");
    assert_eq!(outcome.response, None);
    assert_same(&before, &instance);
}

#[test]
fn should_trap_when_fuel_runs_out_and_keep_the_heap() {
    let mut instance = demo();
    let before = state(&instance);
    let outcome = call(&mut instance, update("spin"), Encode!().unwrap());
    assert_eq!(
        outcome.result,
        Err(
            "Canister exceeded the limit of 50000000 instructions for single message execution."
                .into()
        )
    );
    assert_same(&before, &instance);
}

#[test]
fn should_leave_no_trace_of_a_demo_query() {
    let mut instance = demo();
    let before = state(&instance);
    let outcome = call(
        &mut instance,
        Entry::Query("counter".into()),
        Encode!().unwrap(),
    );
    assert_eq!(outcome.result, Ok(()));
    assert_same(&before, &instance);
}

#[test]
fn should_call_raw_rand_and_reply_with_the_bytes_delivered_to_the_callback() {
    let mut instance = demo();
    let outcome = call(&mut instance, update("random_bytes"), Encode!().unwrap());
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(outcome.response, None);
    assert_eq!(outcome.calls.len(), 1);
    let raw_rand = &outcome.calls[0];
    assert_eq!(raw_rand.callee, Principal::management_canister());
    assert_eq!(raw_rand.method_name, "raw_rand");

    let bytes: Vec<u8> = (0..32).collect();
    let reply = Entry::Reply {
        callback: raw_rand.on_reply,
        payload: Encode!(&serde_bytes::ByteBuf::from(bytes.clone())).unwrap(),
    };
    let outcome = instance.execute(&reply, &env());
    assert_eq!(outcome.result, Ok(()));
    let answer = Decode!(reply_bytes(&outcome), serde_bytes::ByteBuf).unwrap();
    assert_eq!(answer.into_vec(), bytes);
}

#[test]
fn should_run_the_reject_callback_of_raw_rand_and_trap_with_its_message() {
    let mut instance = demo();
    let outcome = call(&mut instance, update("random_bytes"), Encode!().unwrap());
    let raw_rand = outcome.calls[0].clone();
    let reject = Entry::Reject {
        callback: raw_rand.on_reject,
        code: 5,
        message: "no randomness today".into(),
    };
    let outcome = instance.execute(&reject, &env());
    let message = outcome.result.unwrap_err();
    assert!(message.contains("no randomness today"), "{message}");
    if let Some(cleanup) = raw_rand.on_cleanup {
        let outcome = instance.execute(&Entry::Cleanup { callback: cleanup }, &env());
        assert_eq!(outcome.result, Ok(()));
    }
}

#[test]
fn should_restore_the_demo_counter_into_a_fresh_instance() {
    let wasm = demo_wasm();
    let mut instance = demo();
    call(&mut instance, update("increment"), Encode!().unwrap());
    call(&mut instance, update("increment"), Encode!().unwrap());
    let saved = state(&instance);

    let mut fresh = instance_of(&wasm, HEAP_LIMIT);
    fresh
        .restore(&saved.heap, saved.stable.clone(), &saved.globals)
        .unwrap();
    let outcome = call(
        &mut fresh,
        Entry::Query("counter".into()),
        Encode!().unwrap(),
    );
    assert_eq!(Decode!(reply_bytes(&outcome), u64).unwrap(), 2);
    let outcome = call(&mut fresh, update("increment"), Encode!().unwrap());
    assert_eq!(Decode!(reply_bytes(&outcome), u64).unwrap(), 3);
}

#[test]
fn should_attach_the_ecdsa_fee_when_signing_with_the_demo_key() {
    #[derive(candid::CandidType)]
    struct PublicKeyResult {
        public_key: serde_bytes::ByteBuf,
        chain_code: serde_bytes::ByteBuf,
    }
    #[derive(candid::CandidType)]
    struct SignResult {
        signature: serde_bytes::ByteBuf,
    }
    #[derive(candid::CandidType)]
    struct Args {
        message_hash: serde_bytes::ByteBuf,
        derivation_path: Vec<serde_bytes::ByteBuf>,
    }
    let mut instance = demo();
    let args = Args {
        message_hash: serde_bytes::ByteBuf::from(vec![1u8; 32]),
        derivation_path: Vec::new(),
    };
    let outcome = call(&mut instance, update("sign_ecdsa"), Encode!(&args).unwrap());
    assert_eq!(outcome.result, Ok(()));
    let first = outcome.calls[0].clone();
    assert_eq!(first.method_name, "ecdsa_public_key");
    let key = PublicKeyResult {
        public_key: serde_bytes::ByteBuf::from(vec![2u8; 33]),
        chain_code: serde_bytes::ByteBuf::from(vec![0u8; 32]),
    };
    let outcome = instance.execute(
        &Entry::Reply {
            callback: first.on_reply,
            payload: Encode!(&key).unwrap(),
        },
        &env(),
    );
    assert_eq!(outcome.result, Ok(()));
    let second = outcome.calls[0].clone();
    assert_eq!(second.method_name, "sign_with_ecdsa");
    assert_eq!(second.cycles, 10_000_000_000);
    let signature = SignResult {
        signature: serde_bytes::ByteBuf::from(vec![3u8; 64]),
    };
    let outcome = instance.execute(
        &Entry::Reply {
            callback: second.on_reply,
            payload: Encode!(&signature).unwrap(),
        },
        &env(),
    );
    assert_eq!(outcome.result, Ok(()));
    assert!(reply_bytes(&outcome).starts_with(b"DIDL"));
}
