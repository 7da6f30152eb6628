//! The ledger's release wasm on localnet, driven by the real Rust agent:
//! transfers and their fee, deduplication, the errors callers see, the
//! ICRC-21 consent message of a transfer, ICRC-2 approvals used by a
//! spender, metadata, and balances kept across an upgrade.
#![allow(clippy::unwrap_used)]

use candid::{Nat, Principal};
use ic_agent::Agent;
use ic_agent::identity::BasicIdentity;
use localnet::testing::{Localnet, canister_wasm};
use serde_bytes::ByteBuf;
use sigil_api::icrc21::{
    ConsentMessage, ConsentMessageMetadata, ConsentMessageRequest, ConsentMessageSpec,
    Icrc21ConsentMessage, Value,
};
use sigil_api::ledger::{
    Account, AllowanceArgs, ApproveArgs, Icrc1BalanceOf, Icrc1Fee, Icrc1Transfer, Icrc2Allowance,
    Icrc2Approve, Icrc2TransferFrom, LedgerInit, MetadataValue, TransferArg, TransferError,
    TransferFromArgs, TransferFromError,
};
use sigil_api::method::{CallKind, Method};

const FEE: u64 = 10_000;

fn identity(seed: u8) -> BasicIdentity {
    BasicIdentity::from_raw_key(&[seed; 32])
}

fn principal(seed: u8) -> Principal {
    use ic_agent::Identity;
    identity(seed).sender().unwrap()
}

fn start() -> Localnet {
    let init = LedgerInit {
        name: "Local token".into(),
        symbol: "LTK".into(),
        decimals: 8,
        fee: Nat::from(FEE),
        minting_account: Account::of(principal(99)),
        initial_balances: vec![(Account::of(principal(1)), Nat::from(100_000_000u64))],
    };
    Localnet::builder()
        .canister(
            "ledger",
            &canister_wasm("ledger"),
            candid::encode_one(init).unwrap(),
        )
        .start()
}

struct Client {
    agent: Agent,
    ledger: Principal,
}

impl Client {
    async fn new(net: &Localnet, seed: u8) -> Self {
        Self {
            agent: net.agent(identity(seed)).await,
            ledger: net.id("ledger"),
        }
    }

    async fn call<M: Method>(&self, args: &M::Args) -> M::Response {
        let arg = candid::encode_one(args).unwrap();
        let reply = match M::KIND {
            CallKind::Query => {
                self.agent
                    .query(&self.ledger, M::NAME)
                    .with_arg(arg)
                    .call()
                    .await
            }
            CallKind::Update => {
                self.agent
                    .update(&self.ledger, M::NAME)
                    .with_arg(arg)
                    .call_and_wait()
                    .await
            }
        };
        candid::decode_one(&reply.unwrap()).unwrap()
    }

    async fn balance(&self, owner: Principal) -> Nat {
        self.call::<Icrc1BalanceOf>(&Account::of(owner)).await
    }
}

fn transfer(to: Principal, amount: u64) -> TransferArg {
    TransferArg {
        from_subaccount: None,
        to: Account::of(to),
        amount: Nat::from(amount),
        fee: None,
        memo: None,
        created_at_time: None,
    }
}

