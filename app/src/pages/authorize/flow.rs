//! The `/#authorize` flow in the browser: finds the peer window, posts
//! `authorize-ready`, feeds `message` events to the protocol core
//! ([`Exchange`]), checks the derivation origin, and posts failures to the
//! request's origin. [`Screen`] is what the person sees.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::logging::{log, warn};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::authorize::REQUEST_TIMEOUT_MILLIS;
use crate::authorize::error::AuthorizeError;
use crate::authorize::exchange::{Exchange, Incoming, Verdict};
use crate::authorize::origin::{
    DerivationCheck, DerivationError, MAX_ALTERNATIVE_ORIGINS_BYTES, check_derivation_origin,
    verify_alternative_origins,
};
use crate::authorize::request::AuthorizeRequest;
use crate::authorize::response;
use crate::browser::messaging::{MessageListener, Peer, Received};
use crate::browser::{JsFailure, http, own_origin};
use crate::state::AppState;

/// What the `/#authorize` page shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Waiting,
    /// Opened directly: no opener or parent to answer.
    NoApp,
    /// No request within [`REQUEST_TIMEOUT_MILLIS`].
    TimedOut,
    Checking {
        origin: String,
    },
    /// A valid request awaits the person.
    Request(AuthorizeRequest),
    /// The request was refused; the app got `text` as its failure.
    Refused {
        origin: String,
        text: String,
    },
    /// The page itself could not work.
    Broken {
        text: String,
    },
    Cancelled,
}

/// A handle on the running flow (`Copy`, for event handlers).
#[derive(Clone, Copy)]
pub struct Flow {
    screen: RwSignal<Screen>,
    state: AppState,
    peer: StoredValue<Option<Peer>, LocalStorage>,
}

impl Flow {
    /// Starts listening and announces readiness. Call inside the page
    /// component.
    pub fn start(screen: RwSignal<Screen>) -> Self {
        let flow = Self {
            screen,
            state: expect_context::<AppState>(),
            peer: StoredValue::new_local(None),
        };
        if let Err(failure) = flow.connect() {
            warn!("authorize: {failure}");
            screen.set(Screen::Broken {
                text: failure.to_string(),
            });
        }
        flow
    }

    fn connect(self) -> Result<(), JsFailure> {
        let Some(peer) = Peer::find()? else {
            self.screen.set(Screen::NoApp);
            return Ok(());
        };
        self.peer.set_value(Some(peer.clone()));
        let exchange = Rc::new(RefCell::new(Exchange::new(own_origin()?)));
        let listener = MessageListener::start(&peer, {
            let exchange = Rc::clone(&exchange);
            move |received| self.on_message(&exchange, received)
        })?;
        let listener = StoredValue::new_local(Some(listener));
        on_cleanup(move || listener.set_value(None));
        peer.post(&response::ready(), "*")?;
        log!("authorize: ready ({:?} mode)", peer.mode);
        set_timeout(
            move || {
                if exchange.borrow_mut().on_timeout() {
                    self.screen.set(Screen::TimedOut);
                }
            },
            Duration::from_millis(REQUEST_TIMEOUT_MILLIS.into()),
        );
        Ok(())
    }

    fn on_message(self, exchange: &RefCell<Exchange>, received: Received) {
        let verdict = exchange.borrow_mut().on_message(Incoming {
            origin: &received.origin,
            from_peer: received.from_peer,
            data: &received.data,
        });
        match verdict {
            Verdict::Ignore(reason) => log!(
                "authorize: ignored a message from {}: {reason:?}",
                received.origin
            ),
            Verdict::Refuse { origin, error } => self.refuse(&origin, &error),
            Verdict::Accept(request) => {
                self.screen.set(Screen::Checking {
                    origin: request.origin.clone(),
                });
                spawn_local(async move {
                    match verify_derivation(self.state, &request).await {
                        Ok(()) => self.screen.set(Screen::Request(request)),
                        Err(error) => self.refuse(&request.origin, &error),
                    }
                });
            }
        }
    }

    /// Tells the app at `origin` why its request failed, and the person too.
    fn refuse(self, origin: &str, error: &AuthorizeError) {
        self.post_failure(origin, error);
        self.screen.set(Screen::Refused {
            origin: origin.to_owned(),
            text: error.to_string(),
        });
    }

    fn post_failure(self, origin: &str, error: &AuthorizeError) {
        self.peer.with_value(|peer| {
            if let Some(peer) = peer
                && let Err(failure) = peer.post(&response::failure(error), origin)
            {
                warn!("authorize: could not post the failure to {origin}: {failure}");
            }
        });
    }

    /// The person declined the request on screen.
    pub fn cancel(self) {
        if let Screen::Request(request) = self.screen.get_untracked() {
            self.post_failure(&request.origin, &AuthorizeError::Cancelled);
            self.screen.set(Screen::Cancelled);
        }
    }
}

/// Checks the request's derivation origin (fetching the alternative-origins
/// document when it is another canister's origin).
async fn verify_derivation(
    state: AppState,
    request: &AuthorizeRequest,
) -> Result<(), AuthorizeError> {
    let config = state
        .config
        .await
        .map_err(|error| AuthorizeError::Configuration(error.to_string()))?;
    let derivation_origin = request.effective_derivation_origin();
    match check_derivation_origin(&request.origin, derivation_origin, config.development())? {
        DerivationCheck::SameOrigin => Ok(()),
        DerivationCheck::FetchAlternativeOrigins { url } => {
            let body = http::get_bytes(&url, MAX_ALTERNATIVE_ORIGINS_BYTES)
                .await
                .map_err(|error| DerivationError::Unreachable {
                    url: url.clone(),
                    reason: error.to_string(),
                })?;
            verify_alternative_origins(&url, &body, &request.origin, derivation_origin)?;
            Ok(())
        }
    }
}
