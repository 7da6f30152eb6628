//! Signatures for other chains around the signer: what is prepared and
//! reviewed, who may approve it and how often, and the signature checked
//! against the account's key before it is returned and logged. A k256 key
//! stands in for the signer's threshold key.

use candid::Principal;
use k256::ecdsa::SigningKey;
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    ApproveSignatureArgs, BitcoinNetwork, ChainsConfig, Error, EvmChain, EvmTransactionRequest,
    InitArgs, MAX_LOGGED_SIGNATURES, MAX_MESSAGE_LEN, MAX_PREPARED_SIGNATURES,
    PREPARED_SIGNATURE_TTL_NS, PrepareSignatureArgs, PreparedSignature, SIGNATURE_BURST,
    SIGNATURE_REFILL_NS, SignatureKind, SignatureLogArgs, SignatureRequest, Signed,
    StepUpAssertion,
};
use sigil_api::signer::KeyFamily;
use sigil_chains::evm::{Address, RecoverableSignature, personal_message_hash};

use super::*;
use crate::signatures::{
    SignatureLimits, approval, check_request, family, finish, prepare, record, signature_log_impl,
};

pub(super) fn with_chains() -> Fixture {
    Fixture::with_args(Some(InitArgs {
        chains: Some(ChainsConfig {
            signer: Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 9, 1, 1]),
            global_origin: "https://sigil.example".into(),
            bitcoin_network: BitcoinNetwork::Mainnet,
        }),
        evm_chains: Some(vec![EvmChain {
            chain_id: 31337,
            name: "Local".into(),
            symbol: "ETH".into(),
        }]),
        ..InitArgs::default()
    }))
}

/// The stand-in for the account's threshold EVM key.
fn evm_key() -> SigningKey {
    SigningKey::from_slice(&[5; 32]).unwrap()
}

fn evm_public_key() -> Vec<u8> {
    evm_key()
        .verifying_key()
        .to_encoded_point(true)
        .as_bytes()
        .to_vec()
}

fn message(account: u64, message: &[u8]) -> PrepareSignatureArgs {
    PrepareSignatureArgs {
        account,
        request: SignatureRequest::EvmMessage {
            message: ByteBuf::from(message),
        },
        origin: None,
    }
}

fn transfer(account: u64, chain_id: &str) -> PrepareSignatureArgs {
    PrepareSignatureArgs {
        account,
        request: SignatureRequest::EvmTransaction(Box::new(EvmTransactionRequest {
            chain_id: chain_id.into(),
            nonce: "0x0".into(),
            to: Some(format!("0x{}", "35".repeat(20))),
            value: Some("1000".into()),
            gas: "21000".into(),
            max_fee_per_gas: Some("2".into()),
            max_priority_fee_per_gas: Some("1".into()),
            ..EvmTransactionRequest::default()
        })),
        origin: Some("https://dapp.example".into()),
    }
}

impl Fixture {
    /// `prepare_signature` as the canister runs it, with the stand-in key.
    pub(super) fn prepare_signature(
        &mut self,
        caller: Principal,
        args: PrepareSignatureArgs,
    ) -> Result<PreparedSignature, Error> {
        // A dapp asks from a connected origin, as Sigil's window sees to
        // (`connections` tests what happens otherwise).
        if let Some(origin) = &args.origin {
            self.connect(caller, args.account, origin)?;
        }
        let env = self.env(caller);
        check_request(&self.state.storage, &env, &args)?;
        assert_eq!(family(&args.request), KeyFamily::Evm);
        prepare(&mut self.state, &env, args, evm_public_key())
    }

    /// `approve_signature` as the canister runs it, without a passkey's
    /// assertion.
    pub(super) fn approve_signature(
        &mut self,
        caller: Principal,
        account: u64,
        id: u64,
    ) -> Result<Signed, Error> {
        self.approve_with(caller, account, id, None)
    }

