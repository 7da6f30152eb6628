use super::*;
use sigil_api::identity_manager::RateLimitConfig;

#[test]
fn should_keep_accounts_devices_and_salt_across_an_upgrade() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    f.add(&passkey(1), account, &ed25519_device(2)).unwrap();
    let by_passkey = principal_of(&passkey(1));
    f.set_two_factor(by_passkey, account, true).unwrap();
    let principal = f.principal(&passkey(1), account, ORIGIN).unwrap();
    f.prepare(&passkey(1), account, None, None).unwrap();

    f.upgrade(None);

    assert_eq!(f.principal(&passkey(1), account, ORIGIN), Ok(principal));
    assert_eq!(f.list(by_passkey, account).unwrap().len(), 2);
    assert_eq!(f.two_factor(by_passkey, account), Ok(true));
    assert_eq!(
        f.state.storage.account_of_credential_id(&[1; 16]),
        Some(account)
    );
    // Prepared signatures and proposed devices live in the heap and are gone.
    assert!(f.state.signatures.is_empty());
    assert!(f.state.pending.is_empty());
    assert_eq!(f.create(&passkey(3)), Ok(account + 1));
}

#[test]
fn should_change_configuration_at_upgrade_without_reusing_numbers() {
    let mut f = Fixture::new();
    f.create(&passkey(1)).unwrap();
    f.create(&passkey(2)).unwrap();
    f.upgrade(Some(InitArgs {
        base_account_number: Some(5),
        registration_rate_limit: Some(RateLimitConfig {
            capacity: 1,
            refill_period_ns: DAY,
        }),
        registration_proof_of_work_difficulty: Some(9),
        chains: None,
        evm_chains: None,
        policy_loosening_delay_ns: None,
    }));
    assert_eq!(f.create(&passkey(3)), Ok(10_002));
    assert_eq!(
        f.create(&passkey(4)),
        Err(Error::ProofOfWorkRequired { difficulty: 9 })
    );

    f.upgrade(Some(InitArgs {
        base_account_number: Some(50_000),
        ..InitArgs::default()
    }));
    f.now += DAY;
    assert_eq!(f.create(&passkey(4)), Ok(50_000));
}

#[test]
fn should_refuse_a_rate_limit_of_zero() {
    let mut state = State::init(VectorMemory::default());
    let result = state.configure(Some(InitArgs {
        base_account_number: None,
        registration_rate_limit: Some(RateLimitConfig {
            capacity: 0,
            refill_period_ns: 1,
        }),
        ..InitArgs::default()
    }));
    assert!(result.is_err());
}

#[test]
fn should_refuse_a_proof_of_work_difficulty_out_of_range() {
    for difficulty in [0, 33, u8::MAX] {
        let mut state = State::init(VectorMemory::default());
        let result = state.configure(Some(InitArgs {
            registration_proof_of_work_difficulty: Some(difficulty),
            chains: None,
            evm_chains: None,
            ..InitArgs::default()
        }));
        assert!(result.is_err(), "{difficulty}");
    }
}
