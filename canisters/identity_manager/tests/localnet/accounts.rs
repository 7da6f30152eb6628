//! Accounts: who may create one, two-factor, and what an upgrade keeps.

use candid::Principal;
use ic_agent::Identity;
use ic_agent::identity::{AnonymousIdentity, BasicIdentity};
use sigil_api::identity_manager::{
    CreateAccount, CreateAccountArgs, Error, KeyType, PrepareDelegation, SetTwoFactor,
    SetTwoFactorArgs, TwoFactor, TwoFactorArgs,
};

use crate::support::{
    Client, DAPP, assert_dropped_for, assert_stored, device, ed25519, passkey_and_laptop,
    prepare_args, start,
};

#[tokio::test]
async fn should_refuse_a_first_device_the_caller_does_not_hold_and_oversized_fields() {
    let net = start(None);
    let caller = Client::new(&net, ed25519()).await;
    let someone_else = device(&ed25519(), KeyType::Ed25519, "not mine");
    let expected = Principal::self_authenticating(&someone_else.public_key);
    let refused = caller
        .dropped::<CreateAccount>(&CreateAccountArgs {
            device: someone_else,
            proof_of_work: None,
        })
        .await;
    let not_owner = Error::NotDeviceOwner {
        caller: caller.principal,
        expected,
    };
    assert_dropped_for(&refused, &not_owner);

    let anonymous = Client::new(&net, AnonymousIdentity).await;
    let refused = anonymous
        .dropped::<CreateAccount>(&CreateAccountArgs {
            device: device(&ed25519(), KeyType::Ed25519, "x"),
            proof_of_work: None,
        })
        .await;
    assert_dropped_for(&refused, &Error::AnonymousCaller);

    let identity = ed25519();
    let mut long_alias = device(&identity, KeyType::Ed25519, &"a".repeat(65));
    let owner = Client::new(&net, identity).await;
    let refused = owner
        .dropped::<CreateAccount>(&CreateAccountArgs {
            device: long_alias.clone(),
            proof_of_work: None,
        })
        .await;
    assert_dropped_for(
        &refused,
        &Error::AliasTooLong {
            length: 65,
            max: 64,
        },
    );
    long_alias.alias = "ok".into();
    let account = owner.create_account(long_alias.clone()).await.unwrap();
    let again = owner
        .dropped::<CreateAccount>(&CreateAccountArgs {
            device: long_alias,
            proof_of_work: None,
        })
        .await;
    assert_dropped_for(&again, &Error::PublicKeyAlreadyRegistered);
    let refused = owner
        .principal(account, &format!("https://{}", "a".repeat(248)))
        .await;
    assert!(
        matches!(refused, Err(Error::OriginTooLong { .. })),
        "{refused:?}"
    );
    assert_stored(&net, 1, 1).await;
}

#[tokio::test]
async fn should_accept_only_passkeys_when_two_factor_is_on() {
    let net = start(None);
    let (passkey_client, account, laptop_client, _) = passkey_and_laptop(&net).await;
    assert!(laptop_client.principal(account, DAPP).await.is_ok());
    let flag = |enabled| SetTwoFactorArgs { account, enabled };
    let ask = TwoFactorArgs { account };
    assert_eq!(laptop_client.call::<TwoFactor>(&ask).await, Ok(false));

    passkey_client
        .call::<SetTwoFactor>(&flag(true))
        .await
        .unwrap();
    assert_eq!(passkey_client.call::<TwoFactor>(&ask).await, Ok(true));

    // The laptop is still a device of the account, but no longer acts for
    // it: its reads fail, its updates never reach execution.
    let passkey_required = Error::PasskeyRequired { account };
    assert_eq!(
        laptop_client.call::<TwoFactor>(&ask).await,
        Err(passkey_required.clone())
    );
    assert_eq!(
        laptop_client.principal(account, DAPP).await,
        Err(passkey_required.clone())
    );
    let session_key = ed25519().public_key().unwrap();
    let refused = laptop_client
        .dropped::<PrepareDelegation>(&prepare_args(account, DAPP, &session_key, None, None))
        .await;
    assert_dropped_for(&refused, &passkey_required);
    let refused = laptop_client.dropped::<SetTwoFactor>(&flag(false)).await;
    assert_dropped_for(&refused, &passkey_required);
    assert!(
        passkey_client
            .delegation(account, DAPP, &session_key, None, None)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn should_keep_accounts_devices_and_principals_across_an_upgrade() {
    let mut net = start(None);
    let key: [u8; 32] = rand::random();
    let (owner, account) =
        Client::register(&net, BasicIdentity::from_raw_key(&key), KeyType::Ed25519).await;
    let principal = owner.principal(account, DAPP).await.unwrap();
    let devices = owner.devices(account).await;

    net.restart(true);
    let owner = Client::new(&net, BasicIdentity::from_raw_key(&key)).await;
    assert_eq!(owner.principal(account, DAPP).await.unwrap(), principal);
    assert_eq!(owner.devices(account).await, devices);
}
