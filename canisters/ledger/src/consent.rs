//! ICRC-21 consent messages for the ledger's own calls (`icrc1_transfer`,
//! `icrc2_approve`, `icrc2_transfer_from`), made from the very argument
//! bytes the call will carry: a fields display (typed values a signer
//! formats), or Markdown for a generic display. In English; times in the
//! offset the request asks for.
//!
//! Invariants: an argument that does not decode as the method's, or is
//! larger than [`MAX_ARG_LEN`], is `UnsupportedCanisterCall`; every field
//! the call acts on is shown (the sender only where the caller is known).

use candid::{Nat, Principal};
use serde_bytes::ByteBuf;
use sigil_api::icrc21::{
    ConsentInfo, ConsentMessage, ConsentMessageMetadata, ConsentMessageRequest, DisplayMessageType,
    ErrorInfo, FieldsDisplay, Icrc21Error, Value,
};
use sigil_api::ledger::{Account, ApproveArgs, TransferArg, TransferFromArgs};

use crate::ledger::Ledger;

/// The largest argument read, in bytes.
pub const MAX_ARG_LEN: usize = 16 * 1024;

fn unsupported(description: impl Into<String>) -> Icrc21Error {
    Icrc21Error::UnsupportedCanisterCall(ErrorInfo {
        description: description.into(),
    })
}

fn decode<T: for<'de> candid::Deserialize<'de> + candid::CandidType>(
    arg: &[u8],
    what: &str,
) -> Result<T, Icrc21Error> {
    candid::decode_one(arg).map_err(|e| unsupported(format!("the argument is not {what}: {e}")))
}

/// A message: its intent and its fields, in order.
struct Message {
    intent: String,
    fields: Vec<(String, Value)>,
}

impl Message {
    fn new(intent: impl Into<String>) -> Self {
        Self {
            intent: intent.into(),
            fields: Vec::new(),
        }
    }

    fn text(&mut self, label: &str, content: impl Into<String>) {
        self.fields.push((
            label.to_owned(),
            Value::Text {
                content: content.into(),
            },
        ));
    }

    fn tokens(&mut self, ledger: &Ledger, label: &str, amount: &Nat) {
        let value = match u64::try_from(amount.0.clone()) {
            Ok(amount) => Value::TokenAmount {
                decimals: ledger.decimals,
                amount,
                symbol: ledger.symbol.clone(),
            },
            Err(_) => Value::Text {
                content: format!(
                    "{} {}",
                    units(&amount.0.to_string(), ledger.decimals),
                    ledger.symbol
                ),
            },
        };
        self.fields.push((label.to_owned(), value));
    }

    /// The fee the call pays (the one it names, else the ledger's) and its
    /// memo, which every message ends with.
    fn fee_and_memo(
        &mut self,
        ledger: &Ledger,
        label: &str,
        fee: Option<&Nat>,
        memo: Option<&ByteBuf>,
    ) {
        self.tokens(ledger, label, fee.unwrap_or(&Nat::from(ledger.fee)));
        self.memo(memo);
    }

    fn memo(&mut self, memo: Option<&ByteBuf>) {
        if let Some(memo) = memo {
            let hex: String = memo.iter().map(|b| format!("{b:02x}")).collect();
            self.text("Memo", hex);
        }
    }

    fn has_time(&self) -> bool {
        self.fields
            .iter()
            .any(|(_, value)| matches!(value, Value::TimestampSeconds { .. }))
    }
}

/// `digits` (an integer of the smallest unit) in whole units of `decimals`.
fn units(digits: &str, decimals: u8) -> String {
    let decimals = usize::from(decimals);
    let padded = format!("{digits:0>width$}", width = decimals + 1);
    let (whole, fraction) = padded.split_at(padded.len() - decimals);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_owned()
    } else {
        format!("{whole}.{fraction}")
    }
}

fn account_of(owner: Principal, subaccount: Option<&ByteBuf>) -> String {
    Account {
        owner,
        subaccount: subaccount.cloned(),
    }
    .to_text()
}

fn transfer(ledger: &Ledger, caller: Option<Principal>, args: &TransferArg) -> Message {
    let mut message = Message::new(format!("Send {}", ledger.symbol));
    if let Some(caller) = caller {
        message.text("From", account_of(caller, args.from_subaccount.as_ref()));
    }
    message.tokens(ledger, "Amount", &args.amount);
    message.text("To", args.to.to_text());
    message.fee_and_memo(ledger, "Fees", args.fee.as_ref(), args.memo.as_ref());
    message
}

