//! Signatures for other chains with the real signer wasm behind the
//! identity manager, in two steps: `prepare_signature` returns a review,
//! `approve_signature` signs exactly that, once, for the device that
//! prepared it. EIP-191 messages and EIP-712 typed data recover to the
//! account's EVM address; transactions decode (with `alloy-consensus`, not
//! Sigil's encoder) to what was reviewed and recover to it too, the same
//! address on every chain; Solana
//! messages verify under the Solana address. No dapp, stranger, anonymous
//! caller or (with two-factor on) non-passkey gets anything signed; sizes,
//! chains and a flood are refused in words; every signature made is logged.

use alloy_consensus::{Transaction as _, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use serde_bytes::ByteBuf;
use sha2::Digest;
use sigil_api::identity_manager::{
    ApproveSignature, ApproveSignatureArgs, Device, Disconnect, DisconnectArgs, Error,
    EvmTransactionRequest, GetSignatureLog, KeyType, MAX_MESSAGE_LEN, PrepareSignature,
    PrepareSignatureArgs, PreparedSignature, SIGNATURE_BURST, SetTwoFactor, SetTwoFactorArgs,
    SignatureKind, SignatureLogArgs, SignatureRequest, Signed,
};
use sigil_api::signer::KeyFamily;
use sigil_chains::evm::{Address, examples, keccak256, personal_message_hash, typed_data};

use crate::chains::addresses;
use crate::support::*;

/// An account with a passkey and a laptop that connected [`DAPP`], which
/// asks for the signatures.
async fn signing_account(net: &localnet::testing::Localnet) -> (Client, u64, Client, Device) {
    let (owner, account, laptop, laptop_device) = passkey_and_laptop(net).await;
    connect(&owner, account, DAPP).await;
    (owner, account, laptop, laptop_device)
}

async fn prepare(
    client: &Client,
    account: u64,
    request: SignatureRequest,
) -> Result<PreparedSignature, Error> {
    client
        .call::<PrepareSignature>(&PrepareSignatureArgs {
            account,
            request,
            origin: Some(DAPP.to_string()),
        })
        .await
}

async fn approve(client: &Client, account: u64, id: u64) -> Result<Signed, Error> {
    client
        .call::<ApproveSignature>(&ApproveSignatureArgs {
            account,
            id,
            step_up: None,
        })
        .await
}

/// Prepares and approves `request` as one device.
async fn sign(client: &Client, account: u64, request: SignatureRequest) -> Result<Signed, Error> {
    let prepared = prepare(client, account, request).await?;
    approve(client, account, prepared.id).await
}

fn message(bytes: &[u8]) -> SignatureRequest {
    SignatureRequest::EvmMessage {
        message: ByteBuf::from(bytes),
    }
}

/// The address that signed `hash` with `r · s · v` (65 bytes, `v` 27 or
/// 28, `s` low).
fn recovered(hash: &[u8; 32], signature: &[u8]) -> String {
    assert_eq!(signature.len(), 65);
    let v = signature[64];
    assert!(v == 27 || v == 28, "v is {v}");
    let rs = k256::ecdsa::Signature::from_slice(&signature[..64]).unwrap();
    assert!(rs.normalize_s().is_none(), "s is low");
    let key = k256::ecdsa::VerifyingKey::recover_from_prehash(
        hash,
        &rs,
        k256::ecdsa::RecoveryId::new(v == 28, false),
    )
    .unwrap();
    Address::from_public_key(key.to_encoded_point(false).as_bytes())
        .unwrap()
        .to_checksummed()
}

fn evm_signature(signed: Signed) -> (String, Vec<u8>) {
    match signed {
        Signed::EvmSignature { address, signature } => (address, signature.into_vec()),
        other => panic!("not an EVM signature: {other:?}"),
    }
}

/// EIP-712's `Mail` example, on the network's chain.
fn mail() -> String {
    let mut mail = examples::mail();
    mail["domain"]["chainId"] = EVM_CHAIN_ID.into();
    mail.to_string()
}

const RECIPIENT: &str = "0x3535353535353535353535353535353535353535";

fn transfer(chain_id: u64) -> SignatureRequest {
    SignatureRequest::EvmTransaction(Box::new(EvmTransactionRequest {
        chain_id: chain_id.to_string(),
        nonce: "0x7".into(),
        to: Some(RECIPIENT.into()),
        value: Some("50000000000000000".into()),
        gas: "21000".into(),
        max_fee_per_gas: Some("0x77359400".into()),
        max_priority_fee_per_gas: Some("1000000000".into()),
        ..EvmTransactionRequest::default()
    }))
}

#[tokio::test]
async fn should_sign_messages_and_typed_data_that_recover_to_the_accounts_evm_address() {
    let net = start_with_signer();
    let (owner, account, laptop, _) = signing_account(&net).await;
    let address = addresses(&owner, account).await.unwrap().evm;
    for (client, bytes) in [
        (&owner, &b"Sign in to dapp.example"[..]),
        (&laptop, "Grüße, nonce 42".as_bytes()),
        (&owner, &[0, 159, 255][..]),
    ] {
        let prepared = prepare(client, account, message(bytes)).await.unwrap();
        assert_eq!(prepared.review.value_of("Address"), Some(address.as_str()));
        let (by, signature) = evm_signature(approve(client, account, prepared.id).await.unwrap());
        assert_eq!(by, address);
        assert_eq!(
            recovered(&personal_message_hash(bytes), &signature),
            address
        );
    }

    let json = mail();
    let prepared = prepare(
        &laptop,
        account,
        SignatureRequest::EvmTypedData { json: json.clone() },
    )
    .await
    .unwrap();
    let review = format!("{:?}", prepared.review);
    assert!(
        review.contains("Hello, Bob!") && review.contains("Ether Mail"),
        "{review}"
    );
    let (_, signature) = evm_signature(approve(&laptop, account, prepared.id).await.unwrap());
    let hash = typed_data(&json).unwrap().signing_hash;
    assert_eq!(recovered(&hash, &signature), address);
}

#[tokio::test]
async fn should_sign_transactions_that_decode_to_what_was_reviewed() {
    let net = start_with_signer();
    let (owner, account, _, _) = signing_account(&net).await;
    let address = addresses(&owner, account).await.unwrap().evm;

    let prepared = prepare(&owner, account, transfer(EVM_CHAIN_ID))
        .await
        .unwrap();
    let review = &prepared.review;
    assert_eq!(review.title, "Send 0.05 ETH");
    assert_eq!(review.value_of("From"), Some(address.as_str()));
    assert_eq!(review.value_of("To"), Some(RECIPIENT));
    assert_eq!(review.value_of("Max fee per gas"), Some("2 gwei"));
    assert_eq!(review.value_of("At most, in all"), Some("0.050042 ETH"));
    let Signed::EvmTransaction {
        address: by,
        raw,
        hash,
    } = approve(&owner, account, prepared.id).await.unwrap()
    else {
        panic!("not a transaction");
    };
    assert_eq!(by, address);
    assert_eq!(hash.as_slice(), keccak256(&raw));
    let TxEnvelope::Eip1559(signed) = TxEnvelope::decode_2718(&mut raw.as_slice()).unwrap() else {
        panic!("not an EIP-1559 transaction");
    };
    let tx = signed.tx();
    assert_eq!(tx.chain_id, EVM_CHAIN_ID);
    assert_eq!(tx.nonce, 7);
    assert_eq!(tx.to().unwrap().to_checksum(None), RECIPIENT);
    assert_eq!(tx.value.to_string(), "50000000000000000");
    assert_eq!(
        (tx.max_fee_per_gas, tx.max_priority_fee_per_gas),
        (2_000_000_000, 1_000_000_000)
    );
    let signature = signed.signature().as_bytes();
    assert_eq!(recovered(&signed.signature_hash().0, &signature), address);

    // A legacy contract creation: EIP-155's `v` carries the chain.
    let code = "0x600a600c600039600a6000f3602a60005260206000f3";
    let creation = SignatureRequest::EvmTransaction(Box::new(EvmTransactionRequest {
        chain_id: EVM_CHAIN_ID.to_string(),
        nonce: "0".into(),
        data: Some(code.into()),
        gas: "100000".into(),
        gas_price: Some("1000000000".into()),
        ..EvmTransactionRequest::default()
    }));
    let prepared = prepare(&owner, account, creation).await.unwrap();
    assert_eq!(prepared.review.title, "Create a contract");
    assert!(!prepared.review.warnings.is_empty());
    let Signed::EvmTransaction { raw, .. } = approve(&owner, account, prepared.id).await.unwrap()
    else {
        panic!("not a transaction");
    };
    let TxEnvelope::Legacy(signed) = TxEnvelope::decode_2718(&mut raw.as_slice()).unwrap() else {
        panic!("not a legacy transaction");
    };
    assert_eq!(signed.tx().chain_id, Some(EVM_CHAIN_ID));
    assert!(signed.tx().to().is_none());
    assert_eq!(format!("0x{}", hex::encode(&signed.tx().input)), code);
    let signature = signed.signature().as_bytes();
    assert_eq!(recovered(&signed.signature_hash().0, &signature), address);
}

#[tokio::test]
async fn should_sign_on_every_chain_with_the_same_address() {
    let net = start_with_signer();
    let (owner, account, _, _) = signing_account(&net).await;
    let address = addresses(&owner, account).await.unwrap().evm;
    for chain_id in [EVM_CHAIN_ID, SECOND_EVM_CHAIN_ID] {
        let Signed::EvmTransaction {
            address: by, raw, ..
        } = sign(&owner, account, transfer(chain_id)).await.unwrap()
        else {
            panic!("not a transaction");
        };
        let TxEnvelope::Eip1559(signed) = TxEnvelope::decode_2718(&mut raw.as_slice()).unwrap()
        else {
            panic!("not an EIP-1559 transaction");
        };
        assert_eq!(signed.tx().chain_id, chain_id);
        let signature = signed.signature().as_bytes();
        assert_eq!(recovered(&signed.signature_hash().0, &signature), address);
        assert_eq!(by, address);
    }
}

#[tokio::test]
async fn should_let_only_the_preparing_device_approve_and_no_dapp_or_stranger_prepare() {
    let net = start_with_signer();
    let (owner, account, laptop, _) = signing_account(&net).await;
    let args = PrepareSignatureArgs {
        account,
        request: transfer(EVM_CHAIN_ID),
        origin: None,
    };
    let dapp = dapp_session(&owner, account).await;
    let dropped = dapp.dropped::<PrepareSignature>(&args).await;
    let unauthorized = Error::Unauthorized {
        caller: dapp.principal,
        account,
    };
    assert_dropped_for(&dropped, &unauthorized);
    let (stranger, _) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    stranger.dropped::<PrepareSignature>(&args).await;
    Client::anonymous(&net)
        .await
        .dropped::<PrepareSignature>(&args)
        .await;

    // What the passkey prepared, only the passkey approves, once.
    let prepared = prepare(&owner, account, message(b"mine")).await.unwrap();
    let approval = ApproveSignatureArgs {
        account,
        id: prepared.id,
        step_up: None,
    };
    for other in [&laptop, &dapp, &stranger] {
        other.dropped::<ApproveSignature>(&approval).await;
    }
    assert!(approve(&owner, account, prepared.id).await.is_ok());
    let dropped = owner.dropped::<ApproveSignature>(&approval).await;
    assert_dropped_for(&dropped, &Error::SignatureNotPrepared);

    // With two-factor on, the laptop can neither prepare nor approve.
    let prepared = prepare(&laptop, account, message(b"laptop's"))
        .await
        .unwrap();
    owner
        .call::<SetTwoFactor>(&SetTwoFactorArgs {
            account,
            enabled: true,
        })
        .await
        .unwrap();
    let dropped = laptop.dropped::<PrepareSignature>(&args).await;
    assert_dropped_for(&dropped, &Error::PasskeyRequired { account });
    let approval = ApproveSignatureArgs {
        account,
        id: prepared.id,
        step_up: None,
    };
    let dropped = laptop.dropped::<ApproveSignature>(&approval).await;
    assert_dropped_for(&dropped, &Error::PasskeyRequired { account });
    assert!(sign(&owner, account, message(b"still mine")).await.is_ok());
}

#[tokio::test]
async fn should_refuse_oversized_unknown_or_malformed_requests_and_a_flood_in_words() {
    let net = start_with_signer();
    let (owner, account, _, _) = signing_account(&net).await;
    let long = vec![b'a'; MAX_MESSAGE_LEN + 1];
    assert_eq!(
        prepare(&owner, account, message(&long)).await,
        Err(Error::MessageTooLong {
            length: long.len() as u64,
            max: MAX_MESSAGE_LEN as u64
        })
    );
    assert_eq!(
        prepare(&owner, account, transfer(1)).await,
        Err(Error::UnknownEvmChain { chain_id: 1 })
    );
    let broken = SignatureRequest::EvmTypedData {
        json: "{\"types\":".into(),
    };
    let refused = prepare(&owner, account, broken).await.unwrap_err();
    assert!(
        matches!(refused, Error::MalformedSignatureRequest { .. }),
        "{refused:?}"
    );

    for n in 0..SIGNATURE_BURST {
        sign(&owner, account, message(format!("message {n}").as_bytes()))
            .await
            .unwrap();
    }
    let refused = sign(&owner, account, message(b"one too many"))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::TooManySignatures { retry_after_seconds } if retry_after_seconds > 0)
    );
    assert!(refused.to_string().contains("please wait"), "{refused}");
}

