#![allow(clippy::unwrap_used)] // test code

use super::*;

const FEE: u128 = 10_000;
const NOW: u64 = 1_700_000_000_000_000_000;
const SECOND: u64 = 1_000_000_000;

fn principal(n: u8) -> Principal {
    Principal::from_slice(&[n; 29])
}

fn account(n: u8) -> Account {
    Account::of(principal(n))
}

fn minter() -> Account {
    account(99)
}

/// A ledger where 1 has 1,000,000 and 2 has 50,000.
fn ledger() -> Ledger {
    Ledger::new(&LedgerInit {
        name: "Test token".into(),
        symbol: "TT".into(),
        decimals: 8,
        fee: Nat::from(FEE),
        minting_account: minter(),
        initial_balances: vec![
            (account(1), Nat::from(1_000_000u64)),
            (account(2), Nat::from(50_000u64)),
        ],
    })
    .unwrap()
}

fn transfer(to: Account, amount: u128) -> TransferArg {
    TransferArg {
        from_subaccount: None,
        to,
        amount: Nat::from(amount),
        fee: None,
        memo: None,
        created_at_time: None,
    }
}

fn balance(ledger: &Ledger, account: &Account) -> u128 {
    ledger.balance(&key(account).unwrap())
}

#[test]
fn should_move_the_amount_and_charge_the_fee() {
    let mut ledger = ledger();
    let supply = ledger.total_supply();
    assert_eq!(
        ledger.transfer(principal(1), &transfer(account(3), 100_000), NOW),
        Ok(0)
    );
    assert_eq!(balance(&ledger, &account(1)), 1_000_000 - 100_000 - FEE);
    assert_eq!(balance(&ledger, &account(3)), 100_000);
    assert_eq!(ledger.total_supply(), supply - FEE, "the fee is burnt");
    assert_eq!(
        ledger.transfer(principal(1), &transfer(account(3), 1), NOW),
        Ok(1),
        "the next index"
    );
}

#[test]
fn should_treat_no_subaccount_as_zero_bytes_and_refuse_other_lengths() {
    let mut ledger = ledger();
    let zero = Account {
        owner: principal(1),
        subaccount: Some(ByteBuf::from(vec![0; 32])),
    };
    assert_eq!(balance(&ledger, &zero), 1_000_000);
    let mut args = transfer(account(3), 1);
    args.from_subaccount = Some(ByteBuf::from(vec![1; 31]));
    assert!(matches!(
        ledger.transfer(principal(1), &args, NOW),
        Err(Refusal::Generic {
            error_code: BAD_ACCOUNT,
            ..
        })
    ));
    let bad_to = Account {
        owner: principal(3),
        subaccount: Some(ByteBuf::from(vec![1; 33])),
    };
    assert!(matches!(
        ledger.transfer(principal(1), &transfer(bad_to, 1), NOW),
        Err(Refusal::Generic {
            error_code: BAD_ACCOUNT,
            ..
        })
    ));
    let sub = Account {
        owner: principal(1),
        subaccount: Some(ByteBuf::from(vec![7; 32])),
    };
    ledger
        .transfer(principal(1), &transfer(sub.clone(), 500_000), NOW)
        .unwrap();
    let mut from_sub = transfer(account(3), 1_000);
    from_sub.from_subaccount = Some(ByteBuf::from(vec![7; 32]));
    ledger.transfer(principal(1), &from_sub, NOW).unwrap();
    assert_eq!(balance(&ledger, &sub), 500_000 - 1_000 - FEE);
}