    /// `approve_signature` as the canister runs it, the stand-in key
    /// signing what the signer would be asked to.
    pub(super) fn approve_with(
        &mut self,
        caller: Principal,
        account: u64,
        id: u64,
        step_up: Option<StepUpAssertion>,
    ) -> Result<Signed, Error> {
        let env = self.env(caller);
        let args = ApproveSignatureArgs {
            account,
            id,
            step_up,
        };
        let prepared = approval(&mut self.state, &env, &args)?.prepared;
        let hash = prepared.payload.to_sign();
        let (signature, _) = evm_key().sign_prehash_recoverable(&hash).unwrap();
        let signed = finish(&prepared, &signature.to_bytes())?;
        self.state
            .storage
            .log_signature(account, record(&prepared, env.now));
        Ok(signed)
    }
}

#[test]
fn should_sign_the_eip191_hash_of_the_prepared_message_once() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    let device = principal_of(&passkey(1));
    let prepared = f
        .prepare_signature(device, message(account, b"Hello World"))
        .unwrap();
    assert_eq!(prepared.review.title, "Sign a message");
    assert_eq!(prepared.review.value_of("Message"), Some("Hello World"));
    assert_eq!(prepared.expires_at, f.now + PREPARED_SIGNATURE_TTL_NS);
    let Signed::EvmSignature { address, signature } =
        f.approve_signature(device, account, prepared.id).unwrap()
    else {
        panic!("an EVM signature");
    };
    let recoverable = RecoverableSignature {
        rs: signature[..64].try_into().unwrap(),
        y_parity: signature[64] - 27,
    };
    let hash = personal_message_hash(b"Hello World");
    assert_eq!(recoverable.recover(&hash).unwrap(), evm_public_key());
    assert_eq!(
        address,
        Address::from_public_key(&evm_public_key())
            .unwrap()
            .to_checksummed()
    );
    assert_eq!(
        f.approve_signature(device, account, prepared.id),
        Err(Error::SignatureNotPrepared),
        "signed once"
    );
}

#[test]
fn should_let_only_the_preparing_device_approve_before_expiry() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    let device = principal_of(&passkey(1));
    f.add(&passkey(1), account, &passkey(3)).unwrap();
    let other_device = principal_of(&passkey(3));
    let stranger_account = f.create(&passkey(2)).unwrap();
    let stranger = principal_of(&passkey(2));
    let prepared = f.prepare_signature(device, message(account, b"x")).unwrap();

    assert_eq!(
        f.approve_signature(other_device, account, prepared.id),
        Err(Error::SignatureNotPrepared),
        "another device of the account did not see this review"
    );
    assert_eq!(
        f.approve_signature(stranger, account, prepared.id),
        Err(Error::Unauthorized {
            caller: stranger,
            account
        })
    );
    assert_eq!(
        f.approve_signature(stranger, stranger_account, prepared.id),
        Err(Error::SignatureNotPrepared),
        "another account's id"
    );
    f.now += PREPARED_SIGNATURE_TTL_NS;
    assert_eq!(
        f.approve_signature(device, account, prepared.id),
        Err(Error::SignatureNotPrepared),
        "expired"
    );
}

#[test]
fn should_keep_a_few_prepared_signatures_per_account_dropping_the_oldest() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    let device = principal_of(&passkey(1));
    let ids: Vec<u64> = (0..=MAX_PREPARED_SIGNATURES)
        .map(|n| {
            f.prepare_signature(device, message(account, &[n as u8]))
                .unwrap()
                .id
        })
        .collect();
    assert_eq!(f.state.prepared.len(), MAX_PREPARED_SIGNATURES);
    assert_eq!(
        f.approve_signature(device, account, ids[0]),
        Err(Error::SignatureNotPrepared)
    );
    assert!(f.approve_signature(device, account, ids[1]).is_ok());
}

