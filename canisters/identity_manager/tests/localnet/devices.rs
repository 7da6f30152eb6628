//! Devices: the two-step add (the new device confirms itself), rename,
//! remove, list, the limits, and what a stolen session cannot do with them.

use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    ConfirmDevice, ConfirmDeviceArgs, Device, Error, KeyType, LookupCredentialId,
    LookupCredentialIdArgs, MAX_ALIAS_LEN, MAX_CREDENTIAL_ID_LEN, MAX_DEVICES_PER_ACCOUNT,
    MAX_ORIGIN_LEN, MAX_PUBLIC_KEY_LEN, PrepareDelegation, Purpose, RemoveDevice, RemoveDeviceArgs,
    RenameDevice, RenameDeviceArgs,
};
use sigil_keys::public_key::test_keys;

use crate::support::{
    Client, DAPP, assert_dropped_for, assert_stored, device, ed25519, figures, passkey,
    passkey_and_laptop, prepare_args, protected_recovery, start,
};

fn remove_args(account: u64, device: &Device) -> RemoveDeviceArgs {
    RemoveDeviceArgs {
        account,
        public_key: device.public_key.clone(),
    }
}

fn rename_args(account: u64, device: &Device, alias: &str) -> RenameDeviceArgs {
    RenameDeviceArgs {
        account,
        public_key: device.public_key.clone(),
        alias: alias.to_string(),
    }
}

#[tokio::test]
async fn should_register_and_manage_devices_as_the_owner_only() {
    let net = start(None);
    let first = ed25519();
    let first_device = device(&first, KeyType::Ed25519, "laptop");
    let owner = Client::new(&net, first).await;
    let account = owner.create_account(first_device.clone()).await.unwrap();
    assert!(
        account >= 10_000,
        "account numbers start at the base: {account}"
    );

    let second = ed25519();
    let second_device = device(&second, KeyType::Ed25519, "phone");
    let phone = owner.add(account, second, second_device.clone()).await;
    owner
        .call::<RenameDevice>(&rename_args(account, &second_device, "old phone"))
        .await
        .unwrap();
    let aliases: Vec<String> = owner
        .devices(account)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.alias)
        .collect();
    assert_eq!(aliases, ["laptop", "old phone"]);

    // The new device now acts for the account; a stranger does not.
    assert_eq!(phone.devices(account).await.unwrap().len(), 2);
    let stranger = Client::new(&net, ed25519()).await;
    let unauthorized = Error::Unauthorized {
        caller: stranger.principal,
        account,
    };
    assert_eq!(stranger.devices(account).await, Err(unauthorized.clone()));
    let refused = stranger
        .dropped::<RemoveDevice>(&remove_args(account, &second_device))
        .await;
    assert_dropped_for(&refused, &unauthorized);

    phone
        .call::<RemoveDevice>(&remove_args(account, &second_device))
        .await
        .unwrap();
    let last = owner
        .call::<RemoveDevice>(&remove_args(account, &first_device))
        .await;
    assert_eq!(last, Err(Error::LastAuthenticationDevice));

    // A discoverable passkey gives only a credential id: the lookup is public.
    let (passkey, passkey_device) = passkey("YubiKey");
    owner.add(account, passkey, passkey_device.clone()).await;
    let lookup = stranger
        .call::<LookupCredentialId>(&LookupCredentialIdArgs {
            credential_id: passkey_device.credential_id.clone().unwrap(),
        })
        .await
        .unwrap();
    assert_eq!(lookup.account, account);
    assert_eq!(lookup.public_key, passkey_device.public_key);
}

