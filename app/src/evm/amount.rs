//! Amounts of an EVM chain's native token: wei (10^-18) as a `u128`,
//! written and read in whole units (`1.5`) or gwei for fees.
//!
//! Invariant: parsing is exact (no floating point); anything but digits
//! with at most one point and at most the unit's decimals is refused.

use thiserror::Error;

/// Decimals of a native token (ether) and of gwei, in wei.
pub const ETHER_DECIMALS: u32 = 18;
pub const GWEI_DECIMALS: u32 = 9;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AmountError {
    #[error("enter an amount")]
    Empty,
    #[error("“{0}” is not an amount: use digits and at most one point")]
    NotANumber(String),
    #[error("“{0}” has more than {1} decimals")]
    TooPrecise(String, u32),
    #[error("“{0}” is too large")]
    TooLarge(String),
}

/// `text` (`1.5`, `0.05`, `2`) in units of `decimals`, as the smallest unit.
pub fn parse_units(text: &str, decimals: u32) -> Result<u128, AmountError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return Err(AmountError::NotANumber(text.to_owned()));
    }
    if fraction.len() > decimals as usize {
        return Err(AmountError::TooPrecise(text.to_owned(), decimals));
    }
    let too_large = || AmountError::TooLarge(text.to_owned());
    let scale = 10u128.pow(decimals);
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_large())?
    };
    let fraction: u128 = if fraction.is_empty() {
        0
    } else {
        let padded = format!("{fraction:0<width$}", width = decimals as usize);
        padded.parse().map_err(|_| too_large())?
    };
    whole
        .checked_mul(scale)
        .and_then(|wei| wei.checked_add(fraction))
        .ok_or_else(too_large)
}

/// `amount` of the smallest unit in units of `decimals`, without trailing
/// zeros: `1500000000000000000` with 18 is `1.5`.
pub fn format_units(amount: u128, decimals: u32) -> String {
    let scale = 10u128.pow(decimals);
    let (whole, fraction) = (amount / scale, amount % scale);
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:0>width$}", width = decimals as usize);
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// Wei as a person reads it: `1.5 ETH`.
pub fn format_wei(wei: u128, symbol: &str) -> String {
    format!("{} {symbol}", format_units(wei, ETHER_DECIMALS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_read_amounts_exactly() {
        assert_eq!(
            parse_units("1.5", ETHER_DECIMALS),
            Ok(1_500_000_000_000_000_000)
        );
        assert_eq!(
            parse_units(" 0.05 ", ETHER_DECIMALS),
            Ok(50_000_000_000_000_000)
        );
        assert_eq!(parse_units("2", GWEI_DECIMALS), Ok(2_000_000_000));
        assert_eq!(parse_units(".5", GWEI_DECIMALS), Ok(500_000_000));
        assert_eq!(parse_units("7.", GWEI_DECIMALS), Ok(7_000_000_000));
        assert_eq!(parse_units("0.000000000000000001", ETHER_DECIMALS), Ok(1));
    }

    #[test]
    fn should_refuse_what_is_not_an_amount_in_words() {
        assert_eq!(parse_units("", 18), Err(AmountError::Empty));
        for text in [".", "1.2.3", "-1", "1e18", "0x10", "1,5", "½"] {
            assert!(
                matches!(parse_units(text, 18), Err(AmountError::NotANumber(_))),
                "{text}"
            );
        }
        assert!(matches!(
            parse_units("0.0000000001", GWEI_DECIMALS),
            Err(AmountError::TooPrecise(..))
        ));
        let huge = "9".repeat(40);
        assert!(matches!(
            parse_units(&huge, 18),
            Err(AmountError::TooLarge(_))
        ));
    }

    #[test]
    fn should_write_amounts_without_trailing_zeros() {
        assert_eq!(format_wei(1_500_000_000_000_000_000, "ETH"), "1.5 ETH");
        assert_eq!(format_wei(0, "ETH"), "0 ETH");
        assert_eq!(format_units(1, ETHER_DECIMALS), "0.000000000000000001");
        assert_eq!(format_units(2_000_000_000, GWEI_DECIMALS), "2");
        for wei in [0, 1, 10, 123_456_789, u128::MAX / 1_000] {
            let text = format_units(wei, ETHER_DECIMALS);
            assert_eq!(parse_units(&text, ETHER_DECIMALS), Ok(wei), "{text}");
        }
    }
}