#[test]
fn should_refuse_oversized_messages_and_requests_of_strangers() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    f.create(&passkey(2)).unwrap();
    let stranger = principal_of(&passkey(2));
    assert_eq!(
        f.prepare_signature(stranger, message(account, b"x")),
        Err(Error::Unauthorized {
            caller: stranger,
            account
        })
    );
    let device = principal_of(&passkey(1));
    assert_eq!(
        f.prepare_signature(device, message(account, &vec![b'a'; MAX_MESSAGE_LEN + 1])),
        Err(Error::MessageTooLong {
            length: MAX_MESSAGE_LEN as u64 + 1,
            max: MAX_MESSAGE_LEN as u64
        })
    );
    assert!(
        f.prepare_signature(device, message(account, &vec![b'a'; MAX_MESSAGE_LEN]))
            .is_ok()
    );
    let mut bad_origin = message(account, b"x");
    bad_origin.origin = Some(String::new());
    assert_eq!(
        f.prepare_signature(device, bad_origin),
        Err(Error::EmptyOrigin)
    );
}

#[test]
fn should_prepare_transactions_only_for_configured_chains() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    let device = principal_of(&passkey(1));
    assert_eq!(
        f.prepare_signature(device, transfer(account, "0x1")),
        Err(Error::UnknownEvmChain { chain_id: 1 })
    );
    assert!(matches!(
        f.prepare_signature(device, transfer(account, "0xzz")),
        Err(Error::MalformedSignatureRequest { .. })
    ));
    let prepared = f
        .prepare_signature(device, transfer(account, "0x7a69"))
        .unwrap();
    assert_eq!(prepared.review.title, "Send 0.000000000000001 ETH");
    assert_eq!(prepared.review.value_of("Chain"), Some("Local (31337)"));
    let Signed::EvmTransaction { raw, hash, address } =
        f.approve_signature(device, account, prepared.id).unwrap()
    else {
        panic!("a transaction");
    };
    assert_eq!(raw[0], 0x02, "EIP-1559");
    assert_eq!(hash.as_ref(), sigil_chains::evm::keccak256(&raw));
    assert_eq!(
        address,
        Address::from_public_key(&evm_public_key())
            .unwrap()
            .to_checksummed()
    );
    let log = f.state.storage.signature_log(account);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].kind, SignatureKind::EvmTransaction);
    assert_eq!(log[0].chain_id, Some(31337));
    assert_eq!(log[0].origin.as_deref(), Some("https://dapp.example"));
    assert_eq!(log[0].summary, prepared.review.title);
}

#[test]
fn should_refuse_typed_data_for_another_chain_and_malformed_typed_data() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    let device = principal_of(&passkey(1));
    let typed = |chain: u64| PrepareSignatureArgs {
        account,
        request: SignatureRequest::EvmTypedData {
            json: format!(
                r#"{{"types":{{"EIP712Domain":[{{"name":"chainId","type":"uint256"}}],"M":[{{"name":"a","type":"uint8"}}]}},"primaryType":"M","domain":{{"chainId":{chain}}},"message":{{"a":1}}}}"#
            ),
        },
        origin: None,
    };
    let prepared = f.prepare_signature(device, typed(31337)).unwrap();
    assert_eq!(prepared.review.fields[0].label, "Address");
    assert_eq!(prepared.review.value_of("a"), Some("1"));
    assert_eq!(
        f.prepare_signature(device, typed(1)),
        Err(Error::UnknownEvmChain { chain_id: 1 })
    );
    let broken = PrepareSignatureArgs {
        request: SignatureRequest::EvmTypedData { json: "{".into() },
        ..typed(1)
    };
    assert!(matches!(
        f.prepare_signature(device, broken),
        Err(Error::MalformedSignatureRequest { .. })
    ));
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
fn should_spend_the_allowance_only_on_approvals_that_can_be_signed() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    let device = principal_of(&passkey(1));
    for _ in 0..2 * SIGNATURE_BURST {
        assert_eq!(
            f.approve_signature(device, account, 999),
            Err(Error::SignatureNotPrepared)
        );
        f.prepare_signature(device, message(account, b"x")).unwrap();
    }
    for _ in 0..SIGNATURE_BURST {
        let id = f
            .prepare_signature(device, message(account, b"ok"))
            .unwrap()
            .id;
        f.approve_signature(device, account, id).unwrap();
    }
    let id = f
        .prepare_signature(device, message(account, b"ok"))
        .unwrap()
        .id;
    assert!(matches!(
        f.approve_signature(device, account, id),
        Err(Error::TooManySignatures { .. })
    ));
    f.now += SIGNATURE_REFILL_NS;
    assert!(
        f.approve_signature(device, account, id).is_ok(),
        "a refused approval keeps its request"
    );
}