#[tokio::test]
async fn should_answer_every_size_limit_and_bad_input_with_a_typed_error_and_store_nothing() {
    let net = start(None);
    let (owner, account) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let bad = |public_key: Vec<u8>, alias: &str| Device {
        public_key: ByteBuf::from(public_key),
        ..device(&ed25519(), KeyType::Ed25519, alias)
    };

    let refused = owner
        .propose(account, bad(vec![0x30; MAX_PUBLIC_KEY_LEN + 1], "key"))
        .await;
    assert!(
        matches!(refused, Err(Error::PublicKeyTooLong { .. })),
        "{refused:?}"
    );
    let refused = owner
        .propose(account, bad(b"not a DER public key".to_vec(), "key"))
        .await;
    assert!(
        matches!(refused, Err(Error::InvalidPublicKey { .. })),
        "{refused:?}"
    );
    let long_alias = device(&ed25519(), KeyType::Ed25519, &"x".repeat(MAX_ALIAS_LEN + 1));
    let refused = owner.propose(account, long_alias).await;
    assert!(
        matches!(refused, Err(Error::AliasTooLong { .. })),
        "{refused:?}"
    );
    let (_, mut long_credential) = passkey("pk");
    long_credential.credential_id = Some(ByteBuf::from(vec![7; MAX_CREDENTIAL_ID_LEN + 1]));
    let refused = owner.propose(account, long_credential).await;
    assert!(
        matches!(refused, Err(Error::CredentialIdTooLong { .. })),
        "{refused:?}"
    );
    let mismatched = device(&ed25519(), KeyType::WebAuthn, "claims to be a passkey");
    let refused = owner.propose(account, mismatched).await;
    assert!(
        matches!(
            refused,
            Err(Error::KeyTypeMismatch {
                declared: KeyType::WebAuthn,
                actual: KeyType::Ed25519
            })
        ),
        "{refused:?}"
    );

    let refused = owner
        .principal(account, &format!("https://{}", "a".repeat(MAX_ORIGIN_LEN)))
        .await;
    assert!(
        matches!(refused, Err(Error::OriginTooLong { .. })),
        "{refused:?}"
    );
    let refused = owner.principal(account + 1_000, DAPP).await;
    assert_eq!(
        refused,
        Err(Error::AccountNotFound {
            account: account + 1_000
        })
    );
    let refused = owner
        .delegation(account, DAPP, b"not DER at all", None, None)
        .await;
    assert!(
        matches!(refused, Err(Error::InvalidSessionKey { .. })),
        "{refused:?}"
    );
    assert_stored(&net, 1, 1).await;

    for n in 1..MAX_DEVICES_PER_ACCOUNT {
        let new = ed25519();
        let new_device = device(&new, KeyType::Ed25519, &format!("device {n}"));
        owner.add(account, new, new_device).await;
    }
    let refused = owner
        .propose(
            account,
            device(&ed25519(), KeyType::Ed25519, "one too many"),
        )
        .await;
    assert_eq!(
        refused,
        Err(Error::TooManyDevices {
            max: MAX_DEVICES_PER_ACCOUNT as u64
        })
    );
    let stats = figures(&net).await;
    assert_eq!(stats.devices, MAX_DEVICES_PER_ACCOUNT as u64);
}

