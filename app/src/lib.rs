//! Sigil's authenticator app.
//!
//! Layout:
//! - Pure Rust, built and unit-tested on the host: [`authorize`] (the
//!   `/#authorize` protocol), [`account_number`] (the number a person types
//!   to sign in), [`passkey`] (WebAuthn data), [`session`] (the
//!   passkey's delegation to this frontend's session key), [`encoding`]
//!   (DER, CBOR), [`config`] (runtime configuration), [`route`], [`devices`]
//!   (the wallet's device list and the names typed for devices), [`evm`]
//!   (amounts and the EVM node's JSON-RPC), and the request envelopes of
//!   [`api`].
//! - wasm32 only: `browser` (every JavaScript call: messaging, WebAuthn,
//!   WebCrypto, IndexedDB, fetch), the canister clients in `api` (the only
//!   code that speaks HTTP to the network), `signin` (sign-up, sign-in, the stored
//!   session), `state` (app-wide signals), `pages`, `components` and the
//!   root [`App`] component.

pub mod account_number;
pub mod api;
pub mod authorize;
pub mod config;
pub mod devices;
pub mod encoding;
pub mod evm;
pub mod format;
pub mod passkey;
pub mod provider;
pub mod qr;
pub mod route;
pub mod session;
pub mod signer;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(all(target_arch = "wasm32", feature = "e2e-hooks"))]
mod e2e_hooks;
#[cfg(target_arch = "wasm32")]
mod pages;
#[cfg(target_arch = "wasm32")]
mod signin;
#[cfg(target_arch = "wasm32")]
mod state;

#[cfg(target_arch = "wasm32")]
pub use app::{App, AuthorizeApp};

#[cfg(test)]
mod test_support;
