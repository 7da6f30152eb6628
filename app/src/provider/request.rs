//! The requests the Sigil window answers, read from a JSON-RPC method and
//! its params into a [`Request`], or refused with the [`ProviderError`] the
//! dapp receives: `-32602` for params that are not what the method takes,
//! `4200` for a method Sigil does not answer (`eth_sign` among them: a bare
//! hash says nothing a person can check).
//!
//! Invariants: addresses are `0x` and 40 hexadecimal digits, chain ids
//! canonical hex (`0x7a69`, never `0x07a69` or `0x0`); every size is
//! bounded by what the identity manager signs, so nothing is sent on that
//! it would refuse for its size.

use serde_json::{Map, Value};
use sigil_api::identity_manager::{MAX_MESSAGE_LEN, MAX_TYPED_DATA_LEN};

use super::add_chain::AddChain;
use super::error::ProviderError;
use super::transaction::TransactionParams;

/// The largest chain id a dapp can name (MetaMask's bound, below 2^53).
pub const MAX_CHAIN_ID: u64 = 4_503_599_627_370_476;

/// What the dapp asks the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `eth_requestAccounts`, or `wallet_requestPermissions` for
    /// `eth_accounts` (`permissions`: the answer is the permission list).
    Connect { permissions: bool },
    /// `personal_sign`: EIP-191 over `message`, by `address`.
    PersonalSign { message: Vec<u8>, address: String },
    /// `eth_signTypedData_v4` (and its alias `eth_signTypedData`).
    SignTypedData { address: String, json: String },
    /// `eth_signTransaction` (`send: false`) or `eth_sendTransaction`.
    Transaction {
        params: Box<TransactionParams>,
        send: bool,
    },
    /// `wallet_switchEthereumChain`.
    SwitchChain { chain_id: u64 },
    /// `wallet_addEthereumChain`.
    AddChain(AddChain),
    /// `wallet_revokePermissions` for `eth_accounts`: the dapp ends its own
    /// connection.
    Disconnect,
}

impl Request {
    /// Reads `method(params)`.
    pub fn read(method: &str, params: &Value) -> Result<Self, ProviderError> {
        match method {
            "eth_requestAccounts" => Ok(Request::Connect { permissions: false }),
            "wallet_requestPermissions" => {
                read_permission_request(params)?;
                Ok(Request::Connect { permissions: true })
            }
            "personal_sign" => {
                let message = read_message(param(params, 0, "the message")?)?;
                let address = read_address(param(params, 1, "the address")?)?;
                Ok(Request::PersonalSign { message, address })
            }
            "eth_signTypedData_v4" | "eth_signTypedData" => {
                let address = read_address(param(params, 0, "the address")?)?;
                let json = read_typed_data(param(params, 1, "the typed data")?)?;
                Ok(Request::SignTypedData { address, json })
            }
            "eth_signTransaction" | "eth_sendTransaction" => {
                let transaction = TransactionParams::read(param(params, 0, "the transaction")?)?;
                Ok(Request::Transaction {
                    params: Box::new(transaction),
                    send: method == "eth_sendTransaction",
                })
            }
            "wallet_switchEthereumChain" => {
                let object = only_keys(param(params, 0, "the chain")?, &["chainId"])?;
                let chain_id = read_chain_id(object.get("chainId"))?;
                Ok(Request::SwitchChain { chain_id })
            }
            "wallet_revokePermissions" => {
                let object = param(params, 0, "the permissions")?
                    .as_object()
                    .ok_or_else(|| ProviderError::InvalidParams("expected an object".into()))?;
                if object.contains_key("eth_accounts") {
                    Ok(Request::Disconnect)
                } else {
                    Err(ProviderError::InvalidParams(
                        "Sigil revokes eth_accounts only: send [{\"eth_accounts\": {}}]".into(),
                    ))
                }
            }
            "wallet_addEthereumChain" => Ok(Request::AddChain(AddChain::read(param(
                params,
                0,
                "the chain",
            )?)?)),
            other => Err(ProviderError::Unsupported(truncated(other))),
        }
    }
}

/// A method name as far as it is worth repeating.
fn truncated(method: &str) -> String {
    method.chars().take(64).collect()
}

fn param<'a>(params: &'a Value, index: usize, what: &str) -> Result<&'a Value, ProviderError> {
    params
        .as_array()
        .and_then(|params| params.get(index))
        .ok_or_else(|| ProviderError::InvalidParams(format!("{what} is missing")))
}

