//! Tests across modules: the endpoints' `_impl` functions over a state in
//! `VectorMemory`, upgrades (reopening the same memory), bad input, and
//! the Candid interface.

#![allow(clippy::unwrap_used)] // test code

use candid::Principal;
use ic_canister_sig_creation::signature_map::CanisterSigInputs;
use ic_canister_sig_creation::{CanisterSigPublicKey, DELEGATION_SIG_DOMAIN, hash_bytes};
use ic_certification::LookupResult;
use ic_stable_structures::VectorMemory;
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    AccountNumber, DEFAULT_DELEGATION_TTL_NS, Device, Error, InitArgs, KeyType,
    MAX_DELEGATION_TTL_NS, PreparedDelegation, Purpose, RateLimitConfig, SignedDelegation,
};

use crate::accounts::{create_account_impl, set_two_factor_impl, stats_impl, two_factor_impl};
use crate::delegation::{
    delegation_message, get_delegation_impl, get_principal_impl, normalize_origin,
    prepare_delegation_impl, seed,
};
use crate::der::test_keys;
use crate::devices::{
    add_device_impl, credential_ids_impl, list_devices_impl, lookup_credential_id_impl,
    lookup_public_key_impl, remove_device_impl, rename_device_impl,
};
use crate::signature_map::SIGNATURE_EXPIRATION_NS;
use crate::state::{Env, State};

const SECOND: u64 = 1_000_000_000;
const MINUTE: u64 = 60 * SECOND;
const DAY: u64 = 24 * 60 * MINUTE;
const ORIGIN: &str = "https://dapp.example";
const CERTIFICATE: &[u8] = b"certificate of the certified data";

fn canister_id() -> Principal {
    Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 7, 1, 1])
}

fn passkey(seed: u8) -> Device {
    Device {
        public_key: ByteBuf::from(test_keys::webauthn(seed)),
        alias: format!("Passkey {seed}"),
        credential_id: Some(ByteBuf::from(vec![seed; 16])),
        purpose: Purpose::Authentication,
        key_type: KeyType::WebAuthn,
        protected: false,
    }
}

fn ed25519_device(seed: u8) -> Device {
    Device {
        public_key: ByteBuf::from(test_keys::ed25519(seed)),
        alias: format!("Phrase {seed}"),
        credential_id: None,
        purpose: Purpose::Authentication,
        key_type: KeyType::Ed25519,
        protected: false,
    }
}

fn principal_of(device: &Device) -> Principal {
    Principal::self_authenticating(&device.public_key)
}

fn session_key() -> Vec<u8> {
    test_keys::ed25519(200)
}

struct Fixture {
    memory: VectorMemory,
    state: State<VectorMemory>,
    now: u64,
}

impl Fixture {
    fn new() -> Self {
        Self::with_args(None)
    }

    fn with_args(args: Option<InitArgs>) -> Self {
        let memory = VectorMemory::default();
        let mut state = State::init(memory.clone());
        state.configure(args).unwrap();
        state.set_salt_once(&[42; 32]).unwrap();
        Fixture {
            memory,
            state,
            now: 1_700_000_000 * SECOND,
        }
    }

    /// What a canister upgrade does to the state: the heap is lost and the
    /// stable memory is opened again, with a new argument.
    fn upgrade(&mut self, args: Option<InitArgs>) {
        self.state = State::init(self.memory.clone());
        self.state.configure(args).unwrap();
    }

    fn env(&self, caller: Principal) -> Env {
        Env {
            caller,
            now: self.now,
            canister_id: canister_id(),
        }
    }

    fn create(&mut self, device: &Device) -> Result<AccountNumber, Error> {
        let env = self.env(principal_of(device));
        create_account_impl(&mut self.state.storage, &env, device.clone())
    }

    fn add(
        &mut self,
        caller: &Device,
        account: AccountNumber,
        device: &Device,
    ) -> Result<(), Error> {
        let env = self.env(principal_of(caller));
        add_device_impl(&mut self.state.storage, &env, account, device.clone())
    }

    fn principal(
        &self,
        caller: &Device,
        account: AccountNumber,
        origin: &str,
    ) -> Result<Principal, Error> {
        get_principal_impl(
            &self.state.storage,
            &self.env(principal_of(caller)),
            account,
            origin,
        )
    }

    fn prepare(
        &mut self,
        caller: &Device,
        account: AccountNumber,
        max_ttl: Option<u64>,
        targets: Option<Vec<Principal>>,
    ) -> Result<PreparedDelegation, Error> {
        let env = self.env(principal_of(caller));
        prepare_delegation_impl(
            &mut self.state,
            &env,
            account,
            ORIGIN,
            &session_key(),
            max_ttl,
            targets.as_ref(),
        )
    }

    fn get(
        &self,
        caller: &Device,
        account: AccountNumber,
        expiration: u64,
        targets: Option<Vec<Principal>>,
    ) -> Result<SignedDelegation, Error> {
        get_delegation_impl(
            &self.state,
            &self.env(principal_of(caller)),
            account,
            ORIGIN,
            &session_key(),
            expiration,
            targets,
            Some(CERTIFICATE),
        )
    }
}

// ---- Accounts ----

#[test]
fn should_create_an_account_when_the_caller_holds_the_device_key() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    assert_eq!(account, 10_000);
    let env = f.env(principal_of(&passkey(1)));
    assert_eq!(
        list_devices_impl(&f.state.storage, &env, account).unwrap(),
        vec![passkey(1)]
    );
}

