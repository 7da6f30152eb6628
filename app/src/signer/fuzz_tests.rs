//! Fuzz-style tests of the ICRC core: random, truncated and mistyped
//! requests through the channel and [`Incoming::read`]. Each ends in a
//! typed result, never a panic; a refusal is always 2000 (an unknown
//! method) or -32602 (bad params); nothing is read before the status.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::request::Incoming;
use crate::authorize::session_key::tests::ed25519_spki;
use crate::provider::channel::{Channel, STATUS_METHOD, Verdict};
use crate::test_support::Rng;

const SIGIL: &str = "https://sigil.example";
const DAPP: &str = "https://dapp.example";

const METHODS: [&str; 6] = [
    "icrc25_supported_standards",
    "icrc25_permissions",
    "icrc25_request_permissions",
    "icrc27_accounts",
    "icrc34_delegation",
    "icrc49_call_canister",
];

const KEYS: [&str; 6] = [
    "scopes",
    "method",
    "publicKey",
    "maxTimeToLive",
    "targets",
    "icrc95DerivationOrigin",
];

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 6 } else { 9 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.bool()),
        2 => json!(rng.next_u64() as i64),
        3 => json!(["", "0", "1", "-5", "aaaaa-aa", "AQ==", "https://a.icp0.io"][rng.below(7)]),
        4 => json!(METHODS[rng.below(METHODS.len())]),
        5 => json!(STANDARD.encode(ed25519_spki())),
        6 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let mut object = Map::new();
            for _ in 0..rng.below(4) {
                object.insert(
                    KEYS[rng.below(KEYS.len())].into(),
                    random_value(rng, depth + 1),
                );
            }
            Value::Object(object)
        }
    }
}

fn assert_typed(method: &str, params: &Value) {
    if let Err(error) = Incoming::read(method, params) {
        let code = error.code();
        assert!(
            code == 2000 || code == -32602,
            "{method} {params}: {error:?}"
        );
        assert!(!error.to_string().is_empty());
    }
}

#[test]
fn should_read_random_params_of_every_method_into_a_typed_result() {
    let mut rng = Rng::new(0x1c2c_0025);
    for _ in 0..20_000 {
        let method = METHODS[rng.below(METHODS.len())];
        assert_typed(method, &random_value(&mut rng, 0));
    }
}

#[test]
fn should_read_every_method_with_each_param_missing_or_mistyped() {
    let full = json!({
        "scopes": [{ "method": "icrc27_accounts" }],
        "publicKey": STANDARD.encode(ed25519_spki()),
        "maxTimeToLive": "1000",
        "targets": ["aaaaa-aa"],
        "icrc95DerivationOrigin": "https://a.icp0.io",
    });
    let mut rng = Rng::new(7);
    for method in METHODS {
        assert_typed(method, &full);
        for key in KEYS {
            let mut params = full.clone();
            params
                .as_object_mut()
                .expect("a value of the test")
                .remove(key);
            assert_typed(method, &params);
            for _ in 0..20 {
                params[key] = random_value(&mut rng, 2);
                assert_typed(method, &params);
            }
        }
    }
}

#[test]
fn should_ignore_truncated_messages_and_read_only_after_the_status() {
    let request = json!({
        "jsonrpc": "2.0", "id": "f4c1", "method": "icrc34_delegation",
        "params": { "publicKey": STANDARD.encode(ed25519_spki()), "maxTimeToLive": "1000" },
    })
    .to_string();
    let status = json!({ "jsonrpc": "2.0", "id": "s", "method": STATUS_METHOD });
    let mut channel = Channel::new(SIGIL);
    for end in 0..request.len() {
        let data: Option<Value> = serde_json::from_str(&request[..end]).ok();
        assert_eq!(channel.receive(DAPP, true, data.as_ref()), Verdict::Ignore);
    }
    assert!(matches!(
        channel.receive(DAPP, true, Some(&status)),
        Verdict::Ready { .. }
    ));
    let full: Value = serde_json::from_str(&request).expect("a value of the test");
    match channel.receive(DAPP, true, Some(&full)) {
        Verdict::Request {
            id, method, params, ..
        } => {
            assert_eq!(id, "f4c1");
            assert!(Incoming::read(&method, &params).is_ok());
        }
        other => panic!("{other:?}"),
    }
}
