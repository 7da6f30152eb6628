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

    /// ICRC-1's textual encoding: the owner alone for the default
    /// subaccount; else `owner-checksum.subaccount`, the checksum the
    /// CRC-32 of owner and subaccount bytes in unpadded lowercase base32,
    /// the subaccount in hex without leading zeros.
    pub fn to_text(&self) -> String {
        let owner = self.owner.to_text();
        let Some(subaccount) = self
            .subaccount
            .as_ref()
            .filter(|s| s.iter().any(|b| *b != 0))
        else {
            return owner;
        };
        let mut bytes = self.owner.as_slice().to_vec();
        bytes.extend_from_slice(subaccount);
        let checksum = base32(&crc32(&bytes).to_be_bytes());
        let hex: String = subaccount.iter().map(|b| format!("{b:02x}")).collect();
        format!("{owner}-{checksum}.{}", hex.trim_start_matches('0'))
    }
}

/// CRC-32 (IEEE 802.3), bit by bit: the checksum of textual accounts.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// RFC 4648 base32, lowercase, without padding.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: &str = "k2t6j-2nvnp-4zjm3-25dtz-6xhaa-c7boj-5gayf-oj3xs-i43lp-teztq-6ae";

    fn account(subaccount: Option<Vec<u8>>) -> Account {
        Account {
            owner: Principal::from_text(OWNER).expect("principal"),
            subaccount: subaccount.map(ByteBuf::from),
        }
    }

    #[test]
    fn should_write_accounts_as_icrc1s_textual_encoding_examples_do() {
        assert_eq!(account(None).to_text(), OWNER);
        assert_eq!(
            account(Some(vec![0; 32])).to_text(),
            OWNER,
            "the default subaccount"
        );
        let mut one = vec![0; 32];
        one[31] = 1;
        assert_eq!(account(Some(one)).to_text(), format!("{OWNER}-6cc627i.1"));
        let counting: Vec<u8> = (1..=32).collect();
        assert_eq!(
            account(Some(counting)).to_text(),
            format!(
                "{OWNER}-dfxgiyy.102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
            )
        );
    }

    #[test]
    fn should_compute_crc32_and_base32_as_their_standards_say() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(base32(b"foobar"), "mzxw6ytboi");
        assert_eq!(base32(b""), "");
    }
}
