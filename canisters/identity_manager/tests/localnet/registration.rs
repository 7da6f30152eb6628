//! Registrations: free while the token bucket has tokens, a proof of work
//! past it; a flood of throwaway keys is dropped before it executes and
//! locks nobody out.

use std::time::{Duration, Instant};

use ic_agent::identity::BasicIdentity;
use ic_agent::{AgentError, Identity};
use localnet::testing::WebAuthnIdentity;
use sigil_api::identity_manager::{
    AccountNumber, CreateAccount, CreateAccountArgs, DEFAULT_PROOF_OF_WORK_DIFFICULTY, Error,
    GetRegistrationRequirement, InitArgs, KeyType, Method, PROOF_OF_WORK_WINDOW_NS, ProofOfWork,
    RateLimitConfig, RegistrationRequirementArgs, is_valid_work, search_work,
};
use tokio::task::JoinSet;

use crate::support::{
    Client, assert_dropped_for, controller_client, device, ed25519, inspect_rejection, start,
};

const FLOOD: usize = 1_000;
const FREE: u64 = 100;
const CONCURRENT: usize = 50;
const HOUR_NS: u64 = 3_600 * 1_000_000_000;

fn rate_limited(capacity: u64, refill_period_ns: u64, difficulty: Option<u8>) -> Option<InitArgs> {
    Some(InitArgs {
        base_account_number: Some(500),
        registration_rate_limit: Some(RateLimitConfig {
            capacity,
            refill_period_ns,
        }),
        registration_proof_of_work_difficulty: difficulty,
        ..InitArgs::default()
    })
}

/// `create_account` by a fresh Ed25519 key for itself.
async fn register_throwaway(
    base: &Client,
    proof_of_work: Option<ProofOfWork>,
) -> Result<Result<AccountNumber, Error>, AgentError> {
    let identity = ed25519();
    let device = device(&identity, KeyType::Ed25519, "junk");
    base.as_identity(identity)
        .try_call::<CreateAccount>(&CreateAccountArgs {
            device,
            proof_of_work,
        })
        .await
}

/// The difficulty `registration_requirement` asks for now (`None`: free),
/// and the canister's time.
async fn requirement(client: &Client) -> (Option<u8>, u64) {
    let requirement = client
        .call::<GetRegistrationRequirement>(&RegistrationRequirementArgs {})
        .await
        .unwrap();
    (requirement.proof_of_work_difficulty, requirement.time)
}

/// Work of `difficulty` bits for `client` on the identity manager, now.
fn work_for(client: &Client, timestamp: u64, difficulty: u8) -> ProofOfWork {
    search_work(
        client.im.as_slice(),
        client.principal.as_slice(),
        timestamp,
        difficulty,
        0..u64::MAX,
    )
    .unwrap()
}

#[tokio::test]
async fn should_trip_the_free_registrations_and_regain_them_over_time() {
    let net = start(rate_limited(2, 2_000_000_000, None));
    let base = Client::anonymous(&net).await;
    assert_eq!(requirement(&base).await.0, None);
    assert_eq!(register_throwaway(&base, None).await.unwrap(), Ok(500));
    assert_eq!(register_throwaway(&base, None).await.unwrap(), Ok(501));
    let difficulty = DEFAULT_PROOF_OF_WORK_DIFFICULTY;
    assert_eq!(requirement(&base).await.0, Some(difficulty));
    let refusal = inspect_rejection(CreateAccount::NAME, register_throwaway(&base, None).await);
    assert_dropped_for(&refusal, &Error::ProofOfWorkRequired { difficulty });
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    assert_eq!(requirement(&base).await.0, None);
    assert_eq!(register_throwaway(&base, None).await.unwrap(), Ok(502));
}

