//! The window Sigil talks to and the `message` events it receives.
//!
//! In an iframe the peer is `window.parent`; in a popup it is
//! `window.opener`. Cross-origin windows are opaque `WindowProxy`s (an
//! `instanceof Window` check fails on them), so they are compared by
//! identity (`Object.is`) and only ever used to `postMessage`.

use js_sys::Object;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Window};

use super::convert::{value_from_js, value_to_js};
use super::{JsFailure, window};
use crate::authorize::value::Value;

/// The longest JSON message read, in UTF-16 units of its text.
pub const MAX_JSON_MESSAGE_UNITS: u32 = 256 * 1024;

/// How Sigil was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Popup,
    Iframe,
}

/// The window that opened or embeds Sigil.
#[derive(Clone)]
pub struct Peer {
    window: Window,
    pub mode: Mode,
}

impl Peer {
    /// The parent when framed, else the opener; `None` when Sigil was
    /// opened directly.
    pub fn find() -> Result<Option<Self>, JsFailure> {
        let own = window()?;
        if let Some(parent) = own.parent()?
            && !Object::is(&parent, &own)
        {
            return Ok(Some(Self {
                window: parent,
                mode: Mode::Iframe,
            }));
        }
        let opener = own.opener()?;
        if opener.is_null() || opener.is_undefined() {
            return Ok(None);
        }
        Ok(Some(Self {
            window: opener.unchecked_into(),
            mode: Mode::Popup,
        }))
    }

    /// Posts `message` to the peer, delivered only if the peer's document
    /// has origin `target_origin` (`"*"` for anyone).
    pub fn post(&self, message: &Value, target_origin: &str) -> Result<(), JsFailure> {
        self.window
            .post_message(&value_to_js(message), target_origin)?;
        Ok(())
    }

    /// Posts `message` (JSON) to the peer, delivered only if the peer's
    /// document has origin `target_origin`.
    pub fn post_json(
        &self,
        message: &serde_json::Value,
        target_origin: &str,
    ) -> Result<(), JsFailure> {
        let value = js_sys::JSON::parse(&message.to_string())?;
        self.window.post_message(&value, target_origin)?;
        Ok(())
    }

    fn is(&self, source: &Object) -> bool {
        Object::is(source, &self.window)
    }
}

/// One received message, converted.
#[derive(Debug, Clone)]
pub struct Received {
    pub origin: String,
    /// Whether it came from the peer window.
    pub from_peer: bool,
    pub data: Value,
}

/// One received message as JSON: `None` when it is not JSON (a cycle, a
/// `BigInt`, a function) or longer than [`MAX_JSON_MESSAGE_UNITS`].
#[derive(Debug, Clone)]
pub struct ReceivedJson {
    pub origin: String,
    pub from_peer: bool,
    pub data: Option<serde_json::Value>,
}

fn json_from_js(value: &JsValue) -> Option<serde_json::Value> {
    let text = js_sys::JSON::stringify(value).ok()?;
    if text.length() > MAX_JSON_MESSAGE_UNITS {
        return None;
    }
    serde_json::from_str(&String::from(text)).ok()
}

/// A `message` listener on this window, removed when dropped.
pub struct MessageListener {
    closure: Closure<dyn FnMut(MessageEvent)>,
}

impl MessageListener {
    /// Calls `handler` for every message event on this window.
    pub fn start(
        peer: &Peer,
        mut handler: impl FnMut(Received) + 'static,
    ) -> Result<Self, JsFailure> {
        Self::listen(peer, move |origin, from_peer, data| {
            handler(Received {
                origin,
                from_peer,
                data: value_from_js(data),
            })
        })
    }

    /// Calls `handler` for every message event on this window, read as
    /// JSON.
    pub fn start_json(
        peer: &Peer,
        mut handler: impl FnMut(ReceivedJson) + 'static,
    ) -> Result<Self, JsFailure> {
        Self::listen(peer, move |origin, from_peer, data| {
            handler(ReceivedJson {
                origin,
                from_peer,
                data: json_from_js(data),
            })
        })
    }

    /// Calls `handler` with each event's origin, whether it came from the
    /// peer, and its data.
    fn listen(
        peer: &Peer,
        mut handler: impl FnMut(String, bool, &JsValue) + 'static,
    ) -> Result<Self, JsFailure> {
        let peer = peer.clone();
        let closure = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let from_peer = event.source().is_some_and(|source| peer.is(&source));
            handler(event.origin(), from_peer, &event.data());
        });
        window()?.add_event_listener_with_callback("message", closure.as_ref().unchecked_ref())?;
        Ok(Self { closure })
    }
}

impl Drop for MessageListener {
    fn drop(&mut self) {
        if let Ok(own) = window() {
            let _ = own.remove_event_listener_with_callback(
                "message",
                self.closure.as_ref().unchecked_ref(),
            );
        }
    }
}