#[test]
fn should_refuse_to_create_an_account_for_another_callers_key() {
    let mut f = Fixture::new();
    let env = f.env(principal_of(&passkey(2)));
    let result = create_account_impl(&mut f.state.storage, &env, passkey(1));
    assert_eq!(
        result,
        Err(Error::NotDeviceOwner {
            caller: principal_of(&passkey(2)),
            expected: principal_of(&passkey(1)),
        })
    );
    assert_eq!(stats_impl(&f.state.storage).accounts, 0);
}

#[test]
fn should_refuse_the_anonymous_principal_for_every_operation() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let env = f.env(Principal::anonymous());
    let s = &mut f.state;
    let key = passkey(1).public_key;
    let anonymous = Err::<(), _>(Error::AnonymousCaller);
    assert_eq!(
        create_account_impl(&mut s.storage, &env, passkey(3)).map(|_| ()),
        anonymous
    );
    assert_eq!(
        add_device_impl(&mut s.storage, &env, account, passkey(2)),
        anonymous
    );
    assert_eq!(
        rename_device_impl(&mut s.storage, &env, account, &key, "x".into()),
        anonymous
    );
    assert_eq!(
        remove_device_impl(&mut s.storage, &env, account, &key),
        anonymous
    );
    assert_eq!(
        list_devices_impl(&s.storage, &env, account).map(|_| ()),
        anonymous
    );
    assert_eq!(
        set_two_factor_impl(&mut s.storage, &env, account, true),
        anonymous
    );
    assert_eq!(
        get_principal_impl(&s.storage, &env, account, ORIGIN).map(|_| ()),
        anonymous
    );
    let prepared = prepare_delegation_impl(s, &env, account, ORIGIN, &session_key(), None, None);
    assert_eq!(prepared.map(|_| ()), anonymous);
    let got = get_delegation_impl(
        s,
        &env,
        account,
        ORIGIN,
        &session_key(),
        0,
        None,
        Some(CERTIFICATE),
    );
    assert_eq!(got.map(|_| ()), anonymous);
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
        registration_rate_limit: None,
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
fn should_trip_the_registration_rate_limit_and_recover_with_time() {
    let mut f = Fixture::with_args(Some(InitArgs {
        base_account_number: None,
        registration_rate_limit: Some(RateLimitConfig {
            capacity: 2,
            refill_period_ns: 10 * SECOND,
        }),
    }));
    f.create(&passkey(1)).unwrap();
    f.create(&passkey(2)).unwrap();
    assert_eq!(
        f.create(&passkey(3)),
        Err(Error::RateLimited {
            retry_after_ns: 10 * SECOND
        })
    );
    assert_eq!(stats_impl(&f.state.storage).accounts, 2);
    f.now += 10 * SECOND;
    assert_eq!(f.create(&passkey(3)), Ok(10_002));
    assert!(matches!(
        f.create(&passkey(4)),
        Err(Error::RateLimited { .. })
    ));
}

#[test]
fn should_not_spend_a_registration_token_on_a_refused_request() {
    let mut f = Fixture::with_args(Some(InitArgs {
        base_account_number: None,
        registration_rate_limit: Some(RateLimitConfig {
            capacity: 1,
            refill_period_ns: DAY,
        }),
    }));
    let mut bad = passkey(1);
    bad.alias = "a".repeat(65);
    assert!(matches!(f.create(&bad), Err(Error::AliasTooLong { .. })));
    assert_eq!(f.create(&passkey(1)), Ok(10_000));
}

#[test]
fn should_count_accounts_and_devices() {
    let mut f = Fixture::new();
    let a = f.create(&passkey(1)).unwrap();
    f.create(&passkey(2)).unwrap();
    f.add(&passkey(1), a, &ed25519_device(3)).unwrap();
    let stats = stats_impl(&f.state.storage);
    assert_eq!((stats.accounts, stats.devices), (2, 3));
    assert!(stats.stable_memory_bytes > 0);
}

// ---- Devices ----

#[test]
fn should_add_rename_and_remove_devices_as_owner() {
    let mut f = Fixture::new();
    let owner = passkey(1);
    let account = f.create(&owner).unwrap();
    f.add(&owner, account, &ed25519_device(2)).unwrap();
    let env = f.env(principal_of(&owner));
    let key = ed25519_device(2).public_key;

    rename_device_impl(&mut f.state.storage, &env, account, &key, "Laptop".into()).unwrap();
    let devices = list_devices_impl(&f.state.storage, &env, account).unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[1].alias, "Laptop");

    remove_device_impl(&mut f.state.storage, &env, account, &key).unwrap();
    assert_eq!(
        list_devices_impl(&f.state.storage, &env, account).unwrap(),
        vec![owner]
    );
    assert_eq!(
        lookup_public_key_impl(&f.state.storage, &key),
        Err(Error::UnknownPublicKey)
    );
}

#[test]
fn should_let_a_new_device_act_for_the_account() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    f.add(&passkey(1), account, &ed25519_device(2)).unwrap();
    f.add(&ed25519_device(2), account, &passkey(3)).unwrap();
    assert_eq!(stats_impl(&f.state.storage).devices, 3);
}

