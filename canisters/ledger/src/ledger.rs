//! The ledger's rules, as plain Rust over its [`Ledger`] state, so they
//! unit-test on the host: ICRC-1 transfers (mint from the minting account,
//! burn to it), ICRC-2 approvals and transfers by a spender, and the
//! deduplication of transactions that name a `created_at_time`.
//!
//! Invariants:
//! - an account without a subaccount is the account with 32 zero bytes;
//!   any other length is refused;
//! - a transaction changes balances completely or not at all, and the sum
//!   of the balances is the total supply;
//! - a transaction with a `created_at_time` is done once: the same one again
//!   within [`TRANSACTION_WINDOW_NS`] is answered `Duplicate` with the
//!   first one's index; older ones are `TooOld`, ones further ahead than
//!   [`PERMITTED_DRIFT_NS`] are `CreatedInFuture`.

use std::collections::BTreeMap;

use candid::{CandidType, Deserialize, Nat, Principal};
use serde_bytes::ByteBuf;
use sigil_api::ledger::{
    Account, Allowance, AllowanceArgs, ApproveArgs, LedgerInit, MAX_MEMO_LEN, PERMITTED_DRIFT_NS,
    SUBACCOUNT_LEN, TRANSACTION_WINDOW_NS, TransferArg, TransferFromArgs,
};

/// An account as the ledger keys it: the owner and all 32 subaccount bytes.
pub type AccountKey = (Principal, [u8; SUBACCOUNT_LEN]);

/// Why a transaction was refused; each entry point turns it into its own
/// standard error type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    BadFee { expected_fee: u128 },
    BadBurn { min_burn_amount: u128 },
    InsufficientFunds { balance: u128 },
    InsufficientAllowance { allowance: u128 },
    AllowanceChanged { current_allowance: u128 },
    Expired { ledger_time: u64 },
    TooOld,
    CreatedInFuture { ledger_time: u64 },
    Duplicate { duplicate_of: u64 },
    Generic { error_code: u64, message: String },
}

fn generic(error_code: u64, message: impl Into<String>) -> Refusal {
    Refusal::Generic {
        error_code,
        message: message.into(),
    }
}

/// Error codes of `GenericError`.
pub const BAD_ACCOUNT: u64 = 1;
pub const BAD_MEMO: u64 = 2;
pub const AMOUNT_TOO_LARGE: u64 = 3;
pub const SELF_APPROVAL: u64 = 4;

/// The fields a transfer and a spender's transfer share.
struct Moved<'a> {
    amount: &'a Nat,
    fee: Option<&'a Nat>,
    memo: Option<&'a ByteBuf>,
    created_at_time: Option<u64>,
}

/// What a transaction did, as kept for deduplication.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    Transfer {
        from: AccountKey,
        to: AccountKey,
        amount: u128,
        fee: Option<u128>,
        spender: Option<AccountKey>,
    },
    Approve {
        from: AccountKey,
        spender: AccountKey,
        amount: u128,
        expected_allowance: Option<u128>,
        expires_at: Option<u64>,
        fee: Option<u128>,
    },
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub operation: Operation,
    pub memo: Option<ByteBuf>,
    pub created_at_time: Option<u64>,
    /// When the ledger executed it.
    pub time: u64,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct StoredAllowance {
    pub amount: u128,
    pub expires_at: Option<u64>,
}

/// The ledger's whole state (kept across upgrades, see `lib.rs`).
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Ledger {
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
    pub fee: u128,
    pub minting_account: AccountKey,
    pub balances: BTreeMap<AccountKey, u128>,
    pub allowances: BTreeMap<(AccountKey, AccountKey), StoredAllowance>,
    /// Every transaction, by index.
    pub transactions: Vec<Transaction>,
}

/// `value` as a `u128`, or the refusal a larger number gets.
pub fn amount(value: &Nat) -> Result<u128, Refusal> {
    u128::try_from(value.0.clone())
        .map_err(|_| generic(AMOUNT_TOO_LARGE, "the amount is too large"))
}

fn subaccount(bytes: Option<&ByteBuf>) -> Result<[u8; SUBACCOUNT_LEN], Refusal> {
    match bytes {
        None => Ok([0; SUBACCOUNT_LEN]),
        Some(bytes) => <[u8; SUBACCOUNT_LEN]>::try_from(bytes.as_slice())
            .map_err(|_| generic(BAD_ACCOUNT, "a subaccount is exactly 32 bytes")),
    }
}

/// The key of `account`.
pub fn key(account: &Account) -> Result<AccountKey, Refusal> {
    Ok((account.owner, subaccount(account.subaccount.as_ref())?))
}

fn check_memo(memo: Option<&ByteBuf>) -> Result<(), Refusal> {
    match memo {
        Some(memo) if memo.len() > MAX_MEMO_LEN => Err(generic(
            BAD_MEMO,
            format!("a memo is at most {MAX_MEMO_LEN} bytes"),
        )),
        _ => Ok(()),
    }
}