#[tokio::test]
async fn should_sign_solana_messages_that_verify_under_the_accounts_solana_address() {
    let net = start_with_signer();
    let (owner, account, laptop, _) = signing_account(&net).await;
    let address = addresses(&owner, account).await.unwrap().solana;
    let key: [u8; 32] = bs58::decode(&address)
        .into_vec()
        .unwrap()
        .try_into()
        .unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key).unwrap();
    let bytes = b"Sign in to dapp.example with Solana";
    let request = SignatureRequest::SolanaMessage {
        message: ByteBuf::from(&bytes[..]),
    };
    let prepared = prepare(&laptop, account, request.clone()).await.unwrap();
    assert_eq!(prepared.review.value_of("Address"), Some(address.as_str()));
    let Signed::SolanaSignature {
        address: by,
        signature,
    } = approve(&laptop, account, prepared.id).await.unwrap()
    else {
        panic!("not a Solana signature");
    };
    assert_eq!(by, address);
    let signature = ed25519_dalek::Signature::from_slice(&signature).unwrap();
    key.verify_strict(bytes, &signature).unwrap();
    assert!(key.verify_strict(b"another message", &signature).is_err());

    let (stranger, _) = Client::register(&net, ed25519(), KeyType::Ed25519).await;
    let args = PrepareSignatureArgs {
        account,
        request,
        origin: None,
    };
    stranger.dropped::<PrepareSignature>(&args).await;
}