/// `value` as an object with no keys beyond `allowed`.
pub(super) fn only_keys<'a>(
    value: &'a Value,
    allowed: &[&str],
) -> Result<&'a Map<String, Value>, ProviderError> {
    let object = value
        .as_object()
        .ok_or_else(|| ProviderError::InvalidParams("expected an object".into()))?;
    if let Some(key) = object.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(ProviderError::InvalidParams(format!(
            "unexpected key {:?}",
            truncated(key)
        )));
    }
    Ok(object)
}

fn read_permission_request(params: &Value) -> Result<(), ProviderError> {
    let object = only_keys(param(params, 0, "the permissions")?, &["eth_accounts"])?;
    match object.get("eth_accounts") {
        Some(Value::Object(_)) => Ok(()),
        _ => Err(ProviderError::InvalidParams(
            "Sigil grants eth_accounts only: ask for [{\"eth_accounts\": {}}]".into(),
        )),
    }
}

/// Whether `text` is `0x` followed by hexadecimal digits.
pub(super) fn is_hex(text: &str) -> bool {
    text.strip_prefix("0x")
        .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `0x` and 40 hexadecimal digits, in any case.
pub fn read_address(value: &Value) -> Result<String, ProviderError> {
    match value.as_str() {
        Some(text) if text.len() == 42 && is_hex(text) => Ok(text.to_owned()),
        _ => Err(ProviderError::InvalidParams(
            "an address is 0x and 40 hexadecimal digits".into(),
        )),
    }
}

/// `personal_sign`'s message: `0x` hex bytes, or else the text's UTF-8.
fn read_message(value: &Value) -> Result<Vec<u8>, ProviderError> {
    let text = value
        .as_str()
        .ok_or_else(|| ProviderError::InvalidParams("the message must be a string".into()))?;
    let bytes = match text.strip_prefix("0x") {
        Some(digits) if is_hex(text) => hex::decode(digits).map_err(|_| {
            ProviderError::InvalidParams("the message has an odd number of hex digits".into())
        })?,
        _ => text.as_bytes().to_vec(),
    };
    if bytes.len() > MAX_MESSAGE_LEN {
        return Err(ProviderError::InvalidParams(format!(
            "the message is longer than {MAX_MESSAGE_LEN} bytes"
        )));
    }
    Ok(bytes)
}

/// Typed data as JSON text: the string a dapp sent, or the object written.
fn read_typed_data(value: &Value) -> Result<String, ProviderError> {
    let json = match value {
        Value::String(text) => text.clone(),
        Value::Object(_) => value.to_string(),
        _ => {
            return Err(ProviderError::InvalidParams(
                "the typed data must be JSON text or an object".into(),
            ));
        }
    };
    if json.len() > MAX_TYPED_DATA_LEN {
        return Err(ProviderError::InvalidParams(format!(
            "the typed data is longer than {MAX_TYPED_DATA_LEN} bytes"
        )));
    }
    Ok(json)
}

/// A chain id in EIP-695's form: `0x`, lowercase hex, no leading zero.
pub fn read_chain_id(value: Option<&Value>) -> Result<u64, ProviderError> {
    let refused = || {
        ProviderError::InvalidParams(
            "chainId must be 0x and hexadecimal digits, without leading zeros".into(),
        )
    };
    let text = value.and_then(Value::as_str).ok_or_else(refused)?;
    let digits = text.strip_prefix("0x").ok_or_else(refused)?;
    if digits.is_empty()
        || digits.starts_with('0')
        || !digits
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(refused());
    }
    u64::from_str_radix(digits, 16)
        .ok()
        .filter(|id| *id <= MAX_CHAIN_ID)
        .ok_or_else(refused)
}