#[tokio::test]
async fn should_transfer_deduplicate_and_refuse_in_the_standards_terms() {
    let net = start();
    let alice = Client::new(&net, 1).await;
    assert_eq!(alice.call::<Icrc1Fee>(&()).await, Nat::from(FEE));
    assert_eq!(
        alice
            .call::<Icrc1Transfer>(&transfer(principal(2), 5_000_000))
            .await,
        Ok(Nat::from(0u8))
    );
    assert_eq!(
        alice.balance(principal(1)).await,
        Nat::from(100_000_000 - 5_000_000 - FEE)
    );
    assert_eq!(alice.balance(principal(2)).await, Nat::from(5_000_000u64));

    let now = localnet::testing::now_nanos();
    let mut timed = transfer(principal(2), 1_000);
    timed.created_at_time = Some(now);
    timed.memo = Some(ByteBuf::from(b"order 1".to_vec()));
    assert_eq!(
        alice.call::<Icrc1Transfer>(&timed).await,
        Ok(Nat::from(1u8))
    );
    assert_eq!(
        alice.call::<Icrc1Transfer>(&timed).await,
        Err(TransferError::Duplicate {
            duplicate_of: Nat::from(1u8)
        })
    );
    let mut wrong_fee = transfer(principal(2), 1);
    wrong_fee.fee = Some(Nat::from(1u8));
    assert_eq!(
        alice.call::<Icrc1Transfer>(&wrong_fee).await,
        Err(TransferError::BadFee {
            expected_fee: Nat::from(FEE)
        })
    );
    let bob = Client::new(&net, 2).await;
    assert_eq!(
        bob.call::<Icrc1Transfer>(&transfer(principal(1), 5_000_000))
            .await,
        Err(TransferError::InsufficientFunds {
            balance: Nat::from(5_001_000u64)
        })
    );
    let mut future = transfer(principal(1), 1);
    future.created_at_time = Some(now + 3_600 * 1_000_000_000);
    assert!(matches!(
        bob.call::<Icrc1Transfer>(&future).await,
        Err(TransferError::CreatedInFuture { .. })
    ));
    // The consent message is made from the argument's bytes, for the caller.
    let request = ConsentMessageRequest {
        method: "icrc1_transfer".into(),
        arg: ByteBuf::from(candid::encode_one(transfer(principal(2), 5_000_000)).unwrap()),
        user_preferences: ConsentMessageSpec {
            metadata: ConsentMessageMetadata {
                language: "en".into(),
                utc_offset_minutes: None,
            },
            device_spec: None,
        },
    };
    let info = alice.call::<Icrc21ConsentMessage>(&request).await.unwrap();
    let ConsentMessage::FieldsDisplayMessage(shown) = info.consent_message else {
        panic!("a fields display by default");
    };
    assert_eq!(shown.intent, "Send LTK");
    assert_eq!(
        shown.fields[0],
        (
            "From".to_string(),
            Value::Text {
                content: principal(1).to_text()
            }
        )
    );
    let mut too_old = transfer(principal(1), 1);
    too_old.created_at_time = Some(now - 2 * 24 * 3_600 * 1_000_000_000);
    assert_eq!(
        bob.call::<Icrc1Transfer>(&too_old).await,
        Err(TransferError::TooOld)
    );
}

#[tokio::test]
async fn should_let_an_approved_spender_transfer_and_keep_balances_across_an_upgrade() {
    let mut net = start();
    let alice = Client::new(&net, 1).await;
    let approve = ApproveArgs {
        from_subaccount: None,
        spender: Account::of(principal(3)),
        amount: Nat::from(1_000_000u64),
        expected_allowance: None,
        expires_at: None,
        fee: None,
        memo: None,
        created_at_time: None,
    };
    assert!(alice.call::<Icrc2Approve>(&approve).await.is_ok());
    let carol = Client::new(&net, 3).await;
    let take = |amount: u64| TransferFromArgs {
        spender_subaccount: None,
        from: Account::of(principal(1)),
        to: Account::of(principal(4)),
        amount: Nat::from(amount),
        fee: None,
        memo: None,
        created_at_time: None,
    };
    assert!(
        carol
            .call::<Icrc2TransferFrom>(&take(600_000))
            .await
            .is_ok()
    );
    let allowance = carol
        .call::<Icrc2Allowance>(&AllowanceArgs {
            account: Account::of(principal(1)),
            spender: Account::of(principal(3)),
        })
        .await;
    assert_eq!(allowance.allowance, Nat::from(1_000_000 - 600_000 - FEE));
    assert_eq!(
        carol.call::<Icrc2TransferFrom>(&take(600_000)).await,
        Err(TransferFromError::InsufficientAllowance {
            allowance: Nat::from(390_000u64)
        })
    );
    let before = alice.balance(principal(1)).await;

    net.restart(true);
    let alice = Client::new(&net, 1).await;
    assert_eq!(alice.balance(principal(1)).await, before);
    assert_eq!(alice.balance(principal(4)).await, Nat::from(600_000u64));
    let metadata: Vec<(String, MetadataValue)> = candid::decode_one(
        &alice
            .agent
            .query(&alice.ledger, "icrc1_metadata")
            .with_arg(candid::encode_args(()).unwrap())
            .call()
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(metadata.contains(&("icrc1:symbol".into(), MetadataValue::Text("LTK".into()))));
}