#[tokio::test]
async fn should_drop_a_flood_of_throwaway_registrations_and_still_sign_up_a_person() {
    let net = start(rate_limited(FREE, HOUR_NS, None));
    let base = Client::anonymous(&net).await;
    let started = Instant::now();
    let mut accounts = Vec::new();
    let mut dropped = 0;
    for _ in 0..FLOOD / CONCURRENT {
        let mut batch = JoinSet::new();
        for _ in 0..CONCURRENT {
            let base = base.clone();
            batch.spawn(async move { register_throwaway(&base, None).await });
        }
        while let Some(outcome) = batch.join_next().await {
            match outcome.unwrap() {
                Ok(Ok(account)) => accounts.push(account),
                Ok(Err(error)) => panic!("a junk registration reached execution: {error}"),
                refused => {
                    let refusal = inspect_rejection(CreateAccount::NAME, refused);
                    let required = Error::ProofOfWorkRequired {
                        difficulty: DEFAULT_PROOF_OF_WORK_DIFFICULTY,
                    };
                    assert_dropped_for(&refusal, &required);
                    dropped += 1;
                }
            }
        }
    }
    let flood_took = started.elapsed();
    eprintln!(
        "{FLOOD} junk registrations took {flood_took:?}: {} created, {dropped} dropped by inspect_message",
        accounts.len()
    );
    assert!(
        accounts.len() as u64 <= FREE,
        "{} free registrations",
        accounts.len()
    );
    assert_eq!(accounts.len() + dropped, FLOOD);
    let controller = controller_client(&net).await;
    let stats = controller.stats().await.unwrap();
    assert_eq!(
        stats.accounts,
        accounts.len() as u64,
        "no dropped registration created an account"
    );

    // A person now: the first try is dropped and says why; the person's
    // browser asks what is needed, does the work for the canister's time,
    // and signs up.
    let passkey = WebAuthnIdentity::generate();
    let first = device(&passkey, KeyType::WebAuthn, "YubiKey");
    let person = base.as_identity(passkey);
    let mut args = CreateAccountArgs {
        device: first,
        proof_of_work: None,
    };
    let refusal = person.dropped::<CreateAccount>(&args).await;
    let difficulty = DEFAULT_PROOF_OF_WORK_DIFFICULTY;
    assert_dropped_for(&refusal, &Error::ProofOfWorkRequired { difficulty });
    let (required, time) = requirement(&person).await;
    assert_eq!(required, Some(difficulty));
    let started = Instant::now();
    args.proof_of_work = Some(work_for(&person, time, difficulty));
    let work_took = started.elapsed();
    eprintln!("the person's proof of work ({difficulty} bits) took {work_took:?}");
    let account = person.call::<CreateAccount>(&args).await.unwrap();
    assert_eq!(
        controller.stats().await.unwrap().accounts,
        stats.accounts + 1
    );
    assert_eq!(person.devices(account).await.unwrap().len(), 1);
}

#[tokio::test]
async fn should_refuse_work_done_for_another_key_or_too_long_ago() {
    let difficulty = 12;
    let net = start(rate_limited(1, HOUR_NS, Some(difficulty)));
    let base = Client::anonymous(&net).await;
    assert!(register_throwaway(&base, None).await.unwrap().is_ok());
    let required = Error::ProofOfWorkRequired { difficulty };
    let (needed, now) = requirement(&base).await;
    assert_eq!(needed, Some(difficulty));
    let registration = |identity: &BasicIdentity, proof_of_work| CreateAccountArgs {
        device: device(identity, KeyType::Ed25519, "laptop"),
        proof_of_work: Some(proof_of_work),
    };

    // Work is bound to the key it was done for.
    let someone = base.as_identity(ed25519());
    let theirs = work_for(&someone, now, difficulty);
    let thief = std::iter::repeat_with(ed25519)
        .find(|identity| {
            let principal = identity.sender().unwrap();
            !is_valid_work(
                base.im.as_slice(),
                principal.as_slice(),
                &theirs,
                difficulty,
            )
        })
        .unwrap();
    let args = registration(&thief, theirs);
    let thief = base.as_identity(thief);
    assert_dropped_for(&thief.dropped::<CreateAccount>(&args).await, &required);

    // And to a time near the canister's.
    let seed: [u8; 32] = rand::random();
    let key = BasicIdentity::from_raw_key(&seed);
    let late = base.as_identity(BasicIdentity::from_raw_key(&seed));
    let stale = now - PROOF_OF_WORK_WINDOW_NS - 60_000_000_000;
    let args = registration(&key, work_for(&late, stale, difficulty));
    assert_dropped_for(&late.dropped::<CreateAccount>(&args).await, &required);
    let args = registration(&key, work_for(&late, now, difficulty));
    assert_eq!(late.call::<CreateAccount>(&args).await, Ok(501));
}
