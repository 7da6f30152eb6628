//! Host tests of the page machine: each path through a request, and the
//! events it must ignore.

use serde_bytes::ByteBuf;
use sigil_api::identity_manager::Delegation;

use super::*;
use crate::authorize::request::tests::{DAPP, request_with};
use crate::authorize::session_key::tests::p256_spki;

pub const SIGIL: &str = "https://sigil.example";
const ACCOUNT: AccountNumber = 10_000;
const EXPIRATION: u64 = 1_700_000_000_000_000_000;

/// A machine that accepted a request with `extra` fields from [`DAPP`].
pub fn accepted(extra: Vec<(&str, Value)>) -> Machine {
    let mut machine = Machine::new(SIGIL);
    machine.handle(Event::Opened { peer: true });
    let effects = machine.handle(message(request_with(extra)));
    assert_eq!(
        effects[1],
        Effect::Call(Call::LoadConfiguration),
        "{effects:?}"
    );
    machine
}

pub fn message(data: Value) -> Event {
    Event::Message {
        origin: DAPP.into(),
        from_peer: true,
        data,
    }
}

pub fn prepared() -> PreparedDelegation {
    PreparedDelegation {
        user_key: ByteBuf::from(vec![0x30, 1]),
        expiration: EXPIRATION,
    }
}

pub fn issued(pubkey: Vec<u8>, expiration: u64) -> IssuedDelegation {
    IssuedDelegation {
        delegation: Delegation {
            pubkey: ByteBuf::from(pubkey),
            expiration,
            targets: None,
        },
        signature: vec![9],
    }
}

fn failure_to_dapp(error: &AuthorizeError) -> Effect {
    post_failure(DAPP, error)
}

/// A machine on the consent screen of a person whose session resumed.
fn consenting() -> Machine {
    let mut machine = accepted(vec![]);
    machine.handle(Event::Configuration(Ok(false)));
    machine.handle(Event::Resumed(Some(ACCOUNT)));
    let effects = machine.handle(Event::Principal(Ok("principal".into())));
    assert!(matches!(effects[..], [Effect::Show(Screen::Consent(_))]));
    machine
}

fn choosing() -> Machine {
    let mut machine = accepted(vec![]);
    machine.handle(Event::Configuration(Ok(false)));
    machine.handle(Event::Resumed(None));
    machine
}

#[test]
fn should_announce_readiness_to_any_window_only_with_a_peer() {
    let mut machine = Machine::new(SIGIL);
    assert_eq!(
        machine.handle(Event::Opened { peer: true }),
        vec![Effect::Post {
            message: response::ready(),
            target_origin: "*".into()
        }]
    );
    let mut alone = Machine::new(SIGIL);
    assert_eq!(
        alone.handle(Event::Opened { peer: false }),
        vec![show(Screen::NoApp)]
    );
    assert_eq!(alone.handle(message(request_with(vec![]))), vec![]);
}

#[test]
fn should_take_a_returning_person_from_request_to_delegation() {
    let mut machine = accepted(vec![]);
    assert_eq!(
        machine.handle(Event::Configuration(Ok(false))),
        vec![Effect::Call(Call::ResumeSession)]
    );
    assert_eq!(
        machine.handle(Event::Resumed(Some(ACCOUNT))),
        vec![
            working(format!("Loading your identity for {DAPP}…")),
            Effect::Call(Call::GetPrincipal {
                account: ACCOUNT,
                derivation_origin: DAPP.into()
            })
        ]
    );
    let effects = machine.handle(Event::Principal(Ok("principal".into())));
    let [Effect::Show(Screen::Consent(consent))] = &effects[..] else {
        panic!("consent: {effects:?}");
    };
    assert_eq!(
        (consent.account, consent.principal.as_str()),
        (ACCOUNT, "principal")
    );
    let time_to_live_nanos = consent.request.time_to_live_nanos;
    assert_eq!(
        machine.handle(Event::Approved),
        vec![
            working(format!("Signing you in to {DAPP}…")),
            Effect::Call(Call::PrepareDelegation {
                account: ACCOUNT,
                derivation_origin: DAPP.into(),
                session_key: p256_spki(),
                time_to_live_nanos,
            })
        ]
    );
    assert_eq!(
        machine.handle(Event::Prepared(Ok(prepared()))),
        vec![Effect::Call(Call::GetDelegation {
            account: ACCOUNT,
            derivation_origin: DAPP.into(),
            session_key: p256_spki(),
            expiration: EXPIRATION,
        })]
    );
    let effects = machine.handle(Event::Delegated(Ok(issued(p256_spki(), EXPIRATION))));
    let expected = AuthorizeSuccess {
        delegations: vec![SignedDelegation {
            pubkey: p256_spki(),
            expiration: EXPIRATION,
            targets: None,
            signature: vec![9],
        }],
        user_public_key: vec![0x30, 1],
    };
    assert_eq!(
        effects,
        vec![
            Effect::Post {
                message: response::success(&expected),
                target_origin: DAPP.into()
            },
            show(Screen::Done {
                origin: DAPP.into()
            })
        ]
    );
    assert_eq!(machine.handle(Event::Approved), vec![]);
    assert_eq!(machine.handle(Event::Cancelled), vec![]);
}

