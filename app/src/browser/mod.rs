//! Every call into JavaScript lives here; the rest of the app sees Rust
//! types only.
//!
//! - [`convert`]: structured-clone values ⇄ the neutral `authorize::value::Value`.
//! - [`messaging`]: the opener/parent window, `postMessage`, `message` events.
//! - [`webauthn`]: passkey creation and assertion.
//! - [`webcrypto`]: the non-extractable ECDSA P-256 session key.
//! - [`storage`]: IndexedDB, which keeps that key as a `CryptoKey` object.
//! - [`http`]: `fetch` of the runtime configuration and of
//!   alternative-origins documents.
//! - [`cbor_fetch`]: `fetch` of the network's HTTP interface (CBOR).
//! - [`timer`]: giving the page a turn to render during long work, and
//!   waiting between polls.
//!
//! Invariant: nothing here panics on what JavaScript hands back. Every
//! property read goes through `Reflect`/typed getters whose failures become
//! typed errors.

pub mod cbor_fetch;
pub mod convert;
pub mod http;
pub mod messaging;
pub mod storage;
pub mod timer;
pub mod webauthn;
pub mod webcrypto;

use wasm_bindgen::{JsCast, JsValue};

/// A JavaScript exception as text a person (or a log) can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsFailure {
    /// The `DOMException`/`Error` name, such as `NotAllowedError`.
    pub name: String,
    pub message: String,
}

impl std::fmt::Display for JsFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.message.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{}: {}", self.name, self.message)
        }
    }
}

impl From<JsValue> for JsFailure {
    fn from(value: JsValue) -> Self {
        if let Some(exception) = value.dyn_ref::<web_sys::DomException>() {
            return Self {
                name: exception.name(),
                message: exception.message(),
            };
        }
        if let Some(error) = value.dyn_ref::<js_sys::Error>() {
            return Self {
                name: String::from(error.name()),
                message: String::from(error.message()),
            };
        }
        Self {
            name: "Error".into(),
            message: value.as_string().unwrap_or_default(),
        }
    }
}

/// The page's window; absent only outside a browser page (workers).
pub fn window() -> Result<web_sys::Window, JsFailure> {
    web_sys::window().ok_or_else(|| JsFailure {
        name: "NoWindow".into(),
        message: "not running in a browser window".into(),
    })
}

/// Bytes of an `ArrayBuffer`.
pub fn buffer_bytes(buffer: &js_sys::ArrayBuffer) -> Vec<u8> {
    js_sys::Uint8Array::new(buffer).to_vec()
}

/// This page's origin (`location.origin`).
pub fn own_origin() -> Result<String, JsFailure> {
    Ok(window()?.location().origin()?)
}

/// Puts `text` on the clipboard (`navigator.clipboard.writeText`).
pub async fn copy_text(text: &str) -> Result<(), JsFailure> {
    let promise = window()?.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await?;
    Ok(())
}

/// This page's host name (`location.hostname`), without the port.
pub fn own_host_name() -> Result<String, JsFailure> {
    Ok(window()?.location().hostname()?)
}

/// This page's `location.hash`.
pub fn location_hash() -> Result<String, JsFailure> {
    Ok(window()?.location().hash()?)
}

/// Loads this page again from the server, as if the person had opened
/// its URL (the page's script picks the bundle for the route).
pub fn reload() -> Result<(), JsFailure> {
    Ok(window()?.location().reload()?)
}

/// The clock, in nanoseconds since the Unix epoch (the IC's unit).
pub fn now_nanos() -> u64 {
    // `Date.now()` is whole milliseconds, far below 2^53.
    (js_sys::Date::now() as u64).saturating_mul(1_000_000)
}

/// `N` bytes from the browser's cryptographic random generator.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], JsFailure> {
    let mut bytes = [0u8; N];
    window()?
        .crypto()?
        .get_random_values_with_u8_array(&mut bytes)?;
    Ok(bytes)
}
