//! The window Sigil talks to and the `message` events it receives.
//!
//! In an iframe the peer is `window.parent`; in a popup it is
//! `window.opener`. Cross-origin windows are opaque `WindowProxy`s (an
//! `instanceof Window` check fails on them), so they are compared by
//! identity (`Object.is`) and only ever used to `postMessage`.

use js_sys::Object;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, Window};

use super::convert::{value_from_js, value_to_js};
use super::{JsFailure, window};
use crate::authorize::value::Value;

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
        let peer = peer.clone();
        let closure = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let from_peer = event.source().is_some_and(|source| peer.is(&source));
            handler(Received {
                origin: event.origin(),
                from_peer,
                data: value_from_js(&event.data()),
            });
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
