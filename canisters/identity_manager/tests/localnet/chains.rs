//! Addresses for other chains, with the real signer wasm behind the
//! identity manager: the same addresses every time and after an upgrade of
//! both canisters, other addresses for another account, exactly the keys
//! the network derives at the signer's documented paths, and no way for a
//! dapp, another account, the anonymous principal or any ingress message
//! to reach the signer; EIP-191 message signatures that recover to the
//! account's EVM address, for its devices only, within their allowance;
//! Solana message signatures; and the log of every signature made.

use candid::Principal;
use ic_agent::identity::BasicIdentity;
use localnet::threshold::{KeyScheme, MasterKeys};
use sha2::Digest;
use sigil_api::identity_manager::{
    Addresses, AddressesArgs, Error, EvmMessageSignature, GetAddresses, GetSignatureLog, KeyType,
    MAX_MESSAGE_LEN, SIGNATURE_BURST, SetTwoFactor, SetTwoFactorArgs, SignEvmMessage,
    SignEvmMessageArgs, SignSolanaMessage, SignSolanaMessageArgs, SignatureKind, SignatureLogArgs,
};
use sigil_api::method::Method;
use sigil_api::signer::{GetPublicKey, KeyFamily, PublicKeyArgs, Sign, SignArgs};
use sigil_chains::bitcoin::{BitcoinNetwork, p2wpkh_address};
use sigil_chains::evm::{Address, personal_message_hash};

use crate::support::*;

async fn addresses(client: &Client, account: u64) -> Result<Addresses, Error> {
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

async fn sign(client: &Client, account: u64, message: &[u8]) -> Result<EvmMessageSignature, Error> {
    client
        .call::<SignEvmMessage>(&SignEvmMessageArgs {
            account,
            message: message.to_vec(),
        })
        .await
}

fn recovered_address(message: &[u8], signed: &EvmMessageSignature) -> String {
    assert_eq!(signed.signature.len(), 65);
    let v = signed.signature[64];
    assert!(v == 27 || v == 28, "v is {v}");
    let signature = k256::ecdsa::Signature::from_slice(&signed.signature[..64]).unwrap();
    assert!(signature.normalize_s().is_none(), "s is low");
    let key = k256::ecdsa::VerifyingKey::recover_from_prehash(
        &personal_message_hash(message),
        &signature,
        k256::ecdsa::RecoveryId::new(v == 28, false),
    )
    .unwrap();
    Address::from_public_key(key.to_encoded_point(false).as_bytes())
        .unwrap()
        .to_checksummed()
}

#[tokio::test]
async fn should_sign_messages_that_recover_to_the_accounts_evm_address() {
    let net = start_with_signer();
    let (owner, account, laptop, _) = passkey_and_laptop(&net).await;
    let address = addresses(&owner, account).await.unwrap().evm;
    for (client, message) in [
        (&owner, &b"Sign in to dapp.example"[..]),
        (&laptop, "Grüße, nonce 42".as_bytes()),
        (&owner, &[0, 159, 255][..]),
    ] {
        let signed = sign(client, account, message).await.unwrap();
        assert_eq!(signed.address, address);
        assert_eq!(recovered_address(message, &signed), address);
    }
}

#[tokio::test]
async fn should_let_no_dapp_stranger_or_non_passkey_with_two_factor_sign() {
    let net = start_with_signer();
    let (owner, account, laptop, _) = passkey_and_laptop(&net).await;
    let args = SignEvmMessageArgs {
        account,
        message: b"transfer everything".to_vec(),
    };
    let dapp = dapp_session(&owner, account).await;
    let dropped = dapp.dropped::<SignEvmMessage>(&args).await;
    assert_dropped_for(
        &dropped,
        &Error::Unauthorized {
            caller: dapp.principal,
            account,
        },
    );
    let (stranger, _) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    stranger.dropped::<SignEvmMessage>(&args).await;
    Client::anonymous(&net)
        .await
        .dropped::<SignEvmMessage>(&args)
        .await;

    owner
        .call::<SetTwoFactor>(&SetTwoFactorArgs {
            account,
            enabled: true,
        })
        .await
        .unwrap();
    let dropped = laptop.dropped::<SignEvmMessage>(&args).await;
    assert_dropped_for(&dropped, &Error::PasskeyRequired { account });
    assert!(sign(&owner, account, b"still mine").await.is_ok());
}

#[tokio::test]
async fn should_refuse_oversized_messages_and_a_flood_of_signatures_in_words() {
    let net = start_with_signer();
    let (owner, account, _, _) = passkey_and_laptop(&net).await;
    let long = vec![b'a'; MAX_MESSAGE_LEN + 1];
    assert_eq!(
        sign(&owner, account, &long).await,
        Err(Error::MessageTooLong {
            length: long.len() as u64,
            max: MAX_MESSAGE_LEN as u64
        })
    );
    for n in 0..SIGNATURE_BURST {
        sign(&owner, account, format!("message {n}").as_bytes())
            .await
            .unwrap();
    }
    let refused = sign(&owner, account, b"one too many").await.unwrap_err();
    assert!(
        matches!(refused, Error::TooManySignatures { retry_after_seconds } if retry_after_seconds > 0)
    );
    assert!(refused.to_string().contains("please wait"), "{refused}");
}

#[tokio::test]
async fn should_sign_solana_messages_that_verify_under_the_accounts_solana_address() {
    let net = start_with_signer();
    let (owner, account, laptop, _) = passkey_and_laptop(&net).await;
    let address = addresses(&owner, account).await.unwrap().solana;
    let key: [u8; 32] = bs58::decode(&address)
        .into_vec()
        .unwrap()
        .try_into()
        .unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key).unwrap();
    let message = b"Sign in to dapp.example with Solana".to_vec();
    let signed = owner
        .call::<SignSolanaMessage>(&SignSolanaMessageArgs {
            account,
            message: message.clone(),
        })
        .await
        .unwrap();
    assert_eq!(signed.address, address);
    let signature = ed25519_dalek::Signature::from_slice(&signed.signature).unwrap();
    key.verify_strict(&message, &signature).unwrap();
    assert!(key.verify_strict(b"another message", &signature).is_err());

    let (stranger, _) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let args = SignSolanaMessageArgs {
        account,
        message: message.clone(),
    };
    stranger.dropped::<SignSolanaMessage>(&args).await;
    assert!(laptop.call::<SignSolanaMessage>(&args).await.is_ok());
    let long = SignSolanaMessageArgs {
        account,
        message: vec![0; MAX_MESSAGE_LEN + 1],
    };
    assert!(matches!(
        owner.call::<SignSolanaMessage>(&long).await,
        Err(Error::MessageTooLong { .. })
    ));
}

