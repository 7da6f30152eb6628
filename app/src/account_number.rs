//! The account number a person types to sign in with a passkey their
//! browser cannot offer by itself (a non-discoverable credential).
//!
//! What [`parse`] accepts, so that the number reads as the person wrote it:
//! - decimal digits: ASCII, and the full-width and Arabic-Indic digits that
//!   phone keyboards and input methods type in some languages;
//! - whitespace anywhere (around the number, or between groups of digits
//!   as in "10 000"); no other separators, since "10.000" and "10,000" mean
//!   different things in different languages;
//! - leading zeros, which do not change the number;
//! - nothing larger than an [`AccountNumber`] holds (no wrapping around).
//!
//! Every refusal is an [`AccountNumberError`] whose text tells the person
//! what to change.

use sigil_api::identity_manager::AccountNumber;
use thiserror::Error;

/// Why typed text is not an account number.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccountNumberError {
    #[error("Enter your account number.")]
    Empty,
    #[error("An account number has only digits: remove “{0}”.")]
    NotADigit(char),
    #[error("No account has a number that large. Check the number and try again.")]
    TooLarge,
}

/// The first code point of each run of ten decimal digits accepted, zero
/// to nine.
const ZEROS: [char; 4] = [
    '0',        // ASCII
    '\u{0660}', // Arabic-Indic
    '\u{06F0}', // Extended Arabic-Indic (Persian, Urdu)
    '\u{FF10}', // full-width (East Asian input methods)
];

fn digit_value(c: char) -> Option<u64> {
    ZEROS.iter().find_map(|&zero| {
        let offset = u32::from(c).checked_sub(u32::from(zero))?;
        (offset < 10).then_some(u64::from(offset))
    })
}

/// The account number in `input`.
pub fn parse(input: &str) -> Result<AccountNumber, AccountNumberError> {
    let mut number: Option<AccountNumber> = None;
    for c in input.chars() {
        if c.is_whitespace() {
            continue;
        }
        let digit = digit_value(c).ok_or(AccountNumberError::NotADigit(c))?;
        number = Some(
            number
                .unwrap_or(0)
                .checked_mul(10)
                .and_then(|n| n.checked_add(digit))
                .ok_or(AccountNumberError::TooLarge)?,
        );
    }
    number.ok_or(AccountNumberError::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_read_plain_digits() {
        assert_eq!(parse("10000"), Ok(10_000));
        assert_eq!(parse("0"), Ok(0));
        assert_eq!(parse("7"), Ok(7));
    }

    #[test]
    fn should_ignore_whitespace_around_and_between_groups() {
        assert_eq!(parse("  10000\n"), Ok(10_000));
        assert_eq!(parse("10 000"), Ok(10_000));
        assert_eq!(parse("1 234 567"), Ok(1_234_567));
        // No-break and narrow no-break spaces, as some keyboards group digits.
        assert_eq!(parse("10\u{00A0}000"), Ok(10_000));
        assert_eq!(parse("10\u{202F}000"), Ok(10_000));
        assert_eq!(parse("\t1\t2\t"), Ok(12));
    }

    #[test]
    fn should_accept_leading_zeros() {
        assert_eq!(parse("010000"), Ok(10_000));
        assert_eq!(parse("000"), Ok(0));
        // However many: the value decides, not the length.
        assert_eq!(parse(&format!("{}42", "0".repeat(1_000))), Ok(42));
    }

    #[test]
    fn should_read_digits_of_other_scripts() {
        assert_eq!(parse("１００００"), Ok(10_000));
        assert_eq!(parse("١٠٠٠٠"), Ok(10_000));
        assert_eq!(parse("۱۰۰۰۰"), Ok(10_000));
        assert_eq!(parse("1０0"), Ok(100));
    }

    #[test]
    fn should_say_in_words_that_nothing_was_typed() {
        for input in ["", " ", "\u{3000}", "\n\t"] {
            assert_eq!(parse(input), Err(AccountNumberError::Empty), "{input:?}");
        }
        assert_eq!(
            AccountNumberError::Empty.to_string(),
            "Enter your account number."
        );
    }

    #[test]
    fn should_name_the_first_character_that_is_not_a_digit() {
        assert_eq!(parse("10,000"), Err(AccountNumberError::NotADigit(',')));
        assert_eq!(parse("10.000"), Err(AccountNumberError::NotADigit('.')));
        assert_eq!(parse("-5"), Err(AccountNumberError::NotADigit('-')));
        assert_eq!(parse("+5"), Err(AccountNumberError::NotADigit('+')));
        assert_eq!(parse("1e5"), Err(AccountNumberError::NotADigit('e')));
        assert_eq!(parse("#10000"), Err(AccountNumberError::NotADigit('#')));
        // Other digit-like characters are not decimal digits here.
        assert_eq!(parse("²"), Err(AccountNumberError::NotADigit('²')));
        assert_eq!(parse("Ⅻ"), Err(AccountNumberError::NotADigit('Ⅻ')));
        assert_eq!(
            AccountNumberError::NotADigit('x').to_string(),
            "An account number has only digits: remove “x”."
        );
    }

    #[test]
    fn should_refuse_numbers_beyond_the_largest_account_number() {
        assert_eq!(parse("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            parse("18446744073709551616"),
            Err(AccountNumberError::TooLarge)
        );
        assert_eq!(
            parse("99999999999999999999"),
            Err(AccountNumberError::TooLarge)
        );
        assert_eq!(parse(&"9".repeat(1_000)), Err(AccountNumberError::TooLarge));
        // Overflow is reported even when a bad character follows.
        assert_eq!(
            parse("184467440737095516160x"),
            Err(AccountNumberError::TooLarge)
        );
    }

    #[test]
    fn should_never_panic_on_any_character() {
        let every_char = (0..=0x10FFFF).filter_map(char::from_u32);
        for c in every_char {
            let input = format!("1{c}2");
            match parse(&input) {
                // Whitespace is skipped; a digit d gives 1d2.
                Ok(number) => assert!(
                    number == 12 || (102..=192).step_by(10).any(|n| n == number),
                    "{c:?}: {number}"
                ),
                Err(AccountNumberError::NotADigit(found)) => assert_eq!(found, c),
                Err(other) => panic!("{c:?}: {other:?}"),
            }
        }
    }
}
