//! Fuzz-style tests: random, mutated and truncated messages through the whole
//! request path. Each must end in a typed verdict, never a panic, and every
//! accepted request must satisfy the request invariants. Random events, in
//! and out of turn, through the page's [`Machine`] must keep its
//! invariants: one readiness to anyone, one reply to the request's origin,
//! a success only for the request's key, the app told before the person
//! sees the end, bounded fetches, and never a request left waiting for
//! nothing.

use super::exchange::{Exchange, Incoming, Verdict};
use super::machine::tests::{SIGIL, issued, message, prepared};
use super::machine::{
    Call, CallFailure, Effect, Event, Machine, Retry, Screen, SignInChoice, SignInFailure,
};
use super::origin::{
    ALTERNATIVE_ORIGINS_TIMEOUT_MILLIS, MAX_ALTERNATIVE_ORIGINS_BYTES, MAX_ORIGIN_LEN,
    check_derivation_origin, verify_alternative_origins,
};
use super::request::tests::{DAPP, request_with};
use super::request::{MAX_TIME_TO_LIVE_NANOS, REQUEST_KIND};
use super::response;
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

/// What the page machine did over one run, checked as it goes.
#[derive(Default)]
struct Transcript {
    readies: usize,
    replies: usize,
}

impl Transcript {
    /// Checks one batch of effects: where posts go, what a success carries,
    /// that every end of a request told the app, and the fetch's bounds.
    fn check(&mut self, effects: &[Effect]) {
        let mut posted = false;
        for effect in effects {
            match effect {
                Effect::Post {
                    message,
                    target_origin,
                } if target_origin == "*" => {
                    assert_eq!(message, &response::ready(), "only readiness goes to anyone");
                    self.readies += 1;
                }
                Effect::Post {
                    message,
                    target_origin,
                } => {
                    assert_eq!(target_origin, DAPP, "replies go to the request's origin");
                    self.replies += 1;
                    posted = true;
                    if message.get("kind").and_then(Value::as_str) == Some(response::SUCCESS_KIND) {
                        let Some(Value::Array(delegations)) = message.get("delegations") else {
                            panic!("a success has delegations: {message:?}");
                        };
                        let pubkey = delegations[0]
                            .get("delegation")
                            .and_then(|d| d.get("pubkey"));
                        assert_eq!(pubkey, Some(&Value::Bytes(p256_spki())));
                    }
                }
                Effect::Show(
                    Screen::Done { .. }
                    | Screen::Failed { .. }
                    | Screen::Refused { .. }
                    | Screen::Cancelled,
                ) => assert!(
                    posted,
                    "the app heard before the person saw the end: {effects:?}"
                ),
                Effect::Fetch {
                    url,
                    max_bytes,
                    timeout_millis,
                } => {
                    assert!(!url.contains(".raw."), "{url}");
                    assert_eq!(*max_bytes, MAX_ALTERNATIVE_ORIGINS_BYTES);
                    assert_eq!(*timeout_millis, ALTERNATIVE_ORIGINS_TIMEOUT_MILLIS);
                }
                _ => {}
            }
        }
        assert!(self.readies <= 1, "one authorize-ready");
        assert!(self.replies <= 1, "one reply per page");
    }
}

fn call_failure(rng: &mut Rng) -> CallFailure {
    CallFailure {
        text: random_string(rng),
        session_ended: rng.bool(),
    }
}

fn sign_in_choice(rng: &mut Rng) -> SignInChoice {
    match rng.below(3) {
        0 => SignInChoice::Discoverable,
        1 => SignInChoice::OfAccount(rng.next_u64()),
        _ => SignInChoice::NewPasskey,
    }
}

fn derivation_origin(rng: &mut Rng) -> Vec<(&'static str, Value)> {
    const ORIGINS: [&str; 5] = [
        DAPP,
        "https://bkyz2-fmaaa-aaaaa-qaaaq-cai.raw.icp0.io",
        "https://x.ic0.app",
        "http://x.localhost:4943",
        "https://evil.example",
    ];
    match rng.below(ORIGINS.len() + 1) {
        0 => vec![],
        n => vec![("derivationOrigin", Value::String(ORIGINS[n - 1].into()))],
    }
}