/// `chain_id` as EIP-695 writes it.
pub fn chain_id_hex(chain_id: u64) -> String {
    format!("{chain_id:#x}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ADDRESS: &str = "0x5b38da6a701c568545dcfcb03fcb875f56beddc4";

    fn read(method: &str, params: Value) -> Result<Request, ProviderError> {
        Request::read(method, &params)
    }

    fn invalid(result: Result<Request, ProviderError>) -> String {
        match result {
            Err(ProviderError::InvalidParams(reason)) => reason,
            other => panic!("expected invalid params, got {other:?}"),
        }
    }

    #[test]
    fn should_read_personal_sign_as_ethers_and_viem_send_it() {
        assert_eq!(
            read("personal_sign", json!(["0x48656c6c6f", ADDRESS])),
            Ok(Request::PersonalSign {
                message: b"Hello".to_vec(),
                address: ADDRESS.into()
            })
        );
        let Ok(Request::PersonalSign { message, .. }) =
            read("personal_sign", json!(["Hello, 0xworld", ADDRESS]))
        else {
            panic!("text is signed as its UTF-8");
        };
        assert_eq!(message, b"Hello, 0xworld");
        assert!(invalid(read("personal_sign", json!(["0xabc", ADDRESS]))).contains("odd"));
        assert!(invalid(read("personal_sign", json!([ADDRESS]))).contains("address is missing"));
        assert!(invalid(read("personal_sign", json!([7, ADDRESS]))).contains("string"));
        let long = format!("0x{}", "ab".repeat(MAX_MESSAGE_LEN + 1));
        assert!(invalid(read("personal_sign", json!([long, ADDRESS]))).contains("longer"));
    }

    #[test]
    fn should_read_typed_data_as_text_or_as_an_object() {
        let data = json!({ "primaryType": "Mail", "types": {}, "domain": {}, "message": {} });
        for method in ["eth_signTypedData_v4", "eth_signTypedData"] {
            assert_eq!(
                read(method, json!([ADDRESS, data.to_string()])),
                Ok(Request::SignTypedData {
                    address: ADDRESS.into(),
                    json: data.to_string()
                })
            );
            let Ok(Request::SignTypedData { json, .. }) = read(method, json!([ADDRESS, data]))
            else {
                panic!("an object is written as JSON");
            };
            assert_eq!(
                serde_json::from_str::<Value>(&json).ok(),
                Some(data.clone())
            );
        }
        assert!(invalid(read("eth_signTypedData_v4", json!([data, ADDRESS]))).contains("address"));
        let huge = "x".repeat(MAX_TYPED_DATA_LEN + 1);
        assert!(invalid(read("eth_signTypedData_v4", json!([ADDRESS, huge]))).contains("longer"));
    }

    #[test]
    fn should_refuse_malformed_addresses() {
        for bad in [
            json!("0x5b38da6a701c568545dcfcb03fcb875f56beddc"),
            json!("5b38da6a701c568545dcfcb03fcb875f56beddc4aa"),
            json!("0xZb38da6a701c568545dcfcb03fcb875f56beddc4"),
            json!(null),
            json!(12),
        ] {
            assert!(read_address(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn should_read_chain_ids_in_their_canonical_form_only() {
        let switch = |id: Value| read("wallet_switchEthereumChain", json!([{ "chainId": id }]));
        assert_eq!(
            switch(json!("0x7a69")),
            Ok(Request::SwitchChain { chain_id: 31337 })
        );
        for bad in [
            json!("0x07a69"),
            json!("0x0"),
            json!("0x"),
            json!("7a69"),
            json!("0x7A69"),
            json!(31337),
            json!("0x10000000000000"),
        ] {
            assert!(
                matches!(switch(bad.clone()), Err(ProviderError::InvalidParams(_))),
                "{bad}"
            );
        }
        assert!(
            invalid(read(
                "wallet_switchEthereumChain",
                json!([{ "chainId": "0x1", "rpcUrls": [] }])
            ))
            .contains("unexpected key")
        );
        assert_eq!(chain_id_hex(31337), "0x7a69");
        assert_eq!(chain_id_hex(1), "0x1");
    }

    #[test]
    fn should_grant_eth_accounts_and_nothing_else() {
        assert_eq!(
            read("wallet_requestPermissions", json!([{ "eth_accounts": {} }])),
            Ok(Request::Connect { permissions: true })
        );
        for bad in [
            json!([]),
            json!([{ "eth_accounts": {}, "snap_dialog": {} }]),
            json!([{ "eth_accounts": true }]),
            json!(["eth_accounts"]),
        ] {
            assert!(
                matches!(
                    read("wallet_requestPermissions", bad.clone()),
                    Err(ProviderError::InvalidParams(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn should_read_a_revocation_of_eth_accounts_only() {
        assert_eq!(
            read("wallet_revokePermissions", json!([{ "eth_accounts": {} }])),
            Ok(Request::Disconnect)
        );
        for bad in [
            json!([]),
            json!([{}]),
            json!([{ "snap_dialog": {} }]),
            json!(["eth_accounts"]),
        ] {
            assert!(
                matches!(
                    read("wallet_revokePermissions", bad.clone()),
                    Err(ProviderError::InvalidParams(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn should_call_unknown_methods_and_eth_sign_unsupported() {
        for method in [
            "eth_sign",
            "eth_coinbase",
            "wallet_watchAsset",
            "icrc25_supported_standards",
        ] {
            assert_eq!(
                read(method, json!([])),
                Err(ProviderError::Unsupported(method.into()))
            );
        }
        let long = "m".repeat(1000);
        let Err(ProviderError::Unsupported(named)) = read(&long, json!([])) else {
            panic!("unsupported");
        };
        assert_eq!(named.len(), 64, "a long name is not repeated whole");
    }
}