#[test]
fn should_refuse_another_principal_for_every_operation() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    // A device of another account is just another principal here.
    f.create(&passkey(9)).unwrap();
    let stranger = principal_of(&passkey(9));
    let env = f.env(stranger);
    let denied = Err::<(), _>(Error::Unauthorized {
        caller: stranger,
        account,
    });
    let key = passkey(1).public_key;
    let s = &mut f.state;
    assert_eq!(
        add_device_impl(&mut s.storage, &env, account, passkey(2)),
        denied
    );
    assert_eq!(
        rename_device_impl(&mut s.storage, &env, account, &key, "x".into()),
        denied
    );
    assert_eq!(
        remove_device_impl(&mut s.storage, &env, account, &key),
        denied
    );
    assert_eq!(
        list_devices_impl(&s.storage, &env, account).map(|_| ()),
        denied
    );
    assert_eq!(
        set_two_factor_impl(&mut s.storage, &env, account, true),
        denied
    );
    assert_eq!(
        get_principal_impl(&s.storage, &env, account, ORIGIN).map(|_| ()),
        denied
    );
    let prepared = prepare_delegation_impl(s, &env, account, ORIGIN, &session_key(), None, None);
    assert_eq!(prepared.map(|_| ()), denied);
    assert!(s.signatures.is_empty());
    let got = get_delegation_impl(
        s,
        &env,
        account,
        ORIGIN,
        &session_key(),
        0,
        None,
        Some(CERTIFICATE),
    );
    assert_eq!(got.map(|_| ()), denied);
    assert_eq!(two_factor_impl(&s.storage, account), Ok(false));
}

#[test]
fn should_report_unknown_accounts() {
    let mut f = Fixture::new();
    let missing = Err::<(), _>(Error::AccountNotFound { account: 77 });
    assert_eq!(f.add(&passkey(1), 77, &passkey(2)), missing);
    assert_eq!(two_factor_impl(&f.state.storage, 77).map(|_| ()), missing);
    assert_eq!(f.principal(&passkey(1), 77, ORIGIN).map(|_| ()), missing);
}

#[test]
fn should_not_remove_the_last_authentication_device() {
    let mut f = Fixture::new();
    let owner = passkey(1);
    let account = f.create(&owner).unwrap();
    let recovery = Device {
        purpose: Purpose::Recovery,
        ..ed25519_device(2)
    };
    f.add(&owner, account, &recovery).unwrap();
    let env = f.env(principal_of(&owner));
    assert_eq!(
        remove_device_impl(&mut f.state.storage, &env, account, &owner.public_key),
        Err(Error::LastAuthenticationDevice)
    );
    // The recovery device can go; then the owner is still the last one.
    remove_device_impl(&mut f.state.storage, &env, account, &recovery.public_key).unwrap();
    assert_eq!(
        remove_device_impl(&mut f.state.storage, &env, account, &owner.public_key),
        Err(Error::LastAuthenticationDevice)
    );
    assert_eq!(stats_impl(&f.state.storage).devices, 1);
}

#[test]
fn should_let_only_a_protected_device_change_itself() {
    let mut f = Fixture::new();
    let owner = passkey(1);
    let account = f.create(&owner).unwrap();
    let phrase = Device {
        purpose: Purpose::Recovery,
        protected: true,
        ..ed25519_device(2)
    };
    f.add(&owner, account, &phrase).unwrap();
    let by_owner = f.env(principal_of(&owner));
    let key = phrase.public_key.clone();
    let s = &mut f.state.storage;
    assert_eq!(
        rename_device_impl(s, &by_owner, account, &key, "x".into()),
        Err(Error::ProtectedDevice)
    );
    assert_eq!(
        remove_device_impl(s, &by_owner, account, &key),
        Err(Error::ProtectedDevice)
    );

    let by_itself = f.env(principal_of(&phrase));
    let s = &mut f.state.storage;
    rename_device_impl(s, &by_itself, account, &key, "Phrase".into()).unwrap();
    remove_device_impl(s, &by_itself, account, &key).unwrap();
    assert_eq!(stats_impl(s).devices, 1);
}

#[test]
fn should_refuse_a_public_key_registered_anywhere() {
    let mut f = Fixture::new();
    let a = f.create(&passkey(1)).unwrap();
    let b = f.create(&passkey(2)).unwrap();
    let mut copy = passkey(1);
    copy.credential_id = Some(ByteBuf::from(vec![99; 16]));
    assert_eq!(
        f.add(&passkey(1), a, &copy),
        Err(Error::PublicKeyAlreadyRegistered)
    );
    assert_eq!(
        f.add(&passkey(2), b, &copy),
        Err(Error::PublicKeyAlreadyRegistered)
    );
    assert_eq!(f.create(&copy), Err(Error::PublicKeyAlreadyRegistered));
}

#[test]
fn should_refuse_a_credential_id_registered_anywhere() {
    let mut f = Fixture::new();
    f.create(&passkey(1)).unwrap();
    let b = f.create(&passkey(2)).unwrap();
    let mut device = passkey(3);
    device.credential_id = passkey(1).credential_id;
    assert_eq!(
        f.add(&passkey(2), b, &device),
        Err(Error::CredentialIdAlreadyRegistered)
    );
}