#[tokio::test]
async fn should_let_no_stolen_session_plant_a_device_the_owners_passkey_cannot_remove() {
    let net = start(None);
    // The attacker has a session of the owner's laptop; the owner also has
    // a phone (a device of the account, but not a passkey).
    let (owner, account, attacker, _) = passkey_and_laptop(&net).await;
    let phone = ed25519();
    let phone_device = device(&phone, KeyType::Ed25519, "phone");
    let phone = owner.add(account, phone, phone_device).await;
    let before = owner.devices(account).await.unwrap();

    // A key the attacker does not hold joins nobody: only the key itself
    // could confirm, and every other caller's confirmation is dropped.
    let planted = device(&ed25519(), KeyType::Ed25519, "planted");
    attacker.propose(account, planted).await.unwrap();
    let confirm = ConfirmDeviceArgs { account };
    let no_proposal = Error::NoPendingDevice { account };
    for confirmer in [&attacker, &owner, &phone] {
        let refused = confirmer.dropped::<ConfirmDevice>(&confirm).await;
        assert_dropped_for(&refused, &no_proposal);
    }
    assert_eq!(owner.devices(account).await.unwrap(), before);

    let mut protected_authentication = device(&ed25519(), KeyType::Ed25519, "protected");
    protected_authentication.protected = true;
    let refused = attacker.propose(account, protected_authentication).await;
    assert_eq!(refused, Err(Error::ProtectedNotRecovery));

    // A protected recovery key the attacker holds does join; then neither
    // the attacker nor the owner's phone removes it, nobody else renames
    // it, and the owner's passkey removes it.
    let recovery = ed25519();
    let recovery_device = protected_recovery(&recovery, "attacker's recovery");
    let recovery = attacker
        .add(account, recovery, recovery_device.clone())
        .await;
    let remove = remove_args(account, &recovery_device);
    for non_passkey in [&phone, &attacker] {
        let refused = non_passkey.call::<RemoveDevice>(&remove).await;
        assert_eq!(refused, Err(Error::ProtectedDevice));
    }
    let rename = rename_args(account, &recovery_device, "mine now");
    let refused = owner.call::<RenameDevice>(&rename).await;
    assert_eq!(refused, Err(Error::ProtectedDevice));
    assert_eq!(
        owner.devices(account).await.unwrap().len(),
        before.len() + 1
    );
    owner.call::<RemoveDevice>(&remove).await.unwrap();
    assert_eq!(owner.devices(account).await.unwrap(), before);
    let gone = Error::Unauthorized {
        caller: recovery.principal,
        account,
    };
    assert_eq!(recovery.devices(account).await, Err(gone));
}

#[tokio::test]
async fn should_forget_a_proposal_once_its_proposer_is_removed() {
    let net = start(None);
    let (owner, account, attacker, laptop_device) = passkey_and_laptop(&net).await;
    let planted = ed25519();
    let planted_device = device(&planted, KeyType::Ed25519, "planted");
    attacker.propose(account, planted_device).await.unwrap();

    // The owner notices and removes the laptop before the key confirms.
    owner
        .call::<RemoveDevice>(&remove_args(account, &laptop_device))
        .await
        .unwrap();
    // The removed device's proposal went with it: the confirmation does
    // not even reach execution.
    let planted = owner.as_identity(planted);
    let dropped = planted
        .dropped::<ConfirmDevice>(&ConfirmDeviceArgs { account })
        .await;
    assert_dropped_for(&dropped, &Error::NoPendingDevice { account });
    assert_eq!(owner.devices(account).await.unwrap().len(), 1);
}

/// The kind of key a name from `test_keys::unusable` claims to be.
fn claimed_key_type(name: &str) -> KeyType {
    match name {
        "compressed P-256" => KeyType::P256,
        "compressed secp256k1" => KeyType::Secp256k1,
        _ => KeyType::WebAuthn,
    }
}

#[tokio::test]
async fn should_refuse_keys_the_network_cannot_verify_as_devices_and_session_keys() {
    let net = start(None);
    let (owner, account) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let before = owner.devices(account).await.unwrap();
    let unusable = test_keys::unusable();
    assert!(unusable.len() >= 7, "every kind of unusable key is tried");
    for (name, key) in unusable {
        let key_type = claimed_key_type(name);
        let proposed = owner
            .propose(
                account,
                Device {
                    public_key: ByteBuf::from(key.clone()),
                    alias: name.to_string(),
                    credential_id: (key_type == KeyType::WebAuthn)
                        .then(|| ByteBuf::from(rand::random::<[u8; 16]>().to_vec())),
                    purpose: Purpose::Authentication,
                    key_type,
                    protected: false,
                },
            )
            .await;
        assert!(
            matches!(proposed, Err(Error::InvalidPublicKey { .. })),
            "{name} as a device: {proposed:?}"
        );
        let prepared = owner
            .call::<PrepareDelegation>(&prepare_args(account, DAPP, &key, None, None))
            .await;
        assert!(
            matches!(prepared, Err(Error::InvalidSessionKey { .. })),
            "{name} as a session key: {prepared:?}"
        );
    }
    assert_eq!(owner.devices(account).await.unwrap(), before);
    assert_stored(&net, 1, 1).await;
}