impl Ledger {
    pub fn new(init: &LedgerInit) -> Result<Self, String> {
        let refused = |refusal: Refusal| format!("{refusal:?}");
        let mut ledger = Self {
            name: init.name.clone(),
            symbol: init.symbol.clone(),
            decimals: init.decimals,
            fee: amount(&init.fee).map_err(refused)?,
            minting_account: key(&init.minting_account).map_err(refused)?,
            balances: BTreeMap::new(),
            allowances: BTreeMap::new(),
            transactions: Vec::new(),
        };
        for (account, value) in &init.initial_balances {
            let account = key(account).map_err(refused)?;
            let value = amount(value).map_err(refused)?;
            let balance = ledger.balances.entry(account).or_default();
            *balance = balance
                .checked_add(value)
                .ok_or("the initial balances overflow")?;
        }
        Ok(ledger)
    }

    pub fn balance(&self, account: &AccountKey) -> u128 {
        self.balances.get(account).copied().unwrap_or(0)
    }

    pub fn total_supply(&self) -> u128 {
        self.balances
            .values()
            .fold(0, |sum, b| sum.saturating_add(*b))
    }

    /// `TooOld`, `CreatedInFuture` or `Duplicate` for a transaction doing
    /// `operation` with `memo` at `created_at_time`, seen at `now`.
    fn check_time(
        &self,
        operation: &Operation,
        memo: Option<&ByteBuf>,
        created_at_time: Option<u64>,
        now: u64,
    ) -> Result<(), Refusal> {
        let Some(created) = created_at_time else {
            return Ok(());
        };
        if created.saturating_add(TRANSACTION_WINDOW_NS + PERMITTED_DRIFT_NS) < now {
            return Err(Refusal::TooOld);
        }
        if created > now.saturating_add(PERMITTED_DRIFT_NS) {
            return Err(Refusal::CreatedInFuture { ledger_time: now });
        }
        let oldest = now.saturating_sub(TRANSACTION_WINDOW_NS + PERMITTED_DRIFT_NS);
        let duplicate = self
            .transactions
            .iter()
            .enumerate()
            .rev()
            .take_while(|(_, tx)| tx.time >= oldest)
            .find(|(_, tx)| {
                tx.created_at_time == Some(created)
                    && tx.memo.as_ref() == memo
                    && &tx.operation == operation
            });
        match duplicate {
            Some((index, _)) => Err(Refusal::Duplicate {
                duplicate_of: index as u64,
            }),
            None => Ok(()),
        }
    }

    fn record(
        &mut self,
        operation: Operation,
        memo: Option<ByteBuf>,
        created_at_time: Option<u64>,
        now: u64,
    ) -> u64 {
        self.transactions.push(Transaction {
            operation,
            memo,
            created_at_time,
            time: now,
        });
        (self.transactions.len() - 1) as u64
    }

    /// Moves `amount` plus `fee` out of `from` and `amount` into `to`;
    /// minting and burning charge no fee.
    fn move_funds(
        &mut self,
        from: AccountKey,
        to: AccountKey,
        amount: u128,
        fee: u128,
    ) -> Result<(), Refusal> {
        let minting = self.minting_account;
        if from != minting {
            let balance = self.balance(&from);
            let debit = amount
                .checked_add(fee)
                .ok_or_else(|| generic(AMOUNT_TOO_LARGE, "the amount is too large"))?;
            if balance < debit {
                return Err(Refusal::InsufficientFunds { balance });
            }
            self.balances.insert(from, balance - debit);
        }
        if to != minting {
            let balance = self.balance(&to);
            let credit = balance
                .checked_add(amount)
                .ok_or_else(|| generic(AMOUNT_TOO_LARGE, "the amount is too large"))?;
            self.balances.insert(to, credit);
        }
        self.balances.retain(|_, balance| *balance > 0);
        Ok(())
    }

    /// The fee a transfer from `from` to `to` pays, checked against the
    /// one the caller named.
    fn transfer_fee(
        &self,
        from: &AccountKey,
        to: &AccountKey,
        amount: u128,
        named: Option<u128>,
    ) -> Result<u128, Refusal> {
        let minting = self.minting_account;
        let expected = if *from == minting || *to == minting {
            0
        } else {
            self.fee
        };
        if named.is_some_and(|fee| fee != expected) {
            return Err(Refusal::BadFee {
                expected_fee: expected,
            });
        }
        if *to == minting && amount < self.fee {
            return Err(Refusal::BadBurn {
                min_burn_amount: self.fee,
            });
        }
        Ok(expected)
    }

    /// A transfer's operation, amount and fee, once its fields, fee and
    /// time are checked.
    fn read_transfer(
        &self,
        from: AccountKey,
        to: AccountKey,
        spender: Option<AccountKey>,
        moved: Moved,
        now: u64,
    ) -> Result<(Operation, u128, u128), Refusal> {
        let value = amount(moved.amount)?;
        let named_fee = moved.fee.map(amount).transpose()?;
        check_memo(moved.memo)?;
        let fee = self.transfer_fee(&from, &to, value, named_fee)?;
        let operation = Operation::Transfer {
            from,
            to,
            amount: value,
            fee: named_fee,
            spender,
        };
        self.check_time(&operation, moved.memo, moved.created_at_time, now)?;
        Ok((operation, value, fee))
    }

