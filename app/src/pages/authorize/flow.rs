//! The `/#authorize` flow in the browser: finds the peer window, posts
//! `authorize-ready`, feeds `message` events to the protocol core
//! ([`Exchange`]), checks the derivation origin, signs the person in
//! (the stored session, or a passkey: discoverable, found by the account
//! number the person types, or new), asks for consent, and posts the
//! delegation — or a failure — to the request's origin only. [`Screen`] is
//! what the person sees.
//!
//! The dapp's principal comes from the request's derivation origin when it
//! passed the checks, else from the request's origin.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::logging::{log, warn};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::connection::Connection;
use crate::api::error::ApiError;
use crate::authorize::REQUEST_TIMEOUT_MILLIS;
use crate::authorize::error::AuthorizeError;
use crate::authorize::exchange::{Exchange, Incoming, Verdict};
use crate::authorize::origin::{
    ALTERNATIVE_ORIGINS_TIMEOUT_MILLIS, DerivationCheck, DerivationError,
    MAX_ALTERNATIVE_ORIGINS_BYTES, check_derivation_origin, verify_alternative_origins,
};
use crate::authorize::request::AuthorizeRequest;
use crate::authorize::response::{self, AuthorizeSuccess, SignedDelegation};
use crate::browser::messaging::{MessageListener, Mode, Peer, Received};
use crate::browser::webauthn::WebAuthnError;
use crate::browser::{JsFailure, http, own_origin};
use crate::signin::{Passkeys, SignInError, SignedIn, passkey, stored};
use crate::state::AppState;
use sigil_api::identity_manager::Error as IdentityManagerError;

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
    /// A valid request; nobody is signed in on this device. `notice` says
    /// why the last attempt did not work; `account_number`, when set, is the
    /// text of the open account-number form.
    Request {
        request: AuthorizeRequest,
        notice: Option<String>,
        account_number: Option<String>,
    },
    /// Sigil waits for the passkey or the network.
    Working {
        label: String,
    },
    /// The signed-in person decides.
    Consent(Consent),
    /// The delegation went to the app.
    Done {
        origin: String,
    },
    /// Signing in or issuing the delegation failed; the app got `text`.
    Failed {
        text: String,
    },
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

/// How the person chose to sign in on the request screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInChoice {
    /// With a passkey they have.
    Passkey(Passkeys),
    /// With a new passkey, for a new account.
    NewPasskey,
}

impl SignInChoice {
    /// The request screen after a failure the person can retry: the notice,
    /// and the account-number form again with the number they typed.
    fn retry_screen(self, request: AuthorizeRequest, error: &SignInError) -> Screen {
        let (notice, account_number) = match (self, error) {
            (
                SignInChoice::Passkey(Passkeys::Discoverable),
                SignInError::Passkey(WebAuthnError::Cancelled),
            ) => (
                format!(
                    "{error} If your browser did not offer your passkey, use your account number."
                ),
                None,
            ),
            (SignInChoice::Passkey(Passkeys::OfAccount(account)), _) => {
                (error.to_string(), Some(account.to_string()))
            }
            _ => (error.to_string(), None),
        };
        Screen::Request {
            request,
            notice: Some(notice),
            account_number,
        }
    }
}

/// What the consent screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Consent {
    pub request: AuthorizeRequest,
    pub account: u64,
    /// The principal the app will receive (textual).
    pub principal: String,
}

/// A handle on the running flow (`Copy`, for event handlers).
#[derive(Clone, Copy)]
pub struct Flow {
    screen: RwSignal<Screen>,
    state: AppState,
    peer: StoredValue<Option<Peer>, LocalStorage>,
    signed_in: StoredValue<Option<SignedIn>, LocalStorage>,
}

