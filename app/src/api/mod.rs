//! The canister clients: the only code that speaks the network's HTTP
//! interface.
//!
//! - [`certificate`] (plain Rust): certificates verified under the root key
//!   or a subnet's delegation from it; a subnet's node keys; the root key
//!   of a local network's status.
//! - [`envelope`] (plain Rust): request contents, the bytes a sender signs,
//!   and the signed envelope.
//! - [`reply`] (plain Rust): a call's status in a verified certificate, and
//!   the node signatures of a query's reply.
//! - [`network::Network`] (wasm32): posts signed envelopes and checks
//!   every reply.
//! - [`connection::Connection`] (wasm32): the configured network (the root
//!   key is fetched from `/api/v2/status` on a local network only, never on
//!   mainnet) and the canister ids.
//! - [`session_caller::SessionCaller`] (wasm32): signs requests with the
//!   WebCrypto session key under the passkey's delegation and submits them
//!   through [`network::Network`].
//! - [`identity_manager`] (wasm32): one typed client per kind of caller —
//!   [`identity_manager::PublicIdentityManager`] calls anonymously,
//!   [`identity_manager::IdentityManager`] as the signed-in person.
//! - [`evm_node`] (wasm32): an EVM chain's node, over JSON-RPC (balances,
//!   nonces, fees; sending what the identity manager signed).
//!
//! Every failure is an [`error::ApiError`] whose text a person can read.

pub mod certificate;
pub mod envelope;
pub mod reply;

#[cfg(target_arch = "wasm32")]
pub mod connection;
#[cfg(target_arch = "wasm32")]
pub mod error;
#[cfg(target_arch = "wasm32")]
pub mod evm_node;
#[cfg(target_arch = "wasm32")]
pub mod identity_manager;
#[cfg(target_arch = "wasm32")]
pub mod network;
#[cfg(target_arch = "wasm32")]
pub mod session_caller;
