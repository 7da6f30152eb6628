use super::*;
use sigil_api::identity_manager::{
    CredentialIdsArgs, LookupCredentialIdArgs, PENDING_DEVICE_TTL_NS,
};

use crate::devices::{credential_ids_impl, lookup_credential_id_impl};

fn credential_ids(f: &Fixture, account: AccountNumber) -> Result<Vec<ByteBuf>, Error> {
    credential_ids_impl(&f.state.storage, CredentialIdsArgs { account })
}

fn lookup(
    f: &Fixture,
    credential_id: &[u8],
) -> Result<sigil_api::identity_manager::CredentialLookup, Error> {
    let args = LookupCredentialIdArgs {
        credential_id: ByteBuf::from(credential_id),
    };
    lookup_credential_id_impl(&f.state.storage, args)
}

#[test]
fn should_add_rename_and_remove_devices_as_owner() {
    let mut f = Fixture::new();
    let owner = passkey(1);
    let by_owner = principal_of(&owner);
    let account = f.create(&owner).unwrap();
    f.add(&owner, account, &ed25519_device(2)).unwrap();
    let key = ed25519_device(2).public_key;

    f.rename(by_owner, account, &key, "Laptop").unwrap();
    let devices = f.list(by_owner, account).unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[1].alias, "Laptop");

    f.remove(by_owner, account, &key).unwrap();
    assert_eq!(f.list(by_owner, account).unwrap(), vec![owner]);
    assert_eq!(f.state.storage.account_of_public_key(&key), None);
}

#[test]
fn should_add_a_device_only_when_it_confirms_itself() {
    let mut f = Fixture::new();
    let owner = principal_of(&passkey(1));
    let account = f.create(&passkey(1)).unwrap();
    let pending = f.propose(owner, account, &passkey(2)).unwrap();
    assert_eq!(pending.public_key, passkey(2).public_key);
    assert_eq!(pending.expiration, f.now + PENDING_DEVICE_TTL_NS);
    // Proposed is not added.
    assert_eq!(f.list(owner, account).unwrap().len(), 1);
    assert_eq!(
        f.principal(&passkey(2), account, ORIGIN),
        Err(Error::Unauthorized {
            caller: principal_of(&passkey(2)),
            account
        })
    );
    // Neither the proposer nor anyone else can confirm for the new key.
    for other in [owner, principal_of(&passkey(3))] {
        assert_eq!(
            f.confirm(other, account),
            Err(Error::NoPendingDevice { account })
        );
    }
    f.confirm(principal_of(&passkey(2)), account).unwrap();
    assert_eq!(f.list(owner, account).unwrap().len(), 2);
    // A confirmation is used once.
    assert_eq!(
        f.confirm(principal_of(&passkey(2)), account),
        Err(Error::NoPendingDevice { account })
    );
}

#[test]
fn should_forget_a_proposal_after_ten_minutes() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    f.propose(principal_of(&passkey(1)), account, &passkey(2))
        .unwrap();
    f.now += PENDING_DEVICE_TTL_NS;
    assert_eq!(
        f.confirm(principal_of(&passkey(2)), account),
        Err(Error::NoPendingDevice { account })
    );
}

#[test]
fn should_keep_one_devices_proposal_when_another_proposes() {
    let mut f = Fixture::new();
    let owner = passkey(1);
    let account = f.create(&owner).unwrap();
    f.add(&owner, account, &ed25519_device(2)).unwrap();
    f.propose(principal_of(&owner), account, &passkey(3))
        .unwrap();
    // Another device of the account (a stolen session, say) proposes too.
    f.propose(principal_of(&ed25519_device(2)), account, &passkey(4))
        .unwrap();
    f.confirm(principal_of(&passkey(3)), account).unwrap();
    f.confirm(principal_of(&passkey(4)), account).unwrap();
    assert_eq!(f.stats().devices, 4);
}

#[test]
fn should_keep_at_most_four_proposals_per_account_dropping_the_oldest() {
    let mut f = Fixture::new();
    let owner = principal_of(&passkey(1));
    let account = f.create(&passkey(1)).unwrap();
    for seed in 2..=6 {
        f.propose(owner, account, &passkey(seed)).unwrap();
        f.now += SECOND;
    }
    assert_eq!(
        f.state.pending.len(),
        crate::pending::MAX_PENDING_PER_ACCOUNT
    );
    assert_eq!(
        f.confirm(principal_of(&passkey(2)), account),
        Err(Error::NoPendingDevice { account })
    );
    f.confirm(principal_of(&passkey(6)), account).unwrap();
}

#[test]
fn should_refuse_a_confirmation_once_the_proposer_is_gone() {
    let mut f = Fixture::new();
    let owner = passkey(1);
    let account = f.create(&owner).unwrap();
    f.add(&owner, account, &ed25519_device(2)).unwrap();
    f.propose(principal_of(&ed25519_device(2)), account, &passkey(3))
        .unwrap();
    f.remove(principal_of(&owner), account, &ed25519_device(2).public_key)
        .unwrap();
    assert_eq!(
        f.confirm(principal_of(&passkey(3)), account),
        Err(Error::NoPendingDevice { account })
    );
    assert_eq!(f.list(principal_of(&owner), account).unwrap().len(), 1);
    // The removed device's proposal went with it, even if the device
    // comes back.
    assert!(f.state.pending.is_empty());
}

#[test]
fn should_let_a_new_device_act_for_the_account() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    f.add(&passkey(1), account, &ed25519_device(2)).unwrap();
    f.add(&ed25519_device(2), account, &passkey(3)).unwrap();
    assert_eq!(f.stats().devices, 3);
}

