//! `wallet_addEthereumChain` (EIP-3085): a dapp proposes a chain by id,
//! name, node URL and currency. Sigil shows the proposal for the person to
//! approve; the provider then reads that chain through the node the dapp
//! named. Sigil signs on it only if the identity manager signs for that
//! chain and the account's policy allows it, so adding a chain grants
//! nothing by itself.
//!
//! Invariants (as EIP-3085 and the wallets that implement it ask): no key
//! beyond the six the EIP names; a node URL that is `https://` (or `http://`
//! on this computer); a currency, when named, with 18 decimals and a
//! symbol of 1 to 6 characters; every text bounded.

use serde_json::{Map, Value};

use super::error::ProviderError;
use super::request::{only_keys, read_chain_id};

const KEYS: &[&str] = &[
    "chainId",
    "chainName",
    "blockExplorerUrls",
    "nativeCurrency",
    "rpcUrls",
    "iconUrls",
];
/// The longest chain name and URL read.
const MAX_NAME_LEN: usize = 64;
const MAX_URL_LEN: usize = 2048;

/// A chain a dapp proposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddChain {
    pub chain_id: u64,
    pub name: String,
    /// The first of the dapp's node URLs: the one the provider reads from.
    pub rpc_url: String,
    pub symbol: Option<String>,
}

fn invalid(reason: &str) -> ProviderError {
    ProviderError::InvalidParams(reason.to_owned())
}

/// Whether `url` is one a page may read a chain from: `https://`, or
/// `http://` on this computer.
fn is_node_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    let local = matches!(host_name, "localhost" | "127.0.0.1" | "[::1]");
    !host_name.is_empty()
        && !host.contains('@')
        && url.len() <= MAX_URL_LEN
        && (scheme == "https" || (scheme == "http" && local))
}

fn urls(object: &Map<String, Value>, key: &str) -> Result<Vec<String>, ProviderError> {
    let Some(value) = object.get(key).filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let list = value
        .as_array()
        .ok_or_else(|| invalid("URLs come as a list of strings"))?;
    list.iter()
        .map(|url| {
            url.as_str()
                .filter(|url| url.len() <= MAX_URL_LEN)
                .map(str::to_owned)
                .ok_or_else(|| invalid("URLs come as a list of strings"))
        })
        .collect()
}

fn symbol(value: Option<&Value>) -> Result<Option<String>, ProviderError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let currency = only_keys(value, &["name", "symbol", "decimals"])?;
    let symbol = currency
        .get("symbol")
        .and_then(Value::as_str)
        .filter(|s| (1..=6).contains(&s.chars().count()))
        .ok_or_else(|| invalid("nativeCurrency.symbol must be 1 to 6 characters"))?;
    if !currency.get("name").is_some_and(Value::is_string) {
        return Err(invalid("nativeCurrency.name must be a string"));
    }
    if currency.get("decimals").and_then(Value::as_u64) != Some(18) {
        return Err(invalid("nativeCurrency.decimals must be 18"));
    }
    Ok(Some(symbol.to_owned()))
}

impl AddChain {
    pub fn read(value: &Value) -> Result<Self, ProviderError> {
        let object = only_keys(value, KEYS)?;
        let chain_id = read_chain_id(object.get("chainId"))?;
        let name = object
            .get("chainName")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|name| !name.is_empty() && name.chars().count() <= MAX_NAME_LEN)
            .ok_or_else(|| invalid("chainName must be a name of 1 to 64 characters"))?;
        let rpc_url = urls(object, "rpcUrls")?
            .into_iter()
            .next()
            .ok_or_else(|| invalid("rpcUrls must name the chain's node"))?;
        if !is_node_url(&rpc_url) {
            return Err(invalid(
                "the node's URL must be https:// (http:// only on this computer)",
            ));
        }
        urls(object, "blockExplorerUrls")?;
        urls(object, "iconUrls")?;
        Ok(Self {
            chain_id,
            name: name.to_owned(),
            rpc_url,
            symbol: symbol(object.get("nativeCurrency"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn proposal() -> Value {
        json!({
            "chainId": "0xaa36a7",
            "chainName": "Sepolia",
            "rpcUrls": ["https://rpc.sepolia.example", "https://backup.example"],
            "nativeCurrency": { "name": "Sepolia Ether", "symbol": "SEP", "decimals": 18 },
            "blockExplorerUrls": ["https://sepolia.etherscan.io"],
        })
    }

    fn with(key: &str, value: Value) -> Value {
        let mut proposal = proposal();
        proposal[key] = value;
        proposal
    }

    #[test]
    fn should_read_a_proposal_as_wallets_receive_it() {
        assert_eq!(
            AddChain::read(&proposal()),
            Ok(AddChain {
                chain_id: 11_155_111,
                name: "Sepolia".into(),
                rpc_url: "https://rpc.sepolia.example".into(),
                symbol: Some("SEP".into()),
            })
        );
        let local = with("rpcUrls", json!(["http://127.0.0.1:8545"]));
        assert!(AddChain::read(&local).is_ok(), "a node on this computer");
        let mut bare = proposal();
        bare.as_object_mut().map(|o| o.remove("nativeCurrency"));
        assert_eq!(AddChain::read(&bare).map(|c| c.symbol), Ok(None));
    }

    #[test]
    fn should_refuse_what_eip_3085_refuses() {
        let cases = [
            (with("rpcUrls", json!([])), "rpcUrls"),
            (with("rpcUrls", json!(["http://node.example"])), "https://"),
            (with("rpcUrls", json!(["file:///etc/passwd"])), "https://"),
            (
                with("rpcUrls", json!(["https://user@node.example"])),
                "https://",
            ),
            (with("rpcUrls", json!("https://node.example")), "list"),
            (with("chainName", json!("")), "chainName"),
            (with("chainName", json!("n".repeat(65))), "chainName"),
            (with("chainId", json!("0x0aa36a7")), "chainId"),
            (
                with(
                    "nativeCurrency",
                    json!({ "name": "X", "symbol": "X", "decimals": 6 }),
                ),
                "18",
            ),
            (
                with(
                    "nativeCurrency",
                    json!({ "name": "X", "symbol": "TOOLONG", "decimals": 18 }),
                ),
                "symbol",
            ),
            (
                with("nativeCurrency", json!({ "symbol": "X", "decimals": 18 })),
                "name",
            ),
            (with("iconUrls", json!([7])), "list"),
            (with("extra", json!(1)), "unexpected key"),
        ];
        for (value, words) in cases {
            match AddChain::read(&value) {
                Err(ProviderError::InvalidParams(reason)) => {
                    assert!(reason.contains(words), "{value}: {reason}")
                }
                other => panic!("{value}: {other:?}"),
            }
        }
    }
}
