use super::*;
use sigil_api::identity_manager::{RateLimitConfig, is_valid_work, search_work};

fn limited(capacity: u64, refill_period_ns: u64, difficulty: u8) -> Fixture {
    Fixture::with_args(Some(InitArgs {
        registration_rate_limit: Some(RateLimitConfig {
            capacity,
            refill_period_ns,
        }),
        registration_proof_of_work_difficulty: Some(difficulty),
        chains: None,
        ..InitArgs::default()
    }))
}

fn work(f: &Fixture, caller: Principal, difficulty: u8) -> ProofOfWork {
    search_work(
        canister_id().as_slice(),
        caller.as_slice(),
        f.now,
        difficulty,
        0..u64::MAX,
    )
    .unwrap()
}

#[test]
fn should_create_an_account_when_the_caller_holds_the_device_key() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    assert_eq!(account, 10_000);
    assert_eq!(
        f.list(principal_of(&passkey(1)), account).unwrap(),
        vec![passkey(1)]
    );
}

#[test]
fn should_refuse_to_create_an_account_for_another_callers_key() {
    let mut f = Fixture::new();
    let result = f.create_as(principal_of(&passkey(2)), &passkey(1), None);
    assert_eq!(
        result,
        Err(Error::NotDeviceOwner {
            caller: principal_of(&passkey(2)),
            expected: principal_of(&passkey(1)),
        })
    );
    assert_eq!(f.stats().accounts, 0);
}

#[test]
fn should_refuse_the_anonymous_principal_for_every_operation() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let anonymous = Principal::anonymous();
    assert_eq!(
        f.create_as(anonymous, &passkey(3), None),
        Err(Error::AnonymousCaller)
    );
    assert_eq!(f.confirm(anonymous, account), Err(Error::AnonymousCaller));
    let results = f.every_operation(anonymous, account);
    assert_all_refused(results, &Error::AnonymousCaller);
}

#[test]
fn should_allocate_increasing_account_numbers_from_the_base() {
    let mut f = Fixture::new();
    let numbers: Vec<_> = (1..=3).map(|i| f.create(&passkey(i)).unwrap()).collect();
    assert_eq!(numbers, vec![10_000, 10_001, 10_002]);
}

#[test]
fn should_start_from_a_configured_base_account_number() {
    let mut f = Fixture::with_args(Some(InitArgs {
        base_account_number: Some(5),
        ..InitArgs::default()
    }));
    assert_eq!(f.create(&passkey(1)), Ok(5));
    assert_eq!(f.create(&passkey(2)), Ok(6));
}

#[test]
fn should_refuse_a_recovery_device_as_the_first_device() {
    let mut f = Fixture::new();
    let device = Device {
        purpose: Purpose::Recovery,
        ..ed25519_device(1)
    };
    assert_eq!(
        f.create(&device),
        Err(Error::FirstDeviceNotForAuthentication)
    );
}

#[test]
fn should_ask_for_work_once_the_free_registrations_are_used_up() {
    let mut f = limited(2, 10 * SECOND, 8);
    let env = f.env(Principal::anonymous());
    let free = crate::registration::requirement(f.state.storage.header(), &env);
    assert_eq!(free.proof_of_work_difficulty, None);
    f.create(&passkey(1)).unwrap();
    f.create(&passkey(2)).unwrap();
    assert_eq!(
        f.create(&passkey(3)),
        Err(Error::ProofOfWorkRequired { difficulty: 8 })
    );
    assert_eq!(f.stats().accounts, 2);
    let env = f.env(principal_of(&passkey(3)));
    assert_eq!(
        crate::registration::requirement(f.state.storage.header(), &env),
        sigil_api::identity_manager::RegistrationRequirement {
            proof_of_work_difficulty: Some(8),
            time: f.now
        }
    );
    // With the work, the registration goes through at once.
    let proof = work(&f, principal_of(&passkey(3)), 8);
    assert_eq!(
        f.create_as(principal_of(&passkey(3)), &passkey(3), Some(proof)),
        Ok(10_002)
    );
    // And the bucket refills with time.
    f.now += 10 * SECOND;
    assert_eq!(f.create(&passkey(4)), Ok(10_003));
    assert!(matches!(
        f.create(&passkey(5)),
        Err(Error::ProofOfWorkRequired { .. })
    ));
}

#[test]
fn should_refuse_work_for_another_caller_stale_work_and_weak_work() {
    let mut f = limited(1, DAY, 12);
    f.create(&passkey(1)).unwrap();
    let caller = principal_of(&passkey(2));
    let required = Err(Error::ProofOfWorkRequired { difficulty: 12 });

    // Work done by someone else's key serves only that key.
    let theirs = work(&f, principal_of(&passkey(9)), 12);
    assert_eq!(f.create_as(caller, &passkey(2), Some(theirs)), required);

    // Work older than five minutes is refused.
    let now = f.now;
    f.now = now - 6 * MINUTE;
    let old = work(&f, caller, 12);
    f.now = now;
    assert_eq!(f.create_as(caller, &passkey(2), Some(old)), required);

    // Work of fewer bits than asked.
    let checks = |proof: &ProofOfWork, bits| {
        is_valid_work(canister_id().as_slice(), caller.as_slice(), proof, bits)
    };
    let weak = (0..)
        .map(|nonce| ProofOfWork {
            timestamp: f.now,
            nonce,
        })
        .find(|proof| checks(proof, 4) && !checks(proof, 12))
        .unwrap();
    assert_eq!(f.create_as(caller, &passkey(2), Some(weak)), required);
    assert_eq!(f.stats().accounts, 1);

    let proof = work(&f, caller, 12);
    assert_eq!(f.create_as(caller, &passkey(2), Some(proof)), Ok(10_001));
}

#[test]
fn should_not_spend_a_registration_token_on_a_refused_request() {
    let mut f = limited(1, DAY, 8);
    let mut bad = passkey(1);
    bad.alias = "a".repeat(65);
    assert!(matches!(f.create(&bad), Err(Error::AliasTooLong { .. })));
    assert_eq!(f.create(&passkey(1)), Ok(10_000));
}

#[test]
fn should_count_accounts_and_devices_for_controllers_only() {
    let mut f = Fixture::new();
    let a = f.create(&passkey(1)).unwrap();
    f.create(&passkey(2)).unwrap();
    f.add(&passkey(1), a, &ed25519_device(3)).unwrap();
    let stats = f.stats();
    assert_eq!((stats.accounts, stats.devices), (2, 3));
    assert!(stats.stable_memory_bytes > 0);
    for caller in [Principal::anonymous(), principal_of(&passkey(1))] {
        assert_eq!(
            stats_impl(&f.state.storage, &f.env(caller)),
            Err(Error::ControllerOnly)
        );
    }
}