fn approve(ledger: &Ledger, caller: Option<Principal>, args: &ApproveArgs) -> Message {
    let mut message = Message::new(format!("Approve spending of {}", ledger.symbol));
    if let Some(caller) = caller {
        message.text("From", account_of(caller, args.from_subaccount.as_ref()));
    }
    message.text("Approve to spender", args.spender.to_text());
    message.tokens(ledger, "Requested allowance", &args.amount);
    if let Some(expected) = &args.expected_allowance {
        message.tokens(ledger, "Existing allowance", expected);
    }
    match args.expires_at {
        Some(at) => message.fields.push((
            "Approval expiration".into(),
            Value::TimestampSeconds {
                amount: at / 1_000_000_000,
            },
        )),
        None => message.text("Approval expiration", "This approval does not expire."),
    }
    message.fee_and_memo(
        ledger,
        "Approval fees",
        args.fee.as_ref(),
        args.memo.as_ref(),
    );
    message
}

fn transfer_from(ledger: &Ledger, caller: Option<Principal>, args: &TransferFromArgs) -> Message {
    let mut message = Message::new(format!(
        "Transfer {} from an account that approved it",
        ledger.symbol
    ));
    message.text("From", args.from.to_text());
    message.tokens(ledger, "Amount", &args.amount);
    if let Some(caller) = caller {
        message.text(
            "Spender",
            account_of(caller, args.spender_subaccount.as_ref()),
        );
    }
    message.text("To", args.to.to_text());
    message.fee_and_memo(ledger, "Fees", args.fee.as_ref(), args.memo.as_ref());
    message
}

/// Days since 1970-01-01 as a civil date (proleptic Gregorian).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `seconds` since the epoch, at `offset` minutes from UTC, as a person
/// reads it.
fn time(seconds: u64, offset: i16) -> String {
    let local = seconds as i64 + i64::from(offset) * 60;
    let (year, month, day) = civil(local.div_euclid(86_400));
    let of_day = local.rem_euclid(86_400);
    let zone = match offset {
        0 => "UTC".to_owned(),
        _ => format!(
            "UTC{}{:02}:{:02}",
            if offset < 0 { '-' } else { '+' },
            offset.abs() / 60,
            offset.abs() % 60
        ),
    };
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} {zone}",
        of_day / 3_600,
        of_day % 3_600 / 60
    )
}

/// The message as Markdown.
fn markdown(ledger: &Ledger, message: &Message, offset: i16) -> String {
    let mut text = format!("# {}\n", message.intent);
    for (label, value) in &message.fields {
        let shown = match value {
            Value::Text { content } => content.clone(),
            Value::TokenAmount { amount, .. } => {
                format!(
                    "{} {}",
                    units(&amount.to_string(), ledger.decimals),
                    ledger.symbol
                )
            }
            Value::TimestampSeconds { amount } => time(*amount, offset),
            Value::DurationSeconds { amount } => format!("{amount} seconds"),
        };
        text.push_str(&format!("\n**{label}:**  \n`{shown}`\n"));
    }
    text
}

/// The consent message for `request`, asked by `caller` (`None`: the
/// anonymous principal).
pub fn consent_message(
    ledger: &Ledger,
    caller: Option<Principal>,
    request: &ConsentMessageRequest,
) -> Result<ConsentInfo, Icrc21Error> {
    let arg = request.arg.as_slice();
    if arg.len() > MAX_ARG_LEN {
        return Err(unsupported(format!(
            "the argument is larger than {MAX_ARG_LEN} bytes"
        )));
    }
    let message = match request.method.as_str() {
        "icrc1_transfer" => transfer(ledger, caller, &decode(arg, "a TransferArg")?),
        "icrc2_approve" => approve(ledger, caller, &decode(arg, "an ApproveArgs")?),
        "icrc2_transfer_from" => transfer_from(ledger, caller, &decode(arg, "a TransferFromArgs")?),
        other => {
            return Err(unsupported(format!(
                "the ledger has no consent message for {}",
                other.chars().take(64).collect::<String>()
            )));
        }
    };
    let offset = request
        .user_preferences
        .metadata
        .utc_offset_minutes
        .unwrap_or(0);
    let metadata = ConsentMessageMetadata {
        language: "en".into(),
        utc_offset_minutes: message.has_time().then_some(offset),
    };
    let consent_message = match request.user_preferences.device_spec {
        Some(DisplayMessageType::GenericDisplay) => {
            ConsentMessage::GenericDisplayMessage(markdown(ledger, &message, offset))
        }
        Some(DisplayMessageType::FieldsDisplay) | None => {
            ConsentMessage::FieldsDisplayMessage(FieldsDisplay {
                intent: message.intent,
                fields: message.fields,
            })
        }
    };
    Ok(ConsentInfo {
        consent_message,
        metadata,
    })
}

#[cfg(test)]
#[path = "consent_tests.rs"]
mod tests;
