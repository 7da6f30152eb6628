//! The attacks DESIGN.md's security section promises to defeat, each
//! refused: planted devices, keys the IC cannot verify, junk updates.

use super::*;
use sigil_api::identity_manager::{RateLimitConfig, search_work};

use crate::inspect::{Refusal, inspect};

/// The account of `passkey(1)` with a second, Ed25519 device whose session
/// an attacker has stolen.
fn account_with_stolen_session(f: &mut Fixture) -> (AccountNumber, Principal) {
    let account = f.create(&passkey(1)).unwrap();
    f.add(&passkey(1), account, &ed25519_device(2)).unwrap();
    (account, principal_of(&ed25519_device(2)))
}

#[test]
fn should_never_add_a_key_that_its_proposer_does_not_hold() {
    let mut f = Fixture::new();
    let (account, stolen) = account_with_stolen_session(&mut f);
    // Someone else's passkey, proposed by the stolen session: only that
    // key's holder could confirm it, and the stolen session cannot.
    f.propose(stolen, account, &passkey(7)).unwrap();
    assert_eq!(
        f.confirm(stolen, account),
        Err(Error::NoPendingDevice { account })
    );
    assert_eq!(f.list(stolen, account).unwrap().len(), 2);
}

#[test]
fn should_refuse_to_protect_a_device_that_is_not_for_recovery() {
    let mut f = Fixture::new();
    let (account, stolen) = account_with_stolen_session(&mut f);
    for device in [
        Device {
            protected: true,
            ..passkey(3)
        },
        Device {
            protected: true,
            ..ed25519_device(3)
        },
    ] {
        assert_eq!(
            f.propose(stolen, account, &device),
            Err(Error::ProtectedNotRecovery)
        );
        assert_eq!(
            f.create(&device),
            Err(Error::ProtectedNotRecovery),
            "not even as a first device"
        );
    }
}

#[test]
fn should_let_the_owners_passkey_remove_a_planted_protected_device() {
    let mut f = Fixture::new();
    let (account, stolen) = account_with_stolen_session(&mut f);
    let planted = Device {
        protected: true,
        ..passkey(4)
    };
    let planted = Device {
        purpose: Purpose::Recovery,
        ..planted
    };
    f.propose(stolen, account, &planted).unwrap();
    f.confirm(principal_of(&planted), account).unwrap();

    // Another non-passkey device cannot remove it …
    assert_eq!(
        f.remove(stolen, account, &planted.public_key),
        Err(Error::ProtectedDevice)
    );
    // … and the planted recovery device cannot remove the owner's passkey.
    assert_eq!(
        f.remove(principal_of(&planted), account, &passkey(1).public_key),
        Err(Error::RecoveryChangesOnlyItself)
    );
    assert_eq!(
        f.rename(principal_of(&planted), account, &passkey(1).public_key, "x"),
        Err(Error::RecoveryChangesOnlyItself)
    );
    // The owner's passkey removes it, and the stolen session too.
    let owner = principal_of(&passkey(1));
    f.remove(owner, account, &planted.public_key).unwrap();
    f.remove(owner, account, &ed25519_device(2).public_key)
        .unwrap();
    assert_eq!(f.list(owner, account).unwrap(), vec![passkey(1)]);
}

#[test]
fn should_refuse_every_key_the_ic_cannot_verify_as_a_device() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let owner = principal_of(&passkey(1));
    for (name, key) in test_keys::unusable() {
        let key_type = if name.starts_with("compressed") {
            if name.ends_with("P-256") {
                KeyType::P256
            } else {
                KeyType::Secp256k1
            }
        } else {
            KeyType::WebAuthn
        };
        let device = Device {
            public_key: ByteBuf::from(key),
            key_type,
            ..passkey(5)
        };
        let proposed = f.propose(owner, account, &device);
        assert!(
            matches!(proposed, Err(Error::InvalidPublicKey { .. })),
            "{name}: {proposed:?}"
        );
        let created = f.create(&device);
        assert!(
            matches!(created, Err(Error::InvalidPublicKey { .. })),
            "{name}: {created:?}"
        );
    }
    assert_eq!(f.list(owner, account).unwrap(), vec![passkey(1)]);
    assert!(f.state.pending.is_empty());
    assert_eq!(f.stats().accounts, 1);
}

fn inspect_as<A: candid::CandidType>(
    f: &Fixture,
    caller: Principal,
    method: &str,
    args: &A,
) -> Result<(), Refusal> {
    inspect(
        &f.state,
        &f.env(caller),
        method,
        &candid::encode_one(args).unwrap(),
    )
}

