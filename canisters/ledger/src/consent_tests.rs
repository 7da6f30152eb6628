#![allow(clippy::unwrap_used)] // test code

use candid::Nat;
use sigil_api::icrc21::ConsentMessageSpec;
use sigil_api::ledger::LedgerInit;

use super::*;

fn principal(n: u8) -> Principal {
    Principal::from_slice(&[n; 29])
}

fn ledger() -> Ledger {
    Ledger::new(&LedgerInit {
        name: "Test token".into(),
        symbol: "TT".into(),
        decimals: 8,
        fee: Nat::from(10_000u64),
        minting_account: Account::of(principal(99)),
        initial_balances: vec![],
    })
    .unwrap()
}

fn request(
    method: &str,
    arg: Vec<u8>,
    device: Option<DisplayMessageType>,
    offset: Option<i16>,
) -> ConsentMessageRequest {
    ConsentMessageRequest {
        method: method.into(),
        arg: ByteBuf::from(arg),
        user_preferences: ConsentMessageSpec {
            metadata: ConsentMessageMetadata {
                language: "en".into(),
                utc_offset_minutes: offset,
            },
            device_spec: device,
        },
    }
}

fn transfer_arg() -> TransferArg {
    TransferArg {
        from_subaccount: None,
        to: Account::of(principal(2)),
        amount: Nat::from(150_000_000u64),
        fee: None,
        memo: Some(ByteBuf::from(b"hi".to_vec())),
        created_at_time: None,
    }
}

fn fields(info: ConsentInfo) -> FieldsDisplay {
    match info.consent_message {
        ConsentMessage::FieldsDisplayMessage(fields) => fields,
        other => panic!("not a fields display: {other:?}"),
    }
}

#[test]
fn should_show_every_part_of_a_transfer_from_its_argument() {
    let arg = candid::encode_one(transfer_arg()).unwrap();
    let info = consent_message(
        &ledger(),
        Some(principal(1)),
        &request("icrc1_transfer", arg, None, None),
    )
    .unwrap();
    assert_eq!(info.metadata.language, "en");
    assert_eq!(info.metadata.utc_offset_minutes, None, "no times in it");
    let shown = fields(info);
    assert_eq!(shown.intent, "Send TT");
    let labels: Vec<&str> = shown
        .fields
        .iter()
        .map(|(label, _)| label.as_str())
        .collect();
    assert_eq!(labels, ["From", "Amount", "To", "Fees", "Memo"]);
    assert_eq!(
        shown.fields[1].1,
        Value::TokenAmount {
            decimals: 8,
            amount: 150_000_000,
            symbol: "TT".into()
        }
    );
    assert_eq!(
        shown.fields[2].1,
        Value::Text {
            content: principal(2).to_text()
        }
    );
    assert_eq!(
        shown.fields[4].1,
        Value::Text {
            content: "6869".into()
        }
    );
}

#[test]
fn should_leave_the_sender_out_for_an_anonymous_caller() {
    let arg = candid::encode_one(transfer_arg()).unwrap();
    let shown = fields(
        consent_message(&ledger(), None, &request("icrc1_transfer", arg, None, None)).unwrap(),
    );
    assert_eq!(shown.fields[0].0, "Amount");
}

#[test]
fn should_write_markdown_for_a_generic_display_with_times_in_the_persons_offset() {
    let args = ApproveArgs {
        from_subaccount: None,
        spender: Account::of(principal(3)),
        amount: Nat::from(250_000_000u64),
        expected_allowance: None,
        // 2025-02-21 09:56:00 UTC.
        expires_at: Some(1_740_131_760 * 1_000_000_000),
        fee: None,
        memo: None,
        created_at_time: None,
    };
    let arg = candid::encode_one(args).unwrap();
    let generic = Some(DisplayMessageType::GenericDisplay);
    let info = consent_message(
        &ledger(),
        Some(principal(1)),
        &request("icrc2_approve", arg, generic, Some(60)),
    )
    .unwrap();
    assert_eq!(info.metadata.utc_offset_minutes, Some(60));
    let ConsentMessage::GenericDisplayMessage(text) = info.consent_message else {
        panic!("not markdown");
    };
    assert!(text.starts_with("# Approve spending of TT\n"), "{text}");
    assert!(
        text.contains("**Requested allowance:**  \n`2.5 TT`"),
        "{text}"
    );
    assert!(text.contains("`2025-02-21 10:56 UTC+01:00`"), "{text}");
    assert!(text.contains("**Approval fees:**  \n`0.0001 TT`"), "{text}");
}

#[test]
fn should_show_who_takes_what_from_whom_in_a_transfer_from() {
    let args = TransferFromArgs {
        spender_subaccount: None,
        from: Account::of(principal(1)),
        to: Account::of(principal(4)),
        amount: Nat::from(1u8),
        fee: None,
        memo: None,
        created_at_time: None,
    };
    let arg = candid::encode_one(args).unwrap();
    let shown = fields(
        consent_message(
            &ledger(),
            Some(principal(3)),
            &request("icrc2_transfer_from", arg, None, None),
        )
        .unwrap(),
    );
    let labels: Vec<&str> = shown
        .fields
        .iter()
        .map(|(label, _)| label.as_str())
        .collect();
    assert_eq!(labels, ["From", "Amount", "Spender", "To", "Fees"]);
}

#[test]
fn should_refuse_calls_it_cannot_describe() {
    let ledger = ledger();
    let transfer = candid::encode_one(transfer_arg()).unwrap();
    for (method, arg) in [
        ("icrc1_transfer", b"not candid".to_vec()),
        ("icrc2_approve", transfer.clone()),
        ("icrc1_transfer", vec![0; MAX_ARG_LEN + 1]),
        ("icrc1_balance_of", transfer),
    ] {
        assert!(
            matches!(
                consent_message(&ledger, None, &request(method, arg, None, None)),
                Err(Icrc21Error::UnsupportedCanisterCall(_))
            ),
            "{method}"
        );
    }
}

#[test]
fn should_write_amounts_and_times_as_people_read_them() {
    assert_eq!(units("150000000", 8), "1.5");
    assert_eq!(units("1", 8), "0.00000001");
    assert_eq!(units("0", 8), "0");
    assert_eq!(units("7", 0), "7");
    assert_eq!(time(0, 0), "1970-01-01 00:00 UTC");
    assert_eq!(time(1_740_131_760, -330), "2025-02-21 04:26 UTC-05:30");
    assert_eq!(time(951_782_400, 0), "2000-02-29 00:00 UTC");
}
