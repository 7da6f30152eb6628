//! The ICRC signer standards as Sigil's window speaks them to IC dapps
//! (`@slide-computer/signer-web`, IdentityKit), as plain Rust: no
//! JavaScript types, so every rule unit-tests on the host.
//!
//! 1. The dapp opens Sigil's window and speaks ICRC-29 to it:
//!    `provider::channel::Channel` answers every `icrc29_status` with
//!    `ready`, fixes the dapp's origin and source, and hears nothing else.
//! 2. [`request::Incoming::read`] reads each request (ICRC-25, 27, 34, and
//!    ICRC-95's derivation origin) or refuses it with a
//!    [`error::SignerError`].
//! 3. [`scopes::Permissions`] decides whether a scoped request goes on,
//!    asks the person, or is refused (3000).
//! 4. The answer is [`reply`]'s, in exactly the standard's shape.
//!
//! What `/#authorize` also decides is decided by the same code: the
//! session key's rules (`authorize::session_key`), the bounded lifetime
//! (`authorize::request::bound_time_to_live`) and the derivation origin
//! (`authorize::origin`).

pub mod error;
pub mod reply;
pub mod request;
pub mod scopes;

#[cfg(test)]
mod fuzz_tests;
