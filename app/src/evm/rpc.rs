//! The EVM node's JSON-RPC 2.0, as the wallet uses it: request bodies,
//! replies (a result, or the node's error in its words), quantities, and
//! the fees to suggest for a transfer.
//!
//! Invariants: a reply is accepted only for the request's id and only as
//! JSON-RPC 2.0; quantities are `0x` hex without leading zeros beyond one
//! digit, as the node writes them, and at most 128 bits (balances and fees
//! fit; anything larger is refused, never truncated).

use serde::Deserialize;
use serde_json::{Value, json};
use thiserror::Error;

/// Gas of a plain transfer of the native token.
pub const TRANSFER_GAS: u64 = 21_000;
/// The priority fee suggested when the node has no opinion: 1 gwei.
pub const DEFAULT_PRIORITY_FEE: u128 = 1_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RpcError {
    #[error("the EVM node said: {message} (error {code})")]
    Node { code: i64, message: String },
    #[error("the EVM node's reply is not JSON-RPC 2.0 ({0})")]
    Malformed(String),
    #[error("the EVM node's reply is for another request")]
    WrongId,
    #[error("the EVM node gave {field} as {value:?}, which is not a quantity")]
    NotAQuantity { field: &'static str, value: String },
}

/// The body of the request `method(params)` with `id`.
pub fn request(id: u64, method: &str, params: Value) -> String {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string()
}

#[derive(Deserialize)]
struct Reply {
    jsonrpc: String,
    id: Value,
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error: Option<NodeError>,
}

#[derive(Deserialize)]
struct NodeError {
    code: i64,
    message: String,
}

/// The result of the reply `bytes` to the request `id`.
pub fn result(bytes: &[u8], id: u64) -> Result<Value, RpcError> {
    let reply: Reply =
        serde_json::from_slice(bytes).map_err(|error| RpcError::Malformed(error.to_string()))?;
    if reply.jsonrpc != "2.0" {
        return Err(RpcError::Malformed(format!("version {:?}", reply.jsonrpc)));
    }
    if reply.id != json!(id) {
        return Err(RpcError::WrongId);
    }
    match (reply.result, reply.error) {
        (_, Some(error)) => Err(RpcError::Node {
            code: error.code,
            message: error.message,
        }),
        (Some(result), None) => Ok(result),
        (None, None) => Err(RpcError::Malformed("neither result nor error".into())),
    }
}

/// `value` (`"0x1a"`) as a number.
pub fn quantity(field: &'static str, value: &Value) -> Result<u128, RpcError> {
    let refused = || RpcError::NotAQuantity {
        field,
        value: value.to_string(),
    };
    let text = value.as_str().ok_or_else(refused)?;
    let digits = text.strip_prefix("0x").ok_or_else(refused)?;
    if digits.is_empty() || digits.len() > 32 || (digits.len() > 1 && digits.starts_with('0')) {
        return Err(refused());
    }
    u128::from_str_radix(digits, 16).map_err(|_| refused())
}

/// `n` as a JSON-RPC quantity.
pub fn to_quantity(n: u128) -> String {
    format!("{n:#x}")
}

/// Fees for a transfer that should be included soon: the priority fee the
/// node suggests, and a maximum of twice the latest base fee on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fees {
    pub max_fee_per_gas: u128,
    pub max_priority_fee_per_gas: u128,
}

pub fn suggested_fees(base_fee: u128, priority_fee: Option<u128>) -> Fees {
    let priority = priority_fee.unwrap_or(DEFAULT_PRIORITY_FEE);
    Fees {
        max_fee_per_gas: base_fee.saturating_mul(2).saturating_add(priority),
        max_priority_fee_per_gas: priority,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_write_requests_and_read_results_for_their_id_only() {
        let body = request(7, "eth_getBalance", json!(["0xab", "latest"]));
        let parsed: Value = serde_json::from_str(&body).expect("valid");
        assert_eq!(parsed["jsonrpc"], "2.0");
        assert_eq!(parsed["id"], 7);
        assert_eq!(parsed["params"][1], "latest");

        let ok = br#"{"jsonrpc":"2.0","id":7,"result":"0x10"}"#;
        assert_eq!(result(ok, 7), Ok(json!("0x10")));
        assert_eq!(result(ok, 8), Err(RpcError::WrongId));
        let failed =
            br#"{"jsonrpc":"2.0","id":7,"error":{"code":-32000,"message":"nonce too low"}}"#;
        let error = result(failed, 7).expect_err("refused");
        assert!(error.to_string().contains("nonce too low"), "{error}");
        for junk in [
            &b"not json"[..],
            br#"{"id":7,"result":1}"#,
            br#"{"jsonrpc":"1.0","id":7,"result":1}"#,
            br#"{"jsonrpc":"2.0","id":7}"#,
        ] {
            assert!(matches!(result(junk, 7), Err(RpcError::Malformed(_))));
        }
    }

    #[test]
    fn should_read_quantities_as_the_node_writes_them_and_nothing_else() {
        assert_eq!(quantity("balance", &json!("0x0")), Ok(0));
        assert_eq!(quantity("balance", &json!("0x1a")), Ok(26));
        let max = format!("0x{}", "f".repeat(32));
        assert_eq!(quantity("balance", &json!(max)), Ok(u128::MAX));
        for bad in [
            json!("0x"),
            json!("1a"),
            json!("0x01"),
            json!(26),
            json!(null),
            json!(format!("0x1{}", "0".repeat(32))),
            json!("0xzz"),
        ] {
            assert!(quantity("balance", &bad).is_err(), "{bad}");
        }
        assert_eq!(to_quantity(0), "0x0");
        assert_eq!(to_quantity(26), "0x1a");
    }

    #[test]
    fn should_suggest_twice_the_base_fee_and_the_nodes_priority_fee() {
        assert_eq!(
            suggested_fees(10, Some(3)),
            Fees {
                max_fee_per_gas: 23,
                max_priority_fee_per_gas: 3
            }
        );
        assert_eq!(
            suggested_fees(0, None).max_priority_fee_per_gas,
            DEFAULT_PRIORITY_FEE
        );
        assert_eq!(suggested_fees(u128::MAX, None).max_fee_per_gas, u128::MAX);
    }
}
