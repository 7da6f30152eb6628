//! ICRC-21 consent messages: what a canister says, in words, a call with
//! these arguments will do, for a signer to show before the person
//! approves. The records are the standard's, in the form the ICP ledger
//! answers today (a fields display with an `intent` and typed values).

use candid::{CandidType, Deserialize, Nat};
use serde_bytes::ByteBuf;

use crate::method::method;

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ConsentMessageMetadata {
    /// BCP-47 (`en`).
    pub language: String,
    /// The offset from UTC the message's times are written in; none when
    /// the message has no times.
    pub utc_offset_minutes: Option<i16>,
}

#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisplayMessageType {
    GenericDisplay,
    FieldsDisplay,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ConsentMessageSpec {
    pub metadata: ConsentMessageMetadata,
    pub device_spec: Option<DisplayMessageType>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ConsentMessageRequest {
    pub method: String,
    pub arg: ByteBuf,
    pub user_preferences: ConsentMessageSpec,
}

/// A field's value, typed so that a signer formats it.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Text {
        content: String,
    },
    TokenAmount {
        decimals: u8,
        amount: u64,
        symbol: String,
    },
    TimestampSeconds {
        amount: u64,
    },
    DurationSeconds {
        amount: u64,
    },
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FieldsDisplay {
    pub intent: String,
    pub fields: Vec<(String, Value)>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum ConsentMessage {
    /// Markdown.
    GenericDisplayMessage(String),
    FieldsDisplayMessage(FieldsDisplay),
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ConsentInfo {
    pub consent_message: ConsentMessage,
    pub metadata: ConsentMessageMetadata,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ErrorInfo {
    pub description: String,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Icrc21Error {
    UnsupportedCanisterCall(ErrorInfo),
    ConsentMessageUnavailable(ErrorInfo),
    InsufficientPayment(ErrorInfo),
    GenericError {
        error_code: Nat,
        description: String,
    },
}

method!(
    /// What a call of `method` with `arg` would do, in words (an update, so
    /// that the answer is certified).
    Icrc21ConsentMessage = "icrc21_canister_call_consent_message", Update, ConsentMessageRequest => Result<ConsentInfo, Icrc21Error>
);
