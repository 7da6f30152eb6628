//! The wallet's send form as a transaction request: what the person typed
//! (recipient, amount, fees) and what the node said (nonce), checked and
//! written as the identity manager reads requests. The identity manager
//! checks it all again and says in its review what will be signed.

use sigil_api::identity_manager::{EvmTransactionRequest, SignatureRequest};
use thiserror::Error;

use super::amount::{AmountError, ETHER_DECIMALS, GWEI_DECIMALS, parse_units};
use super::rpc::{TRANSFER_GAS, to_quantity};

/// What the person typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferForm {
    pub to: String,
    /// In the chain's native token (`0.05`).
    pub amount: String,
    /// In gwei.
    pub max_fee: String,
    pub priority_fee: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransferError {
    #[error("The recipient must be an address: 0x and 40 hexadecimal digits.")]
    NotAnAddress,
    #[error("Amount: {0}.")]
    Amount(AmountError),
    #[error("Maximum fee: {0}.")]
    MaxFee(AmountError),
    #[error("Priority fee: {0}.")]
    PriorityFee(AmountError),
    #[error("The priority fee cannot be above the maximum fee.")]
    PriorityAboveMax,
}

fn is_address(text: &str) -> bool {
    text.strip_prefix("0x")
        .is_some_and(|hex| hex.len() == 40 && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The EIP-1559 transfer `form` describes on `chain_id`, with `nonce`.
pub fn transfer_request(
    form: &TransferForm,
    chain_id: u64,
    nonce: u128,
) -> Result<SignatureRequest, TransferError> {
    let to = form.to.trim();
    if !is_address(to) {
        return Err(TransferError::NotAnAddress);
    }
    let value = parse_units(&form.amount, ETHER_DECIMALS).map_err(TransferError::Amount)?;
    let max_fee = parse_units(&form.max_fee, GWEI_DECIMALS).map_err(TransferError::MaxFee)?;
    let priority =
        parse_units(&form.priority_fee, GWEI_DECIMALS).map_err(TransferError::PriorityFee)?;
    if priority > max_fee {
        return Err(TransferError::PriorityAboveMax);
    }
    Ok(SignatureRequest::EvmTransaction(Box::new(
        EvmTransactionRequest {
            chain_id: chain_id.to_string(),
            nonce: to_quantity(nonce),
            to: Some(to.to_owned()),
            value: Some(to_quantity(value)),
            data: None,
            gas: to_quantity(u128::from(TRANSFER_GAS)),
            gas_price: None,
            max_fee_per_gas: Some(to_quantity(max_fee)),
            max_priority_fee_per_gas: Some(to_quantity(priority)),
            access_list: None,
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(to: &str, amount: &str, max_fee: &str, priority_fee: &str) -> TransferForm {
        TransferForm {
            to: to.into(),
            amount: amount.into(),
            max_fee: max_fee.into(),
            priority_fee: priority_fee.into(),
        }
    }

    const TO: &str = "0x3535353535353535353535353535353535353535";

    #[test]
    fn should_write_an_eip1559_transfer_of_what_was_typed() {
        let request = transfer_request(&form(TO, "0.05", "2.5", "1"), 31337, 7).expect("valid");
        let SignatureRequest::EvmTransaction(request) = request else {
            panic!("not a transaction");
        };
        assert_eq!(request.chain_id, "31337");
        assert_eq!(request.nonce, "0x7");
        assert_eq!(request.to.as_deref(), Some(TO));
        assert_eq!(request.value.as_deref(), Some("0xb1a2bc2ec50000"));
        assert_eq!(request.gas, "0x5208");
        assert_eq!(request.max_fee_per_gas.as_deref(), Some("0x9502f900"));
        assert_eq!(
            request.max_priority_fee_per_gas.as_deref(),
            Some("0x3b9aca00")
        );
        assert_eq!(request.gas_price, None);
    }

    #[test]
    fn should_say_what_is_wrong_with_the_form() {
        let short = &TO[..41];
        assert_eq!(
            transfer_request(&form(short, "1", "2", "1"), 1, 0),
            Err(TransferError::NotAnAddress)
        );
        let not_hex = format!("0x{}", "g".repeat(40));
        assert_eq!(
            transfer_request(&form(&not_hex, "1", "2", "1"), 1, 0),
            Err(TransferError::NotAnAddress)
        );
        assert!(matches!(
            transfer_request(&form(TO, "one", "2", "1"), 1, 0),
            Err(TransferError::Amount(_))
        ));
        assert!(matches!(
            transfer_request(&form(TO, "1", "", "1"), 1, 0),
            Err(TransferError::MaxFee(AmountError::Empty))
        ));
        assert_eq!(
            transfer_request(&form(TO, "1", "1", "2"), 1, 0),
            Err(TransferError::PriorityAboveMax)
        );
        let words = transfer_request(&form(TO, "1.2.3", "1", "1"), 1, 0)
            .expect_err("refused")
            .to_string();
        assert!(words.starts_with("Amount: "), "{words}");
    }
}