#[test]
fn should_refuse_a_key_whose_type_differs_from_its_declaration() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let pretender = Device {
        key_type: KeyType::WebAuthn,
        ..ed25519_device(2)
    };
    assert_eq!(
        f.add(&passkey(1), account, &pretender),
        Err(Error::KeyTypeMismatch {
            declared: KeyType::WebAuthn,
            actual: KeyType::Ed25519
        })
    );
    let garbage = Device {
        public_key: ByteBuf::from(vec![1, 2, 3]),
        ..ed25519_device(3)
    };
    assert!(matches!(
        f.add(&passkey(1), account, &garbage),
        Err(Error::InvalidPublicKey { .. })
    ));
}

#[test]
fn should_return_a_typed_error_for_every_size_limit() {
    let mut f = Fixture::new();
    let owner = passkey(1);
    let account = f.create(&owner).unwrap();

    let long_key = Device {
        public_key: ByteBuf::from(vec![0x30; 301]),
        ..passkey(2)
    };
    assert_eq!(
        f.add(&owner, account, &long_key),
        Err(Error::PublicKeyTooLong {
            length: 301,
            max: 300
        })
    );
    assert_eq!(
        f.create(&long_key),
        Err(Error::PublicKeyTooLong {
            length: 301,
            max: 300
        })
    );
    let long_alias = Device {
        alias: "a".repeat(65),
        ..passkey(2)
    };
    assert_eq!(
        f.add(&owner, account, &long_alias),
        Err(Error::AliasTooLong {
            length: 65,
            max: 64
        })
    );
    let long_id = Device {
        credential_id: Some(ByteBuf::from(vec![7; 351])),
        ..passkey(2)
    };
    assert_eq!(
        f.add(&owner, account, &long_id),
        Err(Error::CredentialIdTooLong {
            length: 351,
            max: 350
        })
    );
    let env = f.env(principal_of(&owner));
    assert_eq!(
        rename_device_impl(
            &mut f.state.storage,
            &env,
            account,
            &owner.public_key,
            "é".repeat(33)
        ),
        Err(Error::AliasTooLong {
            length: 66,
            max: 64
        })
    );
    assert_eq!(
        lookup_credential_id_impl(&f.state.storage, &[7; 351]),
        Err(Error::CredentialIdTooLong {
            length: 351,
            max: 350
        })
    );
    assert_eq!(
        lookup_public_key_impl(&f.state.storage, &[7; 301]),
        Err(Error::PublicKeyTooLong {
            length: 301,
            max: 300
        })
    );
    let long_origin = format!("https://{}", "a".repeat(248));
    assert_eq!(long_origin.len(), 256);
    assert_eq!(
        f.principal(&owner, account, &long_origin),
        Err(Error::OriginTooLong {
            length: 256,
            max: 255
        })
    );
    assert!(f.principal(&owner, account, &long_origin[..255]).is_ok());
    assert_eq!(f.principal(&owner, account, ""), Err(Error::EmptyOrigin));

    for i in 2..=10 {
        f.add(&owner, account, &passkey(i)).unwrap();
    }
    assert_eq!(
        f.add(&owner, account, &passkey(11)),
        Err(Error::TooManyDevices { max: 10 })
    );
    assert_eq!(stats_impl(&f.state.storage).devices, 10);
}

#[test]
fn should_find_an_account_by_credential_id_and_by_public_key() {
    let mut f = Fixture::new();
    f.create(&passkey(1)).unwrap();
    let account = f.create(&passkey(2)).unwrap();
    let found = lookup_credential_id_impl(&f.state.storage, &[2; 16]).unwrap();
    assert_eq!(found.account, account);
    assert_eq!(found.public_key, passkey(2).public_key);
    assert_eq!(
        lookup_public_key_impl(&f.state.storage, &passkey(2).public_key),
        Ok(account)
    );
    assert_eq!(
        lookup_credential_id_impl(&f.state.storage, &[3; 16]),
        Err(Error::UnknownCredentialId)
    );
    assert_eq!(
        lookup_credential_id_impl(&f.state.storage, &[]),
        Err(Error::EmptyCredentialId)
    );
}

#[test]
fn should_list_the_credential_ids_of_the_accounts_passkeys_only() {
    let mut f = Fixture::new();
    let owner = ed25519_device(1);
    let account = f.create(&owner).unwrap();
    assert_eq!(
        credential_ids_impl(&f.state.storage, account),
        Ok(vec![]),
        "an account without passkeys"
    );
    let mut recovery_key = passkey(3);
    recovery_key.purpose = Purpose::Recovery;
    // A non-WebAuthn device that names a credential id is not a passkey.
    let mut phrase_with_id = ed25519_device(4);
    phrase_with_id.credential_id = Some(ByteBuf::from(vec![4; 16]));
    for device in [&passkey(2), &phrase_with_id, &recovery_key] {
        f.add(&owner, account, device).unwrap();
    }
    let other = f.create(&passkey(5)).unwrap();
    let ids = |f: &Fixture, account| credential_ids_impl(&f.state.storage, account).unwrap();
    assert_eq!(
        ids(&f, account),
        vec![ByteBuf::from(vec![2; 16]), ByteBuf::from(vec![3; 16])]
    );
    assert_eq!(ids(&f, other), vec![ByteBuf::from(vec![5; 16])]);

    let env = f.env(principal_of(&owner));
    remove_device_impl(&mut f.state.storage, &env, account, &passkey(2).public_key).unwrap();
    assert_eq!(ids(&f, account), vec![ByteBuf::from(vec![3; 16])]);
}

