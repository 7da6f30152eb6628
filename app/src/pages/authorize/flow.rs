//! The browser side of `/#authorize`: finds the peer window, listens for
//! `message` events, and performs what the protocol core ([`Machine`])
//! decides — posts to the peer, fetches, sign-in and canister calls, the
//! screen — feeding each outcome back to it as the next [`Event`]. Nothing
//! here decides what happens next.
//!
//! Asynchronous work runs in one [`Action`], so the screens can tell while
//! it is pending; the machine ignores whatever arrives out of turn.

use std::time::Duration;

use leptos::logging::{log, warn};
use leptos::prelude::*;

use crate::api::error::ApiError;
use crate::authorize::REQUEST_TIMEOUT_MILLIS;
use crate::authorize::machine::{
    Call, CallFailure, Effect, Event, Machine, Retry, Screen, SignInChoice, SignInFailure,
    session_ended,
};
use crate::authorize::value::Value;
use crate::browser::messaging::{MessageListener, Mode, Peer};
use crate::browser::webauthn::WebAuthnError;
use crate::browser::{JsFailure, http, own_origin};
use crate::signin::{Passkeys, SignInError, SignedIn, passkey, stored};
use crate::state::AppState;
use sigil_api::identity_manager::AccountNumber;

/// Work that waits for the network, the passkey or the browser.
#[derive(Debug, Clone)]
enum Work {
    Fetch {
        url: String,
        max_bytes: usize,
        timeout_millis: u32,
    },
    Call(Call),
}

/// A handle on the running page (`Copy`, for event handlers).
#[derive(Clone, Copy)]
pub struct Flow {
    screen: RwSignal<Screen>,
    machine: StoredValue<Machine, LocalStorage>,
    state: AppState,
    peer: StoredValue<Option<Peer>, LocalStorage>,
    /// The person signed in for this request, whose session makes the calls.
    signed_in: StoredValue<Option<SignedIn>, LocalStorage>,
    work: Action<(Flow, Work), ()>,
}

impl Flow {
    /// Starts listening and announces readiness. Call inside the page
    /// component.
    pub fn start(screen: RwSignal<Screen>) -> Self {
        let own_origin = own_origin();
        let flow = Self {
            screen,
            machine: StoredValue::new_local(Machine::new(own_origin.clone().unwrap_or_default())),
            state: expect_context::<AppState>(),
            peer: StoredValue::new_local(None),
            signed_in: StoredValue::new_local(None),
            work: Action::new_local(|(flow, work): &(Flow, Work)| perform(*flow, work.clone())),
        };
        let connected = own_origin.and_then(|_| flow.connect());
        if let Err(failure) = connected {
            warn!("authorize: {failure}");
            flow.handle(Event::Broken(failure.to_string()));
        }
        flow
    }

    fn connect(self) -> Result<(), JsFailure> {
        let peer = Peer::find()?;
        if let Some(peer) = &peer {
            self.peer.set_value(Some(peer.clone()));
            let listener = MessageListener::start(peer, move |received| {
                self.handle(Event::Message {
                    origin: received.origin,
                    from_peer: received.from_peer,
                    data: received.data,
                })
            })?;
            let listener = StoredValue::new_local(Some(listener));
            on_cleanup(move || listener.set_value(None));
            log!("authorize: ready ({:?} mode)", peer.mode);
            set_timeout(
                move || self.handle(Event::RequestTimedOut),
                Duration::from_millis(REQUEST_TIMEOUT_MILLIS.into()),
            );
        }
        self.handle(Event::Opened {
            peer: peer.is_some(),
        });
        Ok(())
    }

    /// Feeds `event` to the machine and performs what it decides.
    fn handle(self, event: Event) {
        let effects = self
            .machine
            .try_update_value(|machine| machine.handle(event))
            .unwrap_or_default();
        for effect in effects {
            match effect {
                Effect::Post {
                    message,
                    target_origin,
                } => self.post(&message, &target_origin),
                Effect::Show(screen) => self.screen.set(screen),
                Effect::Fetch {
                    url,
                    max_bytes,
                    timeout_millis,
                } => {
                    self.work.dispatch_local((
                        self,
                        Work::Fetch {
                            url,
                            max_bytes,
                            timeout_millis,
                        },
                    ));
                }
                Effect::Call(call) => {
                    self.work.dispatch_local((self, Work::Call(call)));
                }
            }
        }
    }

    fn post(self, message: &Value, target_origin: &str) {
        let posted = self.peer.with_value(|peer| match peer {
            Some(peer) => peer.post(message, target_origin),
            None => Ok(()),
        });
        if let Err(failure) = posted {
            warn!("authorize: could not post to {target_origin}: {failure}");
            self.handle(Event::PostFailed(failure.to_string()));
        }
    }

    /// Whether Sigil runs in the app's frame (not in a pop-up window the
    /// person can close).
    pub fn in_frame(self) -> bool {
        self.peer
            .with_value(|peer| matches!(peer, Some(peer) if peer.mode == Mode::Iframe))
    }

