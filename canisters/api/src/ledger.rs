//! Interface of the `ledger` canister: a local ICRC-1 / ICRC-2 token ledger
//! for development and tests (on mainnet the wallet talks to the real
//! ledgers). The records are the standards' own, field for field, so the
//! same types talk to any ICRC ledger. See `canisters/ledger/ledger.did`.

use candid::{CandidType, Deserialize, Nat, Principal};
use serde_bytes::ByteBuf;

use crate::method::method;

/// Bytes of a subaccount.
pub const SUBACCOUNT_LEN: usize = 32;
/// The longest memo the ledger keeps, in bytes.
pub const MAX_MEMO_LEN: usize = 32;
/// How long a transaction with a `created_at_time` is remembered to spot
/// its duplicates (ICRC-1: 24 hours), and how far ahead a clock may be.
pub const TRANSACTION_WINDOW_NS: u64 = 24 * 60 * 60 * 1_000_000_000;
pub const PERMITTED_DRIFT_NS: u64 = 60 * 1_000_000_000;

/// An ICRC-1 account: an owner and an optional 32-byte subaccount (none is
/// the same account as 32 zero bytes).
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Account {
    pub owner: Principal,
    pub subaccount: Option<ByteBuf>,
}

impl Account {
    pub fn of(owner: Principal) -> Self {
        Self {
            owner,
            subaccount: None,
        }
    }
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct TransferArg {
    pub from_subaccount: Option<ByteBuf>,
    pub to: Account,
    pub amount: Nat,
    pub fee: Option<Nat>,
    pub memo: Option<ByteBuf>,
    pub created_at_time: Option<u64>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum TransferError {
    BadFee { expected_fee: Nat },
    BadBurn { min_burn_amount: Nat },
    InsufficientFunds { balance: Nat },
    TooOld,
    CreatedInFuture { ledger_time: u64 },
    TemporarilyUnavailable,
    Duplicate { duplicate_of: Nat },
    GenericError { error_code: Nat, message: String },
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ApproveArgs {
    pub from_subaccount: Option<ByteBuf>,
    pub spender: Account,
    pub amount: Nat,
    pub expected_allowance: Option<Nat>,
    pub expires_at: Option<u64>,
    pub fee: Option<Nat>,
    pub memo: Option<ByteBuf>,
    pub created_at_time: Option<u64>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum ApproveError {
    BadFee { expected_fee: Nat },
    InsufficientFunds { balance: Nat },
    AllowanceChanged { current_allowance: Nat },
    Expired { ledger_time: u64 },
    TooOld,
    CreatedInFuture { ledger_time: u64 },
    Duplicate { duplicate_of: Nat },
    TemporarilyUnavailable,
    GenericError { error_code: Nat, message: String },
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct TransferFromArgs {
    pub spender_subaccount: Option<ByteBuf>,
    pub from: Account,
    pub to: Account,
    pub amount: Nat,
    pub fee: Option<Nat>,
    pub memo: Option<ByteBuf>,
    pub created_at_time: Option<u64>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum TransferFromError {
    BadFee { expected_fee: Nat },
    BadBurn { min_burn_amount: Nat },
    InsufficientFunds { balance: Nat },
    InsufficientAllowance { allowance: Nat },
    TooOld,
    CreatedInFuture { ledger_time: u64 },
    Duplicate { duplicate_of: Nat },
    TemporarilyUnavailable,
    GenericError { error_code: Nat, message: String },
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AllowanceArgs {
    pub account: Account,
    pub spender: Account,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Allowance {
    pub allowance: Nat,
    pub expires_at: Option<u64>,
}

/// A metadata value (ICRC-1).
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum MetadataValue {
    Nat(Nat),
    Int(candid::Int),
    Text(String),
    Blob(ByteBuf),
}

/// A standard the ledger implements, with the URL of its text.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct StandardRecord {
    pub name: String,
    pub url: String,
}

/// The install argument.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct LedgerInit {
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
    /// Charged on every transfer and approval, not on minting or burning.
    pub fee: Nat,
    /// Transfers from it mint; transfers to it burn.
    pub minting_account: Account,
    pub initial_balances: Vec<(Account, Nat)>,
}

method!(
    /// Moves `amount` from the caller's account (and subaccount) to `to`.
    Icrc1Transfer = "icrc1_transfer", Update, TransferArg => Result<Nat, TransferError>
);
method!(Icrc1BalanceOf = "icrc1_balance_of", Query, Account => Nat);
method!(Icrc1Fee = "icrc1_fee", Query, () => Nat);
method!(
    /// Lets `spender` take up to `amount` from the caller's account.
    Icrc2Approve = "icrc2_approve", Update, ApproveArgs => Result<Nat, ApproveError>
);
method!(
    /// Moves `amount` from `from` to `to`, as a spender `from` approved.
    Icrc2TransferFrom = "icrc2_transfer_from", Update, TransferFromArgs => Result<Nat, TransferFromError>
);
method!(Icrc2Allowance = "icrc2_allowance", Query, AllowanceArgs => Allowance);
