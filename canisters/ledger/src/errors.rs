//! A [`Refusal`] as each entry point's standard error type. A refusal a
//! method cannot have (an expired allowance on a transfer) cannot arise
//! there; it maps to `GenericError` rather than to a wrong variant.

use candid::Nat;
use sigil_api::ledger::{ApproveError, TransferError, TransferFromError};

use crate::ledger::Refusal;

const UNEXPECTED: u64 = 0;

fn generic(refusal: Refusal) -> (Nat, String) {
    match refusal {
        Refusal::Generic {
            error_code,
            message,
        } => (Nat::from(error_code), message),
        other => (Nat::from(UNEXPECTED), format!("{other:?}")),
    }
}

pub fn transfer_error(refusal: Refusal) -> TransferError {
    match refusal {
        Refusal::BadFee { expected_fee } => TransferError::BadFee {
            expected_fee: Nat::from(expected_fee),
        },
        Refusal::BadBurn { min_burn_amount } => TransferError::BadBurn {
            min_burn_amount: Nat::from(min_burn_amount),
        },
        Refusal::InsufficientFunds { balance } => TransferError::InsufficientFunds {
            balance: Nat::from(balance),
        },
        Refusal::TooOld => TransferError::TooOld,
        Refusal::CreatedInFuture { ledger_time } => TransferError::CreatedInFuture { ledger_time },
        Refusal::Duplicate { duplicate_of } => TransferError::Duplicate {
            duplicate_of: Nat::from(duplicate_of),
        },
        other => {
            let (error_code, message) = generic(other);
            TransferError::GenericError {
                error_code,
                message,
            }
        }
    }
}

pub fn approve_error(refusal: Refusal) -> ApproveError {
    match refusal {
        Refusal::BadFee { expected_fee } => ApproveError::BadFee {
            expected_fee: Nat::from(expected_fee),
        },
        Refusal::InsufficientFunds { balance } => ApproveError::InsufficientFunds {
            balance: Nat::from(balance),
        },
        Refusal::AllowanceChanged { current_allowance } => ApproveError::AllowanceChanged {
            current_allowance: Nat::from(current_allowance),
        },
        Refusal::Expired { ledger_time } => ApproveError::Expired { ledger_time },
        Refusal::TooOld => ApproveError::TooOld,
        Refusal::CreatedInFuture { ledger_time } => ApproveError::CreatedInFuture { ledger_time },
        Refusal::Duplicate { duplicate_of } => ApproveError::Duplicate {
            duplicate_of: Nat::from(duplicate_of),
        },
        other => {
            let (error_code, message) = generic(other);
            ApproveError::GenericError {
                error_code,
                message,
            }
        }
    }
}

pub fn transfer_from_error(refusal: Refusal) -> TransferFromError {
    match refusal {
        Refusal::BadFee { expected_fee } => TransferFromError::BadFee {
            expected_fee: Nat::from(expected_fee),
        },
        Refusal::BadBurn { min_burn_amount } => TransferFromError::BadBurn {
            min_burn_amount: Nat::from(min_burn_amount),
        },
        Refusal::InsufficientFunds { balance } => TransferFromError::InsufficientFunds {
            balance: Nat::from(balance),
        },
        Refusal::InsufficientAllowance { allowance } => TransferFromError::InsufficientAllowance {
            allowance: Nat::from(allowance),
        },
        Refusal::TooOld => TransferFromError::TooOld,
        Refusal::CreatedInFuture { ledger_time } => {
            TransferFromError::CreatedInFuture { ledger_time }
        }
        Refusal::Duplicate { duplicate_of } => TransferFromError::Duplicate {
            duplicate_of: Nat::from(duplicate_of),
        },
        other => {
            let (error_code, message) = generic(other);
            TransferFromError::GenericError {
                error_code,
                message,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_keep_each_refusals_figures_and_words() {
        assert_eq!(
            transfer_error(Refusal::InsufficientFunds { balance: 5 }),
            TransferError::InsufficientFunds {
                balance: Nat::from(5u8)
            }
        );
        assert_eq!(
            approve_error(Refusal::AllowanceChanged {
                current_allowance: 7
            }),
            ApproveError::AllowanceChanged {
                current_allowance: Nat::from(7u8)
            }
        );
        assert_eq!(
            transfer_from_error(Refusal::InsufficientAllowance { allowance: 3 }),
            TransferFromError::InsufficientAllowance {
                allowance: Nat::from(3u8)
            }
        );
        let generic = Refusal::Generic {
            error_code: 2,
            message: "a memo is at most 32 bytes".into(),
        };
        assert_eq!(
            transfer_error(generic),
            TransferError::GenericError {
                error_code: Nat::from(2u8),
                message: "a memo is at most 32 bytes".into()
            }
        );
        assert!(matches!(
            transfer_error(Refusal::Expired { ledger_time: 1 }),
            TransferError::GenericError { .. }
        ));
    }
}