/// Any event at all, in or out of turn.
fn random_event(rng: &mut Rng) -> Event {
    let sometimes = |rng: &mut Rng, ok: bool| ok && rng.below(3) != 0;
    match rng.below(18) {
        0 => Event::Opened { peer: rng.bool() },
        1 => Event::Message {
            origin: [DAPP, SIGIL][rng.below(2)].into(),
            from_peer: rng.bool(),
            data: if rng.bool() {
                request_with(derivation_origin(rng))
            } else {
                random_value(rng, 0)
            },
        },
        2 => Event::RequestTimedOut,
        3 => Event::Configuration(if rng.bool() {
            Ok(rng.bool())
        } else {
            Err(random_string(rng))
        }),
        4 => Event::Fetched(match rng.below(3) {
            0 => Ok(format!(r#"{{"alternativeOrigins":["{DAPP}"]}}"#).into_bytes()),
            1 => Ok(rng.bytes(40)),
            _ => Err(random_string(rng)),
        }),
        5 => Event::Resumed(rng.bool().then(|| rng.next_u64())),
        6 => Event::Chose(sign_in_choice(rng)),
        7 => Event::Progress(random_string(rng)),
        8 => Event::SignedIn(if sometimes(rng, true) {
            Ok(rng.next_u64())
        } else {
            Err(SignInFailure {
                text: random_string(rng),
                retry: [Retry::No, Retry::Yes, Retry::PromptDismissed][rng.below(3)],
            })
        }),
        9 => Event::Principal(if rng.bool() {
            Ok(random_string(rng))
        } else {
            Err(call_failure(rng))
        }),
        10 => Event::Approved,
        11 => Event::Cancelled,
        12 => Event::UseAnotherPasskey,
        13 => Event::SignedOut(if rng.bool() {
            Ok(())
        } else {
            Err(random_string(rng))
        }),
        14 => Event::Prepared(if rng.bool() {
            Ok(prepared())
        } else {
            Err(call_failure(rng))
        }),
        15 => Event::Delegated(match rng.below(3) {
            0 => Ok(issued(p256_spki(), prepared().expiration)),
            1 => Ok(issued(rng.bytes(8), rng.next_u64())),
            _ => Err(call_failure(rng)),
        }),
        16 => Event::PostFailed(random_string(rng)),
        _ => Event::Broken(random_string(rng)),
    }
}

#[test]
fn should_keep_the_page_machine_invariants_under_random_events() {
    let mut rng = Rng::new(0xa11_0c8);
    for _ in 0..3_000 {
        let mut machine = Machine::new(SIGIL);
        let mut transcript = Transcript::default();
        for _ in 0..rng.below(40) {
            transcript.check(&machine.handle(random_event(&mut rng)));
        }
    }
}

/// The answer a page would give to `effect`, at random among the outcomes
/// it can have.
fn answer(rng: &mut Rng, effect: &Effect) -> Option<Event> {
    let event = match effect {
        Effect::Fetch { .. } => Event::Fetched(if rng.bool() {
            Ok(format!(r#"{{"alternativeOrigins":["{DAPP}"]}}"#).into_bytes())
        } else {
            Err("the server did not answer within 5 seconds".into())
        }),
        Effect::Call(Call::LoadConfiguration) => Event::Configuration(Ok(rng.bool())),
        Effect::Call(Call::ResumeSession) => Event::Resumed(rng.bool().then_some(10_000)),
        Effect::Call(Call::SignIn(_)) => Event::SignedIn(if rng.bool() {
            Ok(10_000)
        } else {
            Err(SignInFailure {
                text: "no".into(),
                retry: [Retry::No, Retry::Yes, Retry::PromptDismissed][rng.below(3)],
            })
        }),
        Effect::Call(Call::GetPrincipal { .. }) => Event::Principal(if rng.bool() {
            Ok("p".into())
        } else {
            Err(call_failure(rng))
        }),
        Effect::Call(Call::SignOut) => Event::SignedOut(Ok(())),
        Effect::Call(Call::PrepareDelegation { .. }) => Event::Prepared(if rng.below(4) != 0 {
            Ok(prepared())
        } else {
            Err(call_failure(rng))
        }),
        Effect::Call(Call::GetDelegation { expiration, .. }) => {
            Event::Delegated(Ok(issued(p256_spki(), *expiration)))
        }
        Effect::Post { .. } | Effect::Show(_) => return None,
    };
    Some(event)
}

#[test]
fn should_never_leave_an_accepted_request_waiting_for_nothing() {
    let mut rng = Rng::new(42);
    for _ in 0..3_000 {
        let mut machine = Machine::new(SIGIL);
        let mut transcript = Transcript::default();
        let mut effects = machine.handle(Event::Opened { peer: true });
        effects.extend(machine.handle(message(request_with(derivation_origin(&mut rng)))));
        let mut screen = Screen::Waiting;
        for _ in 0..60 {
            transcript.check(&effects);
            if let Some(Effect::Show(shown)) =
                effects.iter().rev().find(|e| matches!(e, Effect::Show(_)))
            {
                screen = shown.clone();
            }
            let pending: Vec<Event> = effects.iter().filter_map(|e| answer(&mut rng, e)).collect();
            assert!(
                pending.len() <= 1,
                "one piece of work at a time: {effects:?}"
            );
            let event = match (pending.into_iter().next(), &screen) {
                (Some(event), _) => event,
                (None, Screen::Request { .. }) => match rng.below(4) {
                    0 => Event::Cancelled,
                    1 => Event::UseAnotherPasskey,
                    _ => Event::Chose(sign_in_choice(&mut rng)),
                },
                (None, Screen::Consent(_)) => {
                    [Event::Approved, Event::Cancelled, Event::UseAnotherPasskey][rng.below(3)]
                        .clone()
                }
                (None, _) => break,
            };
            effects = machine.handle(event);
        }
        let waiting_for_the_person = matches!(screen, Screen::Request { .. } | Screen::Consent(_));
        assert!(
            transcript.replies == 1 || waiting_for_the_person,
            "the request ended without a reply, on {screen:?}"
        );
    }
}