    /// ICRC-1 `icrc1_transfer` by `caller` at `now`; the transaction's index.
    pub fn transfer(
        &mut self,
        caller: Principal,
        args: &TransferArg,
        now: u64,
    ) -> Result<u64, Refusal> {
        let from = (caller, subaccount(args.from_subaccount.as_ref())?);
        let to = key(&args.to)?;
        let moved = Moved {
            amount: &args.amount,
            fee: args.fee.as_ref(),
            memo: args.memo.as_ref(),
            created_at_time: args.created_at_time,
        };
        let (operation, value, fee) = self.read_transfer(from, to, None, moved, now)?;
        self.move_funds(from, to, value, fee)?;
        Ok(self.record(operation, args.memo.clone(), args.created_at_time, now))
    }

    /// What `spender` may take from `from` at `now`, unless it expired.
    fn live_allowance(
        &self,
        from: AccountKey,
        spender: AccountKey,
        now: u64,
    ) -> Option<&StoredAllowance> {
        self.allowances
            .get(&(from, spender))
            .filter(|a| a.expires_at.is_none_or(|at| at > now))
    }

    /// The allowance `spender` has on `account` at `now` (0 once expired).
    pub fn allowance(&self, args: &AllowanceArgs, now: u64) -> Result<Allowance, Refusal> {
        let live = self.live_allowance(key(&args.account)?, key(&args.spender)?, now);
        Ok(Allowance {
            allowance: Nat::from(live.map_or(0, |a| a.amount)),
            expires_at: live.and_then(|a| a.expires_at),
        })
    }

    /// ICRC-2 `icrc2_approve` by `caller` at `now`: sets (not adds to) the
    /// allowance, paying the fee.
    pub fn approve(
        &mut self,
        caller: Principal,
        args: &ApproveArgs,
        now: u64,
    ) -> Result<u64, Refusal> {
        let from = (caller, subaccount(args.from_subaccount.as_ref())?);
        let spender = key(&args.spender)?;
        if from.0 == spender.0 {
            return Err(generic(
                SELF_APPROVAL,
                "an account cannot approve its own owner",
            ));
        }
        let value = amount(&args.amount)?;
        let named_fee = args.fee.as_ref().map(amount).transpose()?;
        let expected_allowance = args.expected_allowance.as_ref().map(amount).transpose()?;
        check_memo(args.memo.as_ref())?;
        if named_fee.is_some_and(|fee| fee != self.fee) {
            return Err(Refusal::BadFee {
                expected_fee: self.fee,
            });
        }
        if let Some(at) = args.expires_at
            && at <= now
        {
            return Err(Refusal::Expired { ledger_time: now });
        }
        let operation = Operation::Approve {
            from,
            spender,
            amount: value,
            expected_allowance,
            expires_at: args.expires_at,
            fee: named_fee,
        };
        self.check_time(&operation, args.memo.as_ref(), args.created_at_time, now)?;
        let current = self
            .live_allowance(from, spender, now)
            .map_or(0, |a| a.amount);
        if expected_allowance.is_some_and(|expected| expected != current) {
            return Err(Refusal::AllowanceChanged {
                current_allowance: current,
            });
        }
        let balance = self.balance(&from);
        if balance < self.fee {
            return Err(Refusal::InsufficientFunds { balance });
        }
        self.balances.insert(from, balance - self.fee);
        self.balances.retain(|_, balance| *balance > 0);
        if value == 0 {
            self.allowances.remove(&(from, spender));
        } else {
            self.allowances.insert(
                (from, spender),
                StoredAllowance {
                    amount: value,
                    expires_at: args.expires_at,
                },
            );
        }
        Ok(self.record(operation, args.memo.clone(), args.created_at_time, now))
    }

    /// ICRC-2 `icrc2_transfer_from` by `caller` (the spender) at `now`.
    pub fn transfer_from(
        &mut self,
        caller: Principal,
        args: &TransferFromArgs,
        now: u64,
    ) -> Result<u64, Refusal> {
        let spender = (caller, subaccount(args.spender_subaccount.as_ref())?);
        let from = key(&args.from)?;
        let to = key(&args.to)?;
        let moved = Moved {
            amount: &args.amount,
            fee: args.fee.as_ref(),
            memo: args.memo.as_ref(),
            created_at_time: args.created_at_time,
        };
        let (operation, value, fee) = self.read_transfer(from, to, Some(spender), moved, now)?;
        let needed = value.saturating_add(fee);
        let allowance = self
            .live_allowance(from, spender, now)
            .map_or(0, |a| a.amount);
        if spender != from && allowance < needed {
            return Err(Refusal::InsufficientAllowance { allowance });
        }
        self.move_funds(from, to, value, fee)?;
        if spender != from {
            let left = allowance - needed;
            if left == 0 {
                self.allowances.remove(&(from, spender));
            } else if let Some(stored) = self.allowances.get_mut(&(from, spender)) {
                stored.amount = left;
            }
        }
        Ok(self.record(operation, args.memo.clone(), args.created_at_time, now))
    }
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