#[test]
fn should_refuse_another_principal_for_every_operation() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    // A device of another account is just another principal here.
    f.create(&passkey(9)).unwrap();
    let stranger = principal_of(&passkey(9));
    let results = f.every_operation(stranger, account);
    assert_all_refused(
        results,
        &Error::Unauthorized {
            caller: stranger,
            account,
        },
    );
    assert!(f.state.signatures.is_empty());
    assert!(f.state.pending.is_empty());
}

#[test]
fn should_report_unknown_accounts() {
    let mut f = Fixture::new();
    f.create(&passkey(1)).unwrap();
    let missing = Err::<(), _>(Error::AccountNotFound { account: 77 });
    let caller = principal_of(&passkey(1));
    assert_eq!(f.add(&passkey(1), 77, &passkey(2)), missing);
    assert_eq!(f.two_factor(caller, 77).map(drop), missing);
    assert_eq!(f.principal(&passkey(1), 77, ORIGIN).map(drop), missing);
}

#[test]
fn should_not_remove_the_last_authentication_device() {
    let mut f = Fixture::new();
    let owner = passkey(1);
    let by_owner = principal_of(&owner);
    let account = f.create(&owner).unwrap();
    let recovery = Device {
        purpose: Purpose::Recovery,
        ..ed25519_device(2)
    };
    f.add(&owner, account, &recovery).unwrap();
    assert_eq!(
        f.remove(by_owner, account, &owner.public_key),
        Err(Error::LastAuthenticationDevice)
    );
    // The recovery device can go; then the owner is still the last one.
    f.remove(by_owner, account, &recovery.public_key).unwrap();
    assert_eq!(
        f.remove(by_owner, account, &owner.public_key),
        Err(Error::LastAuthenticationDevice)
    );
    assert_eq!(f.stats().devices, 1);
}

#[test]
fn should_let_a_protected_device_rename_only_itself() {
    let mut f = Fixture::new();
    let owner = passkey(1);
    let account = f.create(&owner).unwrap();
    let phrase = protected_phrase(2);
    f.add(&owner, account, &phrase).unwrap();
    let key = phrase.public_key.clone();
    assert_eq!(
        f.rename(principal_of(&owner), account, &key, "x"),
        Err(Error::ProtectedDevice)
    );
    f.rename(principal_of(&phrase), account, &key, "Phrase")
        .unwrap();
    f.remove(principal_of(&phrase), account, &key).unwrap();
    assert_eq!(f.stats().devices, 1);
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
fn should_refuse_a_key_registered_between_proposal_and_confirmation() {
    let mut f = Fixture::new();
    let a = f.create(&passkey(1)).unwrap();
    let b = f.create(&passkey(2)).unwrap();
    f.propose(principal_of(&passkey(1)), a, &passkey(3))
        .unwrap();
    f.propose(principal_of(&passkey(2)), b, &passkey(3))
        .unwrap();
    f.confirm(principal_of(&passkey(3)), b).unwrap();
    assert_eq!(
        f.confirm(principal_of(&passkey(3)), a),
        Err(Error::PublicKeyAlreadyRegistered)
    );
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
    let by_owner = principal_of(&owner);
    let account = f.create(&owner).unwrap();

    let long_key = Device {
        public_key: ByteBuf::from(vec![0x30; 301]),
        ..passkey(2)
    };
    let too_long = Err(Error::PublicKeyTooLong {
        length: 301,
        max: 300,
    });
    assert_eq!(f.add(&owner, account, &long_key), too_long);
    assert_eq!(f.create(&long_key).map(drop), too_long);
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
    assert_eq!(
        f.rename(by_owner, account, &owner.public_key, &"é".repeat(33)),
        Err(Error::AliasTooLong {
            length: 66,
            max: 64
        })
    );
    assert_eq!(
        lookup(&f, &[7; 351]),
        Err(Error::CredentialIdTooLong {
            length: 351,
            max: 350
        })
    );
    assert_eq!(f.remove(by_owner, account, &[7; 301]), too_long);
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
    assert_eq!(f.stats().devices, 10);
}

#[test]
fn should_find_an_account_by_credential_id() {
    let mut f = Fixture::new();
    f.create(&passkey(1)).unwrap();
    let account = f.create(&passkey(2)).unwrap();
    let found = lookup(&f, &[2; 16]).unwrap();
    assert_eq!(found.account, account);
    assert_eq!(found.public_key, passkey(2).public_key);
    assert_eq!(lookup(&f, &[3; 16]), Err(Error::UnknownCredentialId));
    assert_eq!(lookup(&f, &[]), Err(Error::EmptyCredentialId));
}

#[test]
fn should_list_the_credential_ids_of_the_accounts_passkeys_only() {
    let mut f = Fixture::new();
    let owner = ed25519_device(1);
    let account = f.create(&owner).unwrap();
    assert_eq!(
        credential_ids(&f, account),
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
    assert_eq!(
        credential_ids(&f, account).unwrap(),
        vec![ByteBuf::from(vec![2; 16]), ByteBuf::from(vec![3; 16])]
    );
    assert_eq!(
        credential_ids(&f, other).unwrap(),
        vec![ByteBuf::from(vec![5; 16])]
    );

    f.remove(principal_of(&owner), account, &passkey(2).public_key)
        .unwrap();
    assert_eq!(
        credential_ids(&f, account).unwrap(),
        vec![ByteBuf::from(vec![3; 16])]
    );
}

#[test]
fn should_report_an_unknown_account_when_listing_credential_ids() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    for missing in [account + 1, account - 1, 0, u64::MAX] {
        assert_eq!(
            credential_ids(&f, missing),
            Err(Error::AccountNotFound { account: missing })
        );
    }
}