#[test]
fn should_report_an_unknown_account_when_listing_credential_ids() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    for missing in [account + 1, account - 1, 0, u64::MAX] {
        assert_eq!(
            credential_ids_impl(&f.state.storage, missing),
            Err(Error::AccountNotFound { account: missing })
        );
    }
}

// ---- Two-factor ----

#[test]
fn should_refuse_non_passkey_callers_for_every_operation_with_two_factor_on() {
    let mut f = Fixture::new();
    let key = passkey(1);
    let phrase = ed25519_device(2);
    let account = f.create(&key).unwrap();
    f.add(&key, account, &phrase).unwrap();
    let env = f.env(principal_of(&phrase));
    set_two_factor_impl(&mut f.state.storage, &env, account, true).unwrap();
    assert_eq!(two_factor_impl(&f.state.storage, account), Ok(true));

    let refused = Err::<(), _>(Error::PasskeyRequired { account });
    let s = &mut f.state;
    let pk = phrase.public_key.clone();
    assert_eq!(
        add_device_impl(&mut s.storage, &env, account, passkey(3)),
        refused
    );
    assert_eq!(
        rename_device_impl(&mut s.storage, &env, account, &pk, "x".into()),
        refused
    );
    assert_eq!(
        remove_device_impl(&mut s.storage, &env, account, &pk),
        refused
    );
    assert_eq!(
        list_devices_impl(&s.storage, &env, account).map(|_| ()),
        refused
    );
    assert_eq!(
        set_two_factor_impl(&mut s.storage, &env, account, false),
        refused
    );
    assert_eq!(
        get_principal_impl(&s.storage, &env, account, ORIGIN).map(|_| ()),
        refused
    );
    let prepared = prepare_delegation_impl(s, &env, account, ORIGIN, &session_key(), None, None);
    assert_eq!(prepared.map(|_| ()), refused);

    // The passkey prepares; the phrase still cannot collect.
    let prepared = f.prepare(&key, account, None, None).unwrap();
    assert_eq!(
        f.get(&phrase, account, prepared.expiration, None)
            .map(|_| ()),
        refused
    );
    assert!(f.get(&key, account, prepared.expiration, None).is_ok());

    // The passkey may turn it off again.
    let env = f.env(principal_of(&key));
    set_two_factor_impl(&mut f.state.storage, &env, account, false).unwrap();
    assert!(f.principal(&phrase, account, ORIGIN).is_ok());
}

#[test]
fn should_require_a_passkey_to_turn_on_two_factor() {
    let mut f = Fixture::new();
    let phrase = ed25519_device(1);
    let account = f.create(&phrase).unwrap();
    let env = f.env(principal_of(&phrase));
    assert_eq!(
        set_two_factor_impl(&mut f.state.storage, &env, account, true),
        Err(Error::NoPasskey { account })
    );
    assert_eq!(two_factor_impl(&f.state.storage, account), Ok(false));
}

#[test]
fn should_keep_the_last_passkey_with_two_factor_on() {
    let mut f = Fixture::new();
    let key = passkey(1);
    let account = f.create(&key).unwrap();
    f.add(&key, account, &ed25519_device(2)).unwrap();
    let env = f.env(principal_of(&key));
    set_two_factor_impl(&mut f.state.storage, &env, account, true).unwrap();
    assert_eq!(
        remove_device_impl(&mut f.state.storage, &env, account, &key.public_key),
        Err(Error::LastPasskey)
    );
}

// ---- Principals ----

#[test]
fn should_derive_the_seed_from_the_formula() {
    let salt: [u8; 32] = std::array::from_fn(|i| i as u8);
    // SHA-256(0x20 · salt · 0x05 · "10000" · 0x13 · "https://example.org"),
    // computed independently.
    let expected = "715cc0572378dd6afc079db356335a01ac28d908767f77a3605199a684cc1828";
    let actual: String = seed(&salt, 10_000, "https://example.org")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(actual, expected);
}

#[test]
fn should_map_icp0_io_origins_to_ic0_app() {
    assert_eq!(
        normalize_origin("https://abc-de.icp0.io"),
        "https://abc-de.ic0.app"
    );
    assert_eq!(
        normalize_origin("https://abc.raw.icp0.io"),
        "https://abc.raw.ic0.app"
    );
    assert_eq!(
        normalize_origin("https://abc.ic0.app"),
        "https://abc.ic0.app"
    );
    assert_eq!(
        normalize_origin("https://a.b.icp0.io"),
        "https://a.b.icp0.io"
    );
    assert_eq!(normalize_origin("http://abc.icp0.io"), "http://abc.icp0.io");
    assert_eq!(normalize_origin("https://.icp0.io"), "https://.icp0.io");

    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    assert_eq!(
        f.principal(&passkey(1), account, "https://abc.icp0.io"),
        f.principal(&passkey(1), account, "https://abc.ic0.app")
    );
}

#[test]
fn should_map_only_the_exact_icp0_io_host_pattern() {
    for origin in [
        "https://x.icp0.io.evil.com",
        "https://evil.com/x.icp0.io",
        "https://evil.com?x.icp0.io",
        "https://x.icp0.io:443",
        "https://x.icp0.io/",
        "https://x.icp0.io/path",
        "https://a.b.raw.icp0.io",
        "https://x.ICP0.IO",
        "HTTPS://x.icp0.io",
        "https://x@y.icp0.io",
        "https://.raw.icp0.io",
        "https://x.raw.raw.icp0.io",
        "https://icp0.io",
    ] {
        assert_eq!(normalize_origin(origin), origin, "{origin}");
    }
}

