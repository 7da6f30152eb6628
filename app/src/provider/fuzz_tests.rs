//! Fuzz-style tests: random JSON through the channel and the request
//! readers. Each message ends in a verdict and each request in a typed
//! result, never a panic; nothing is heard from a window other than the
//! opener or before the status, and every reply goes to the channel's
//! origin.

use serde_json::{Map, Value, json};

use super::channel::{Channel, STATUS_METHOD, Verdict};
use super::error::ProviderError;
use super::request::Request;
use super::transaction::TransactionParams;
use crate::test_support::Rng;

const SIGIL: &str = "https://sigil.example";
const DAPP: &str = "https://dapp.example";

const METHODS: [&str; 11] = [
    STATUS_METHOD,
    "eth_requestAccounts",
    "wallet_requestPermissions",
    "personal_sign",
    "eth_signTypedData_v4",
    "eth_sendTransaction",
    "eth_signTransaction",
    "wallet_switchEthereumChain",
    "wallet_addEthereumChain",
    "eth_sign",
    "x",
];

const KEYS: [&str; 14] = [
    "jsonrpc",
    "id",
    "method",
    "params",
    "from",
    "to",
    "value",
    "data",
    "gas",
    "chainId",
    "maxFeePerGas",
    "maxPriorityFeePerGas",
    "type",
    "eth_accounts",
];

fn random_string(rng: &mut Rng) -> String {
    const PIECES: [&str; 12] = [
        "0x",
        "2.0",
        "7a69",
        "00",
        "ab",
        "5b38da6a701c568545dcfcb03fcb875f56beddc4",
        "Z",
        "é",
        "\u{0}",
        "ff",
        "-",
        "1",
    ];
    (0..rng.below(5))
        .map(|_| PIECES[rng.below(PIECES.len())])
        .collect()
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.bool()),
        2 => json!(rng.next_u64() as i64),
        3 => Value::String(random_string(rng)),
        4 => Value::String(METHODS[rng.below(METHODS.len())].into()),
        5 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let mut object = Map::new();
            for _ in 0..rng.below(5) {
                object.insert(
                    KEYS[rng.below(KEYS.len())].into(),
                    random_value(rng, depth + 1),
                );
            }
            Value::Object(object)
        }
    }
}

fn random_message(rng: &mut Rng) -> Value {
    let mut message = json!({ "jsonrpc": "2.0", "id": rng.below(100), "method": METHODS[rng.below(METHODS.len())] });
    if rng.bool() {
        message["params"] = random_value(rng, 1);
    }
    if rng.below(4) == 0 {
        message[KEYS[rng.below(KEYS.len())]] = random_value(rng, 1);
    }
    message
}

#[test]
fn should_hear_only_the_opener_at_the_first_statuss_origin() {
    let origins = [DAPP, "https://evil.example", SIGIL, "null"];
    for seed in 1..300 {
        let mut rng = Rng::new(seed);
        let mut channel = Channel::new(SIGIL);
        let mut fixed: Option<String> = None;
        for _ in 0..40 {
            let origin = origins[rng.below(origins.len())];
            let from_opener = rng.below(4) != 0;
            let message = if rng.bool() {
                random_message(&mut rng)
            } else {
                random_value(&mut rng, 0)
            };
            let verdict = channel.receive(origin, from_opener, Some(&message));
            match &verdict {
                Verdict::Ignore => {}
                Verdict::Ready { origin: to, reply } => {
                    assert!(from_opener, "seed {seed}");
                    assert_eq!(reply["result"], "ready");
                    assert_eq!(&reply["id"], &message["id"]);
                    let first = fixed.get_or_insert_with(|| to.clone());
                    assert_eq!(first, to, "seed {seed}: the channel moved");
                }
                Verdict::Request { origin: from, .. } => {
                    assert!(from_opener, "seed {seed}");
                    assert_eq!(fixed.as_deref(), Some(from.as_str()), "seed {seed}");
                }
            }
            assert_ne!(channel.origin(), Some(SIGIL));
            assert_ne!(channel.origin(), Some("null"));
        }
    }
}

#[test]
fn should_read_every_request_into_a_typed_result() {
    for seed in 1..3000 {
        let mut rng = Rng::new(seed);
        let method = METHODS[rng.below(METHODS.len())];
        let params = random_value(&mut rng, 0);
        match Request::read(method, &params) {
            Ok(Request::PersonalSign { address, .. } | Request::SignTypedData { address, .. }) => {
                assert_eq!(address.len(), 42, "seed {seed}");
            }
            Ok(Request::SwitchChain { chain_id }) => assert!(chain_id > 0, "seed {seed}"),
            Ok(_) => {}
            Err(ProviderError::InvalidParams(_) | ProviderError::Unsupported(_)) => {}
            Err(other) => panic!("seed {seed}: {other:?}"),
        }
        let _ = TransactionParams::read(&params);
    }
}