#[tokio::test]
async fn should_log_every_signature_made_and_nothing_refused_for_the_accounts_devices_only() {
    let net = start_with_signer();
    let (owner, account, laptop, _) = signing_account(&net).await;
    sign(&owner, account, message(b"first")).await.unwrap();
    let long = vec![0; MAX_MESSAGE_LEN + 1];
    sign(&owner, account, message(&long)).await.unwrap_err();
    prepare(&owner, account, message(b"prepared, never approved"))
        .await
        .unwrap();
    let solana = SignatureRequest::SolanaMessage {
        message: ByteBuf::from(&b"second"[..]),
    };
    sign(&laptop, account, solana).await.unwrap();
    sign(&owner, account, transfer(EVM_CHAIN_ID)).await.unwrap();

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
                entry.chain_id,
                entry.origin.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (SignatureKind::EvmMessage, KeyFamily::Evm, None, Some(DAPP)),
            (
                SignatureKind::SolanaMessage,
                KeyFamily::Solana,
                None,
                Some(DAPP)
            ),
            (
                SignatureKind::EvmTransaction,
                KeyFamily::Evm,
                Some(EVM_CHAIN_ID),
                Some(DAPP)
            ),
        ]
    );
    assert_eq!(log[0].message_length, 5);
    assert_eq!(
        log[0].message_sha256,
        sha2::Sha256::digest(b"first").to_vec()
    );
    assert_eq!(log[2].summary, "Send 0.05 ETH");
    assert!(log[0].time <= log[1].time && log[1].time <= log[2].time);

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

