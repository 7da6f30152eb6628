//! [`ChainError`]: why a key, an address or a payload was refused.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChainError {
    #[error("the public key is not a point of secp256k1 in SEC1 form")]
    InvalidSecp256k1Key,
    #[error("the public key is not 32 bytes of Ed25519")]
    InvalidEd25519Key,
    #[error("the address is not 0x followed by 40 hexadecimal digits")]
    MalformedAddress,
    #[error("the address's upper and lower case letters do not match its EIP-55 checksum")]
    BadChecksum,
    #[error("the signature is not the key's signature of this hash")]
    BadSignature,
    #[error("the typed data is malformed: {reason}")]
    MalformedTypedData { reason: String },
    #[error("the typed data is longer than {max} bytes")]
    TypedDataTooLong { max: usize },
    #[error("there is more to show than the {max} lines a review may have")]
    TooManyFields { max: usize },
    #[error("{field} is not a number (0x and hexadecimal digits, or decimal digits)")]
    MalformedQuantity { field: &'static str },
    #[error("{field} does not fit in {bits} bits")]
    QuantityTooLarge { field: &'static str, bits: u32 },
    #[error("the transaction is for chain {found}, not chain {expected}")]
    WrongChain { expected: u64, found: u64 },
    #[error("the transaction's value and fees together exceed 2^256")]
    CostOverflow,
    #[error("the data is not 0x followed by an even number of hexadecimal digits")]
    MalformedData,
    #[error("the data is longer than {max} bytes")]
    DataTooLong { max: usize },
    #[error(
        "the fees must be either gasPrice (legacy) or both maxFeePerGas and maxPriorityFeePerGas (EIP-1559)"
    )]
    AmbiguousFees,
    #[error("the priority fee is above the maximum fee per gas")]
    PriorityFeeAboveMaxFee,
    #[error("a legacy transaction carries no access list")]
    AccessListOnLegacy,
    #[error("the access list is too long")]
    AccessListTooLong,
    #[error("a storage key is not 0x followed by 64 hexadecimal digits")]
    MalformedStorageKey,
}
