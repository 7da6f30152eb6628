//! The contract between Sigil's canisters, its app and its tests: Candid and
//! serde types only, grouped by canister. Nothing here depends on `ic-cdk` or
//! `web-sys`, so every side of the system can build it.

pub mod demo;
pub mod icrc21;
pub mod identity_manager;
pub mod ledger;
pub mod method;
pub mod signer;
