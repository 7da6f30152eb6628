//! The results Sigil answers with, in exactly the shapes the standards
//! define: no member beyond theirs, byte strings in standard base64,
//! principals as text, nanosecond times as decimal strings.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use candid::Principal;
use serde_json::{Value, json};

use super::error::SignerError;
/// The JSON-RPC answer with a result: the same on both channels.
pub use crate::provider::reply::result;

/// The standards Sigil serves on this channel, with the URLs of their texts.
pub const SUPPORTED_STANDARDS: [(&str, &str); 4] = [
    (
        "ICRC-25",
        "https://github.com/dfinity/ICRC/blob/main/ICRCs/ICRC-25/ICRC-25.md",
    ),
    (
        "ICRC-27",
        "https://github.com/dfinity/ICRC/blob/main/ICRCs/ICRC-27/ICRC-27.md",
    ),
    (
        "ICRC-29",
        "https://github.com/dfinity/ICRC/blob/main/ICRCs/ICRC-29/ICRC-29.md",
    ),
    (
        "ICRC-34",
        "https://github.com/dfinity/ICRC/blob/main/ICRCs/ICRC-34/ICRC-34.md",
    ),
];

/// Length of an ICRC-1 subaccount.
pub const SUBACCOUNT_LEN: usize = 32;

pub fn error(id: &Value, error: &SignerError) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": error.to_json() })
}

/// `icrc25_supported_standards`'s result.
pub fn supported_standards() -> Value {
    let standards: Vec<Value> = SUPPORTED_STANDARDS
        .into_iter()
        .map(|(name, url)| json!({ "name": name, "url": url }))
        .collect();
    json!({ "supportedStandards": standards })
}

/// An ICRC-27 account: an owner and, when it is not the default one, a
/// subaccount of exactly [`SUBACCOUNT_LEN`] bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub owner: Principal,
    pub subaccount: Option<[u8; SUBACCOUNT_LEN]>,
}

/// `icrc27_accounts`'s result, in the order given (the wallet's account
/// first).
pub fn accounts(accounts: &[Account]) -> Value {
    let accounts: Vec<Value> = accounts
        .iter()
        .map(|account| match &account.subaccount {
            None => json!({ "owner": account.owner.to_text() }),
            Some(subaccount) => json!({
                "owner": account.owner.to_text(),
                "subaccount": STANDARD.encode(subaccount),
            }),
        })
        .collect();
    json!({ "accounts": accounts })
}

/// One signed delegation of the chain `icrc34_delegation` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    pub pubkey: Vec<u8>,
    /// Nanoseconds since the epoch.
    pub expiration: u64,
    pub targets: Option<Vec<Principal>>,
    pub signature: Vec<u8>,
}

/// `icrc34_delegation`'s result: the signer's public key (DER) and the
/// chain, whose last delegation is to the requested key.
pub fn delegation(public_key: &[u8], chain: &[Delegation]) -> Value {
    let chain: Vec<Value> = chain
        .iter()
        .map(|link| {
            let mut delegation = json!({
                "pubkey": STANDARD.encode(&link.pubkey),
                "expiration": link.expiration.to_string(),
            });
            if let Some(targets) = &link.targets {
                let targets: Vec<String> = targets.iter().map(Principal::to_text).collect();
                delegation["targets"] = json!(targets);
            }
            json!({ "delegation": delegation, "signature": STANDARD.encode(&link.signature) })
        })
        .collect();
    json!({ "publicKey": STANDARD.encode(public_key), "signerDelegation": chain })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(value: &Value) -> Vec<&str> {
        value
            .as_object()
            .expect("a value of the test")
            .keys()
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn should_answer_with_the_requests_id_unchanged() {
        let id = json!("4f0e-ü-\"quoted\"");
        assert_eq!(result(&id, json!(null))["id"], id);
        assert_eq!(error(&id, &SignerError::ActionAborted)["id"], id);
        assert_eq!(
            keys(&error(&id, &SignerError::ActionAborted)),
            ["error", "id", "jsonrpc"]
        );
    }

    #[test]
    fn should_list_each_standard_with_name_and_url_only() {
        let standards = supported_standards();
        assert_eq!(keys(&standards), ["supportedStandards"]);
        let list = standards["supportedStandards"]
            .as_array()
            .expect("a value of the test");
        assert_eq!(list.len(), SUPPORTED_STANDARDS.len());
        for entry in list {
            assert_eq!(keys(entry), ["name", "url"]);
            let name = entry["name"].as_str().expect("a value of the test");
            assert!(
                entry["url"]
                    .as_str()
                    .expect("a value of the test")
                    .contains(name),
                "{entry}"
            );
        }
    }

    #[test]
    fn should_write_accounts_without_a_subaccount_member_for_the_default_one() {
        let owner = Principal::from_slice(&[1, 2, 3]);
        let written = accounts(&[
            Account {
                owner,
                subaccount: None,
            },
            Account {
                owner,
                subaccount: Some([7; SUBACCOUNT_LEN]),
            },
        ]);
        let list = written["accounts"].as_array().expect("a value of the test");
        assert_eq!(list[0], json!({ "owner": owner.to_text() }));
        assert_eq!(
            STANDARD
                .decode(list[1]["subaccount"].as_str().expect("a value of the test"))
                .expect("a value of the test"),
            [7; SUBACCOUNT_LEN]
        );
    }

    #[test]
    fn should_write_expirations_as_decimal_strings_and_targets_only_when_given() {
        let target = Principal::from_slice(&[9]);
        let written = delegation(
            &[0xAA, 0xBB],
            &[
                Delegation {
                    pubkey: vec![1],
                    expiration: u64::MAX,
                    targets: None,
                    signature: vec![2],
                },
                Delegation {
                    pubkey: vec![3],
                    expiration: 5,
                    targets: Some(vec![target]),
                    signature: vec![4],
                },
            ],
        );
        assert_eq!(keys(&written), ["publicKey", "signerDelegation"]);
        assert_eq!(written["publicKey"], "qrs=");
        let chain = written["signerDelegation"]
            .as_array()
            .expect("a value of the test");
        assert_eq!(
            chain[0],
            json!({ "delegation": { "pubkey": "AQ==", "expiration": "18446744073709551615" }, "signature": "Ag==" })
        );
        assert_eq!(chain[1]["delegation"]["targets"], json!([target.to_text()]));
        assert_eq!(chain[1]["delegation"]["expiration"], "5");
    }
}