#[test]
fn should_compare_origins_exactly_as_given() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let exact = f.principal(&passkey(1), account, ORIGIN).unwrap();
    for other in [
        "https://dapp.example/",
        "https://DAPP.example",
        "https://dapp.example:443",
        "http://dapp.example",
        "https://dapp.example ",
    ] {
        assert_ne!(
            f.principal(&passkey(1), account, other).unwrap(),
            exact,
            "{other}"
        );
    }
    // An icp0.io host outside the pattern is not merged with ic0.app.
    assert_ne!(
        f.principal(&passkey(1), account, "https://x.icp0.io.evil.com"),
        f.principal(&passkey(1), account, "https://x.ic0.app.evil.com")
    );
}

#[test]
fn should_give_two_origins_two_principals() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let a = f
        .principal(&passkey(1), account, "https://a.example")
        .unwrap();
    let b = f
        .principal(&passkey(1), account, "https://b.example")
        .unwrap();
    assert_ne!(a, b);
}

#[test]
fn should_give_two_devices_of_one_account_the_same_principal() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    f.add(&passkey(1), account, &ed25519_device(2)).unwrap();
    assert_eq!(
        f.principal(&passkey(1), account, ORIGIN),
        f.principal(&ed25519_device(2), account, ORIGIN)
    );
}

#[test]
fn should_give_two_accounts_different_principals() {
    let mut f = Fixture::new();
    let a = f.create(&passkey(1)).unwrap();
    let b = f.create(&passkey(2)).unwrap();
    assert_ne!(
        f.principal(&passkey(1), a, ORIGIN).unwrap(),
        f.principal(&passkey(2), b, ORIGIN).unwrap()
    );
}

#[test]
fn should_derive_the_principal_from_the_canister_signature_key() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let prepared = f.prepare(&passkey(1), account, None, None).unwrap();
    let key = CanisterSigPublicKey::try_from(prepared.user_key.as_slice()).unwrap();
    assert_eq!(key.canister_id, canister_id());
    assert_eq!(key.seed, seed(&[42; 32], account, ORIGIN).to_vec());
    assert_eq!(
        Principal::self_authenticating(&prepared.user_key),
        f.principal(&passkey(1), account, ORIGIN).unwrap()
    );
}

#[test]
fn should_refuse_principals_before_the_salt_is_set() {
    let memory = VectorMemory::default();
    let mut state = State::init(memory);
    let device = passkey(1);
    let env = Env {
        caller: principal_of(&device),
        now: 0,
        canister_id: canister_id(),
    };
    let account = create_account_impl(&mut state.storage, &env, device).unwrap();
    assert_eq!(
        get_principal_impl(&state.storage, &env, account, ORIGIN),
        Err(Error::SaltNotSet)
    );
    let prepared = prepare_delegation_impl(
        &mut state,
        &env,
        account,
        ORIGIN,
        &session_key(),
        None,
        None,
    );
    assert_eq!(prepared, Err(Error::SaltNotSet));
}

#[test]
fn should_never_change_the_salt_once_set() {
    let mut f = Fixture::new();
    f.state.set_salt_once(&[1; 32]).unwrap();
    assert_eq!(f.state.storage.header().salt(), Some([42; 32]));
    let mut fresh = State::init(VectorMemory::default());
    assert!(matches!(
        fresh.set_salt_once(&[1; 8]),
        Err(Error::RandomnessUnavailable { .. })
    ));
    assert_eq!(fresh.storage.header().salt(), None);
}

// ---- Delegations ----

#[test]
fn should_default_the_ttl_to_30_minutes() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let prepared = f.prepare(&passkey(1), account, None, None).unwrap();
    assert_eq!(prepared.expiration, f.now + DEFAULT_DELEGATION_TTL_NS);
    assert_eq!(DEFAULT_DELEGATION_TTL_NS, 30 * MINUTE);
}

#[test]
fn should_shorten_ttl_longer_than_30_days() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let prepared = f
        .prepare(&passkey(1), account, Some(60 * DAY), None)
        .unwrap();
    assert_eq!(prepared.expiration, f.now + 30 * DAY);
    assert_eq!(MAX_DELEGATION_TTL_NS, 30 * DAY);
    let prepared = f
        .prepare(&passkey(1), account, Some(u64::MAX), None)
        .unwrap();
    assert_eq!(prepared.expiration, f.now + 30 * DAY);
    let prepared = f
        .prepare(&passkey(1), account, Some(2 * DAY), None)
        .unwrap();
    assert_eq!(prepared.expiration, f.now + 2 * DAY);
}