#[test]
fn should_refuse_every_bad_transfer_and_change_nothing() {
    let mut ledger = ledger();
    let before = ledger.clone();
    let mut wrong_fee = transfer(account(3), 1);
    wrong_fee.fee = Some(Nat::from(1u8));
    let mut long_memo = transfer(account(3), 1);
    long_memo.memo = Some(ByteBuf::from(vec![0; MAX_MEMO_LEN + 1]));
    let cases = [
        (
            principal(2),
            wrong_fee,
            Refusal::BadFee { expected_fee: FEE },
        ),
        (
            principal(2),
            transfer(account(3), 50_000),
            Refusal::InsufficientFunds { balance: 50_000 },
        ),
        (
            principal(3),
            transfer(account(2), 1),
            Refusal::InsufficientFunds { balance: 0 },
        ),
        (
            principal(2),
            transfer(minter(), FEE - 1),
            Refusal::BadBurn {
                min_burn_amount: FEE,
            },
        ),
        (
            principal(2),
            long_memo,
            Refusal::Generic {
                error_code: BAD_MEMO,
                message: "a memo is at most 32 bytes".into(),
            },
        ),
    ];
    for (caller, args, refusal) in cases {
        assert_eq!(ledger.transfer(caller, &args, NOW), Err(refusal));
    }
    let mut huge = transfer(account(3), 0);
    huge.amount = Nat::from(u128::MAX) + Nat::from(1u8);
    assert!(matches!(
        ledger.transfer(principal(1), &huge, NOW),
        Err(Refusal::Generic {
            error_code: AMOUNT_TOO_LARGE,
            ..
        })
    ));
    assert_eq!(ledger, before);
}

#[test]
fn should_mint_from_and_burn_to_the_minting_account_without_a_fee() {
    let mut ledger = ledger();
    let supply = ledger.total_supply();
    ledger
        .transfer(principal(99), &transfer(account(4), 7_000), NOW)
        .unwrap();
    assert_eq!(balance(&ledger, &account(4)), 7_000);
    let mut minting_fee = transfer(account(4), 1);
    minting_fee.fee = Some(Nat::from(FEE));
    assert_eq!(
        ledger.transfer(principal(99), &minting_fee, NOW),
        Err(Refusal::BadFee { expected_fee: 0 })
    );
    ledger
        .transfer(principal(1), &transfer(minter(), FEE), NOW)
        .unwrap();
    assert_eq!(balance(&ledger, &account(1)), 1_000_000 - FEE);
    assert_eq!(ledger.total_supply(), supply + 7_000 - FEE);
}

#[test]
fn should_do_a_timed_transaction_once_and_refuse_stale_or_future_ones() {
    let mut ledger = ledger();
    let mut args = transfer(account(3), 1_000);
    args.created_at_time = Some(NOW - SECOND);
    args.memo = Some(ByteBuf::from(b"invoice 7".to_vec()));
    assert_eq!(ledger.transfer(principal(1), &args, NOW), Ok(0));
    assert_eq!(
        ledger.transfer(principal(1), &args, NOW + 10 * SECOND),
        Err(Refusal::Duplicate { duplicate_of: 0 })
    );
    let mut other_memo = args.clone();
    other_memo.memo = Some(ByteBuf::from(b"invoice 8".to_vec()));
    assert_eq!(
        ledger.transfer(principal(1), &other_memo, NOW),
        Ok(1),
        "another memo is another transaction"
    );
    assert_eq!(
        ledger.transfer(principal(2), &args, NOW),
        Ok(2),
        "another sender too"
    );
    let untimed = transfer(account(3), 1_000);
    assert_eq!(ledger.transfer(principal(1), &untimed, NOW), Ok(3));
    assert_eq!(
        ledger.transfer(principal(1), &untimed, NOW),
        Ok(4),
        "no time, no deduplication"
    );

    let mut old = args.clone();
    old.created_at_time = Some(NOW - TRANSACTION_WINDOW_NS - PERMITTED_DRIFT_NS - 1);
    assert_eq!(
        ledger.transfer(principal(1), &old, NOW),
        Err(Refusal::TooOld)
    );
    let mut future = args.clone();
    future.created_at_time = Some(NOW + PERMITTED_DRIFT_NS + 1);
    assert_eq!(
        ledger.transfer(principal(1), &future, NOW),
        Err(Refusal::CreatedInFuture { ledger_time: NOW })
    );
    // Past the window, the first one is forgotten, and its time too old.
    let later = NOW + TRANSACTION_WINDOW_NS + PERMITTED_DRIFT_NS + SECOND;
    assert_eq!(
        ledger.transfer(principal(1), &args, later),
        Err(Refusal::TooOld)
    );
}

fn approve(spender: Account, amount: u128) -> ApproveArgs {
    ApproveArgs {
        from_subaccount: None,
        spender,
        amount: Nat::from(amount),
        expected_allowance: None,
        expires_at: None,
        fee: None,
        memo: None,
        created_at_time: None,
    }
}

fn transfer_from(from: Account, to: Account, amount: u128) -> TransferFromArgs {
    TransferFromArgs {
        spender_subaccount: None,
        from,
        to,
        amount: Nat::from(amount),
        fee: None,
        memo: None,
        created_at_time: None,
    }
}

