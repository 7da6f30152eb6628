//! The local network end to end: the real `localnet` binary, the real demo
//! canister wasm, and the real Rust agent (`ic-agent`).
#![allow(clippy::unwrap_used)]

mod bad_input;
mod canister;
mod durability;
mod harness;
mod identities;
mod read_state;
