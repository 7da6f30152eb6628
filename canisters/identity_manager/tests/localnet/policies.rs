//! The signing policy with the real wasm: refusals in words (over the
//! transaction limit, over the daily limit across dapps, a recipient not
//! listed, an unknown chain, a bare hash), the passkey's step-up above the
//! amount against foreign, misplaced, stale and replayed assertions, and a
//! loosening that waits, that only a passkey cancels, and that applies
//! once its delay has passed.

use std::time::Duration;

use ic_agent::identity::BasicIdentity;
use localnet::testing::WebAuthnIdentity;
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    ApproveSignature, ApproveSignatureArgs, CancelPolicyChange, ChainPolicy, Device, Error,
    EvmTransactionRequest, GetPolicy, KeyType, MAX_PREPARED_SIGNATURES, Policy, PolicyArgs,
    PolicyRefusal, PolicyState, PrepareSignature, PrepareSignatureArgs, PreparedSignature,
    SetPolicy, SetPolicyArgs, SignatureRequest, Signed, StepUpAssertion, WEI_PER_ETHER,
};

use crate::support::*;

const OTHER_DAPP: &str = "https://other.example";
const MILLI_ETHER: u128 = WEI_PER_ETHER / 1_000;
const RECIPIENT: &str = "0x3535353535353535353535353535353535353535";

/// An account whose first device is a passkey whose key this test holds,
/// with an Ed25519 laptop added.
struct Account {
    passkey: WebAuthnIdentity,
    passkey_device: Device,
    owner: Client,
    laptop: Client,
    number: u64,
}

impl Account {
    async fn new(net: &localnet::testing::Localnet) -> Self {
        let (passkey, passkey_device) = passkey("passkey");
        let owner = Client::new(net, passkey.clone()).await;
        let number = owner.create_account(passkey_device.clone()).await.unwrap();
        let laptop_key = ed25519();
        let laptop_device = device(&laptop_key, KeyType::Ed25519, "laptop");
        let laptop = owner.add(number, laptop_key, laptop_device).await;
        // Two dapps ask for signatures; the daily limit counts both.
        connect(&owner, number, DAPP).await;
        connect(&owner, number, OTHER_DAPP).await;
        Account {
            passkey,
            passkey_device,
            owner,
            laptop,
            number,
        }
    }

    fn send(&self, milli_ether: u128, to: &str, origin: &str) -> PrepareSignatureArgs {
        PrepareSignatureArgs {
            account: self.number,
            request: SignatureRequest::EvmTransaction(Box::new(EvmTransactionRequest {
                chain_id: EVM_CHAIN_ID.to_string(),
                nonce: "0".into(),
                to: Some(to.into()),
                value: Some((milli_ether * MILLI_ETHER).to_string()),
                gas: "21000".into(),
                max_fee_per_gas: Some("2000000000".into()),
                max_priority_fee_per_gas: Some("1".into()),
                ..EvmTransactionRequest::default()
            })),
            origin: Some(origin.into()),
        }
    }

    async fn prepare(
        &self,
        client: &Client,
        args: PrepareSignatureArgs,
    ) -> Result<PreparedSignature, Error> {
        client.call::<PrepareSignature>(&args).await
    }

    async fn approve(
        &self,
        client: &Client,
        id: u64,
        step_up: Option<StepUpAssertion>,
    ) -> Result<Signed, Error> {
        let args = ApproveSignatureArgs {
            account: self.number,
            id,
            step_up,
        };
        client.call::<ApproveSignature>(&args).await
    }

    async fn sign(&self, args: PrepareSignatureArgs) -> Result<Signed, Error> {
        let prepared = self.prepare(&self.laptop, args).await?;
        self.approve(&self.laptop, prepared.id, None).await
    }

    async fn set_policy(&self, client: &Client, policy: Policy) -> Result<PolicyState, Error> {
        let args = SetPolicyArgs {
            account: self.number,
            policy,
        };
        client.call::<SetPolicy>(&args).await
    }

    /// The passkey's assertion over `challenge` at `origin`.
    fn assertion(&self, challenge: &[u8], origin: &str) -> StepUpAssertion {
        StepUpAssertion {
            credential_id: self.passkey_device.credential_id.clone().unwrap(),
            signature: ByteBuf::from(self.passkey.assertion(challenge, origin)),
        }
    }
}

