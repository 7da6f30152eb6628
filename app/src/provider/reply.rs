//! JSON-RPC 2.0 answers to the dapp, and the shapes of their results.

use serde_json::{Value, json};
use sigil_api::identity_manager::Connection;

use super::error::ProviderError;

pub fn result(id: &Value, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

pub fn error(id: &Value, error: &ProviderError) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": error.to_json() })
}

/// `wallet_requestPermissions`'s result for `connection` of `address`
/// (EIP-2255, with the caveat wallets use to name the accounts; the date
/// in milliseconds).
pub fn permissions(connection: &Connection, address: &str) -> Value {
    json!([{
        "invoker": connection.origin,
        "parentCapability": "eth_accounts",
        "caveats": [{ "type": "restrictReturnedAccounts", "value": [address] }],
        "date": connection.connected_at / 1_000_000,
    }])
}

/// `0x` and the bytes in lowercase hexadecimal.
pub fn hex_data(bytes: &[u8]) -> Value {
    Value::String(format!("0x{}", hex::encode(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_answer_with_the_requests_id() {
        assert_eq!(
            result(&json!("a"), json!(["0xab"])),
            json!({ "jsonrpc": "2.0", "id": "a", "result": ["0xab"] })
        );
        let refused = error(&json!(3), &ProviderError::Rejected);
        assert_eq!(refused["id"], 3);
        assert_eq!(refused["error"]["code"], 4001);
        assert!(refused.get("result").is_none());
        assert_eq!(hex_data(&[0, 0xab]), json!("0x00ab"));
    }

    #[test]
    fn should_name_the_origin_and_the_account_in_the_permission() {
        let connection = Connection {
            origin: "https://dapp.example".into(),
            connected_at: 5_000_000,
            expires_at: 6_000_000,
        };
        let permission = &permissions(&connection, "0xab")[0];
        assert_eq!(permission["invoker"], "https://dapp.example");
        assert_eq!(permission["parentCapability"], "eth_accounts");
        assert_eq!(permission["caveats"][0]["value"][0], "0xab");
        assert_eq!(permission["date"], 5);
    }
}
