//! EVM message signatures around the signer: the hash computed here, the
//! allowance per account, and the signature checked against the key.

use candid::Principal;
use k256::ecdsa::SigningKey;
use sigil_api::identity_manager::{
    BitcoinNetwork, ChainsConfig, Error, InitArgs, MAX_LOGGED_SIGNATURES, MAX_MESSAGE_LEN,
    SIGNATURE_BURST, SIGNATURE_REFILL_NS, SignEvmMessageArgs, SignatureKind, SignatureLogArgs,
    SignatureRecord,
};
use sigil_api::signer::KeyFamily;
use sigil_chains::evm::{RecoverableSignature, personal_message_hash};

use super::*;
use crate::signatures::{
    SignatureLimits, evm_message, evm_message_signature, record, signature_log_impl,
    solana_message_signature,
};

fn with_chains() -> Fixture {
    Fixture::with_args(Some(InitArgs {
        base_account_number: None,
        registration_rate_limit: None,
        registration_proof_of_work_difficulty: None,
        chains: Some(ChainsConfig {
            signer: Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 9, 1, 1]),
            global_origin: "https://sigil.example".into(),
            bitcoin_network: BitcoinNetwork::Mainnet,
        }),
    }))
}

fn request(account: u64, message: &[u8]) -> SignEvmMessageArgs {
    SignEvmMessageArgs {
        account,
        message: message.to_vec(),
    }
}

#[test]
fn should_sign_the_eip191_hash_of_the_message_for_the_accounts_owner() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    let env = f.env(principal_of(&passkey(1)));
    let mut limits = SignatureLimits::default();
    let (_, owner, hash) = evm_message(
        &f.state.storage,
        &mut limits,
        &env,
        &request(account, b"Hello World"),
    )
    .unwrap();
    assert_eq!(hash, personal_message_hash(b"Hello World"));
    assert_eq!(
        Ok(owner),
        f.principal(&passkey(1), account, "https://sigil.example")
    );
}

#[test]
fn should_refuse_messages_to_other_callers_and_oversized_ones() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    f.create(&passkey(2)).unwrap();
    let mut limits = SignatureLimits::default();
    let stranger = principal_of(&passkey(2));
    assert_eq!(
        evm_message(
            &f.state.storage,
            &mut limits,
            &f.env(stranger),
            &request(account, b"x")
        )
        .map(|(_, _, hash)| hash),
        Err(Error::Unauthorized {
            caller: stranger,
            account
        })
    );
    let owner = f.env(principal_of(&passkey(1)));
    let long = vec![b'a'; MAX_MESSAGE_LEN + 1];
    assert_eq!(
        evm_message(
            &f.state.storage,
            &mut limits,
            &owner,
            &request(account, &long)
        )
        .map(|(_, _, hash)| hash),
        Err(Error::MessageTooLong {
            length: MAX_MESSAGE_LEN as u64 + 1,
            max: MAX_MESSAGE_LEN as u64
        })
    );
    let longest = vec![b'a'; MAX_MESSAGE_LEN];
    assert!(
        evm_message(
            &f.state.storage,
            &mut limits,
            &owner,
            &request(account, &longest)
        )
        .is_ok()
    );
}

#[test]
fn should_allow_a_burst_of_signatures_per_account_then_one_per_period() {
    let mut limits = SignatureLimits::default();
    let now = 1_700_000_000 * SECOND;
    for _ in 0..SIGNATURE_BURST {
        limits.take(10_000, now).unwrap();
    }
    assert_eq!(
        limits.take(10_000, now),
        Err(Error::TooManySignatures {
            retry_after_seconds: SIGNATURE_REFILL_NS / SECOND
        })
    );
    limits
        .take(10_001, now)
        .expect("another account has its own allowance");
    limits
        .take(10_000, now + SIGNATURE_REFILL_NS)
        .expect("one more after a period");
    assert!(limits.take(10_000, now + SIGNATURE_REFILL_NS).is_err());
}

#[test]
fn should_not_spend_the_allowance_on_a_refused_request() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    let owner = f.env(principal_of(&passkey(1)));
    let mut limits = SignatureLimits::default();
    let long = vec![0; MAX_MESSAGE_LEN + 1];
    for _ in 0..2 * SIGNATURE_BURST {
        assert!(
            evm_message(
                &f.state.storage,
                &mut limits,
                &owner,
                &request(account, &long)
            )
            .is_err()
        );
    }
    for _ in 0..SIGNATURE_BURST {
        evm_message(
            &f.state.storage,
            &mut limits,
            &owner,
            &request(account, b"ok"),
        )
        .unwrap();
    }
}