/// A policy for the network's chain, limits in thousandths of an ether.
fn limits(transaction: u128, daily: u128, step_up_above: u128) -> Policy {
    Policy {
        evm_chains: vec![ChainPolicy {
            chain_id: EVM_CHAIN_ID,
            transaction_limit: transaction * MILLI_ETHER,
            daily_limit: daily * MILLI_ETHER,
            step_up_above: step_up_above * MILLI_ETHER,
        }],
        allowlist: None,
        raw_hash_signing: false,
    }
}

fn refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> PolicyRefusal {
    match result {
        Err(Error::PolicyRefused { refusal }) => refusal,
        other => panic!("not refused by the policy: {other:?}"),
    }
}

#[tokio::test]
async fn should_refuse_in_words_what_the_policy_does_not_allow() {
    let net = start_with_signer();
    let account = Account::new(&net).await;
    let tightened = Policy {
        allowlist: Some(vec![RECIPIENT.to_string()]),
        ..limits(50, 100, 50)
    };
    let state = account
        .set_policy(&account.laptop, tightened.clone())
        .await
        .unwrap();
    assert_eq!((state.current, state.pending), (tightened, None), "at once");

    let words = refusal(account.sign(account.send(60, RECIPIENT, DAPP)).await).to_string();
    assert!(
        words.contains("0.06 ETH") && words.contains("0.05 ETH"),
        "{words}"
    );
    account
        .sign(account.send(40, RECIPIENT, DAPP))
        .await
        .unwrap();
    account
        .sign(account.send(40, RECIPIENT, OTHER_DAPP))
        .await
        .unwrap();
    let daily = refusal(account.sign(account.send(40, RECIPIENT, DAPP)).await);
    assert!(
        matches!(daily, PolicyRefusal::OverDailyLimit { ref spent, .. } if spent == "0.08 ETH"),
        "{daily:?}"
    );
    let stranger = format!("0x{}", "11".repeat(20));
    assert!(matches!(
        refusal(account.sign(account.send(1, &stranger, DAPP)).await),
        PolicyRefusal::RecipientNotAllowed { .. }
    ));
    let mut other_chain = account.send(1, RECIPIENT, DAPP);
    if let SignatureRequest::EvmTransaction(request) = &mut other_chain.request {
        request.chain_id = "1".into();
    }
    assert_eq!(
        account.sign(other_chain).await,
        Err(Error::UnknownEvmChain { chain_id: 1 })
    );
    let raw = PrepareSignatureArgs {
        account: account.number,
        request: SignatureRequest::EvmHash {
            hash: ByteBuf::from(vec![7; 32]),
        },
        origin: Some(DAPP.into()),
    };
    let raw = account.sign(raw).await;
    assert_eq!(refusal(raw.clone()), PolicyRefusal::RawHashSigningOff);
    assert!(raw.unwrap_err().to_string().contains("bare hash"));
}

