//! What the public (the anonymous principal) and the controllers learn:
//! credential ids from an account number, account and public key from a
//! credential id, and nothing else; figures for the controllers only.
//! Replies are also read as untyped Candid, so a field the canister added
//! to a public reply would be seen, not silently skipped by the decoder.

use std::collections::BTreeSet;

use candid::{IDLArgs, IDLValue, idl_hash};
use sigil_api::identity_manager::{
    AccountNumber, CallKind, CredentialIds, CredentialIdsArgs, Device, Error, GetPrincipal,
    GetPrincipalArgs, KeyType, ListDevices, ListDevicesArgs, LookupCredentialId,
    LookupCredentialIdArgs, Method, TwoFactor, TwoFactorArgs,
};

use crate::support::{Client, DAPP, device, ed25519, figures, passkey, protected_recovery, start};

/// Calls the query `M` and returns its reply as untyped Candid.
async fn untyped<M: Method>(client: &Client, args: &M::Args) -> IDLValue {
    let reply = client
        .raw(CallKind::Query, M::NAME, candid::encode_one(args).unwrap())
        .await
        .unwrap();
    let mut values = IDLArgs::from_bytes(&reply).unwrap().args;
    assert_eq!(values.len(), 1, "{} replies one value", M::NAME);
    values.remove(0)
}

/// The value inside `variant { Ok }`, or `None` for `Err`.
fn ok(value: IDLValue) -> Option<IDLValue> {
    match value {
        IDLValue::Variant(variant) if variant.0.id.get_id() == idl_hash("Ok") => {
            Some(variant.0.val)
        }
        IDLValue::Variant(_) => None,
        other => panic!("not a result: {other:?}"),
    }
}

fn is_blob(value: &IDLValue) -> bool {
    match value {
        IDLValue::Blob(_) => true,
        IDLValue::Vec(bytes) => bytes.iter().all(|b| matches!(b, IDLValue::Nat8(_))),
        _ => false,
    }
}

/// Accounts 10000 to 10003, with passkeys, plain keys and recovery
/// devices; the credential ids of each account's passkeys.
async fn some_accounts(net: &localnet::testing::Localnet) -> Vec<(AccountNumber, Vec<Device>)> {
    let mut accounts = Vec::new();
    for n in 0..4 {
        let mut passkeys = Vec::new();
        let (owner, account) = if n % 2 == 0 {
            let (identity, first) = passkey("YubiKey");
            passkeys.push(first.clone());
            let owner = Client::new(net, identity).await;
            let account = owner.create_account(first).await.unwrap();
            (owner, account)
        } else {
            Client::register(net, ed25519(), KeyType::Ed25519).await
        };
        assert_eq!(account, 10_000 + n);
        let recovery = ed25519();
        let recovery_device = protected_recovery(&recovery, "phrase");
        owner.add(account, recovery, recovery_device).await;
        if n == 2 {
            let (second, second_device) = passkey("phone");
            owner.add(account, second, second_device.clone()).await;
            passkeys.push(second_device);
        }
        accounts.push((account, passkeys));
    }
    accounts
}

