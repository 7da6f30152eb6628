//! Cost of the ledger's updates: instructions (wasmi fuel) of
//! `icrc1_transfer` (plain, and with a `created_at_time` and memo, which
//! the ledger checks against its recent transactions), `icrc2_approve`,
//! `icrc2_transfer_from` and the ICRC-21 consent message of a transfer,
//! each from the ingress message to the reply, after a hundred transfers.
//!
//! `cargo bench -p ledger --bench transfer` prints a Markdown table. The
//! release wasm runs in process on the local network's replica;
//! instruction counts do not depend on the machine.

#![allow(clippy::unwrap_used)]

use candid::{Nat, Principal};
use localnet::config::CanisterSpec;
use localnet::replica::{ExecutionLimits, Replica, ReplicaConfig};
use serde_bytes::ByteBuf;
use sigil_api::icrc21::{
    ConsentMessageMetadata, ConsentMessageRequest, ConsentMessageSpec, Icrc21ConsentMessage,
};
use sigil_api::ledger::{
    Account, ApproveArgs, Icrc1Transfer, Icrc2Approve, Icrc2TransferFrom, LedgerInit, TransferArg,
    TransferFromArgs,
};
use sigil_api::method::Method;

fn run<M: Method>(
    replica: &mut Replica,
    canister: Principal,
    sender: Principal,
    args: &M::Args,
) -> (M::Response, u64) {
    let arg = candid::encode_one(args).unwrap();
    let (reply, instructions) =
        localnet::testing::run_update(replica, canister, sender, M::NAME, arg).unwrap();
    (candid::decode_one(&reply).unwrap(), instructions)
}

fn principal(n: u8) -> Principal {
    Principal::self_authenticating([n; 32])
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

fn main() {
    let state_dir = std::env::temp_dir().join(format!("ledger-bench-{}", std::process::id()));
    std::fs::create_dir_all(&state_dir).unwrap();
    let mut replica = Replica::open(ReplicaConfig {
        state_dir: state_dir.clone(),
        limits: ExecutionLimits::default(),
    })
    .unwrap();
    let ledger = localnet::ids::canister_id(3_000);
    let (alice, bob) = (principal(1), principal(2));
    let init = LedgerInit {
        name: "Local token".into(),
        symbol: "LTK".into(),
        decimals: 8,
        fee: Nat::from(10_000u64),
        minting_account: Account::of(principal(99)),
        initial_balances: vec![(Account::of(alice), Nat::from(1_000_000_000_000u64))],
    };
    let specs = [CanisterSpec {
        name: "ledger".into(),
        wasm: localnet::testing::canister_wasm("ledger"),
        init_arg: candid::encode_one(init).unwrap(),
        id: Some(ledger),
    }];
    localnet::deploy::deploy(&mut replica, &state_dir, &specs).unwrap();

    for _ in 0..100 {
        run::<Icrc1Transfer>(&mut replica, ledger, alice, &transfer(bob, 1_000))
            .0
            .unwrap();
    }
    let (done, plain) = run::<Icrc1Transfer>(&mut replica, ledger, alice, &transfer(bob, 1_000));
    done.unwrap();
    let mut timed = transfer(bob, 1_000);
    timed.created_at_time = Some(replica.time_nanos());
    timed.memo = Some(ByteBuf::from(b"invoice 42".to_vec()));
    let (done, deduplicated) = run::<Icrc1Transfer>(&mut replica, ledger, alice, &timed);
    done.unwrap();
    let approve = ApproveArgs {
        from_subaccount: None,
        spender: Account::of(bob),
        amount: Nat::from(1_000_000u64),
        expected_allowance: None,
        expires_at: None,
        fee: None,
        memo: None,
        created_at_time: None,
    };
    let (done, approved) = run::<Icrc2Approve>(&mut replica, ledger, alice, &approve);
    done.unwrap();
    let take = TransferFromArgs {
        spender_subaccount: None,
        from: Account::of(alice),
        to: Account::of(principal(3)),
        amount: Nat::from(1_000u64),
        fee: None,
        memo: None,
        created_at_time: None,
    };
    let (done, taken) = run::<Icrc2TransferFrom>(&mut replica, ledger, bob, &take);
    done.unwrap();
    let consent = ConsentMessageRequest {
        method: "icrc1_transfer".into(),
        arg: ByteBuf::from(candid::encode_one(transfer(bob, 1_000)).unwrap()),
        user_preferences: ConsentMessageSpec {
            metadata: ConsentMessageMetadata {
                language: "en".into(),
                utc_offset_minutes: None,
            },
            device_spec: None,
        },
    };
    let (done, consented) = run::<Icrc21ConsentMessage>(&mut replica, ledger, alice, &consent);
    done.unwrap();

    println!("| update (after 100 transfers) | instructions |");
    println!("| --- | ---: |");
    println!("| `icrc1_transfer` | {plain} |");
    println!("| `icrc1_transfer` with `created_at_time` and memo | {deduplicated} |");
    println!("| `icrc2_approve` | {approved} |");
    println!("| `icrc2_transfer_from` | {taken} |");
    println!("| `icrc21_canister_call_consent_message`, a transfer | {consented} |");
    let _ = std::fs::remove_dir_all(state_dir);
}