#[tokio::test]
async fn should_prepare_a_dapps_signature_only_while_its_origin_is_connected() {
    let net = start_with_signer();
    let (owner, account, laptop, _) = passkey_and_laptop(&net).await;
    let not_connected = |origin: &str| {
        Err(Error::NotConnected {
            origin: origin.to_string(),
        })
    };
    assert_eq!(
        prepare(&owner, account, message(b"before")).await,
        not_connected(DAPP)
    );
    // Any device of the account connects; then every device may ask.
    connect(&laptop, account, DAPP).await;
    assert!(sign(&owner, account, message(b"connected")).await.is_ok());
    let other = PrepareSignatureArgs {
        account,
        request: message(b"another dapp"),
        origin: Some("https://other.example".into()),
    };
    assert_eq!(
        owner.call::<PrepareSignature>(&other).await,
        not_connected("https://other.example")
    );
    let disconnected = owner
        .call::<Disconnect>(&DisconnectArgs {
            account,
            origin: DAPP.into(),
        })
        .await;
    assert_eq!(disconnected, Ok(true));
    assert_eq!(
        prepare(&owner, account, message(b"after")).await,
        not_connected(DAPP)
    );
    // Sigil's own pages name no origin, and need no connection.
    let own = PrepareSignatureArgs {
        account,
        request: message(b"the wallet's"),
        origin: None,
    };
    assert!(owner.call::<PrepareSignature>(&own).await.is_ok());
}
