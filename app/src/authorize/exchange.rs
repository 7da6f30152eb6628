//! Which incoming messages Sigil answers, and how.
//!
//! Invariants:
//! - Messages from Sigil's own origin, from any window other than the
//!   opener/parent, from opaque (`"null"`) origins, and messages that are not
//!   `authorize-client` requests are ignored: no reply at all.
//! - One request per page: once a request was answered (accepted or
//!   refused), later ones are ignored.
//! - A request after the page stopped waiting is refused, so the dapp is
//!   never left waiting silently.
//! - Every refusal names the request's own origin (`event.origin`) as the
//!   only place the reply may go.

use super::error::AuthorizeError;
use super::request::{AuthorizeRequest, is_request, parse_request};
use super::value::Value;

/// The origin browsers report for opaque origins (sandboxed frames, files).
const OPAQUE_ORIGIN: &str = "null";

/// A `message` event, as far as the protocol cares.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// `event.origin`.
    pub origin: &'a str,
    /// Whether `event.source` is the window that opened or embeds Sigil.
    pub from_peer: bool,
    /// `event.data`.
    pub data: &'a Value,
}

/// Why a message got no reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    OwnOrigin,
    ForeignWindow,
    OpaqueOrigin,
    NotARequest,
    AlreadyAnswered,
}

/// What to do with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Ignore(Ignored),
    /// Post `authorize-client-failure` to `origin`.
    Refuse {
        origin: String,
        error: AuthorizeError,
    },
    /// A valid request: check its derivation origin, then authenticate.
    Accept(AuthorizeRequest),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    GaveUp,
    Answered,
}

/// The request side of one `/#authorize` page.
#[derive(Debug, Clone)]
pub struct Exchange {
    own_origin: String,
    state: State,
}

impl Exchange {
    pub fn new(own_origin: impl Into<String>) -> Self {
        Self {
            own_origin: own_origin.into(),
            state: State::Waiting,
        }
    }

    /// Decides on one message.
    pub fn on_message(&mut self, incoming: Incoming<'_>) -> Verdict {
        if incoming.origin == self.own_origin {
            return Verdict::Ignore(Ignored::OwnOrigin);
        }
        if !incoming.from_peer {
            return Verdict::Ignore(Ignored::ForeignWindow);
        }
        if incoming.origin == OPAQUE_ORIGIN || incoming.origin.is_empty() {
            return Verdict::Ignore(Ignored::OpaqueOrigin);
        }
        if !is_request(incoming.data) {
            return Verdict::Ignore(Ignored::NotARequest);
        }
        let origin = incoming.origin.to_owned();
        match self.state {
            State::Answered => Verdict::Ignore(Ignored::AlreadyAnswered),
            State::GaveUp => {
                self.state = State::Answered;
                Verdict::Refuse {
                    origin,
                    error: AuthorizeError::TimedOut,
                }
            }
            State::Waiting => {
                self.state = State::Answered;
                match parse_request(&origin, incoming.data) {
                    Ok(request) => Verdict::Accept(request),
                    Err(error) => Verdict::Refuse {
                        origin,
                        error: error.into(),
                    },
                }
            }
        }
    }

    /// The wait for a request is over; true if none had arrived, so the page
    /// shows the person an error.
    pub fn on_timeout(&mut self) -> bool {
        if self.state == State::Waiting {
            self.state = State::GaveUp;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authorize::request::RequestError;
    use crate::authorize::request::tests::{DAPP, request_with};

    const SIGIL: &str = "https://sigil.example";

    fn from_peer(data: &Value) -> Incoming<'_> {
        Incoming {
            origin: DAPP,
            from_peer: true,
            data,
        }
    }

    #[test]
    fn should_accept_a_valid_request_from_the_peer() {
        let mut exchange = Exchange::new(SIGIL);
        let data = request_with(vec![]);
        let Verdict::Accept(request) = exchange.on_message(from_peer(&data)) else {
            panic!("accepted");
        };
        assert_eq!(request.origin, DAPP);
    }

    #[test]
    fn should_ignore_a_request_from_a_foreign_window() {
        let mut exchange = Exchange::new(SIGIL);
        let data = request_with(vec![]);
        let incoming = Incoming {
            from_peer: false,
            ..from_peer(&data)
        };
        assert_eq!(
            exchange.on_message(incoming),
            Verdict::Ignore(Ignored::ForeignWindow)
        );
        // The real request from the peer is still accepted afterwards.
        assert!(matches!(
            exchange.on_message(from_peer(&data)),
            Verdict::Accept(_)
        ));
    }

    #[test]
    fn should_ignore_messages_from_its_own_origin_even_from_the_peer() {
        let mut exchange = Exchange::new(SIGIL);
        let data = request_with(vec![]);
        let incoming = Incoming {
            origin: SIGIL,
            ..from_peer(&data)
        };
        assert_eq!(
            exchange.on_message(incoming),
            Verdict::Ignore(Ignored::OwnOrigin)
        );
    }

    #[test]
    fn should_ignore_opaque_origins_it_cannot_reply_to() {
        let mut exchange = Exchange::new(SIGIL);
        let data = request_with(vec![]);
        let incoming = Incoming {
            origin: "null",
            ..from_peer(&data)
        };
        assert_eq!(
            exchange.on_message(incoming),
            Verdict::Ignore(Ignored::OpaqueOrigin)
        );
    }

    #[test]
    fn should_ignore_messages_that_are_not_requests() {
        let mut exchange = Exchange::new(SIGIL);
        for data in [
            Value::String("hello".into()),
            Value::object([("kind", Value::String("authorize-ready".into()))]),
            Value::object([("type", Value::String("webpackOk".into()))]),
        ] {
            assert_eq!(
                exchange.on_message(from_peer(&data)),
                Verdict::Ignore(Ignored::NotARequest)
            );
        }
    }

    #[test]
    fn should_refuse_a_malformed_request_to_its_origin_and_then_stop_listening() {
        let mut exchange = Exchange::new(SIGIL);
        let bad = request_with(vec![("sessionPublicKey", Value::String("key".into()))]);
        assert_eq!(
            exchange.on_message(from_peer(&bad)),
            Verdict::Refuse {
                origin: DAPP.into(),
                error: AuthorizeError::InvalidRequest(RequestError::SessionKeyType("a string")),
            }
        );
        let good = request_with(vec![]);
        assert_eq!(
            exchange.on_message(from_peer(&good)),
            Verdict::Ignore(Ignored::AlreadyAnswered)
        );
    }

    #[test]
    fn should_answer_only_the_first_request() {
        let mut exchange = Exchange::new(SIGIL);
        let data = request_with(vec![]);
        assert!(matches!(
            exchange.on_message(from_peer(&data)),
            Verdict::Accept(_)
        ));
        assert_eq!(
            exchange.on_message(from_peer(&data)),
            Verdict::Ignore(Ignored::AlreadyAnswered)
        );
        assert!(!exchange.on_timeout(), "a request arrived in time");
    }

    #[test]
    fn should_refuse_a_request_that_arrives_after_the_timeout() {
        let mut exchange = Exchange::new(SIGIL);
        assert!(exchange.on_timeout());
        let data = request_with(vec![]);
        assert_eq!(
            exchange.on_message(from_peer(&data)),
            Verdict::Refuse {
                origin: DAPP.into(),
                error: AuthorizeError::TimedOut
            }
        );
        assert_eq!(
            exchange.on_message(from_peer(&data)),
            Verdict::Ignore(Ignored::AlreadyAnswered)
        );
    }
}