fn allowance_of(ledger: &Ledger, from: u8, spender: u8, now: u64) -> u128 {
    let args = AllowanceArgs {
        account: account(from),
        spender: account(spender),
    };
    amount(&ledger.allowance(&args, now).unwrap().allowance).unwrap()
}

#[test]
fn should_let_an_approved_spender_take_up_to_the_allowance() {
    let mut ledger = ledger();
    ledger
        .approve(principal(1), &approve(account(5), 100_000), NOW)
        .unwrap();
    assert_eq!(
        balance(&ledger, &account(1)),
        1_000_000 - FEE,
        "approving costs the fee"
    );
    assert_eq!(allowance_of(&ledger, 1, 5, NOW), 100_000);
    ledger
        .transfer_from(
            principal(5),
            &transfer_from(account(1), account(6), 50_000),
            NOW,
        )
        .unwrap();
    assert_eq!(balance(&ledger, &account(6)), 50_000);
    assert_eq!(allowance_of(&ledger, 1, 5, NOW), 100_000 - 50_000 - FEE);
    assert_eq!(
        ledger.transfer_from(
            principal(5),
            &transfer_from(account(1), account(6), 50_000),
            NOW
        ),
        Err(Refusal::InsufficientAllowance { allowance: 40_000 })
    );
    assert_eq!(
        ledger.transfer_from(principal(7), &transfer_from(account(1), account(7), 1), NOW),
        Err(Refusal::InsufficientAllowance { allowance: 0 }),
        "a stranger has none"
    );
}

#[test]
fn should_set_allowances_with_expiry_and_expected_values() {
    let mut ledger = ledger();
    let mut timed = approve(account(5), 1_000);
    timed.expires_at = Some(NOW + SECOND);
    ledger.approve(principal(1), &timed, NOW).unwrap();
    assert_eq!(allowance_of(&ledger, 1, 5, NOW), 1_000);
    assert_eq!(allowance_of(&ledger, 1, 5, NOW + SECOND), 0, "expired");
    let mut past = approve(account(5), 1);
    past.expires_at = Some(NOW);
    assert_eq!(
        ledger.approve(principal(1), &past, NOW),
        Err(Refusal::Expired { ledger_time: NOW })
    );
    let mut expecting = approve(account(5), 2_000);
    expecting.expected_allowance = Some(Nat::from(7u8));
    assert_eq!(
        ledger.approve(principal(1), &expecting, NOW),
        Err(Refusal::AllowanceChanged {
            current_allowance: 1_000
        })
    );
    expecting.expected_allowance = Some(Nat::from(1_000u64));
    ledger.approve(principal(1), &expecting, NOW).unwrap();
    assert_eq!(allowance_of(&ledger, 1, 5, NOW), 2_000, "set, not added");
    assert!(matches!(
        ledger.approve(principal(1), &approve(account(1), 5), NOW),
        Err(Refusal::Generic {
            error_code: SELF_APPROVAL,
            ..
        })
    ));
    let mut wrong_fee = approve(account(5), 5);
    wrong_fee.fee = Some(Nat::from(0u8));
    assert_eq!(
        ledger.approve(principal(1), &wrong_fee, NOW),
        Err(Refusal::BadFee { expected_fee: FEE })
    );
    assert_eq!(
        ledger.approve(principal(3), &approve(account(5), 5), NOW),
        Err(Refusal::InsufficientFunds { balance: 0 })
    );
}

#[test]
fn should_refuse_a_spender_more_than_the_owner_has() {
    let mut ledger = ledger();
    ledger
        .approve(principal(2), &approve(account(5), 1_000_000), NOW)
        .unwrap();
    assert_eq!(
        ledger.transfer_from(
            principal(5),
            &transfer_from(account(2), account(6), 40_000),
            NOW
        ),
        Err(Refusal::InsufficientFunds { balance: 40_000 })
    );
    let mut timed = transfer_from(account(2), account(6), 1_000);
    timed.created_at_time = Some(NOW);
    assert_eq!(ledger.transfer_from(principal(5), &timed, NOW), Ok(1));
    assert_eq!(
        ledger.transfer_from(principal(5), &timed, NOW),
        Err(Refusal::Duplicate { duplicate_of: 1 })
    );
}
