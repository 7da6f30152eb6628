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
}
