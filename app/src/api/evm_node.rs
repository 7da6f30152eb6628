//! An EVM chain's node, reached over JSON-RPC from the page: what the
//! wallet reads (balance, nonce, fees, receipts) and sends (a transaction
//! the identity manager signed). The node is trusted with nothing: what it
//! says only fills in a form the identity manager reviews and the person
//! approves.

use std::cell::Cell;

use serde_json::{Value, json};
use thiserror::Error;

use crate::browser::http::{FetchError, post_json};
use crate::evm::rpc::{self, Fees, RpcError, quantity, suggested_fees, to_quantity};

/// Largest reply read, and how long a request may take.
const MAX_REPLY_BYTES: usize = 256 * 1024;
const TIMEOUT_MILLIS: u32 = 15_000;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvmNodeError {
    #[error("the {chain} node could not be reached: {source}")]
    Unreachable { chain: String, source: FetchError },
    #[error("{0}")]
    Rpc(#[from] RpcError),
}

/// A transaction's receipt, once mined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    pub succeeded: bool,
    pub block: u128,
}

pub struct EvmNode {
    name: String,
    url: String,
    next_id: Cell<u64>,
}

impl EvmNode {
    pub fn new(name: &str, url: &str) -> Self {
        Self {
            name: name.to_owned(),
            url: url.to_owned(),
            next_id: Cell::new(1),
        }
    }

    async fn call(&self, method: &str, params: Value) -> Result<Value, EvmNodeError> {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let body = rpc::request(id, method, params);
        let reply = post_json(&self.url, &body, MAX_REPLY_BYTES, TIMEOUT_MILLIS)
            .await
            .map_err(|source| EvmNodeError::Unreachable {
                chain: self.name.clone(),
                source,
            })?;
        Ok(rpc::result(&reply, id)?)
    }

    /// `address`'s balance, in wei.
    pub async fn balance(&self, address: &str) -> Result<u128, EvmNodeError> {
        let result = self
            .call("eth_getBalance", json!([address, "latest"]))
            .await?;
        Ok(quantity("balance", &result)?)
    }

    /// The nonce `address`'s next transaction takes (pending ones counted).
    pub async fn nonce(&self, address: &str) -> Result<u128, EvmNodeError> {
        let params = json!([address, "pending"]);
        let result = self.call("eth_getTransactionCount", params).await?;
        Ok(quantity("nonce", &result)?)
    }

    /// Fees for a transfer: twice the latest base fee and the node's
    /// priority fee (or 1 gwei where it has none).
    pub async fn fees(&self) -> Result<Fees, EvmNodeError> {
        let block = self
            .call("eth_getBlockByNumber", json!(["latest", false]))
            .await?;
        let base_fee = quantity("baseFeePerGas", &block["baseFeePerGas"])?;
        let priority = match self.call("eth_maxPriorityFeePerGas", json!([])).await {
            Ok(fee) => Some(quantity("maxPriorityFeePerGas", &fee)?),
            Err(EvmNodeError::Rpc(RpcError::Node { .. })) => None,
            Err(error) => return Err(error),
        };
        Ok(suggested_fees(base_fee, priority))
    }

    /// The node's price per gas for a legacy transaction.
    pub async fn gas_price(&self) -> Result<u128, EvmNodeError> {
        let result = self.call("eth_gasPrice", json!([])).await?;
        Ok(quantity("gasPrice", &result)?)
    }

    /// The gas `call` (a JSON-RPC call object: from, to, value, data)
    /// would use.
    pub async fn estimate_gas(&self, call: Value) -> Result<u128, EvmNodeError> {
        let result = self.call("eth_estimateGas", json!([call])).await?;
        Ok(quantity("gas", &result)?)
    }

    /// Sends a signed transaction; its hash as the node gives it.
    pub async fn send_raw(&self, raw: &[u8]) -> Result<String, EvmNodeError> {
        let raw = format!("0x{}", hex::encode(raw));
        let result = self.call("eth_sendRawTransaction", json!([raw])).await?;
        result
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| EvmNodeError::Rpc(RpcError::Malformed("the hash is not text".into())))
    }

    /// The receipt of the transaction `hash`, or `None` while it waits.
    pub async fn receipt(&self, hash: &str) -> Result<Option<Receipt>, EvmNodeError> {
        let result = self
            .call("eth_getTransactionReceipt", json!([hash]))
            .await?;
        if result.is_null() {
            return Ok(None);
        }
        Ok(Some(Receipt {
            succeeded: quantity("status", &result["status"])? == 1,
            block: quantity("blockNumber", &result["blockNumber"])?,
        }))
    }

    /// Sets `address`'s balance on a local development node (Hardhat).
    pub async fn set_balance(&self, address: &str, wei: u128) -> Result<(), EvmNodeError> {
        self.call("hardhat_setBalance", json!([address, to_quantity(wei)]))
            .await
            .map(|_| ())
    }
}
