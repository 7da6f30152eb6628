//! A local ICRC-1 / ICRC-2 token ledger for development and tests: the
//! wallet's tokens and the ICRC signer's calls have a real ledger to talk
//! to on localnet (on mainnet the wallet talks to the real ledgers, and
//! this canister is not deployed there).
//!
//! - ICRC-1: `icrc1_transfer` (minting from the minting account, burning
//!   to it), balances, metadata, fee, total supply;
//! - ICRC-2: `icrc2_approve`, `icrc2_allowance`, `icrc2_transfer_from`;
//! - ICRC-10: the standards it supports;
//! - ICRC-21: consent messages for its transfers and approvals
//!   ([`consent`]).
//!
//! The rules are in [`ledger`]; [`errors`] turns its refusals into each
//! method's error type. Stable memory layout: one `StableCell` holding the
//! whole [`ledger::Ledger`] (Candid), written after every change, so an
//! acknowledged transaction survives upgrades and restarts. A ledger for
//! tests is small; a production ledger would keep blocks instead.

pub mod consent;
pub mod errors;
pub mod ledger;

use std::borrow::Cow;
use std::cell::RefCell;

use candid::{Nat, Principal};
use ic_cdk::{init, query, update};
use ic_stable_structures::storable::Bound;
use ic_stable_structures::{DefaultMemoryImpl, StableCell, Storable};
use sigil_api::icrc21::{ConsentInfo, ConsentMessageRequest, Icrc21Error};
use sigil_api::ledger::{
    Account, Allowance, AllowanceArgs, ApproveArgs, ApproveError, LedgerInit, MetadataValue,
    StandardRecord, TransferArg, TransferError, TransferFromArgs, TransferFromError,
};

use crate::ledger::{Ledger, Refusal, key};

/// The ledger as stable memory keeps it (`None` until installed).
#[derive(candid::CandidType, serde::Deserialize, Clone, Default)]
struct Stored(Option<Ledger>);

impl Storable for Stored {
    fn to_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Owned(candid::encode_one(self).unwrap_or_default())
    }
    fn into_bytes(self) -> Vec<u8> {
        candid::encode_one(&self).unwrap_or_default()
    }
    fn from_bytes(bytes: Cow<[u8]>) -> Self {
        candid::decode_one(&bytes).unwrap_or_default()
    }
    const BOUND: Bound = Bound::Unbounded;
}

thread_local! {
    static STATE: RefCell<StableCell<Stored, DefaultMemoryImpl>> =
        RefCell::new(StableCell::init(DefaultMemoryImpl::default(), Stored::default()));
}

fn with_ledger<R>(f: impl FnOnce(&Ledger) -> R) -> R {
    STATE.with_borrow(|cell| match &cell.get().0 {
        Some(ledger) => f(ledger),
        None => ic_cdk::trap("the ledger is not installed"),
    })
}

/// Runs `change` on the ledger and keeps the result if it succeeded.
fn change<R>(change: impl FnOnce(&mut Ledger) -> Result<R, Refusal>) -> Result<R, Refusal> {
    STATE.with_borrow_mut(|cell| {
        let mut ledger = cell
            .get()
            .0
            .clone()
            .unwrap_or_else(|| ic_cdk::trap("the ledger is not installed"));
        let result = change(&mut ledger)?;
        cell.set(Stored(Some(ledger)));
        Ok(result)
    })
}

fn caller() -> Principal {
    ic_cdk::api::msg_caller()
}

fn now() -> u64 {
    ic_cdk::api::time()
}

#[init]
fn init(args: LedgerInit) {
    let ledger = Ledger::new(&args).unwrap_or_else(|error| ic_cdk::trap(error));
    STATE.with_borrow_mut(|cell| cell.set(Stored(Some(ledger))));
}

#[query]
fn icrc1_name() -> String {
    with_ledger(|l| l.name.clone())
}

#[query]
fn icrc1_symbol() -> String {
    with_ledger(|l| l.symbol.clone())
}

#[query]
fn icrc1_decimals() -> u8 {
    with_ledger(|l| l.decimals)
}

#[query]
fn icrc1_fee() -> Nat {
    with_ledger(|l| Nat::from(l.fee))
}

#[query]
fn icrc1_total_supply() -> Nat {
    with_ledger(|l| Nat::from(l.total_supply()))
}

#[query]
fn icrc1_minting_account() -> Option<Account> {
    with_ledger(|l| {
        let (owner, subaccount) = l.minting_account;
        Some(Account {
            owner,
            subaccount: (subaccount != [0; 32])
                .then(|| serde_bytes::ByteBuf::from(subaccount.to_vec())),
        })
    })
}

#[query]
fn icrc1_metadata() -> Vec<(String, MetadataValue)> {
    with_ledger(|l| {
        vec![
            ("icrc1:name".into(), MetadataValue::Text(l.name.clone())),
            ("icrc1:symbol".into(), MetadataValue::Text(l.symbol.clone())),
            (
                "icrc1:decimals".into(),
                MetadataValue::Nat(Nat::from(l.decimals)),
            ),
            ("icrc1:fee".into(), MetadataValue::Nat(Nat::from(l.fee))),
        ]
    })
}

/// An account with a malformed subaccount holds nothing.
#[query]
fn icrc1_balance_of(account: Account) -> Nat {
    with_ledger(|l| Nat::from(key(&account).map_or(0, |key| l.balance(&key))))
}

fn standards() -> Vec<StandardRecord> {
    let standard = |name: &str, number: u32| StandardRecord {
        name: name.into(),
        url: format!("https://github.com/dfinity/ICRC-1/tree/main/standards/ICRC-{number}"),
    };
    vec![
        standard("ICRC-1", 1),
        standard("ICRC-2", 2),
        StandardRecord {
            name: "ICRC-10".into(),
            url: "https://github.com/dfinity/ICRC/blob/main/ICRCs/ICRC-10/ICRC-10.md".into(),
        },
    ]
}

#[query]
fn icrc1_supported_standards() -> Vec<StandardRecord> {
    standards()
}

#[query]
fn icrc10_supported_standards() -> Vec<StandardRecord> {
    standards()
}

#[update]
fn icrc1_transfer(args: TransferArg) -> Result<Nat, TransferError> {
    change(|l| l.transfer(caller(), &args, now()))
        .map(Nat::from)
        .map_err(errors::transfer_error)
}

#[update]
fn icrc2_approve(args: ApproveArgs) -> Result<Nat, ApproveError> {
    change(|l| l.approve(caller(), &args, now()))
        .map(Nat::from)
        .map_err(errors::approve_error)
}

#[update]
fn icrc2_transfer_from(args: TransferFromArgs) -> Result<Nat, TransferFromError> {
    change(|l| l.transfer_from(caller(), &args, now()))
        .map(Nat::from)
        .map_err(errors::transfer_from_error)
}

/// What a call of this ledger would do, in words (ICRC-21); the sender is
/// shown when the caller is not anonymous.
#[update]
fn icrc21_canister_call_consent_message(
    request: ConsentMessageRequest,
) -> Result<ConsentInfo, Icrc21Error> {
    let caller = Some(caller()).filter(|c| *c != Principal::anonymous());
    with_ledger(|l| consent::consent_message(l, caller, &request))
}

/// An allowance between malformed accounts is none.
#[query]
fn icrc2_allowance(args: AllowanceArgs) -> Allowance {
    with_ledger(|l| {
        l.allowance(&args, now()).unwrap_or(Allowance {
            allowance: Nat::from(0u8),
            expires_at: None,
        })
    })
}

#[cfg(test)]
mod tests;

ic_cdk::export_candid!();
