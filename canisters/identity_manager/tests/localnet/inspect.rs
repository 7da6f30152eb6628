//! `canister_inspect_message`: updates that cannot succeed are dropped
//! before they execute, and the caller sees a rejection by the network,
//! not a reply of the canister.

use sigil_api::identity_manager::{
    AddDevice, AddDeviceArgs, CallKind, ConfirmDevice, ConfirmDeviceArgs, Error, GetStats, KeyType,
    ListDevices, Method, PrepareDelegation, RemoveDevice, RemoveDeviceArgs, RenameDevice,
    RenameDeviceArgs, SetTwoFactor, SetTwoFactorArgs,
};

use crate::support::{
    Client, DAPP, assert_dropped_for, device, ed25519, inspect_rejection, prepare_args, start,
};

#[tokio::test]
async fn should_drop_a_strangers_updates_to_an_account_before_they_execute() {
    let net = start(None);
    let (owner, account) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let before = owner.devices(account).await.unwrap();
    let owner_key = before[0].public_key.clone();
    let stranger_identity = ed25519();
    let stranger_device = device(&stranger_identity, KeyType::Ed25519, "mine now");
    let stranger = Client::new(&net, stranger_identity).await;
    let unauthorized = Error::Unauthorized {
        caller: stranger.principal,
        account,
    };

    let refusals = [
        stranger
            .dropped::<AddDevice>(&AddDeviceArgs {
                account,
                device: stranger_device,
            })
            .await,
        stranger
            .dropped::<RenameDevice>(&RenameDeviceArgs {
                account,
                public_key: owner_key.clone(),
                alias: "pwned".into(),
            })
            .await,
        stranger
            .dropped::<RemoveDevice>(&RemoveDeviceArgs {
                account,
                public_key: owner_key,
            })
            .await,
        stranger
            .dropped::<SetTwoFactor>(&SetTwoFactorArgs {
                account,
                enabled: true,
            })
            .await,
        stranger
            .dropped::<PrepareDelegation>(&prepare_args(account, DAPP, &ed25519_key(), None, None))
            .await,
    ];
    for refusal in &refusals {
        assert_dropped_for(refusal, &unauthorized);
    }
    let refused = stranger
        .dropped::<ConfirmDevice>(&ConfirmDeviceArgs { account })
        .await;
    assert_dropped_for(&refused, &Error::NoPendingDevice { account });
    assert_eq!(owner.devices(account).await.unwrap(), before);
}

fn ed25519_key() -> Vec<u8> {
    use ic_agent::Identity;
    ed25519().public_key().unwrap()
}

#[tokio::test]
async fn should_drop_unknown_methods_queries_called_as_updates_and_undecodable_arguments() {
    let net = start(None);
    let (owner, _) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let no_args = candid::encode_args(()).unwrap();
    for method in [
        "delete_all_accounts",
        "lookup_public_key",
        ListDevices::NAME,
        GetStats::NAME,
    ] {
        let result = owner.raw(CallKind::Update, method, no_args.clone()).await;
        let refusal = inspect_rejection(method, result);
        assert!(refusal.contains("is not an update"), "{refusal}");
    }
    for junk in [b"DIDL\x00\x01\x71\x03abc".to_vec(), b"not candid".to_vec()] {
        let result = owner.raw(CallKind::Update, AddDevice::NAME, junk).await;
        let refusal = inspect_rejection(AddDevice::NAME, result);
        assert!(refusal.contains("do not decode"), "{refusal}");
    }
}
