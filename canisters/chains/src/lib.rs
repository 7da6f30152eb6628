//! Addresses and signing formats of the chains Sigil signs for, as pure
//! functions of public keys and bytes, so that the canisters, the app's
//! tests and the canister tests share one implementation:
//!
//! - [`evm`]: EIP-55 addresses of secp256k1 keys, `personal_sign`
//!   messages, EIP-712 typed data, EIP-1559 and legacy transactions;
//! - [`bitcoin`]: P2WPKH (native SegWit, BIP-173/BIP-84) addresses;
//! - [`solana`]: base58 addresses of Ed25519 keys;
//! - [`review`]: how what is signed is written for a person.
//!
//! Nothing here needs a random source or the system clock, and nothing
//! panics on input: every malformed key or text is a [`ChainError`].

pub mod bitcoin;
pub mod error;
pub mod evm;
pub mod review;
pub mod solana;

pub use error::ChainError;