#[test]
fn should_return_no_signature_that_is_not_the_accounts_key() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    let device = principal_of(&passkey(1));
    let id = f
        .prepare_signature(device, message(account, b"x"))
        .unwrap()
        .id;
    let env = f.env(device);
    let args = ApproveSignatureArgs {
        account,
        id,
        step_up: None,
    };
    let prepared = approval(&mut f.state, &env, &args).unwrap().prepared;
    let other = SigningKey::from_slice(&[6; 32]).unwrap();
    let (signature, _) = other
        .sign_prehash_recoverable(&prepared.payload.to_sign())
        .unwrap();
    assert!(matches!(
        finish(&prepared, &signature.to_bytes()),
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
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    let env = f.env(principal_of(&passkey(1)));
    let args = PrepareSignatureArgs {
        account,
        request: SignatureRequest::SolanaMessage {
            message: ByteBuf::from(vec![0x72]),
        },
        origin: None,
    };
    assert_eq!(family(&args.request), KeyFamily::Solana);
    let id = prepare(&mut f.state, &env, args, key.clone()).unwrap().id;
    let args = ApproveSignatureArgs {
        account,
        id,
        step_up: None,
    };
    let prepared = approval(&mut f.state, &env, &args).unwrap().prepared;
    assert_eq!(
        finish(&prepared, &signature),
        Ok(Signed::SolanaSignature {
            address: sigil_chains::solana::address(&key).unwrap(),
            signature: ByteBuf::from(signature.clone()),
        })
    );
    let mut wrong = signature.clone();
    wrong[0] ^= 1;
    assert!(matches!(
        finish(&prepared, &wrong),
        Err(Error::SignerUnavailable { .. })
    ));
}

#[test]
fn should_log_each_accounts_last_signatures_oldest_first_across_an_upgrade() {
    let mut f = with_chains();
    let account = f.create(&passkey(1)).unwrap();
    let device = principal_of(&passkey(1));
    let other = f.create(&passkey(2)).unwrap();
    for n in 0..(MAX_LOGGED_SIGNATURES as u64 + 5) {
        let id = f
            .prepare_signature(device, message(account, format!("message {n}").as_bytes()))
            .unwrap()
            .id;
        f.now += SIGNATURE_REFILL_NS;
        f.approve_signature(device, account, id).unwrap();
    }
    f.upgrade(None);
    let log = signature_log_impl(
        &f.state.storage,
        &f.env(device),
        SignatureLogArgs { account },
    )
    .unwrap();
    assert_eq!(log.len(), MAX_LOGGED_SIGNATURES);
    use sha2::Digest;
    assert_eq!(
        log[0].message_sha256,
        sha2::Sha256::digest(b"message 5").to_vec(),
        "the oldest five are gone"
    );
    assert_eq!(log[0].message_length, 9);
    assert_eq!(log[0].kind, SignatureKind::EvmMessage);
    assert!(log.windows(2).all(|pair| pair[0].time < pair[1].time));
    assert!(f.state.storage.signature_log(other).is_empty());
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
