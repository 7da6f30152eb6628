//! EVM transactions: a JSON-RPC transaction object read into an EIP-1559
//! or a legacy (EIP-155) transaction, the hash its signer signs, its
//! review, and the signed EIP-2718 encoding sent to the chain.
//!
//! The type follows the fees given: `gasPrice` alone is legacy, the two
//! EIP-1559 fees are EIP-1559; both, neither, or one EIP-1559 fee without
//! the other are refused, as are an access list on a legacy transaction
//! and a priority fee above the maximum fee. The most a transaction can
//! cost (`value + gas · fee`) must fit in 256 bits.

use alloy_consensus::{SignableTransaction, TxEip1559, TxLegacy};
use alloy_eips::eip2718::Encodable2718;
use alloy_eips::eip2930::{AccessList, AccessListItem};
use alloy_primitives::{Address as AlloyAddress, B256, Bytes, Signature, TxKind, U256};
use sigil_api::identity_manager::{
    AccessListEntry, EvmChain, EvmTransactionRequest, MAX_TRANSACTION_DATA_LEN,
};

use super::calls::review_call;
use super::quantity::{format_ether, format_gwei, parse_u64, parse_u128, parse_u256};
use super::{Address, RecoverableSignature, keccak256};
use crate::ChainError;
use crate::review::Review;

/// The most entries of an access list, and storage keys over all entries.
pub const MAX_ACCESS_LIST_ENTRIES: usize = 64;
pub const MAX_ACCESS_LIST_KEYS: usize = 256;

/// An unsigned transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnsignedTransaction {
    Eip1559(TxEip1559),
    Legacy(TxLegacy),
}

/// A transaction ready to sign, with what a policy needs to judge it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub unsigned: UnsignedTransaction,
    pub chain_id: u64,
    /// `None`: creates a contract.
    pub to: Option<Address>,
    /// Wei sent.
    pub value: U256,
    /// The most it can cost the sender: value and the whole gas limit at
    /// the highest fee.
    pub max_cost: U256,
    /// What the account's key signs.
    pub signing_hash: [u8; 32],
    /// The unsigned encoding (for the log's digest).
    pub encoded: Vec<u8>,
    pub review: Review,
}

/// A signed transaction, EIP-2718 encoded, and its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTransaction {
    pub raw: Vec<u8>,
    pub hash: [u8; 32],
}

/// Reads `request` for `chain`, sent by `from`.
pub fn transaction(
    request: &EvmTransactionRequest,
    chain: &EvmChain,
    from: Address,
) -> Result<Transaction, ChainError> {
    let chain_id = parse_u64("chainId", &request.chain_id)?;
    if chain_id != chain.chain_id {
        return Err(ChainError::WrongChain {
            expected: chain.chain_id,
            found: chain_id,
        });
    }
    let nonce = parse_u64("nonce", &request.nonce)?;
    let gas_limit = parse_u64("gas", &request.gas)?;
    let to = request.to.as_deref().map(Address::parse).transpose()?;
    let value = request
        .value
        .as_deref()
        .map(|value| parse_u256("value", value))
        .transpose()?
        .unwrap_or(U256::ZERO);
    let input = parse_data(request.data.as_deref().unwrap_or("0x"))?;
    let kind = to.map_or(TxKind::Create, |to| TxKind::Call(AlloyAddress::from(to.0)));
    let fees = Fees::of(request)?;
    let max_cost = U256::from(gas_limit)
        .checked_mul(U256::from(fees.max_fee_per_gas()))
        .and_then(|gas| gas.checked_add(value))
        .ok_or(ChainError::CostOverflow)?;

    let unsigned = match fees {
        Fees::Legacy { gas_price } => {
            if request
                .access_list
                .as_ref()
                .is_some_and(|list| !list.is_empty())
            {
                return Err(ChainError::AccessListOnLegacy);
            }
            UnsignedTransaction::Legacy(TxLegacy {
                chain_id: Some(chain_id),
                nonce,
                gas_price,
                gas_limit,
                to: kind,
                value,
                input,
            })
        }
        Fees::Eip1559 { max_fee, priority } => UnsignedTransaction::Eip1559(TxEip1559 {
            chain_id,
            nonce,
            gas_limit,
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: priority,
            to: kind,
            value,
            access_list: parse_access_list(request.access_list.as_deref().unwrap_or_default())?,
            input,
        }),
    };
    let encoded = match &unsigned {
        UnsignedTransaction::Eip1559(tx) => tx.encoded_for_signing(),
        UnsignedTransaction::Legacy(tx) => tx.encoded_for_signing(),
    };
    let signing_hash = keccak256(&encoded);
    let review = review(&unsigned, chain, from, &fees, max_cost);
    Ok(Transaction {
        unsigned,
        chain_id,
        to,
        value,
        max_cost,
        signing_hash,
        encoded,
        review,
    })
}

/// The transaction signed with `signature` (made over its signing hash).
pub fn signed(
    unsigned: &UnsignedTransaction,
    signature: &RecoverableSignature,
) -> SignedTransaction {
    let signature = Signature::new(
        U256::from_be_slice(&signature.rs[..32]),
        U256::from_be_slice(&signature.rs[32..]),
        signature.y_parity == 1,
    );
    let raw = match unsigned {
        UnsignedTransaction::Eip1559(tx) => tx.clone().into_signed(signature).encoded_2718(),
        UnsignedTransaction::Legacy(tx) => tx.clone().into_signed(signature).encoded_2718(),
    };
    let hash = keccak256(&raw);
    SignedTransaction { raw, hash }
}

enum Fees {
    Legacy { gas_price: u128 },
    Eip1559 { max_fee: u128, priority: u128 },
}

