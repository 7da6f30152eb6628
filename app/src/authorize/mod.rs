//! The `/#authorize` protocol (the one `@dfinity/auth-client` speaks), as
//! plain Rust: no JavaScript types, so every rule unit-tests on the host.
//!
//! 1. Sigil posts [`response::ready`] to its opener (popup) or parent
//!    (iframe) with target `"*"`.
//! 2. [`exchange::Exchange`] decides on each `message` event: ignore it,
//!    refuse it (a failure to `event.origin`), or accept a
//!    [`request::AuthorizeRequest`].
//! 3. [`origin::check_derivation_origin`] and
//!    [`origin::verify_alternative_origins`] decide on a derivation origin.
//! 4. Phase two of the flow (authentication, consent, the delegation) ends
//!    in [`response::success`] or [`response::failure`], posted to the
//!    request's origin only.
//!
//! [`machine::Machine`] runs all of it as one state machine: events in
//! (messages, clicks, outcomes), effects out (post, fetch, call, show). The
//! page (`pages::authorize`) only performs the effects and renders the
//! screen. The browser adapter (`browser::messaging`) converts `JsValue`s
//! to and from [`value::Value`].

pub mod error;
pub mod exchange;
pub mod machine;
pub mod origin;
pub mod request;
pub mod response;
pub mod session_key;
pub mod value;

#[cfg(test)]
mod fuzz_tests;

/// How long the page waits for a request before telling the person.
pub const REQUEST_TIMEOUT_MILLIS: u32 = 10_000;