    /// Whether Sigil is waiting for the network, a passkey or the browser.
    pub fn busy(self) -> bool {
        self.work.pending().get()
    }

    pub fn sign_in(self, choice: SignInChoice) {
        self.handle(Event::Chose(choice));
    }

    pub fn cancel(self) {
        self.handle(Event::Cancelled);
    }

    pub fn use_another_passkey(self) {
        self.handle(Event::UseAnotherPasskey);
    }

    pub fn approve(self) {
        self.handle(Event::Approved);
    }
}

/// Does `work` and hands its outcome to the machine.
async fn perform(flow: Flow, work: Work) {
    let event = match work {
        Work::Fetch {
            url,
            max_bytes,
            timeout_millis,
        } => Event::Fetched(
            http::get_bytes(&url, max_bytes, timeout_millis)
                .await
                .map_err(|error| error.to_string()),
        ),
        Work::Call(call) => call_event(flow, call).await,
    };
    flow.handle(event);
}

async fn call_event(flow: Flow, call: Call) -> Event {
    match call {
        Call::LoadConfiguration => Event::Configuration(
            flow.state
                .config
                .await
                .map(|config| config.development())
                .map_err(|error| error.to_string()),
        ),
        Call::ResumeSession => {
            flow.state.warm_up();
            match stored::resume().await {
                Ok(signed_in) => Event::Resumed(signed_in.map(|signed_in| flow.keep(signed_in))),
                Err(error) => {
                    warn!("authorize: the stored session is unusable: {error}");
                    Event::Resumed(None)
                }
            }
        }
        Call::SignIn(choice) => {
            let on_step =
                move |step: crate::signin::Step| flow.handle(Event::Progress(step.label().into()));
            let result = match choice {
                SignInChoice::Discoverable => {
                    passkey::sign_in(flow.state, Passkeys::Discoverable, on_step).await
                }
                SignInChoice::OfAccount(account) => {
                    passkey::sign_in(flow.state, Passkeys::OfAccount(account), on_step).await
                }
                SignInChoice::NewPasskey => passkey::sign_up(flow.state, on_step).await,
            };
            Event::SignedIn(match result {
                Ok(signed_in) => Ok(flow.keep(signed_in)),
                Err(error) => Err(sign_in_failure(&error)),
            })
        }
        Call::GetPrincipal {
            account,
            derivation_origin,
        } => Event::Principal(
            flow.with_identity_manager(async |identity_manager| {
                identity_manager
                    .get_principal(account, &derivation_origin)
                    .await
                    .map(|principal| principal.to_text())
            })
            .await,
        ),
        Call::SignOut => {
            flow.signed_in.set_value(None);
            Event::SignedOut(stored::sign_out().await.map_err(|error| error.to_string()))
        }
        Call::PrepareDelegation {
            account,
            derivation_origin,
            session_key,
            time_to_live_nanos,
        } => Event::Prepared(
            flow.with_identity_manager(async |identity_manager| {
                identity_manager
                    .prepare_delegation(
                        account,
                        &derivation_origin,
                        &session_key,
                        Some(time_to_live_nanos),
                    )
                    .await
            })
            .await,
        ),
        Call::GetDelegation {
            account,
            derivation_origin,
            session_key,
            expiration,
        } => Event::Delegated(
            flow.with_identity_manager(async |identity_manager| {
                identity_manager
                    .get_delegation(account, &derivation_origin, &session_key, expiration)
                    .await
            })
            .await,
        ),
    }
}

impl Flow {
    /// Keeps `signed_in` for the calls that follow; its account.
    fn keep(self, signed_in: SignedIn) -> AccountNumber {
        let account = signed_in.account;
        self.signed_in.set_value(Some(signed_in));
        account
    }

    /// Calls the identity manager as the signed-in person.
    async fn with_identity_manager<T>(
        self,
        call: impl AsyncFnOnce(crate::api::identity_manager::IdentityManager) -> Result<T, ApiError>,
    ) -> Result<T, CallFailure> {
        let Some(signed_in) = self.signed_in.get_value() else {
            return Err(CallFailure {
                text: "nobody is signed in".into(),
                session_ended: true,
            });
        };
        let result = match self.state.connection().await {
            Ok(connection) => call(connection.identity_manager(signed_in.caller)).await,
            Err(error) => Err(error),
        };
        result.map_err(|error| call_failure(&error))
    }
}

fn call_failure(error: &ApiError) -> CallFailure {
    CallFailure {
        text: error.to_string(),
        session_ended: matches!(error, ApiError::IdentityManager(error) if session_ended(error)),
    }
}

fn sign_in_failure(error: &SignInError) -> SignInFailure {
    let retry = if !error.lets_person_retry() {
        Retry::No
    } else if matches!(error, SignInError::Passkey(WebAuthnError::Cancelled)) {
        Retry::PromptDismissed
    } else {
        Retry::Yes
    };
    SignInFailure {
        text: error.to_string(),
        retry,
    }
}
