//! Fuzz-style tests: random, mutated and truncated messages through the whole
//! request path. Each must end in a typed verdict, never a panic, and every
//! accepted request must satisfy the request invariants.

use super::exchange::{Exchange, Incoming, Verdict};
use super::origin::{MAX_ORIGIN_LEN, check_derivation_origin, verify_alternative_origins};
use super::request::tests::{DAPP, request_with};
use super::request::{MAX_TIME_TO_LIVE_NANOS, REQUEST_KIND};
use super::session_key::tests::{ed25519_spki, p256_spki};
use super::session_key::{MAX_SESSION_KEY_LEN, SessionKey};
use super::value::Value;
use crate::test_support::Rng;

const KEYS: [&str; 6] = [
    "kind",
    "sessionPublicKey",
    "maxTimeToLive",
    "derivationOrigin",
    "allowPinAuthentication",
    "x",
];

fn random_string(rng: &mut Rng) -> String {
    const PIECES: [&str; 12] = [
        "https://",
        "http://",
        "x",
        ".icp0.io",
        ".ic0.app",
        ".raw",
        ".localhost",
        ":4943",
        "/",
        "é",
        "\u{0}",
        REQUEST_KIND,
    ];
    (0..rng.below(6))
        .map(|_| PIECES[rng.below(PIECES.len())])
        .collect()
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 8 } else { 11 }) {
        0 => Value::Undefined,
        1 => Value::Null,
        2 => Value::Bool(rng.bool()),
        3 => Value::Number(f64::from_bits(rng.next_u64())),
        4 => {
            Value::BigInt(i128::from(rng.next_u64() as i64) * i128::from(rng.below(1 << 20) as u32))
        }
        5 => Value::String(random_string(rng)),
        6 => Value::Bytes(rng.bytes(100)),
        7 => Value::Unsupported("a function"),
        8 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => random_object(rng, depth + 1),
    }
}

fn random_object(rng: &mut Rng, depth: usize) -> Value {
    let mut entries = Vec::new();
    if rng.below(4) != 0 {
        entries.push(("kind".to_owned(), Value::String(REQUEST_KIND.into())));
    }
    for _ in 0..rng.below(5) {
        let key = KEYS[rng.below(KEYS.len())].to_owned();
        entries.push((key, random_value(rng, depth)));
    }
    Value::Object(entries)
}

/// Checks the invariants of whatever the exchange decided.
fn decide(data: &Value) -> Verdict {
    let mut exchange = Exchange::new("https://sigil.example");
    let verdict = exchange.on_message(Incoming {
        origin: DAPP,
        from_peer: true,
        data,
    });
    match &verdict {
        Verdict::Accept(request) => {
            assert!((1..=MAX_TIME_TO_LIVE_NANOS).contains(&request.time_to_live_nanos));
            assert!(request.session_key.der().len() <= MAX_SESSION_KEY_LEN);
            assert!(SessionKey::parse(request.session_key.der()).is_ok());
            assert!(
                request
                    .derivation_origin
                    .as_ref()
                    .is_none_or(|o| o.len() <= MAX_ORIGIN_LEN)
            );
            for development in [false, true] {
                let origin = request.effective_derivation_origin();
                if let Ok(super::origin::DerivationCheck::FetchAlternativeOrigins { url }) =
                    check_derivation_origin(DAPP, origin, development)
                {
                    assert!(
                        url.starts_with("https://") || (development && url.starts_with("http://"))
                    );
                    assert!(!url.contains(".raw."), "{url} is not a certified domain");
                }
            }
        }
        Verdict::Refuse { origin, error } => {
            assert_eq!(origin, DAPP);
            assert!(!error.to_string().is_empty());
        }
        Verdict::Ignore(_) => {}
    }
    verdict
}

#[test]
fn should_give_a_typed_verdict_for_random_messages() {
    let mut rng = Rng::new(0x5161_1d00);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let data = if rng.bool() {
            random_object(&mut rng, 0)
        } else {
            random_value(&mut rng, 0)
        };
        if matches!(decide(&data), Verdict::Accept(_)) {
            accepted += 1;
        }
    }
    // Random keys are almost never valid DER; the point is no panic.
    assert!(accepted < 20_000);
}

#[test]
fn should_give_a_typed_verdict_for_requests_with_random_field_values() {
    let mut rng = Rng::new(7);
    for _ in 0..20_000 {
        let field = KEYS[1 + rng.below(3)];
        let data = request_with(vec![(field, random_value(&mut rng, 0))]);
        decide(&data);
    }
}

#[test]
fn should_refuse_every_truncation_and_bit_flip_of_a_session_key() {
    let mut rng = Rng::new(99);
    for key in [ed25519_spki(), p256_spki()] {
        for end in 0..key.len() {
            let data = request_with(vec![(
                "sessionPublicKey",
                Value::Bytes(key[..end].to_vec()),
            )]);
            assert!(
                matches!(decide(&data), Verdict::Refuse { .. }),
                "prefix of {end} bytes"
            );
        }
        for _ in 0..2_000 {
            let mut flipped = key.clone();
            let at = rng.below(flipped.len());
            flipped[at] ^= 1 << rng.below(8);
            decide(&request_with(vec![(
                "sessionPublicKey",
                Value::Bytes(flipped),
            )]));
        }
    }
}

#[test]
fn should_survive_requests_with_fields_removed_one_by_one() {
    let full = request_with(vec![
        ("maxTimeToLive", Value::BigInt(1_000)),
        (
            "derivationOrigin",
            Value::String("https://x.icp0.io".into()),
        ),
    ]);
    let Value::Object(entries) = &full else {
        unreachable!("request_with builds an object");
    };
    for end in 0..=entries.len() {
        decide(&Value::Object(entries[..end].to_vec()));
    }
}

#[test]
fn should_survive_truncated_derivation_origins_and_documents() {
    let origin = "https://bkyz2-fmaaa-aaaaa-qaaaq-cai.raw.icp0.io";
    for end in 0..=origin.len() {
        for development in [false, true] {
            let _ = check_derivation_origin(DAPP, &origin[..end], development);
        }
    }
    let document = format!(r#"{{"alternativeOrigins":["{DAPP}"]}}"#);
    for end in 0..document.len() {
        assert!(
            verify_alternative_origins("u", &document.as_bytes()[..end], DAPP, origin).is_err()
        );
    }
    assert!(verify_alternative_origins("u", document.as_bytes(), DAPP, origin).is_ok());
    let mut rng = Rng::new(3);
    for _ in 0..5_000 {
        let _ = verify_alternative_origins("u", &rng.bytes(64), DAPP, origin);
    }
}
