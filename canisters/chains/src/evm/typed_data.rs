//! EIP-712 typed data, as `eth_signTypedData_v4` passes it: JSON with
//! `types`, `primaryType`, `domain` and `message`. The signing hash is
//! `keccak256(0x19 · 0x01 · domainSeparator · hashStruct(message))`,
//! computed here from the JSON (never taken from the caller), and the
//! review lists every field that hash covers.
//!
//! Stricter than the standard's JSON, so that one JSON has one meaning in
//! every wallet: the domain has only the five fields of EIP-712, and
//! `types.EIP712Domain` lists exactly the domain's fields, in the order
//! EIP-712 gives them, with their standard types; the primary type is a
//! struct other than the domain. Sizes are bounded before any type is
//! resolved ([`MAX_TYPED_DATA_LEN`] bytes of JSON, at most [`MAX_TYPES`]
//! types of at most [`MAX_PROPERTIES`] fields, arrays of at most
//! [`MAX_ARRAY_DIMENSIONS`] dimensions, at most [`MAX_REVIEW_FIELDS`]
//! values to show).

use alloy_dyn_abi::DynSolValue;
use alloy_dyn_abi::eip712::TypedData as Eip712;
use alloy_primitives::U256;
use serde_json::{Map, Value};

pub use sigil_api::identity_manager::MAX_TYPED_DATA_LEN;

use crate::ChainError;
use crate::review::{Review, plain_text};

/// The most types `types` may define.
pub const MAX_TYPES: usize = 64;
/// The most fields one type may have.
pub const MAX_PROPERTIES: usize = 64;
/// The most dimensions of an array type (`uint256[][]` has two).
pub const MAX_ARRAY_DIMENSIONS: usize = 4;
/// The most lines a review may list (domain and message together); larger
/// typed data is refused rather than shown in part.
pub const MAX_REVIEW_FIELDS: usize = 256;
/// The longest type or field name.
const MAX_NAME_LEN: usize = 128;

/// The domain fields of EIP-712, in the order its hash takes them.
const DOMAIN_FIELDS: [(&str, &str, &str); 5] = [
    ("name", "string", "Name"),
    ("version", "string", "Version"),
    ("chainId", "uint256", "Chain"),
    ("verifyingContract", "address", "Verifying contract"),
    ("salt", "bytes32", "Salt"),
];

/// Typed data ready to sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypedData {
    /// What the account's key signs.
    pub signing_hash: [u8; 32],
    /// The domain's `chainId`, when it has one.
    pub chain_id: Option<U256>,
    pub review: Review,
}

fn malformed(reason: impl Into<String>) -> ChainError {
    ChainError::MalformedTypedData {
        reason: reason.into(),
    }
}

/// Reads, checks and hashes typed data JSON.
pub fn typed_data(json: &str) -> Result<TypedData, ChainError> {
    if json.len() > MAX_TYPED_DATA_LEN {
        return Err(ChainError::TypedDataTooLong {
            max: MAX_TYPED_DATA_LEN,
        });
    }
    let value: Value =
        serde_json::from_str(json).map_err(|error| malformed(format!("not JSON: {error}")))?;
    let object = value
        .as_object()
        .ok_or_else(|| malformed("not a JSON object"))?;
    let types = member_object(object, "types")?;
    let domain = member_object(object, "domain")?;
    member_object(object, "message")?;
    let primary_type = object
        .get("primaryType")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("primaryType is missing or not a string"))?;
    if primary_type == "EIP712Domain" {
        return Err(malformed(
            "the primary type is the domain: no message would be signed",
        ));
    }
    check_types(types)?;
    check_domain(domain, types)?;

    let data: Eip712 =
        serde_json::from_value(value.clone()).map_err(|error| malformed(error.to_string()))?;
    let message = data
        .coerce()
        .map_err(|error| malformed(error.to_string()))?;
    let signing_hash = data
        .eip712_signing_hash()
        .map_err(|error| malformed(error.to_string()))?;

    let mut review = Review::new(format!("Sign typed data: {}", plain_text(primary_type)));
    review_domain(&data, &mut review);
    push_value(&mut review, String::new(), &message)?;
    Ok(TypedData {
        signing_hash: signing_hash.0,
        chain_id: data.domain.chain_id,
        review,
    })
}

fn member_object<'a>(
    object: &'a Map<String, Value>,
    key: &str,
) -> Result<&'a Map<String, Value>, ChainError> {
    object
        .get(key)
        .and_then(Value::as_object)
        .ok_or_else(|| malformed(format!("{key} is missing or not an object")))
}