#[tokio::test]
async fn should_log_every_signature_made_and_nothing_refused_for_the_accounts_devices_only() {
    let net = start_with_signer();
    let (owner, account, laptop, _) = passkey_and_laptop(&net).await;
    sign(&owner, account, b"first").await.unwrap();
    let long = vec![0; MAX_MESSAGE_LEN + 1];
    sign(&owner, account, &long).await.unwrap_err();
    laptop
        .call::<SignSolanaMessage>(&SignSolanaMessageArgs {
            account,
            message: b"second".to_vec(),
        })
        .await
        .unwrap();

    let log = laptop
        .call::<GetSignatureLog>(&SignatureLogArgs { account })
        .await
        .unwrap();
    let summary: Vec<_> = log
        .iter()
        .map(|entry| {
            (
                entry.kind,
                entry.family,
                entry.message_length,
                entry.origin.clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (SignatureKind::EvmMessage, KeyFamily::Evm, 5, None),
            (SignatureKind::SolanaMessage, KeyFamily::Solana, 6, None),
        ]
    );
    assert_eq!(
        log[0].message_sha256,
        sha2::Sha256::digest(b"first").to_vec()
    );
    assert!(log[0].time <= log[1].time);

    let (stranger, _) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    assert_eq!(
        stranger
            .call::<GetSignatureLog>(&SignatureLogArgs { account })
            .await,
        Err(Error::Unauthorized {
            caller: stranger.principal,
            account
        })
    );
}