#[test]
fn should_return_a_prepared_delegation_whose_hash_is_in_the_map() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let targets = Some(vec![canister_id(), Principal::management_canister()]);
    let prepared = f
        .prepare(&passkey(1), account, None, targets.clone())
        .unwrap();
    let signed = f
        .get(&passkey(1), account, prepared.expiration, targets.clone())
        .unwrap();

    assert_eq!(
        signed.delegation.pubkey.as_slice(),
        session_key().as_slice()
    );
    assert_eq!(signed.delegation.expiration, prepared.expiration);
    assert_eq!(signed.delegation.targets, targets);

    let seed = seed(&[42; 32], account, ORIGIN);
    let message = delegation_message(&session_key(), prepared.expiration, targets.as_ref());
    let inputs = CanisterSigInputs {
        domain: DELEGATION_SIG_DOMAIN,
        seed: &seed,
        message: &message,
    };
    assert!(f.state.signatures.contains(&inputs, f.now));

    let signature = ic_canister_sig_creation::parse_canister_sig_cbor(&signed.signature).unwrap();
    let witness = f.state.signatures.witness(&inputs).unwrap();
    assert_eq!(witness.digest(), f.state.signatures.certified_data());
    let path: [&[u8]; 3] = [b"sig", &hash_bytes(seed), &inputs.message_hash()];
    assert_eq!(witness.lookup_path(path), LookupResult::Found(b""));
    // The CBOR carries this witness and the system's certificate.
    let expected = f.state.signatures.signature(&inputs, CERTIFICATE).unwrap();
    assert_eq!(signed.signature, expected);
    drop(signature);
}

#[test]
fn should_sign_targets_into_the_delegation() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let targets = Some(vec![canister_id()]);
    let prepared = f.prepare(&passkey(1), account, None, targets).unwrap();
    assert_eq!(
        f.get(&passkey(1), account, prepared.expiration, None)
            .map(|_| ()),
        Err(Error::NoSuchDelegation)
    );
    assert_eq!(
        f.get(&passkey(1), account, prepared.expiration, Some(vec![]))
            .map(|_| ()),
        Err(Error::NoSuchDelegation)
    );
}

#[test]
fn should_refuse_a_delegation_that_was_not_prepared_or_has_lapsed() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    assert_eq!(
        f.get(&passkey(1), account, f.now, None).map(|_| ()),
        Err(Error::NoSuchDelegation)
    );
    let prepared = f.prepare(&passkey(1), account, None, None).unwrap();
    f.now += SIGNATURE_EXPIRATION_NS;
    // Pruning happens on the next prepare.
    f.prepare(&passkey(1), account, Some(MINUTE), None).unwrap();
    assert_eq!(
        f.get(&passkey(1), account, prepared.expiration, None)
            .map(|_| ()),
        Err(Error::NoSuchDelegation)
    );
}

#[test]
fn should_refuse_to_collect_a_signature_a_minute_after_it_was_prepared() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let prepared = f.prepare(&passkey(1), account, None, None).unwrap();
    f.now += SIGNATURE_EXPIRATION_NS - 1;
    assert!(
        f.get(&passkey(1), account, prepared.expiration, None)
            .is_ok()
    );
    // No prepare since, so nothing was pruned: the entry is still in the
    // map, but its minute is over.
    f.now += 1;
    assert_eq!(
        f.get(&passkey(1), account, prepared.expiration, None)
            .map(|_| ()),
        Err(Error::NoSuchDelegation)
    );
}

#[test]
fn should_refuse_to_sign_without_a_certificate() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let prepared = f.prepare(&passkey(1), account, None, None).unwrap();
    let env = f.env(principal_of(&passkey(1)));
    let result = get_delegation_impl(
        &f.state,
        &env,
        account,
        ORIGIN,
        &session_key(),
        prepared.expiration,
        None,
        None,
    );
    assert_eq!(result.map(|_| ()), Err(Error::NoCertificate));
}

#[test]
fn should_refuse_an_invalid_session_key() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let env = f.env(principal_of(&passkey(1)));
    for key in [
        vec![],
        vec![0x30, 0x03, 0x01, 0x02, 0x03],
        test_keys::ed25519(1)[..20].to_vec(),
        test_keys::webauthn(1),
    ] {
        let result = prepare_delegation_impl(&mut f.state, &env, account, ORIGIN, &key, None, None);
        assert!(
            matches!(result, Err(Error::InvalidSessionKey { .. })),
            "{key:?}"
        );
    }
    let long = vec![0x30; 301];
    assert_eq!(
        prepare_delegation_impl(&mut f.state, &env, account, ORIGIN, &long, None, None),
        Err(Error::SessionKeyTooLong {
            length: 301,
            max: 300
        })
    );
    assert!(f.state.signatures.is_empty());
    for key in [test_keys::p256(1), test_keys::secp256k1(1)] {
        assert!(
            prepare_delegation_impl(&mut f.state, &env, account, ORIGIN, &key, None, None).is_ok()
        );
    }
}

#[test]
fn should_refuse_too_many_targets() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let targets = vec![canister_id(); 1_001];
    assert_eq!(
        f.prepare(&passkey(1), account, None, Some(targets)),
        Err(Error::TooManyTargets {
            count: 1_001,
            max: 1_000
        })
    );
}

// ---- Upgrade ----

#[test]
fn should_keep_accounts_devices_and_salt_across_an_upgrade() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    f.add(&passkey(1), account, &ed25519_device(2)).unwrap();
    let env = f.env(principal_of(&passkey(1)));
    set_two_factor_impl(&mut f.state.storage, &env, account, true).unwrap();
    let principal = f.principal(&passkey(1), account, ORIGIN).unwrap();
    f.prepare(&passkey(1), account, None, None).unwrap();

    f.upgrade(None);

    assert_eq!(f.principal(&passkey(1), account, ORIGIN), Ok(principal));
    assert_eq!(
        list_devices_impl(&f.state.storage, &env, account)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(two_factor_impl(&f.state.storage, account), Ok(true));
    assert_eq!(
        lookup_credential_id_impl(&f.state.storage, &[1; 16])
            .unwrap()
            .account,
        account
    );
    // Prepared signatures live in the heap and are gone.
    assert!(f.state.signatures.is_empty());
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
    }));
    assert_eq!(f.create(&passkey(3)), Ok(10_002));
    assert!(matches!(
        f.create(&passkey(4)),
        Err(Error::RateLimited { .. })
    ));

    f.upgrade(Some(InitArgs {
        base_account_number: Some(50_000),
        registration_rate_limit: None,
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
    }));
    assert!(result.is_err());
}

