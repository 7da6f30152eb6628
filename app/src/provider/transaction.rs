//! `eth_sendTransaction`'s transaction object, as ethers and viem write it
//! (quantities in `0x` hex, `gas` or `gasLimit`, `data` or `input`), read
//! into [`TransactionParams`]; what the dapp left out (nonce, gas, fees)
//! Sigil asks the chain's node for, and [`TransactionParams::request`]
//! writes the whole as the identity manager reads it.
//!
//! Invariants: an unknown key is refused, never dropped (an EIP-7702
//! authorization list or blob hashes left out would sign something else
//! than the dapp asked); the dapp's fees are kept unless the person
//! changes them; legacy and EIP-1559 fees are never mixed.

use serde_json::{Map, Value};
use sigil_api::identity_manager::{
    AccessListEntry, EvmTransactionRequest, MAX_TRANSACTION_DATA_LEN,
};

use super::error::ProviderError;
use super::request::{is_hex, only_keys, read_address};
use crate::evm::amount::{GWEI_DECIMALS, format_units, parse_units};
use crate::evm::rpc::to_quantity;

const KEYS: &[&str] = &[
    "from",
    "to",
    "value",
    "data",
    "input",
    "gas",
    "gasLimit",
    "gasPrice",
    "maxFeePerGas",
    "maxPriorityFeePerGas",
    "nonce",
    "chainId",
    "type",
    "accessList",
];

/// The fees a transaction pays, per gas, in wei.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fees {
    Legacy {
        gas_price: u128,
    },
    Eip1559 {
        max_fee_per_gas: u128,
        max_priority_fee_per_gas: u128,
    },
}

impl Fees {
    /// The fees as the person reads them, in gwei: the gas price, or the
    /// maximum fee and the priority fee.
    pub fn in_gwei(self) -> (String, Option<String>) {
        match self {
            Fees::Legacy { gas_price } => (format_units(gas_price, GWEI_DECIMALS), None),
            Fees::Eip1559 {
                max_fee_per_gas,
                max_priority_fee_per_gas,
            } => (
                format_units(max_fee_per_gas, GWEI_DECIMALS),
                Some(format_units(max_priority_fee_per_gas, GWEI_DECIMALS)),
            ),
        }
    }

    /// Fees of the same kind as `self`, from what the person typed in gwei
    /// (`priority` is ignored for a legacy transaction).
    pub fn retyped(self, max: &str, priority: &str) -> Result<Fees, String> {
        let max = parse_units(max, GWEI_DECIMALS).map_err(|e| format!("Maximum fee: {e}."))?;
        match self {
            Fees::Legacy { .. } => Ok(Fees::Legacy { gas_price: max }),
            Fees::Eip1559 { .. } => {
                let priority = parse_units(priority, GWEI_DECIMALS)
                    .map_err(|e| format!("Priority fee: {e}."))?;
                if priority > max {
                    return Err("The priority fee cannot be above the maximum fee.".into());
                }
                Ok(Fees::Eip1559 {
                    max_fee_per_gas: max,
                    max_priority_fee_per_gas: priority,
                })
            }
        }
    }
}

/// What the dapp sent; `None` where it left a field out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionParams {
    pub from: Option<String>,
    /// `None`: a contract creation.
    pub to: Option<String>,
    pub value: Option<u128>,
    /// `0x` hex.
    pub data: Option<String>,
    pub gas: Option<u128>,
    pub nonce: Option<u128>,
    pub chain_id: Option<u64>,
    pub fees: Option<Fees>,
    /// Whether the dapp asked for a legacy transaction (`type` `0x0`, or a
    /// `gasPrice`).
    pub legacy: bool,
    pub access_list: Option<Vec<AccessListEntry>>,
}

fn invalid(reason: impl Into<String>) -> ProviderError {
    ProviderError::InvalidParams(reason.into())
}

/// A `0x` quantity of at most 128 bits (leading zeros allowed).
fn quantity(object: &Map<String, Value>, key: &str) -> Result<Option<u128>, ProviderError> {
    let Some(value) = object.get(key).filter(|value| !value.is_null()) else {
        return Ok(None);
    };
    let refused = || invalid(format!("{key} must be a 0x hexadecimal quantity"));
    let text = value
        .as_str()
        .filter(|text| is_hex(text))
        .ok_or_else(refused)?;
    let digits = text.trim_start_matches("0x").trim_start_matches('0');
    if text.len() == 2 {
        return Err(refused());
    }
    if digits.len() > 32 {
        return Err(invalid(format!("{key} is too large")));
    }
    Ok(Some(if digits.is_empty() {
        0
    } else {
        u128::from_str_radix(digits, 16).map_err(|_| refused())?
    }))
}

fn data(object: &Map<String, Value>) -> Result<Option<String>, ProviderError> {
    let read = |key: &str| -> Result<Option<String>, ProviderError> {
        let Some(value) = object.get(key).filter(|value| !value.is_null()) else {
            return Ok(None);
        };
        let text = value
            .as_str()
            .filter(|text| is_hex(text) && text.len() % 2 == 0)
            .ok_or_else(|| invalid(format!("{key} must be 0x and pairs of hexadecimal digits")))?;
        if (text.len() - 2) / 2 > MAX_TRANSACTION_DATA_LEN {
            return Err(invalid(format!(
                "{key} is longer than {MAX_TRANSACTION_DATA_LEN} bytes"
            )));
        }
        Ok(Some(text.to_ascii_lowercase()))
    };
    match (read("data")?, read("input")?) {
        (Some(data), Some(input)) if data != input => {
            Err(invalid("data and input differ: send one of them"))
        }
        (data, input) => Ok(data.or(input)),
    }
}