impl Flow {
    /// Starts listening and announces readiness. Call inside the page
    /// component.
    pub fn start(screen: RwSignal<Screen>) -> Self {
        let flow = Self {
            screen,
            state: expect_context::<AppState>(),
            peer: StoredValue::new_local(None),
            signed_in: StoredValue::new_local(None),
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
                        Ok(()) => self.resume(request).await,
                        Err(error) => self.refuse(&request.origin, &error),
                    }
                });
            }
        }
    }

    /// Tells the app at `origin` why its request failed, and the person
    /// too: a request Sigil refuses, or Sigil itself unable to go on.
    fn refuse(self, origin: &str, error: &AuthorizeError) {
        self.post_failure(origin, error);
        let text = error.to_string();
        self.screen.set(match error {
            AuthorizeError::Configuration(_) => Screen::Broken { text },
            _ => Screen::Refused {
                origin: origin.to_owned(),
                text,
            },
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

    /// Whether Sigil runs in the app's frame (not in a pop-up window the
    /// person can close).
    pub fn in_frame(self) -> bool {
        self.peer
            .with_value(|peer| matches!(peer, Some(peer) if peer.mode == Mode::Iframe))
    }

    /// The request on screen, if it still awaits the person.
    fn pending_request(self) -> Option<AuthorizeRequest> {
        match self.screen.get_untracked() {
            Screen::Request { request, .. } => Some(request),
            Screen::Consent(consent) => Some(consent.request),
            _ => None,
        }
    }

    /// The person declined the request on screen.
    pub fn cancel(self) {
        if let Some(request) = self.pending_request() {
            self.post_failure(&request.origin, &AuthorizeError::Cancelled);
            self.screen.set(Screen::Cancelled);
        }
    }

    /// Tells the app at `origin` that signing in or delegating failed.
    fn fail(self, origin: &str, error: &AuthorizeError) {
        self.post_failure(origin, error);
        self.screen.set(Screen::Failed {
            text: error.to_string(),
        });
    }

    fn working(self, label: impl Into<String>) {
        self.screen.set(Screen::Working {
            label: label.into(),
        });
    }

    async fn connection(self) -> Result<Connection, ApiError> {
        self.state.connection().await
    }

    /// With a live session on this device the person goes straight to
    /// consent; otherwise they choose how to sign in.
    async fn resume(self, request: AuthorizeRequest) {
        self.state.warm_up();
        match stored::resume().await {
            Ok(Some(signed_in)) => self.consent(request, signed_in).await,
            Ok(None) => self.screen.set(Screen::Request {
                request,
                notice: None,
                account_number: None,
            }),
            Err(error) => {
                warn!("authorize: the stored session is unusable: {error}");
                self.screen.set(Screen::Request {
                    request,
                    notice: None,
                    account_number: None,
                });
            }
        }
    }

    /// Signs in as the person chose.
    pub fn sign_in(self, choice: SignInChoice) {
        let Some(request) = self.pending_request() else {
            return;
        };
        // Synchronously, so a second click finds no request on screen.
        self.working("Starting…");
        spawn_local(async move {
            let on_step = move |step: crate::signin::Step| self.working(step.label());
            let result = match choice {
                SignInChoice::Passkey(passkeys) => {
                    passkey::sign_in(self.state, passkeys, on_step).await
                }
                SignInChoice::NewPasskey => passkey::sign_up(self.state, on_step).await,
            };
            match result {
                Ok(signed_in) => self.consent(request, signed_in).await,
                Err(error) if error.lets_person_retry() => {
                    self.screen.set(choice.retry_screen(request, &error))
                }
                Err(error) => {
                    self.fail(&request.origin, &AuthorizeError::SignIn(error.to_string()))
                }
            }
        });
    }

    /// Loads the principal the app will receive, then asks the person.
    async fn consent(self, request: AuthorizeRequest, signed_in: SignedIn) {
        self.working(format!("Loading your identity for {}…", request.origin));
        let principal = match self.connection().await {
            Ok(connection) => {
                connection
                    .identity_manager(signed_in.caller.clone())
                    .get_principal(signed_in.account, request.effective_derivation_origin())
                    .await
            }
            Err(error) => Err(error),
        };
        match principal {
            Ok(principal) => {
                let account = signed_in.account;
                self.signed_in.set_value(Some(signed_in));
                self.screen.set(Screen::Consent(Consent {
                    request,
                    account,
                    principal: principal.to_text(),
                }));
            }
            Err(ApiError::IdentityManager(
                IdentityManagerError::Unauthorized { .. }
                | IdentityManagerError::AccountNotFound { .. },
            )) => {
                // The passkey left the account: the session is over.
                if let Err(error) = stored::sign_out().await {
                    warn!("authorize: could not delete the session: {error}");
                }
                self.screen.set(Screen::Request {
                    request,
                    notice: Some("Your session on this device has ended. Sign in again.".into()),
                    account_number: None,
                });
            }
            Err(error) => self.fail(&request.origin, &AuthorizeError::SignIn(error.to_string())),
        }
    }

    /// Signs out on this device and lets the person choose another passkey.
    pub fn use_another_passkey(self) {
        let Some(request) = self.pending_request() else {
            return;
        };
        self.working("Signing out…");
        spawn_local(async move {
            self.signed_in.set_value(None);
            let notice = stored::sign_out()
                .await
                .err()
                .map(|error| error.to_string());
            self.screen.set(Screen::Request {
                request,
                notice,
                account_number: None,
            });
        });
    }

    /// The person approved: the identity manager signs a delegation to the
    /// app's session key, and the app receives it.
    pub fn approve(self) {
        let Screen::Consent(consent) = self.screen.get_untracked() else {
            return;
        };
        let Some(signed_in) = self.signed_in.get_value() else {
            return;
        };
        let request = consent.request;
        // Synchronously, so a second click finds no consent on screen.
        self.working(format!("Signing you in to {}…", request.origin));
        spawn_local(async move {
            match self.delegate(&request, &signed_in).await {
                Ok(success) => {
                    let posted = self.peer.with_value(|peer| match peer {
                        Some(peer) => peer.post(&response::success(&success), &request.origin),
                        None => Ok(()),
                    });
                    match posted {
                        Ok(()) => self.screen.set(Screen::Done {
                            origin: request.origin.clone(),
                        }),
                        Err(failure) => self.screen.set(Screen::Broken {
                            text: failure.to_string(),
                        }),
                    }
                }
                Err(error) => self.fail(
                    &request.origin,
                    &AuthorizeError::Delegation(error.to_string()),
                ),
            }
        });
    }

    async fn delegate(
        self,
        request: &AuthorizeRequest,
        signed_in: &SignedIn,
    ) -> Result<AuthorizeSuccess, ApiError> {
        let identity_manager = self
            .connection()
            .await?
            .identity_manager(signed_in.caller.clone());
        let origin = request.effective_derivation_origin();
        let session_key = request.session_key.der();
        let prepared = identity_manager
            .prepare_delegation(
                signed_in.account,
                origin,
                session_key,
                Some(request.time_to_live_nanos),
            )
            .await?;
        let signed = identity_manager
            .get_delegation(signed_in.account, origin, session_key, prepared.expiration)
            .await?;
        Ok(AuthorizeSuccess {
            delegations: vec![SignedDelegation {
                pubkey: signed.delegation.pubkey.into_vec(),
                expiration: signed.delegation.expiration,
                targets: None,
                signature: signed.signature,
            }],
            user_public_key: prepared.user_key.into_vec(),
        })
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
            let body = http::get_bytes(
                &url,
                MAX_ALTERNATIVE_ORIGINS_BYTES,
                ALTERNATIVE_ORIGINS_TIMEOUT_MILLIS,
            )
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