// ---- Bad input ----

/// xorshift64*: deterministic bytes for the no-panic tests.
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        let len = (self.next() as usize) % (max_len + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[(self.next() as usize) % items.len()].clone()
    }
}

#[test]
fn should_never_panic_on_random_or_truncated_input() {
    let mut f = Fixture::new();
    let owner = passkey(1);
    let account = f.create(&owner).unwrap();
    let mut rng = Bytes(0x5eed_1234_abcd_0001);
    let valid = [
        test_keys::webauthn(7),
        test_keys::ed25519(7),
        test_keys::p256(7),
        test_keys::secp256k1(7),
    ];
    let key_types = [
        KeyType::WebAuthn,
        KeyType::Ed25519,
        KeyType::P256,
        KeyType::Secp256k1,
    ];
    let purposes = [Purpose::Authentication, Purpose::Recovery];
    for round in 0..3_000 {
        let key = match round % 3 {
            0 => rng.bytes(320),
            1 => {
                let key = rng.pick(&valid);
                let cut = (rng.next() as usize) % (key.len() + 1);
                key[..cut].to_vec()
            }
            _ => {
                let mut key = rng.pick(&valid);
                let at = (rng.next() as usize) % key.len();
                key[at] = rng.next() as u8;
                key
            }
        };
        let alias = String::from_utf8_lossy(&rng.bytes(80)).into_owned();
        let credential_id = rng
            .next()
            .is_multiple_of(2)
            .then(|| ByteBuf::from(rng.bytes(400)));
        let device = Device {
            public_key: ByteBuf::from(key.clone()),
            alias: alias.clone(),
            credential_id: credential_id.clone(),
            purpose: rng.pick(&purposes),
            key_type: rng.pick(&key_types),
            protected: rng.next().is_multiple_of(2),
        };
        let origin = String::from_utf8_lossy(&rng.bytes(300)).into_owned();
        let callers = [owner.clone(), device.clone()];
        let caller = rng.pick(&callers);
        let other_account = rng.next();
        let target_account = rng.pick(&[account, other_account]);
        let env = f.env(principal_of(&caller));
        let device_env = f.env(principal_of(&device));
        let s = &mut f.state;

        let _ = create_account_impl(&mut s.storage, &device_env, device.clone());
        let _ = add_device_impl(&mut s.storage, &env, target_account, device.clone());
        let _ = rename_device_impl(&mut s.storage, &env, target_account, &key, alias);
        let _ = list_devices_impl(&s.storage, &env, target_account);
        let _ = lookup_public_key_impl(&s.storage, &key);
        let _ = credential_ids_impl(&s.storage, target_account);
        if let Some(id) = &credential_id {
            let _ = lookup_credential_id_impl(&s.storage, id);
        }
        let _ = get_principal_impl(&s.storage, &env, target_account, &origin);
        let any_ttl = rng.next();
        let ttl = rng.pick(&[None, Some(any_ttl), Some(0)]);
        let _ = prepare_delegation_impl(s, &env, target_account, &origin, &key, ttl, None);
        let _ = get_delegation_impl(
            s,
            &env,
            target_account,
            &origin,
            &key,
            rng.next(),
            None,
            Some(CERTIFICATE),
        );
        if round % 5 == 0 {
            let _ = remove_device_impl(&mut s.storage, &env, target_account, &key);
        }
        f.now += rng.next() % SECOND;
    }
    // Every stored device is valid and indexed.
    let stats = stats_impl(&f.state.storage);
    let env = f.env(principal_of(&owner));
    let devices = list_devices_impl(&f.state.storage, &env, account).unwrap();
    assert!(devices.len() <= 10);
    for device in &devices {
        assert_eq!(
            crate::der::key_type(&device.public_key),
            Ok(device.key_type)
        );
        assert_eq!(
            lookup_public_key_impl(&f.state.storage, &device.public_key),
            Ok(account)
        );
    }
    let passkey_ids: Vec<ByteBuf> = devices
        .iter()
        .filter(|device| device.key_type == KeyType::WebAuthn)
        .filter_map(|device| device.credential_id.clone())
        .collect();
    assert_eq!(
        credential_ids_impl(&f.state.storage, account),
        Ok(passkey_ids)
    );
    assert!(stats.devices >= devices.len() as u64);
    // The input was valid often enough to reach the paths that store.
    assert!(stats.accounts > 10 && devices.len() > 1, "{stats:?}");
}

// ---- Candid ----

#[test]
fn should_match_the_checked_in_candid_interface() {
    use candid_parser::utils::{CandidSource, service_equal};
    let exported = super::__export_service();
    let checked_in = include_str!("../identity_manager.did");
    service_equal(
        CandidSource::Text(checked_in),
        CandidSource::Text(&exported),
    )
    .unwrap_or_else(|error| {
        panic!("identity_manager.did differs from the canister's interface: {error:?}\n{exported}")
    });
}
