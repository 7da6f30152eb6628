//! The public keys the Internet Computer verifies signatures with, parsed
//! the same way by Sigil's app (the dapp's session key, a new passkey) and
//! its identity manager (devices, session keys): DER `SubjectPublicKeyInfo`
//! ([`public_key`]), WebAuthn's COSE keys ([`cose`]), and the small parts
//! of DER ([`der`]) and CBOR ([`cbor`]) they are written in.
//!
//! Pure Rust without I/O or allocation beyond the parsed value; every byte
//! string gives a value or a typed error, never a panic. The local network
//! keeps a parser of its own on purpose: it referees what the IC accepts.

pub mod cbor;
pub mod cose;
pub mod der;
pub mod public_key;

pub use public_key::{
    KeyError, KeyKind, MAX_PUBLIC_KEY_LEN, PublicKey, kind_of, webauthn_cose_key,
};