#[test]
fn should_let_through_only_registrations_that_can_succeed() {
    let mut f = Fixture::with_args(Some(InitArgs {
        registration_rate_limit: Some(RateLimitConfig {
            capacity: 1,
            refill_period_ns: DAY,
        }),
        registration_proof_of_work_difficulty: Some(10),
        chains: None,
        ..InitArgs::default()
    }));
    let args = |device: &Device, proof_of_work| CreateAccountArgs {
        device: device.clone(),
        proof_of_work,
    };
    let create = "create_account";
    let first = passkey(1);
    assert_eq!(
        inspect_as(&f, Principal::anonymous(), create, &args(&first, None)),
        Err(Refusal::WouldFail(Error::AnonymousCaller))
    );
    assert!(matches!(
        inspect_as(&f, principal_of(&passkey(9)), create, &args(&first, None)),
        Err(Refusal::WouldFail(Error::NotDeviceOwner { .. }))
    ));
    assert_eq!(
        inspect_as(&f, principal_of(&first), create, &args(&first, None)),
        Ok(())
    );
    f.create(&first).unwrap();
    assert_eq!(
        inspect_as(&f, principal_of(&first), create, &args(&first, None)),
        Err(Refusal::WouldFail(Error::PublicKeyAlreadyRegistered))
    );
    // The bucket is empty: only work gets through.
    let second = passkey(2);
    let caller = principal_of(&second);
    assert_eq!(
        inspect_as(&f, caller, create, &args(&second, None)),
        Err(Refusal::WouldFail(Error::ProofOfWorkRequired {
            difficulty: 10
        }))
    );
    let proof = search_work(
        canister_id().as_slice(),
        caller.as_slice(),
        f.now,
        10,
        0..u64::MAX,
    );
    assert_eq!(
        inspect_as(&f, caller, create, &args(&second, proof)),
        Ok(())
    );
}

#[test]
fn should_let_through_only_account_updates_of_the_accounts_devices() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let owner = principal_of(&passkey(1));
    let stranger = principal_of(&passkey(9));
    let key = passkey(1).public_key;
    let updates: Vec<(&str, Vec<u8>)> = vec![
        (
            "add_device",
            candid::encode_one(AddDeviceArgs {
                account,
                device: passkey(2),
            })
            .unwrap(),
        ),
        (
            "rename_device",
            candid::encode_one(RenameDeviceArgs {
                account,
                public_key: key.clone(),
                alias: "x".into(),
            })
            .unwrap(),
        ),
        (
            "remove_device",
            candid::encode_one(RemoveDeviceArgs {
                account,
                public_key: key,
            })
            .unwrap(),
        ),
        (
            "set_two_factor",
            candid::encode_one(SetTwoFactorArgs {
                account,
                enabled: true,
            })
            .unwrap(),
        ),
        (
            "prepare_delegation",
            candid::encode_one(PrepareDelegationArgs {
                account,
                origin: ORIGIN.into(),
                session_key: ByteBuf::from(session_key()),
                max_time_to_live: None,
                targets: None,
            })
            .unwrap(),
        ),
    ];
    for (method, arg) in &updates {
        assert_eq!(
            inspect(&f.state, &f.env(owner), method, arg),
            Ok(()),
            "{method}"
        );
        for caller in [stranger, Principal::anonymous()] {
            assert!(
                matches!(
                    inspect(&f.state, &f.env(caller), method, arg),
                    Err(Refusal::WouldFail(_))
                ),
                "{method} as {caller}"
            );
        }
        assert!(matches!(
            inspect(&f.state, &f.env(owner), method, b"DIDL\x00\x00"),
            Err(Refusal::Undecodable(_))
        ));
    }
    // Confirmation: only the proposed device, only while proposed.
    let confirm = ConfirmDeviceArgs { account };
    let new_device = principal_of(&passkey(2));
    assert!(inspect_as(&f, new_device, "confirm_device", &confirm).is_err());
    f.propose(owner, account, &passkey(2)).unwrap();
    assert_eq!(
        inspect_as(&f, new_device, "confirm_device", &confirm),
        Ok(())
    );
    assert!(inspect_as(&f, owner, "confirm_device", &confirm).is_err());
    // Queries called as updates, and unknown methods.
    for method in ["list_devices", "stats", "get_delegation", "no_such_method"] {
        assert_eq!(
            inspect_as(&f, owner, method, &ListDevicesArgs { account }),
            Err(Refusal::UnknownMethod(method.to_string()))
        );
    }
}
