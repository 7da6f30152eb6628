//! Contract calls a review can read: the token functions a wallet is most
//! often asked to sign (ERC-20 and ERC-721 transfers and approvals). Any
//! other call is shown by its selector, with a warning that its arguments
//! cannot be read.
//!
//! Arguments are decoded with the ABI's rules and must re-encode to exactly
//! the data sent: data with extra or non-canonical bytes is treated as
//! unknown, never shown as something it is not.

use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::U256;

use crate::review::Review;

/// A function a review can read: its selector, its signature and its
/// arguments' names.
struct KnownFunction {
    selector: [u8; 4],
    signature: &'static str,
    arguments: &'static [(&'static str, DynSolType)],
}

const ADDRESS: DynSolType = DynSolType::Address;
const AMOUNT: DynSolType = DynSolType::Uint(256);

const KNOWN: &[KnownFunction] = &[
    KnownFunction {
        selector: [0xa9, 0x05, 0x9c, 0xbb],
        signature: "transfer(address,uint256)",
        arguments: &[("to", ADDRESS), ("amount", AMOUNT)],
    },
    KnownFunction {
        selector: [0x09, 0x5e, 0xa7, 0xb3],
        signature: "approve(address,uint256)",
        arguments: &[("spender", ADDRESS), ("amount", AMOUNT)],
    },
    KnownFunction {
        selector: [0x23, 0xb8, 0x72, 0xdd],
        signature: "transferFrom(address,address,uint256)",
        arguments: &[("from", ADDRESS), ("to", ADDRESS), ("amount", AMOUNT)],
    },
    KnownFunction {
        selector: [0x42, 0x84, 0x2e, 0x0e],
        signature: "safeTransferFrom(address,address,uint256)",
        arguments: &[("from", ADDRESS), ("to", ADDRESS), ("token id", AMOUNT)],
    },
    KnownFunction {
        selector: [0xa2, 0x2c, 0xb4, 0x65],
        signature: "setApprovalForAll(address,bool)",
        arguments: &[("operator", ADDRESS), ("approved", DynSolType::Bool)],
    },
];

/// Adds the call in `data` (sent to a contract) to `review`.
pub fn review_call(data: &[u8], review: &mut Review) {
    let Some((selector, arguments)) = data.split_first_chunk::<4>() else {
        review.field("Data", format!("0x{}", hex::encode(data)));
        review.warn("The data sent is not a contract call Sigil can read.");
        return;
    };
    let known = KNOWN.iter().find(|function| function.selector == *selector);
    let decoded = known.and_then(|function| decode(function, arguments).map(|v| (function, v)));
    let Some((function, values)) = decoded else {
        review.field("Function", format!("0x{}", hex::encode(selector)));
        review.field("Data", format!("{} bytes", data.len()));
        review.warn("This calls a contract function whose arguments Sigil cannot read.");
        return;
    };
    review.field("Function", function.signature);
    for ((name, _), value) in function.arguments.iter().zip(&values) {
        let text = match value {
            DynSolValue::Address(address) => address.to_checksum(None),
            DynSolValue::Uint(number, _) => number.to_string(),
            DynSolValue::Bool(flag) => flag.to_string(),
            _ => continue,
        };
        review.field(format!("Argument: {name}"), text);
    }
    if function.signature.starts_with("approve(")
        && matches!(values.get(1), Some(DynSolValue::Uint(amount, _)) if *amount == U256::MAX)
    {
        review.warn("This approves the spender to take any amount of this token, with no limit.");
    }
    if function.signature.starts_with("setApprovalForAll(")
        && matches!(values.get(1), Some(DynSolValue::Bool(true)))
    {
        review.warn("This lets the operator move every token of this collection you hold.");
    }
}

/// The arguments, when `data` is exactly their canonical encoding.
fn decode(function: &KnownFunction, data: &[u8]) -> Option<Vec<DynSolValue>> {
    let types = DynSolType::Tuple(function.arguments.iter().map(|(_, t)| t.clone()).collect());
    let value = types.abi_decode_params(data).ok()?;
    if value.abi_encode_params() != data {
        return None;
    }
    match value {
        DynSolValue::Tuple(values) => Some(values),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evm::keccak256;

    fn word(bytes: &[u8]) -> Vec<u8> {
        let mut word = vec![0; 32 - bytes.len()];
        word.extend_from_slice(bytes);
        word
    }

    #[test]
    fn should_know_each_selector_from_its_signature() {
        for function in KNOWN {
            assert_eq!(
                keccak256(function.signature.as_bytes())[..4],
                function.selector,
                "{}",
                function.signature
            );
        }
    }

    #[test]
    fn should_read_a_token_transfer() {
        let mut data = vec![0xa9, 0x05, 0x9c, 0xbb];
        data.extend(word(&[0xbb; 20]));
        data.extend(word(&1_000_000u32.to_be_bytes()));
        let mut review = Review::new("Call a contract");
        review_call(&data, &mut review);
        assert_eq!(
            review.value_of("Function"),
            Some("transfer(address,uint256)")
        );
        assert_eq!(
            review.value_of("Argument: to"),
            Some("0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB")
        );
        assert_eq!(review.value_of("Argument: amount"), Some("1000000"));
        assert!(review.warnings.is_empty());
    }

    #[test]
    fn should_warn_of_unlimited_approvals() {
        let mut data = vec![0x09, 0x5e, 0xa7, 0xb3];
        data.extend(word(&[0xbb; 20]));
        data.extend([0xff; 32]);
        let mut review = Review::new("Call a contract");
        review_call(&data, &mut review);
        assert_eq!(review.warnings.len(), 1, "{review:?}");
        assert!(review.warnings[0].contains("any amount"));

        let mut data = vec![0xa2, 0x2c, 0xb4, 0x65];
        data.extend(word(&[0xbb; 20]));
        data.extend(word(&[1]));
        let mut review = Review::new("Call a contract");
        review_call(&data, &mut review);
        assert!(review.warnings[0].contains("every token"));
    }

    #[test]
    fn should_show_unreadable_calls_by_their_selector() {
        // Unknown selector; a known one with a short, long or non-canonical
        // argument; data shorter than a selector.
        let mut dirty_address = vec![0xa9, 0x05, 0x9c, 0xbb];
        dirty_address.extend([0x01; 32]);
        dirty_address.extend(word(&[1]));
        let mut extra = vec![0xa9, 0x05, 0x9c, 0xbb];
        extra.extend(word(&[0xbb; 20]));
        extra.extend(word(&[1]));
        extra.push(0);
        let cases = [
            vec![0x12, 0x34, 0x56, 0x78],
            vec![0xa9, 0x05, 0x9c, 0xbb, 0x00],
            dirty_address,
            extra,
        ];
        for data in cases {
            let mut review = Review::new("Call a contract");
            review_call(&data, &mut review);
            assert_eq!(
                review.value_of("Function"),
                Some(format!("0x{}", hex::encode(&data[..4])).as_str())
            );
            assert_eq!(review.warnings.len(), 1);
        }
        let mut review = Review::new("Call a contract");
        review_call(&[0xab, 0xcd], &mut review);
        assert_eq!(review.value_of("Data"), Some("0xabcd"));
    }
}