#[test]
fn should_ignore_second_clicks_and_clicks_out_of_turn() {
    let mut machine = consenting();
    assert_eq!(machine.handle(Event::Approved).len(), 2);
    assert_eq!(machine.handle(Event::Approved), vec![], "a second click");
    assert_eq!(
        machine.handle(Event::Cancelled),
        vec![],
        "cancel while issuing"
    );
    assert_eq!(machine.handle(Event::UseAnotherPasskey), vec![]);
    assert_eq!(
        machine.handle(Event::Chose(SignInChoice::NewPasskey)),
        vec![]
    );

    let mut machine = choosing();
    assert_eq!(
        machine
            .handle(Event::Chose(SignInChoice::Discoverable))
            .len(),
        2
    );
    assert_eq!(
        machine.handle(Event::Chose(SignInChoice::NewPasskey)),
        vec![]
    );
    assert_eq!(machine.handle(Event::Approved), vec![]);
    assert_eq!(
        machine.handle(Event::Cancelled),
        vec![],
        "cancel while signing in"
    );
}

#[test]
fn should_fetch_a_raw_derivation_origins_document_from_its_certified_domain_with_bounds() {
    let origin = "https://bkyz2-fmaaa-aaaaa-qaaaq-cai.raw.icp0.io";
    let mut machine = accepted(vec![("derivationOrigin", Value::String(origin.into()))]);
    let url = "https://bkyz2-fmaaa-aaaaa-qaaaq-cai.icp0.io/.well-known/ii-alternative-origins";
    assert_eq!(
        machine.handle(Event::Configuration(Ok(false))),
        vec![Effect::Fetch {
            url: url.into(),
            max_bytes: MAX_ALTERNATIVE_ORIGINS_BYTES,
            timeout_millis: ALTERNATIVE_ORIGINS_TIMEOUT_MILLIS,
        }]
    );
    let document = format!(r#"{{"alternativeOrigins":["{DAPP}"]}}"#);
    assert_eq!(
        machine.handle(Event::Fetched(Ok(document.into_bytes()))),
        vec![Effect::Call(Call::ResumeSession)]
    );
}

#[test]
fn should_refuse_a_derivation_origin_whose_document_could_not_be_read() {
    let origin = "https://x.icp0.io";
    let mut machine = accepted(vec![("derivationOrigin", Value::String(origin.into()))]);
    machine.handle(Event::Configuration(Ok(false)));
    let reason = "the server did not answer within 5 seconds";
    let error = AuthorizeError::InvalidDerivationOrigin(DerivationError::Unreachable {
        url: format!("{origin}/.well-known/ii-alternative-origins"),
        reason: reason.into(),
    });
    assert_eq!(
        machine.handle(Event::Fetched(Err(reason.into()))),
        vec![
            failure_to_dapp(&error),
            show(Screen::Refused {
                origin: DAPP.into(),
                text: format!(
                    "Invalid derivation origin: could not read {origin}/.well-known/ii-alternative-origins: {reason}"
                ),
            })
        ]
    );
    assert_eq!(machine.handle(Event::Resumed(Some(ACCOUNT))), vec![]);
}

#[test]
fn should_accept_a_local_derivation_origin_only_under_development_rules() {
    let local = "http://bkyz2-fmaaa-aaaaa-qaaaq-cai.localhost:4943";
    let extra = || vec![("derivationOrigin", Value::String(local.into()))];
    let mut development = accepted(extra());
    assert!(matches!(
        development.handle(Event::Configuration(Ok(true)))[..],
        [Effect::Fetch { .. }]
    ));
    let mut production = accepted(extra());
    let effects = production.handle(Event::Configuration(Ok(false)));
    assert_eq!(
        effects[0],
        failure_to_dapp(&AuthorizeError::InvalidDerivationOrigin(
            DerivationError::NotACanisterOrigin(local.into())
        ))
    );
}

#[test]
fn should_tell_the_app_and_the_person_when_the_configuration_is_unusable() {
    let mut machine = accepted(vec![]);
    let text = "/sigil.json names a local development network, but …";
    let error = AuthorizeError::Configuration(text.into());
    assert_eq!(
        machine.handle(Event::Configuration(Err(text.into()))),
        vec![
            failure_to_dapp(&error),
            show(Screen::Broken {
                text: error.to_string()
            })
        ]
    );
}

#[test]
fn should_show_progress_while_signing_in_and_consent_after() {
    let mut machine = choosing();
    assert_eq!(
        machine.handle(Event::Chose(SignInChoice::NewPasskey)),
        vec![
            working("Starting…"),
            Effect::Call(Call::SignIn(SignInChoice::NewPasskey))
        ]
    );
    assert_eq!(
        machine.handle(Event::Progress("Creating your account…".into())),
        vec![working("Creating your account…")]
    );
    assert!(matches!(
        machine.handle(Event::SignedIn(Ok(ACCOUNT)))[..],
        [
            _,
            Effect::Call(Call::GetPrincipal {
                account: ACCOUNT,
                ..
            })
        ]
    ));
    assert_eq!(machine.handle(Event::Progress("late".into())), vec![]);
}

fn sign_in_failing(choice: SignInChoice, retry: Retry) -> Vec<Effect> {
    let mut machine = choosing();
    machine.handle(Event::Chose(choice));
    machine.handle(Event::SignedIn(Err(SignInFailure {
        text: "It did not work.".into(),
        retry,
    })))
}

fn request_screen(effects: &[Effect]) -> (Option<String>, Option<String>) {
    let [
        Effect::Show(Screen::Request {
            notice,
            account_number,
            ..
        }),
    ] = effects
    else {
        panic!("the request screen: {effects:?}");
    };
    (notice.clone(), account_number.clone())
}

#[test]
fn should_let_the_person_retry_with_words_that_fit_how_they_signed_in() {
    assert_eq!(
        request_screen(&sign_in_failing(
            SignInChoice::Discoverable,
            Retry::PromptDismissed
        )),
        (
            Some("It did not work. If your browser did not offer your passkey, use your account number.".into()),
            None
        )
    );
    assert_eq!(
        request_screen(&sign_in_failing(
            SignInChoice::OfAccount(10_042),
            Retry::Yes
        )),
        (Some("It did not work.".into()), Some("10042".into()))
    );
    assert_eq!(
        request_screen(&sign_in_failing(
            SignInChoice::NewPasskey,
            Retry::PromptDismissed
        )),
        (Some("It did not work.".into()), None)
    );
}

#[test]
fn should_end_the_request_when_a_sign_in_failure_cannot_be_retried() {
    let effects = sign_in_failing(SignInChoice::Discoverable, Retry::No);
    let error = AuthorizeError::SignIn("It did not work.".into());
    assert_eq!(
        effects,
        vec![
            failure_to_dapp(&error),
            show(Screen::Failed {
                text: error.to_string()
            })
        ]
    );
}

#[test]
fn should_sign_out_when_the_session_ended_and_say_so() {
    let mut machine = accepted(vec![]);
    machine.handle(Event::Configuration(Ok(false)));
    machine.handle(Event::Resumed(Some(ACCOUNT)));
    assert_eq!(
        machine.handle(Event::Principal(Err(CallFailure {
            text: "unauthorized".into(),
            session_ended: true
        }))),
        vec![working("Signing out…"), Effect::Call(Call::SignOut)]
    );
    assert_eq!(
        request_screen(&machine.handle(Event::SignedOut(Ok(())))),
        (Some(SESSION_ENDED_NOTICE.into()), None)
    );
}

#[test]
fn should_fail_when_the_principal_cannot_be_loaded_for_another_reason() {
    let mut machine = accepted(vec![]);
    machine.handle(Event::Configuration(Ok(false)));
    machine.handle(Event::Resumed(Some(ACCOUNT)));
    let effects = machine.handle(Event::Principal(Err(CallFailure {
        text: "The Internet Computer could not be reached".into(),
        session_ended: false,
    })));
    assert_eq!(
        effects[0],
        failure_to_dapp(&AuthorizeError::SignIn(
            "The Internet Computer could not be reached".into()
        ))
    );
}

#[test]
fn should_sign_out_for_another_passkey_and_show_why_signing_out_failed() {
    let mut machine = consenting();
    assert_eq!(
        machine.handle(Event::UseAnotherPasskey),
        vec![working("Signing out…"), Effect::Call(Call::SignOut)]
    );
    assert_eq!(
        request_screen(&machine.handle(Event::SignedOut(Err("IndexedDB failed".into())))),
        (Some("IndexedDB failed".into()), None)
    );
    let mut machine = choosing();
    machine.handle(Event::UseAnotherPasskey);
    assert_eq!(
        request_screen(&machine.handle(Event::SignedOut(Ok(())))),
        (None, None)
    );
}

#[test]
fn should_post_cancelled_when_the_person_declines() {
    for mut machine in [choosing(), consenting()] {
        assert_eq!(
            machine.handle(Event::Cancelled),
            vec![
                failure_to_dapp(&AuthorizeError::Cancelled),
                show(Screen::Cancelled)
            ]
        );
        assert_eq!(machine.handle(Event::Cancelled), vec![]);
    }
}

#[test]
fn should_refuse_a_delegation_to_another_key_or_with_another_expiration() {
    for issued in [
        issued(vec![0x30, 0], EXPIRATION),
        issued(p256_spki(), EXPIRATION + 1),
    ] {
        let mut machine = consenting();
        machine.handle(Event::Approved);
        machine.handle(Event::Prepared(Ok(prepared())));
        let effects = machine.handle(Event::Delegated(Ok(issued)));
        let [
            Effect::Post {
                message,
                target_origin,
            },
            Effect::Show(Screen::Failed { .. }),
        ] = &effects[..]
        else {
            panic!("a failure: {effects:?}");
        };
        assert_eq!(target_origin, DAPP);
        assert_eq!(
            message.get("kind").and_then(Value::as_str),
            Some(response::FAILURE_KIND)
        );
    }
}

#[test]
fn should_fail_when_the_identity_manager_refuses_to_delegate() {
    let failure = CallFailure {
        text: "refused".into(),
        session_ended: false,
    };
    let mut machine = consenting();
    machine.handle(Event::Approved);
    assert_eq!(
        machine.handle(Event::Prepared(Err(failure.clone())))[0],
        failure_to_dapp(&AuthorizeError::Delegation("refused".into()))
    );
    let mut machine = consenting();
    machine.handle(Event::Approved);
    machine.handle(Event::Prepared(Ok(prepared())));
    assert_eq!(
        machine.handle(Event::Delegated(Err(failure)))[0],
        failure_to_dapp(&AuthorizeError::Delegation("refused".into()))
    );
}

#[test]
fn should_show_broken_only_when_the_success_could_not_be_posted() {
    let mut machine = consenting();
    assert_eq!(machine.handle(Event::PostFailed("gone".into())), vec![]);
    machine.handle(Event::Approved);
    machine.handle(Event::Prepared(Ok(prepared())));
    machine.handle(Event::Delegated(Ok(issued(p256_spki(), EXPIRATION))));
    assert_eq!(
        machine.handle(Event::PostFailed("gone".into())),
        vec![show(Screen::Broken {
            text: "gone".into()
        })]
    );
}

#[test]
fn should_show_the_timeout_and_refuse_a_request_that_comes_later() {
    let mut machine = Machine::new(SIGIL);
    machine.handle(Event::Opened { peer: true });
    assert_eq!(
        machine.handle(Event::RequestTimedOut),
        vec![show(Screen::TimedOut)]
    );
    let effects = machine.handle(message(request_with(vec![])));
    assert_eq!(effects[0], failure_to_dapp(&AuthorizeError::TimedOut));
    assert_eq!(machine.handle(message(request_with(vec![]))), vec![]);

    let mut machine = consenting();
    assert_eq!(machine.handle(Event::RequestTimedOut), vec![]);
}

#[test]
fn should_treat_a_removed_passkey_or_a_missing_account_as_an_ended_session() {
    use candid::Principal;
    assert!(session_ended(&IdentityManagerError::Unauthorized {
        caller: Principal::anonymous(),
        account: ACCOUNT
    }));
    assert!(session_ended(&IdentityManagerError::AccountNotFound {
        account: ACCOUNT
    }));
    assert!(!session_ended(&IdentityManagerError::UnknownCredentialId));
    assert!(!session_ended(&IdentityManagerError::AnonymousCaller));
}