#[test]
fn should_return_only_a_signature_that_recovers_to_the_accounts_key() {
    let key = SigningKey::from_slice(&[5; 32]).unwrap();
    let public_key = key
        .verifying_key()
        .to_encoded_point(true)
        .as_bytes()
        .to_vec();
    let hash = personal_message_hash(b"Sign in to dapp.example");
    let (signature, _) = key.sign_prehash_recoverable(&hash).unwrap();
    let signed = evm_message_signature(&public_key, &hash, &signature.to_bytes()).unwrap();
    assert_eq!(signed.signature.len(), 65);
    assert!(matches!(signed.signature[64], 27 | 28));
    let recoverable = RecoverableSignature {
        rs: signed.signature[..64].try_into().unwrap(),
        y_parity: signed.signature[64] - 27,
    };
    assert_eq!(recoverable.recover(&hash).unwrap(), public_key);
    assert_eq!(
        signed.address,
        sigil_chains::evm::Address::from_public_key(&public_key)
            .unwrap()
            .to_checksummed()
    );

    let other = SigningKey::from_slice(&[6; 32]).unwrap();
    let other_key = other
        .verifying_key()
        .to_encoded_point(true)
        .as_bytes()
        .to_vec();
    assert!(matches!(
        evm_message_signature(&other_key, &hash, &signature.to_bytes()),
        Err(Error::SignerUnavailable { .. })
    ));
}

#[test]
fn should_return_only_a_solana_signature_that_verifies_under_the_accounts_key() {
    // RFC 8032, section 7.1, TEST 2.
    let key =
        hex::decode("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c").unwrap();
    let signature = hex::decode(
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    )
    .unwrap();
    let signed = solana_message_signature(&key, &[0x72], &signature).unwrap();
    assert_eq!(signed.signature, signature);
    assert_eq!(signed.address, sigil_chains::solana::address(&key).unwrap());
    assert!(matches!(
        solana_message_signature(&key, &[0x73], &signature),
        Err(Error::SignerUnavailable { .. })
    ));
}

fn logged(n: u64) -> SignatureRecord {
    record(
        SignatureKind::EvmMessage,
        KeyFamily::Evm,
        format!("message {n}").as_bytes(),
        n,
        None,
    )
}

#[test]
fn should_log_each_accounts_last_signatures_oldest_first_across_an_upgrade() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    let other = f.create(&passkey(2)).unwrap();
    for n in 0..(MAX_LOGGED_SIGNATURES as u64 + 5) {
        f.state.storage.log_signature(account, logged(n));
    }
    f.state.storage.log_signature(other, logged(1_000));
    f.upgrade(None);
    let log = signature_log_impl(
        &f.state.storage,
        &f.env(principal_of(&passkey(1))),
        SignatureLogArgs { account },
    )
    .unwrap();
    assert_eq!(log.len(), MAX_LOGGED_SIGNATURES);
    assert_eq!(log.first(), Some(&logged(5)), "the oldest five are gone");
    assert_eq!(log.last(), Some(&logged(MAX_LOGGED_SIGNATURES as u64 + 4)));
    assert_eq!(f.state.storage.signature_log(other), vec![logged(1_000)]);
}

#[test]
fn should_show_the_log_only_to_the_accounts_devices() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    f.create(&passkey(2)).unwrap();
    f.state.storage.log_signature(account, logged(1));
    let stranger = principal_of(&passkey(2));
    assert_eq!(
        signature_log_impl(
            &f.state.storage,
            &f.env(stranger),
            SignatureLogArgs { account }
        ),
        Err(Error::Unauthorized {
            caller: stranger,
            account
        })
    );
}

#[test]
fn should_record_what_was_signed_by_its_hash_and_length_only() {
    let entry = record(
        SignatureKind::SolanaMessage,
        KeyFamily::Solana,
        b"abc",
        7,
        Some("https://dapp.example".into()),
    );
    assert_eq!(
        hex::encode(&entry.message_sha256),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(entry.message_length, 3);
    assert_eq!(entry.origin.as_deref(), Some("https://dapp.example"));
}