/// Bounds the type definitions before any is resolved.
fn check_types(types: &Map<String, Value>) -> Result<(), ChainError> {
    if types.len() > MAX_TYPES {
        return Err(malformed(format!("more than {MAX_TYPES} types")));
    }
    for (name, properties) in types {
        if name.len() > MAX_NAME_LEN {
            return Err(malformed("a type name is too long"));
        }
        let properties = properties.as_array().ok_or_else(|| {
            malformed(format!("type {} is not a list of fields", plain_text(name)))
        })?;
        if properties.len() > MAX_PROPERTIES {
            return Err(malformed(format!(
                "type {} has more than {MAX_PROPERTIES} fields",
                plain_text(name)
            )));
        }
        for property in properties {
            let (field, kind) = property_of(property).ok_or_else(|| {
                malformed(format!("type {} has a malformed field", plain_text(name)))
            })?;
            if field.len() > MAX_NAME_LEN || kind.len() > MAX_NAME_LEN {
                return Err(malformed("a field name or type is too long"));
            }
            if kind.matches('[').count() > MAX_ARRAY_DIMENSIONS {
                return Err(malformed(format!(
                    "arrays of more than {MAX_ARRAY_DIMENSIONS} dimensions"
                )));
            }
        }
    }
    Ok(())
}

fn property_of(property: &Value) -> Option<(&str, &str)> {
    Some((
        property.get("name")?.as_str()?,
        property.get("type")?.as_str()?,
    ))
}

/// The domain has only EIP-712's fields, and `types.EIP712Domain` lists
/// exactly those it has, in order, with their types.
fn check_domain(domain: &Map<String, Value>, types: &Map<String, Value>) -> Result<(), ChainError> {
    if let Some(unknown) = domain
        .keys()
        .find(|key| !DOMAIN_FIELDS.iter().any(|(name, ..)| name == key))
    {
        return Err(malformed(format!(
            "the domain has a field EIP-712 does not define: {}",
            plain_text(unknown)
        )));
    }
    let expected: Vec<(&str, &str)> = DOMAIN_FIELDS
        .iter()
        .filter(|(name, ..)| domain.contains_key(*name))
        .map(|(name, kind, _)| (*name, *kind))
        .collect();
    let declared: Option<Vec<(&str, &str)>> = types
        .get("EIP712Domain")
        .ok_or_else(|| malformed("types.EIP712Domain is missing"))?
        .as_array()
        .and_then(|properties| properties.iter().map(property_of).collect());
    if declared.as_deref() != Some(&expected[..]) {
        return Err(malformed(
            "types.EIP712Domain does not list exactly the domain's fields in EIP-712's order",
        ));
    }
    Ok(())
}

fn review_domain(data: &Eip712, review: &mut Review) {
    let domain = &data.domain;
    for (name, _, label) in DOMAIN_FIELDS {
        let value = match name {
            "name" => domain.name.as_deref().map(plain_text),
            "version" => domain.version.as_deref().map(plain_text),
            "chainId" => domain.chain_id.map(|id| id.to_string()),
            "verifyingContract" => domain.verifying_contract.map(|a| a.to_checksum(None)),
            _ => domain.salt.map(|salt| salt.to_string()),
        };
        if let Some(value) = value {
            review.field(format!("Domain: {label}"), value);
        }
    }
}

/// Lists `value` under `label` (`from.wallet`, `items[2]`), every leaf a
/// line.
fn push_value(review: &mut Review, label: String, value: &DynSolValue) -> Result<(), ChainError> {
    let leaf = match value {
        DynSolValue::CustomStruct {
            prop_names, tuple, ..
        } => {
            for (name, value) in prop_names.iter().zip(tuple) {
                let name = plain_text(name);
                let label = if label.is_empty() {
                    name
                } else {
                    format!("{label}.{name}")
                };
                push_value(review, label, value)?;
            }
            return Ok(());
        }
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) if !items.is_empty() => {
            for (index, item) in items.iter().enumerate() {
                push_value(review, format!("{label}[{index}]"), item)?;
            }
            return Ok(());
        }
        DynSolValue::Array(_) | DynSolValue::FixedArray(_) => "(none)".to_owned(),
        DynSolValue::Bool(flag) => flag.to_string(),
        DynSolValue::Int(number, _) => number.to_string(),
        DynSolValue::Uint(number, _) => number.to_string(),
        DynSolValue::FixedBytes(word, size) => format!("0x{}", hex::encode(&word[..*size])),
        DynSolValue::Address(address) => address.to_checksum(None),
        DynSolValue::Bytes(bytes) => format!("0x{}", hex::encode(bytes)),
        DynSolValue::String(text) => plain_text(text),
        DynSolValue::Function(function) => format!("0x{}", hex::encode(function.as_slice())),
        DynSolValue::Tuple(items) => {
            for (index, item) in items.iter().enumerate() {
                push_value(review, format!("{label}.{index}"), item)?;
            }
            return Ok(());
        }
    };
    if review.fields.len() >= MAX_REVIEW_FIELDS {
        return Err(ChainError::TooManyFields {
            max: MAX_REVIEW_FIELDS,
        });
    }
    review.field(label, leaf);
    Ok(())
}

#[cfg(test)]
#[path = "typed_data_tests.rs"]
mod tests;