#[tokio::test]
async fn should_ask_a_passkey_above_the_amount_and_refuse_any_other_assertion() {
    let net = start_with_signer();
    let account = Account::new(&net).await;
    let other = Account::new(&net).await;
    let owner = &account.owner;
    let small = account
        .prepare(owner, account.send(100, RECIPIENT, DAPP))
        .await
        .unwrap();
    assert_eq!(small.step_up_challenge, None, "0.1 ETH needs no passkey");

    let prepared = account
        .prepare(owner, account.send(500, RECIPIENT, DAPP))
        .await
        .unwrap();
    let challenge = prepared
        .step_up_challenge
        .clone()
        .expect("a passkey is asked");
    let id = prepared.id;
    assert_eq!(
        account.approve(owner, id, None).await,
        Err(Error::StepUpRequired)
    );
    let rejected = |result: Result<Signed, Error>| {
        assert!(
            matches!(result, Err(Error::StepUpRejected { .. })),
            "{result:?}"
        );
    };
    let foreign = account.assertion(&[9; 32], SIGIL);
    rejected(account.approve(owner, id, Some(foreign)).await);
    let misplaced = account.assertion(&challenge, "https://evil.example");
    rejected(account.approve(owner, id, Some(misplaced)).await);
    let strangers = StepUpAssertion {
        credential_id: other.passkey_device.credential_id.clone().unwrap(),
        signature: ByteBuf::from(other.passkey.assertion(&challenge, SIGIL)),
    };
    rejected(account.approve(owner, id, Some(strangers)).await);

    let good = account.assertion(&challenge, SIGIL);
    // The laptop cannot use the passkey's assertion for the owner's request.
    let laptops = ApproveSignatureArgs {
        account: account.number,
        id,
        step_up: Some(good.clone()),
    };
    account.laptop.dropped::<ApproveSignature>(&laptops).await;
    let signed = account
        .approve(owner, id, Some(good.clone()))
        .await
        .unwrap();
    assert!(matches!(signed, Signed::EvmTransaction { .. }));
    let replayed = ApproveSignatureArgs {
        account: account.number,
        id,
        step_up: Some(good.clone()),
    };
    let dropped = owner.dropped::<ApproveSignature>(&replayed).await;
    assert_dropped_for(&dropped, &Error::SignatureNotPrepared);
    let again = account
        .prepare(owner, account.send(500, RECIPIENT, DAPP))
        .await
        .unwrap();
    rejected(account.approve(owner, again.id, Some(good)).await);

    // Stale: an assertion for a request that newer ones pushed out.
    let pushed = account.assertion(again.step_up_challenge.as_ref().unwrap(), SIGIL);
    for _ in 0..MAX_PREPARED_SIGNATURES {
        account
            .prepare(owner, account.send(1, RECIPIENT, DAPP))
            .await
            .unwrap();
    }
    let stale = ApproveSignatureArgs {
        account: account.number,
        id: again.id,
        step_up: Some(pushed),
    };
    let dropped = owner.dropped::<ApproveSignature>(&stale).await;
    assert_dropped_for(&dropped, &Error::SignatureNotPrepared);
}

#[tokio::test]
async fn should_delay_a_loosening_that_only_a_passkey_cancels_and_apply_it_after_the_delay() {
    const DELAY: Duration = Duration::from_secs(4);
    let net = start_with_signer_and(|init| {
        init.policy_loosening_delay_ns = Some(DELAY.as_nanos() as u64);
    });
    let account = Account::new(&net).await;
    let looser = limits(5_000, 10_000, 5_000);
    let changed = account
        .set_policy(&account.laptop, looser.clone())
        .await
        .unwrap();
    let pending = changed.pending.clone().expect("a loosening waits");
    assert_eq!(pending.policy, looser);
    assert_eq!(
        changed.current.evm_chains[0].transaction_limit,
        WEI_PER_ETHER
    );
    let args = PolicyArgs {
        account: account.number,
    };
    assert_eq!(account.owner.call::<GetPolicy>(&args).await, Ok(changed));
    assert!(matches!(
        refusal(account.sign(account.send(1_500, RECIPIENT, DAPP)).await),
        PolicyRefusal::OverTransactionLimit { .. }
    ));

    let dropped = account.laptop.dropped::<CancelPolicyChange>(&args).await;
    assert_dropped_for(
        &dropped,
        &Error::NotAPasskey {
            account: account.number,
        },
    );
    let cancelled = account
        .owner
        .call::<CancelPolicyChange>(&args)
        .await
        .unwrap();
    assert_eq!(cancelled.pending, None);
    tokio::time::sleep(DELAY).await;
    assert!(
        account
            .sign(account.send(1_500, RECIPIENT, DAPP))
            .await
            .is_err()
    );

    account
        .set_policy(&account.laptop, looser.clone())
        .await
        .unwrap();
    tokio::time::sleep(DELAY + Duration::from_secs(1)).await;
    let state = account.owner.call::<GetPolicy>(&args).await.unwrap();
    assert_eq!((state.current, state.pending), (looser.clone(), None));
    let prepared = account
        .prepare(&account.laptop, account.send(1_500, RECIPIENT, DAPP))
        .await
        .unwrap();
    assert!(
        prepared.step_up_challenge.is_none(),
        "under the new step-up amount"
    );

    let stranger = Client::new(&net, BasicIdentity::from_raw_key(&rand::random())).await;
    stranger
        .dropped::<SetPolicy>(&SetPolicyArgs {
            account: account.number,
            policy: looser,
        })
        .await;
}