#[tokio::test]
async fn should_tell_an_anonymous_caller_walking_account_numbers_only_credential_ids() {
    let net = start(None);
    let accounts = some_accounts(&net).await;
    let anonymous = Client::anonymous(&net).await;
    let mut looked_up = 0;
    for account in 10_000..10_010 {
        let args = CredentialIdsArgs { account };
        let passkeys = accounts
            .iter()
            .find(|(number, _)| *number == account)
            .map(|(_, passkeys)| passkeys);
        let typed = anonymous.call::<CredentialIds>(&args).await;
        let Some(passkeys) = passkeys else {
            assert_eq!(typed, Err(Error::AccountNotFound { account }));
            continue;
        };
        let expected: Vec<_> = passkeys
            .iter()
            .map(|device| device.credential_id.clone().unwrap())
            .collect();
        assert_eq!(typed.as_ref(), Ok(&expected), "account {account}");
        match ok(untyped::<CredentialIds>(&anonymous, &args).await) {
            Some(IDLValue::Vec(ids)) => assert!(ids.iter().all(is_blob), "{ids:?}"),
            other => panic!("credential_ids of {account} gives more than ids: {other:?}"),
        }

        for passkey in passkeys {
            let args = LookupCredentialIdArgs {
                credential_id: passkey.credential_id.clone().unwrap(),
            };
            let lookup = anonymous.call::<LookupCredentialId>(&args).await.unwrap();
            assert_eq!(
                (lookup.account, &lookup.public_key),
                (account, &passkey.public_key)
            );
            let Some(IDLValue::Record(fields)) =
                ok(untyped::<LookupCredentialId>(&anonymous, &args).await)
            else {
                panic!("lookup_credential_id is not a record");
            };
            let names: BTreeSet<u32> = fields.iter().map(|field| field.id.get_id()).collect();
            let allowed = BTreeSet::from([idl_hash("account"), idl_hash("public_key")]);
            assert_eq!(names, allowed, "lookup_credential_id gives only these");
            looked_up += 1;
        }
    }
    assert_eq!(looked_up, 3, "every passkey was looked up");
}

#[tokio::test]
async fn should_refuse_an_anonymous_caller_everything_else_whether_the_account_exists_or_not() {
    let net = start(None);
    some_accounts(&net).await;
    let anonymous = Client::anonymous(&net).await;
    for account in 10_000..10_010 {
        let origin = DAPP.to_string();
        assert_eq!(
            anonymous
                .call::<TwoFactor>(&TwoFactorArgs { account })
                .await,
            Err(Error::AnonymousCaller)
        );
        assert_eq!(
            anonymous
                .call::<ListDevices>(&ListDevicesArgs { account })
                .await,
            Err(Error::AnonymousCaller)
        );
        assert_eq!(
            anonymous
                .call::<GetPrincipal>(&GetPrincipalArgs { account, origin })
                .await,
            Err(Error::AnonymousCaller)
        );
    }
}

#[tokio::test]
async fn should_give_the_figures_to_the_controllers_only() {
    let net = start(None);
    let (owner, _) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let stranger = Client::new(&net, ed25519()).await;
    for caller in [&Client::anonymous(&net).await, &owner, &stranger] {
        assert_eq!(caller.stats().await, Err(Error::ControllerOnly));
    }
    let stats = figures(&net).await;
    assert_eq!((stats.accounts, stats.devices), (1, 1));
    assert!(stats.stable_memory_bytes > 0);
}

#[tokio::test]
async fn should_list_an_accounts_passkey_credential_ids_to_anyone() {
    let net = start(None);
    let (passkey, passkey_device) = passkey("YubiKey");
    let owner = Client::new(&net, passkey).await;
    let account = owner.create_account(passkey_device.clone()).await.unwrap();
    let laptop = ed25519();
    let laptop_device = device(&laptop, KeyType::Ed25519, "laptop");
    owner.add(account, laptop, laptop_device).await;

    // Before sign-in nobody is signed in: the anonymous principal asks.
    let anonymous = Client::anonymous(&net).await;
    let ids = |account| {
        let anonymous = &anonymous;
        async move {
            anonymous
                .call::<CredentialIds>(&CredentialIdsArgs { account })
                .await
        }
    };
    assert_eq!(
        ids(account).await,
        Ok(vec![passkey_device.credential_id.clone().unwrap()]),
        "only the passkey has a credential id to offer"
    );
    assert_eq!(
        ids(account + 1).await,
        Err(Error::AccountNotFound {
            account: account + 1
        })
    );

    // An account whose devices are all plain keys has no passkey to offer.
    let (_, key_only) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    assert_eq!(ids(key_only).await, Ok(vec![]));
}