impl Fees {
    fn of(request: &EvmTransactionRequest) -> Result<Self, ChainError> {
        let price = |field, text: &Option<String>| {
            text.as_deref()
                .map(|text| parse_u128(field, text))
                .transpose()
        };
        let gas_price = price("gasPrice", &request.gas_price)?;
        let max_fee = price("maxFeePerGas", &request.max_fee_per_gas)?;
        let priority = price("maxPriorityFeePerGas", &request.max_priority_fee_per_gas)?;
        match (gas_price, max_fee, priority) {
            (Some(gas_price), None, None) => Ok(Fees::Legacy { gas_price }),
            (None, Some(max_fee), Some(priority)) if priority <= max_fee => {
                Ok(Fees::Eip1559 { max_fee, priority })
            }
            (None, Some(_), Some(_)) => Err(ChainError::PriorityFeeAboveMaxFee),
            _ => Err(ChainError::AmbiguousFees),
        }
    }

    fn max_fee_per_gas(&self) -> u128 {
        match self {
            Fees::Legacy { gas_price } => *gas_price,
            Fees::Eip1559 { max_fee, .. } => *max_fee,
        }
    }
}

/// `0x` and an even number of hexadecimal digits, at most
/// [`MAX_TRANSACTION_DATA_LEN`] bytes.
fn parse_data(text: &str) -> Result<Bytes, ChainError> {
    let digits = text.strip_prefix("0x").ok_or(ChainError::MalformedData)?;
    if digits.len() > 2 * MAX_TRANSACTION_DATA_LEN {
        return Err(ChainError::DataTooLong {
            max: MAX_TRANSACTION_DATA_LEN,
        });
    }
    hex::decode(digits)
        .map(Bytes::from)
        .map_err(|_| ChainError::MalformedData)
}

fn parse_access_list(entries: &[AccessListEntry]) -> Result<AccessList, ChainError> {
    let keys: usize = entries.iter().map(|entry| entry.storage_keys.len()).sum();
    if entries.len() > MAX_ACCESS_LIST_ENTRIES || keys > MAX_ACCESS_LIST_KEYS {
        return Err(ChainError::AccessListTooLong);
    }
    entries
        .iter()
        .map(|entry| {
            let address = Address::parse(&entry.address)?;
            let storage_keys = entry
                .storage_keys
                .iter()
                .map(|key| {
                    let digits = key
                        .strip_prefix("0x")
                        .ok_or(ChainError::MalformedStorageKey)?;
                    let mut word = [0; 32];
                    hex::decode_to_slice(digits, &mut word)
                        .map_err(|_| ChainError::MalformedStorageKey)?;
                    Ok(B256::from(word))
                })
                .collect::<Result<_, ChainError>>()?;
            Ok(AccessListItem {
                address: AlloyAddress::from(address.0),
                storage_keys,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(AccessList)
}

fn review(
    unsigned: &UnsignedTransaction,
    chain: &EvmChain,
    from: Address,
    fees: &Fees,
    max_cost: U256,
) -> Review {
    let (nonce, gas_limit, to, value, input, access_list) = match unsigned {
        UnsignedTransaction::Eip1559(tx) => (
            tx.nonce,
            tx.gas_limit,
            tx.to,
            tx.value,
            &tx.input,
            Some(&tx.access_list),
        ),
        UnsignedTransaction::Legacy(tx) => {
            (tx.nonce, tx.gas_limit, tx.to, tx.value, &tx.input, None)
        }
    };
    let symbol = &chain.symbol;
    let amount = format!("{} {symbol}", format_ether(value));
    let mut review = Review::new(match to {
        TxKind::Create => "Create a contract".to_owned(),
        TxKind::Call(_) if !input.is_empty() => "Call a contract".to_owned(),
        TxKind::Call(_) => format!("Send {amount}"),
    });
    review.field("Chain", format!("{} ({})", chain.name, chain.chain_id));
    review.field("From", from.to_checksummed());
    match to {
        TxKind::Call(to) => review.field("To", to.to_checksum(None)),
        TxKind::Create => {
            let created = AlloyAddress::from(from.0).create(nonce);
            review.field("To", "(a new contract)");
            review.field("New contract's address", created.to_checksum(None));
            review.warn("This creates a contract from code Sigil cannot read.");
        }
    }
    review.field("Amount", amount);
    match fees {
        Fees::Legacy { gas_price } => {
            review.field(
                "Gas price",
                format!("{} gwei", format_gwei(U256::from(*gas_price))),
            );
        }
        Fees::Eip1559 { max_fee, priority } => {
            review.field(
                "Max fee per gas",
                format!("{} gwei", format_gwei(U256::from(*max_fee))),
            );
            review.field(
                "Priority fee per gas",
                format!("{} gwei", format_gwei(U256::from(*priority))),
            );
        }
    }
    review.field("Gas limit", gas_limit.to_string());
    review.field(
        "At most, in all",
        format!("{} {symbol}", format_ether(max_cost)),
    );
    review.field("Nonce", nonce.to_string());
    review.field(
        "Type",
        match unsigned {
            UnsignedTransaction::Eip1559(_) => "EIP-1559",
            UnsignedTransaction::Legacy(_) => "Legacy (EIP-155)",
        },
    );
    if let (TxKind::Call(_), false) = (to, input.is_empty()) {
        review_call(input, &mut review);
    } else if !input.is_empty() {
        review.field("Code", format!("{} bytes", input.len()));
    }
    for (index, item) in access_list
        .map(|list| &list.0[..])
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        review.field(
            format!("Access list [{index}]"),
            format!(
                "{} ({} storage keys)",
                item.address.to_checksum(None),
                item.storage_keys.len()
            ),
        );
    }
    review
}

#[cfg(test)]
#[path = "transaction_tests.rs"]
mod tests;