fn access_list(value: Option<&Value>) -> Result<Option<Vec<AccessListEntry>>, ProviderError> {
    let Some(value) = value.filter(|value| !value.is_null()) else {
        return Ok(None);
    };
    let refused = || invalid("accessList must be a list of {address, storageKeys}");
    let entries = value.as_array().ok_or_else(refused)?;
    entries
        .iter()
        .map(|entry| {
            let entry = only_keys(entry, &["address", "storageKeys"])?;
            let address = read_address(entry.get("address").ok_or_else(refused)?)?;
            let storage_keys = entry
                .get("storageKeys")
                .and_then(Value::as_array)
                .ok_or_else(refused)?
                .iter()
                .map(|key| {
                    key.as_str()
                        .filter(|key| key.len() == 66 && is_hex(key))
                        .map(str::to_owned)
                        .ok_or_else(|| invalid("a storage key is 0x and 64 hexadecimal digits"))
                })
                .collect::<Result<_, _>>()?;
            Ok(AccessListEntry {
                address,
                storage_keys,
            })
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

impl TransactionParams {
    pub fn read(value: &Value) -> Result<Self, ProviderError> {
        let object = only_keys(value, KEYS)?;
        let from = object
            .get("from")
            .filter(|from| !from.is_null())
            .map(read_address)
            .transpose()?;
        let to = match object.get("to") {
            None | Some(Value::Null) => None,
            Some(to) => Some(read_address(to)?),
        };
        let gas = match (quantity(object, "gas")?, quantity(object, "gasLimit")?) {
            (Some(gas), Some(limit)) if gas != limit => {
                return Err(invalid("gas and gasLimit differ: send one of them"));
            }
            (gas, limit) => gas.or(limit),
        };
        let chain_id = quantity(object, "chainId")?
            .map(|id| u64::try_from(id).map_err(|_| invalid("chainId is too large")))
            .transpose()?;
        let kind = quantity(object, "type")?;
        let gas_price = quantity(object, "gasPrice")?;
        let max_fee = quantity(object, "maxFeePerGas")?;
        let priority = quantity(object, "maxPriorityFeePerGas")?;
        let access_list = access_list(object.get("accessList"))?;
        let legacy = match kind {
            Some(0) => true,
            Some(2) => false,
            None => gas_price.is_some(),
            Some(_) => {
                return Err(invalid(
                    "Sigil signs legacy (type 0x0) and EIP-1559 (type 0x2) transactions only",
                ));
            }
        };
        let fees = match (legacy, gas_price, max_fee, priority) {
            (true, _, Some(_), _) | (true, _, _, Some(_)) | (false, Some(_), _, _) => {
                return Err(invalid(
                    "a transaction has either gasPrice or the two EIP-1559 fees",
                ));
            }
            (true, Some(gas_price), None, None) => Some(Fees::Legacy { gas_price }),
            (false, None, Some(max_fee_per_gas), Some(max_priority_fee_per_gas)) => {
                if max_priority_fee_per_gas > max_fee_per_gas {
                    return Err(invalid("maxPriorityFeePerGas is above maxFeePerGas"));
                }
                Some(Fees::Eip1559 {
                    max_fee_per_gas,
                    max_priority_fee_per_gas,
                })
            }
            (false, None, Some(_), None) | (false, None, None, Some(_)) => {
                return Err(invalid("send both maxFeePerGas and maxPriorityFeePerGas"));
            }
            _ => None,
        };
        if legacy && access_list.is_some() {
            return Err(invalid("a legacy transaction has no access list"));
        }
        Ok(Self {
            from,
            to,
            value: quantity(object, "value")?,
            data: data(object)?,
            gas,
            nonce: quantity(object, "nonce")?,
            chain_id,
            fees,
            legacy,
            access_list,
        })
    }

    /// The call object `eth_estimateGas` takes for this transaction from
    /// `from`.
    pub fn estimate_call(&self, from: &str) -> Value {
        let mut call = Map::new();
        call.insert("from".into(), Value::String(from.to_owned()));
        if let Some(to) = &self.to {
            call.insert("to".into(), Value::String(to.clone()));
        }
        if let Some(value) = self.value {
            call.insert("value".into(), Value::String(to_quantity(value)));
        }
        if let Some(data) = &self.data {
            call.insert("data".into(), Value::String(data.clone()));
        }
        Value::Object(call)
    }

    /// The transaction on `chain_id` with `nonce`, `gas` and `fees`, as the
    /// identity manager reads it.
    pub fn request(
        &self,
        chain_id: u64,
        nonce: u128,
        gas: u128,
        fees: Fees,
    ) -> EvmTransactionRequest {
        let (gas_price, max_fee_per_gas, max_priority_fee_per_gas) = match fees {
            Fees::Legacy { gas_price } => (Some(to_quantity(gas_price)), None, None),
            Fees::Eip1559 {
                max_fee_per_gas,
                max_priority_fee_per_gas,
            } => (
                None,
                Some(to_quantity(max_fee_per_gas)),
                Some(to_quantity(max_priority_fee_per_gas)),
            ),
        };
        EvmTransactionRequest {
            chain_id: chain_id.to_string(),
            nonce: to_quantity(nonce),
            to: self.to.clone(),
            value: self.value.map(to_quantity),
            data: self.data.clone(),
            gas: to_quantity(gas),
            gas_price,
            max_fee_per_gas,
            max_priority_fee_per_gas,
            access_list: self.access_list.clone(),
        }
    }
}

#[cfg(test)]
#[path = "transaction_tests.rs"]
mod tests;
