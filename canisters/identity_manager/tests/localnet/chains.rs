//! Addresses for other chains, with the real signer wasm behind the
//! identity manager: the same addresses every time and after an upgrade of
//! both canisters, other addresses for another account, exactly the keys
//! the network derives at the signer's documented paths, kept by the
//! identity manager once written (answered with the signer stopped), and
//! no way for a
//! dapp, another account, the anonymous principal or any ingress message
//! to reach the signer.

use candid::Principal;
use ic_agent::identity::BasicIdentity;
use localnet::threshold::{KeyScheme, MasterKeys};
use sigil_api::identity_manager::{Addresses, AddressesArgs, Error, GetAddresses, KeyType};
use sigil_api::method::Method;
use sigil_api::signer::{GetPublicKey, KeyFamily, PublicKeyArgs, Sign, SignArgs};
use sigil_chains::bitcoin::{BitcoinNetwork, p2wpkh_address};
use sigil_chains::evm::Address;

use crate::support::*;

pub async fn addresses(client: &Client, account: u64) -> Result<Addresses, Error> {
    client
        .call::<GetAddresses>(&AddressesArgs { account })
        .await
}

#[tokio::test]
async fn should_keep_an_accounts_addresses_across_calls_and_upgrades() {
    let mut net = start_with_signer();
    let (im, signer) = im_and_signer_ids();
    assert_eq!((net.id("identity_manager"), net.id("signer")), (im, signer));
    let key: [u8; 32] = rand::random();
    let (owner, account) =
        Client::register(&net, BasicIdentity::from_raw_key(&key), KeyType::Ed25519).await;

    let before = addresses(&owner, account).await.unwrap();
    assert_eq!(before.owner, owner.principal(account, SIGIL).await.unwrap());
    assert_eq!(
        Address::parse(&before.evm).unwrap().to_checksummed(),
        before.evm
    );
    assert!(before.bitcoin.starts_with("bcrt1q"), "{}", before.bitcoin);
    assert_eq!(bs58::decode(&before.solana).into_vec().unwrap().len(), 32);
    assert_eq!(addresses(&owner, account).await.unwrap(), before);

    net.restart(true); // upgrades both canisters with their install arguments
    let owner = Client::new(&net, BasicIdentity::from_raw_key(&key)).await;
    assert_eq!(addresses(&owner, account).await.unwrap(), before);
}

#[tokio::test]
async fn should_answer_an_accounts_addresses_without_the_signer_once_written() {
    let net = start_with_signer();
    let (_, signer) = im_and_signer_ids();
    let (owner, account) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let (newcomer, newcomer_account) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let written = addresses(&owner, account).await.unwrap();

    #[derive(candid::CandidType)]
    struct CanisterIdRecord {
        canister_id: Principal,
    }
    let controller = controller_client(&net).await;
    controller
        .agent
        .update(&Principal::management_canister(), "stop_canister")
        .with_effective_canister_id(signer)
        .with_arg(
            candid::encode_one(CanisterIdRecord {
                canister_id: signer,
            })
            .unwrap(),
        )
        .call_and_wait()
        .await
        .unwrap();

    assert_eq!(addresses(&owner, account).await, Ok(written));
    assert!(
        matches!(
            addresses(&newcomer, newcomer_account).await,
            Err(Error::SignerUnavailable { .. })
        ),
        "the signer is stopped: a first lookup needs it"
    );
}

#[tokio::test]
async fn should_give_each_account_its_own_addresses_and_the_networks_derived_keys() {
    let net = start_with_signer();
    let (_, signer) = im_and_signer_ids();
    let (a, account_a) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let (b, account_b) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let of_a = addresses(&a, account_a).await.unwrap();
    let of_b = addresses(&b, account_b).await.unwrap();
    assert_ne!(of_a.owner, of_b.owner);
    assert_ne!(of_a.evm, of_b.evm);
    assert_ne!(of_a.bitcoin, of_b.bitcoin);
    assert_ne!(of_a.solana, of_b.solana);

    // The keys are the network's derivation at [scheme byte, owner] of the
    // signer's canister id: the paths of the signer's `derivation` module.
    let master = MasterKeys::load_or_create(&net.state_dir).unwrap();
    let derived = |scheme, byte: u8, owner: Principal| {
        master
            .public_key(
                scheme,
                KEY_NAME,
                &signer,
                &[vec![byte], owner.as_slice().to_vec()],
            )
            .unwrap()
            .public_key
    };
    let evm_key = derived(KeyScheme::EcdsaSecp256k1, 0x01, of_a.owner);
    assert_eq!(
        Address::from_public_key(&evm_key).unwrap().to_checksummed(),
        of_a.evm
    );
    let bitcoin_key = derived(KeyScheme::EcdsaSecp256k1, 0x00, of_a.owner);
    assert_eq!(
        p2wpkh_address(&bitcoin_key, BitcoinNetwork::Regtest).unwrap(),
        of_a.bitcoin
    );
    let solana_key = derived(KeyScheme::SchnorrEd25519, 0x02, of_a.owner);
    assert_eq!(
        sigil_chains::solana::address(&solana_key).unwrap(),
        of_a.solana
    );
}

#[tokio::test]
async fn should_tell_addresses_to_no_dapp_other_account_or_anonymous_caller() {
    let net = start_with_signer();
    let (owner, account, laptop, _) = passkey_and_laptop(&net).await;
    assert!(
        addresses(&laptop, account).await.is_ok(),
        "any device of the account"
    );

    let dapp = dapp_session(&owner, account).await;
    let dropped = dapp
        .dropped::<GetAddresses>(&AddressesArgs { account })
        .await;
    assert_dropped_for(
        &dropped,
        &Error::Unauthorized {
            caller: dapp.principal,
            account,
        },
    );

    let (stranger, _) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    stranger
        .dropped::<GetAddresses>(&AddressesArgs { account })
        .await;
    Client::anonymous(&net)
        .await
        .dropped::<GetAddresses>(&AddressesArgs { account })
        .await;
}

#[tokio::test]
async fn should_refuse_every_message_to_the_signer_that_is_not_the_identity_managers() {
    let net = start_with_signer();
    let (_, signer) = im_and_signer_ids();
    let (owner, account, _, _) = passkey_and_laptop(&net).await;
    let global = addresses(&owner, account).await.unwrap().owner;
    let public_key = candid::encode_one(PublicKeyArgs {
        owner: global,
        family: KeyFamily::Evm,
    })
    .unwrap();
    let sign = candid::encode_one(SignArgs {
        owner: global,
        family: KeyFamily::Evm,
        message: serde_bytes::ByteBuf::from(vec![7; 32]),
    })
    .unwrap();
    for client in [owner.clone(), Client::anonymous(&net).await] {
        for (method, arg) in [(GetPublicKey::NAME, &public_key), (Sign::NAME, &sign)] {
            let result = client
                .agent
                .update(&signer, method)
                .with_arg(arg.clone())
                .call_and_wait()
                .await;
            let error = result.expect_err("the signer must refuse ingress");
            assert!(
                error
                    .to_string()
                    .contains("answers only the identity manager"),
                "{method}: {error}"
            );
        }
    }
}
