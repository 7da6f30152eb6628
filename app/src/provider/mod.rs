//! The Sigil side of the EIP-1193 provider that EVM dapps import
//! (`/evm-provider.js`), as plain Rust: no JavaScript types, so every rule
//! unit-tests on the host.
//!
//! 1. The dapp's provider opens Sigil's window at `/#evm` and speaks
//!    ICRC-29 to it: [`channel::Channel`] answers `icrc29_status` with
//!    `ready`, fixes the dapp's origin and hears nothing else.
//! 2. [`request::Request::read`] reads each JSON-RPC request (a
//!    transaction through [`transaction::TransactionParams`], a proposed
//!    chain through [`add_chain::AddChain`]) or refuses it with a
//!    [`error::ProviderError`].
//! 3. The page (`pages::evm`) asks the person, connects the dapp in the
//!    identity manager (which signs for a dapp only while it is
//!    connected), has it review and sign, and answers with [`reply`].
//!
//! Reads (`eth_call`, `eth_getBalance`, …) never reach Sigil: the provider
//! sends them to the chain's node from the dapp's page.

pub mod add_chain;
pub mod channel;
pub mod error;
pub mod reply;
pub mod request;
pub mod transaction;

#[cfg(test)]
mod fuzz_tests;
