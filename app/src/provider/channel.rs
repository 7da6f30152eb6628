//! The Sigil side of the ICRC-29 window transport, as the provider module
//! speaks it: the dapp opens Sigil's window and sends `icrc29_status` until
//! Sigil answers `ready`; the first status message fixes the channel's
//! origin. [`Channel::receive`] decides on every `message` event.
//!
//! Invariants:
//! - Only the window that opened Sigil is heard (the source is fixed), and
//!   after the first status message only from the origin it came from.
//! - Nothing but `ready` is ever answered before the channel exists, and
//!   every answer goes to the channel's origin only (the browser delivers
//!   nothing to a window that has navigated elsewhere).
//! - What is not JSON-RPC 2.0 with an id and a method is ignored, as ICRC-29
//!   says: no reply at all.

use serde_json::{Value, json};

/// The status method of ICRC-29.
pub const STATUS_METHOD: &str = "icrc29_status";

/// What to do with one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Ignore,
    /// Answer `reply` (a `ready`) to `origin`.
    Ready {
        reply: Value,
        origin: String,
    },
    /// A request on the channel, from `origin`.
    Request {
        id: Value,
        method: String,
        params: Value,
        origin: String,
    },
}

#[derive(Debug, Clone)]
pub struct Channel {
    own_origin: String,
    origin: Option<String>,
}

impl Channel {
    /// A channel of the Sigil window at `own_origin`, not yet open.
    pub fn new(own_origin: impl Into<String>) -> Self {
        Self {
            own_origin: own_origin.into(),
            origin: None,
        }
    }

    /// The dapp's origin, once the channel exists.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// Decides on a message from `origin`; `from_opener` says whether its
    /// source is the window that opened Sigil; `data` is the message as
    /// JSON (`None` when it is not JSON at all).
    pub fn receive(&mut self, origin: &str, from_opener: bool, data: Option<&Value>) -> Verdict {
        if !from_opener || origin == self.own_origin || !is_tuple_origin(origin) {
            return Verdict::Ignore;
        }
        if self.origin.as_deref().is_some_and(|fixed| fixed != origin) {
            return Verdict::Ignore;
        }
        let Some((id, method, params)) = data.and_then(json_rpc_request) else {
            return Verdict::Ignore;
        };
        if method == STATUS_METHOD {
            self.origin = Some(origin.to_owned());
            return Verdict::Ready {
                reply: json!({ "jsonrpc": "2.0", "id": id, "result": "ready" }),
                origin: origin.to_owned(),
            };
        }
        if self.origin.is_none() {
            return Verdict::Ignore;
        }
        Verdict::Request {
            id,
            method,
            params,
            origin: origin.to_owned(),
        }
    }
}

/// An origin a reply can be addressed to: `scheme://host[:port]`, not the
/// opaque `null` of sandboxed frames and `file:` pages.
fn is_tuple_origin(origin: &str) -> bool {
    origin
        .split_once("://")
        .is_some_and(|(scheme, rest)| !scheme.is_empty() && !rest.is_empty() && !rest.contains('/'))
}

