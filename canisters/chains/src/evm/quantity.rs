//! Numbers as EVM requests write them, and as a person reads them.
//!
//! JSON-RPC writes a quantity as `0x` and hexadecimal digits; Sigil's own
//! pages may write decimal digits. Either must fit in 256 bits (values) or
//! in the field's own width (gas in 64, fees in 128, as the transaction
//! types hold them). Amounts are shown in the chain's unit with up to 18
//! decimals, never rounded: a person must see the exact value signed.

use alloy_primitives::U256;

use crate::ChainError;

/// Reads `text` (`0x` hex, or decimal digits) as a number of at most 256
/// bits; `field` names it in the error.
pub fn parse_u256(field: &'static str, text: &str) -> Result<U256, ChainError> {
    let malformed = || ChainError::MalformedQuantity { field };
    let (digits, radix) = match text.strip_prefix("0x") {
        Some(digits) => (digits, 16),
        None => (text, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(malformed());
    }
    U256::from_str_radix(digits, u64::from(radix))
        .map_err(|_| ChainError::QuantityTooLarge { field, bits: 256 })
}

/// Reads `text` as a number of at most 64 bits (chain ids, nonces, gas).
pub fn parse_u64(field: &'static str, text: &str) -> Result<u64, ChainError> {
    u64::try_from(parse_u256(field, text)?)
        .map_err(|_| ChainError::QuantityTooLarge { field, bits: 64 })
}

/// Reads `text` as a number of at most 128 bits (fees per gas).
pub fn parse_u128(field: &'static str, text: &str) -> Result<u128, ChainError> {
    u128::try_from(parse_u256(field, text)?)
        .map_err(|_| ChainError::QuantityTooLarge { field, bits: 128 })
}

/// `amount` of the smallest unit written in the unit that has `decimals`
/// decimals, without trailing zeros: `1500000000000000000` with 18 is
/// `1.5`.
pub fn format_units(amount: U256, decimals: u8) -> String {
    let digits = amount.to_string();
    let decimals = usize::from(decimals);
    let (whole, fraction) = if digits.len() > decimals {
        let (whole, fraction) = digits.split_at(digits.len() - decimals);
        (whole.to_owned(), fraction.to_owned())
    } else {
        ("0".to_owned(), format!("{digits:0>decimals$}"))
    };
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole
    } else {
        format!("{whole}.{fraction}")
    }
}

/// Wei in ether (18 decimals).
pub fn format_ether(wei: U256) -> String {
    format_units(wei, 18)
}

/// An amount of wei as a person reads it, in the chain's native token:
/// `1.5 ETH`.
pub fn format_wei(wei: u128, symbol: &str) -> String {
    format!("{} {symbol}", format_ether(U256::from(wei)))
}

/// Wei in gwei (9 decimals), how fees per gas are quoted.
pub fn format_gwei(wei: U256) -> String {
    format_units(wei, 9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_write_amounts_of_wei_in_the_native_token() {
        assert_eq!(format_wei(1_500_000_000_000_000_000, "ETH"), "1.5 ETH");
        assert_eq!(format_wei(1, "ETH"), "0.000000000000000001 ETH");
        assert_eq!(format_wei(0, "xDAI"), "0 xDAI");
    }

    #[test]
    fn should_read_hex_and_decimal_quantities() {
        assert_eq!(parse_u256("value", "0x0"), Ok(U256::ZERO));
        assert_eq!(parse_u256("value", "0x7a69"), Ok(U256::from(31337)));
        assert_eq!(parse_u256("value", "0x07a69"), Ok(U256::from(31337)));
        assert_eq!(parse_u256("value", "31337"), Ok(U256::from(31337)));
        assert_eq!(
            parse_u256("value", &format!("0x{}", "f".repeat(64))),
            Ok(U256::MAX)
        );
        assert_eq!(parse_u256("value", &U256::MAX.to_string()), Ok(U256::MAX));
    }

    #[test]
    fn should_refuse_malformed_and_oversized_quantities() {
        for text in ["", "0x", "0xg", "-1", "+1", "1e18", "1.5", " 1", "0X1", "١"] {
            assert_eq!(
                parse_u256("value", text),
                Err(ChainError::MalformedQuantity { field: "value" }),
                "{text:?}"
            );
        }
        let too_large = [format!("0x1{}", "0".repeat(64)), format!("{}0", U256::MAX)];
        for text in too_large {
            assert_eq!(
                parse_u256("value", &text),
                Err(ChainError::QuantityTooLarge {
                    field: "value",
                    bits: 256
                })
            );
        }
        assert_eq!(
            parse_u64("gas", "0x10000000000000000"),
            Err(ChainError::QuantityTooLarge {
                field: "gas",
                bits: 64
            })
        );
        assert_eq!(parse_u64("gas", "0xffffffffffffffff"), Ok(u64::MAX));
        assert_eq!(
            parse_u128("maxFeePerGas", &format!("0x1{}", "0".repeat(32))),
            Err(ChainError::QuantityTooLarge {
                field: "maxFeePerGas",
                bits: 128
            })
        );
    }

    #[test]
    fn should_write_exact_amounts_without_trailing_zeros() {
        let wei = |text: &str| parse_u256("value", text).expect("a number");
        assert_eq!(format_ether(wei("0")), "0");
        assert_eq!(format_ether(wei("1")), "0.000000000000000001");
        assert_eq!(format_ether(wei("1500000000000000000")), "1.5");
        assert_eq!(format_ether(wei("10000000000000000000")), "10");
        assert_eq!(format_gwei(wei("1000000001")), "1.000000001");
        assert_eq!(
            format_ether(U256::MAX),
            "115792089237316195423570985008687907853269984665640564039457.584007913129639935"
        );
    }
}