/// `(id, method, params)` of a JSON-RPC 2.0 request; the id must be a
/// string or a number, params (when present) an array or an object.
fn json_rpc_request(data: &Value) -> Option<(Value, String, Value)> {
    let object = data.as_object()?;
    if object.get("jsonrpc")? != "2.0" {
        return None;
    }
    let id = object.get("id")?;
    if !(id.is_string() || id.is_number()) {
        return None;
    }
    let method = object.get("method")?.as_str()?;
    let params = match object.get("params") {
        None | Some(Value::Null) => Value::Array(Vec::new()),
        Some(params @ (Value::Array(_) | Value::Object(_))) => params.clone(),
        Some(_) => return None,
    };
    Some((id.clone(), method.to_owned(), params))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGIL: &str = "https://sigil.example";
    const DAPP: &str = "https://dapp.example";

    fn status(id: &str) -> Value {
        json!({ "jsonrpc": "2.0", "id": id, "method": STATUS_METHOD })
    }

    fn request(id: u64, method: &str) -> Value {
        json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": [] })
    }

    #[test]
    fn should_answer_every_status_with_ready_to_its_origin() {
        let mut channel = Channel::new(SIGIL);
        for id in ["1", "2"] {
            assert_eq!(
                channel.receive(DAPP, true, Some(&status(id))),
                Verdict::Ready {
                    reply: json!({ "jsonrpc": "2.0", "id": id, "result": "ready" }),
                    origin: DAPP.into()
                }
            );
        }
        assert_eq!(channel.origin(), Some(DAPP));
    }

    #[test]
    fn should_hear_requests_only_after_the_status_and_only_from_its_origin() {
        let mut channel = Channel::new(SIGIL);
        assert_eq!(
            channel.receive(DAPP, true, Some(&request(1, "eth_requestAccounts"))),
            Verdict::Ignore,
            "before the channel exists"
        );
        channel.receive(DAPP, true, Some(&status("s")));
        assert!(matches!(
            channel.receive(DAPP, true, Some(&request(2, "eth_requestAccounts"))),
            Verdict::Request { origin, method, .. } if origin == DAPP && method == "eth_requestAccounts"
        ));
        let other = "https://evil.example";
        assert_eq!(
            channel.receive(other, true, Some(&request(3, "personal_sign"))),
            Verdict::Ignore,
            "the opener navigated to another origin"
        );
        assert_eq!(
            channel.receive(other, true, Some(&status("s"))),
            Verdict::Ignore,
            "a status cannot move the channel"
        );
        assert_eq!(channel.origin(), Some(DAPP));
    }

    #[test]
    fn should_ignore_other_windows_sigil_itself_and_opaque_origins() {
        let mut channel = Channel::new(SIGIL);
        assert_eq!(
            channel.receive(DAPP, false, Some(&status("s"))),
            Verdict::Ignore
        );
        assert_eq!(
            channel.receive(SIGIL, true, Some(&status("s"))),
            Verdict::Ignore
        );
        for opaque in ["null", "", "file://", "https://a.example/path"] {
            assert_eq!(
                channel.receive(opaque, true, Some(&status("s"))),
                Verdict::Ignore,
                "{opaque}"
            );
        }
        assert_eq!(channel.origin(), None);
        channel.receive(DAPP, true, Some(&status("s")));
        assert_eq!(
            channel.receive(DAPP, false, Some(&request(1, "personal_sign"))),
            Verdict::Ignore,
            "another window of the same origin"
        );
    }

    #[test]
    fn should_ignore_what_is_not_a_json_rpc_request() {
        let mut channel = Channel::new(SIGIL);
        channel.receive(DAPP, true, Some(&status("s")));
        for junk in [
            json!(null),
            json!("icrc29_status"),
            json!([status("s")]),
            json!({ "id": 1, "method": "eth_accounts" }),
            json!({ "jsonrpc": "1.0", "id": 1, "method": "eth_accounts" }),
            json!({ "jsonrpc": "2.0", "method": "eth_accounts" }),
            json!({ "jsonrpc": "2.0", "id": null, "method": "eth_accounts" }),
            json!({ "jsonrpc": "2.0", "id": [1], "method": "eth_accounts" }),
            json!({ "jsonrpc": "2.0", "id": 1, "method": 7 }),
            json!({ "jsonrpc": "2.0", "id": 1, "method": "eth_accounts", "params": "0x1" }),
        ] {
            assert_eq!(
                channel.receive(DAPP, true, Some(&junk)),
                Verdict::Ignore,
                "{junk}"
            );
        }
        assert_eq!(channel.receive(DAPP, true, None), Verdict::Ignore);
    }

    #[test]
    fn should_read_missing_params_as_none_and_keep_unknown_fields_out() {
        let mut channel = Channel::new(SIGIL);
        channel.receive(DAPP, true, Some(&status("s")));
        let message =
            json!({ "jsonrpc": "2.0", "id": "a", "method": "eth_requestAccounts", "extra": 1 });
        assert_eq!(
            channel.receive(DAPP, true, Some(&message)),
            Verdict::Request {
                id: json!("a"),
                method: "eth_requestAccounts".into(),
                params: json!([]),
                origin: DAPP.into()
            }
        );
    }
}
