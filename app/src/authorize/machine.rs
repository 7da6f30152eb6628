//! One `/#authorize` page as a state machine: [`Machine::handle`] takes an
//! [`Event`] (a message, a click, the outcome of an effect) and returns the
//! [`Effect`]s to perform, in order — post a message, fetch a document,
//! call a canister or the browser, show a screen. The page performs them
//! and feeds each outcome back as the next event; it decides nothing.
//!
//! ```text
//! Opened ─▶ Waiting ─Message─▶ Checking ─Configuration─▶ (Fetching ─Fetched─▶)
//!   Resuming ─Resumed─▶ Choosing ─Chose─▶ SigningIn ─SignedIn─▶ LoadingPrincipal
//!   ─Principal─▶ Consenting ─Approved─▶ Preparing ─Prepared─▶ Getting ─Delegated─▶ Done
//! ```
//!
//! Invariants:
//! - An event that does not fit the current stage changes nothing and
//!   yields no effect: a second click, a late answer, a stray message.
//! - Every request that is accepted ends in exactly one post to the
//!   request's origin (success or failure), unless the page itself breaks;
//!   the only post to `"*"` is `authorize-ready`.
//! - A delegation is posted only if it is for the request's session key
//!   and expires when `prepare_delegation` said it would.
//!
//! The channel-specific parts are the request side ([`Exchange`]) and the
//! encoding of replies ([`response`]); the stages from the derivation check
//! to the delegation are what another front-end (an ICRC JSON-RPC channel,
//! an EIP-1193 provider) reuses with its own request and reply.

use sigil_api::identity_manager::{
    AccountNumber, Error as IdentityManagerError, PreparedDelegation,
    SignedDelegation as IssuedDelegation,
};

use super::error::AuthorizeError;
use super::exchange::{Exchange, Incoming, Verdict};
use super::origin::{
    ALTERNATIVE_ORIGINS_TIMEOUT_MILLIS, DerivationCheck, DerivationError,
    MAX_ALTERNATIVE_ORIGINS_BYTES, check_derivation_origin, verify_alternative_origins,
};
use super::request::AuthorizeRequest;
use super::response::{self, AuthorizeSuccess, SignedDelegation};
use super::value::Value;

/// What the person reads when the session on this device no longer works.
pub const SESSION_ENDED_NOTICE: &str = "Your session on this device has ended. Sign in again.";

/// Whether the identity manager's `error` means the session's passkey is no
/// longer part of the account (or the account is gone): the session on this
/// device is over.
pub fn session_ended(error: &IdentityManagerError) -> bool {
    matches!(
        error,
        IdentityManagerError::Unauthorized { .. } | IdentityManagerError::AccountNotFound { .. }
    )
}

/// What the `/#authorize` page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Waiting,
    /// Opened directly: no opener or parent to answer.
    NoApp,
    /// No request within [`super::REQUEST_TIMEOUT_MILLIS`].
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

/// What the consent screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub request: AuthorizeRequest,
    pub account: AccountNumber,
    /// The principal the app will receive (textual).
    pub principal: String,
}

/// How the person chose to sign in on the request screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInChoice {
    /// With any passkey the browser offers.
    Discoverable,
    /// With a passkey of the account whose number the person typed.
    OfAccount(AccountNumber),
    /// With a new passkey, for a new account.
    NewPasskey,
}

/// Whether the person may try again after a failed sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The failure ends the request.
    No,
    Yes,
    /// The person dismissed the browser's passkey prompt (perhaps because it
    /// offered no passkey of theirs).
    PromptDismissed,
}

/// A sign-in that did not work, as the page reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInFailure {
    pub text: String,
    pub retry: Retry,
}

/// A canister call that did not work, as the page reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFailure {
    pub text: String,
    /// See [`session_ended`].
    pub session_ended: bool,
}

/// Work the page does for the machine and reports back as an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// Read Sigil's configuration; answer [`Event::Configuration`].
    LoadConfiguration,
    /// Open the network connection in the background and look for a live
    /// session on this device; answer [`Event::Resumed`].
    ResumeSession,
    /// Sign in as chosen; answer [`Event::Progress`] while it runs, then
    /// [`Event::SignedIn`].
    SignIn(SignInChoice),
    /// `get_principal` as the signed-in person; answer [`Event::Principal`].
    GetPrincipal {
        account: AccountNumber,
        derivation_origin: String,
    },
    /// Delete the session on this device; answer [`Event::SignedOut`].
    SignOut,
    /// `prepare_delegation`; answer [`Event::Prepared`].
    PrepareDelegation {
        account: AccountNumber,
        derivation_origin: String,
        session_key: Vec<u8>,
        time_to_live_nanos: u64,
    },
    /// `get_delegation`; answer [`Event::Delegated`].
    GetDelegation {
        account: AccountNumber,
        derivation_origin: String,
        session_key: Vec<u8>,
        expiration: u64,
    },
}

/// What the page does.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// `postMessage(message, target_origin)` to the peer window; a failure
    /// is reported as [`Event::PostFailed`].
    Post {
        message: Value,
        target_origin: String,
    },
    /// GET `url` without credentials or redirects, reading at most
    /// `max_bytes` within `timeout_millis`; answer [`Event::Fetched`].
    Fetch {
        url: String,
        max_bytes: usize,
        timeout_millis: u32,
    },
    Call(Call),
    Show(Screen),
}

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The page listens, with a window to answer (`peer`) or without.
    Opened {
        peer: bool,
    },
    /// A `message` event.
    Message {
        origin: String,
        from_peer: bool,
        data: Value,
    },
    /// No request within [`super::REQUEST_TIMEOUT_MILLIS`].
    RequestTimedOut,
    /// Whether development rules apply, or why the configuration is unusable.
    Configuration(Result<bool, String>),
    /// The fetched body, or why there is none.
    Fetched(Result<Vec<u8>, String>),
    /// The account of the live session on this device, if any.
    Resumed(Option<AccountNumber>),
    Chose(SignInChoice),
    /// What the sign-in waits for now.
    Progress(String),
    SignedIn(Result<AccountNumber, SignInFailure>),
    /// The principal the app will receive (textual).
    Principal(Result<String, CallFailure>),
    Approved,
    Cancelled,
    UseAnotherPasskey,
    /// Why deleting the session failed, if it did.
    SignedOut(Result<(), String>),
    Prepared(Result<PreparedDelegation, CallFailure>),
    Delegated(Result<IssuedDelegation, CallFailure>),
    PostFailed(String),
    /// The page cannot go on (no window, no listener).
    Broken(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    Closed,
    /// Opened without a window to answer: nothing to do, ever.
    Alone,
    Waiting,
    Checking(AuthorizeRequest),
    Fetching {
        request: AuthorizeRequest,
        url: String,
    },
    Resuming(AuthorizeRequest),
    Choosing(AuthorizeRequest),
    SigningIn(AuthorizeRequest, SignInChoice),
    LoadingPrincipal(AuthorizeRequest, AccountNumber),
    Consenting(AuthorizeRequest, AccountNumber),
    SigningOut(AuthorizeRequest, Option<String>),
    Preparing(AuthorizeRequest, AccountNumber),
    Getting(AuthorizeRequest, AccountNumber, PreparedDelegation),
    Done,
    Over,
}

/// The state of one `/#authorize` page.
#[derive(Debug, Clone)]
pub struct Machine {
    exchange: Exchange,
    stage: Stage,
}

impl Machine {
    pub fn new(own_origin: impl Into<String>) -> Self {
        Self {
            exchange: Exchange::new(own_origin),
            stage: Stage::Closed,
        }
    }

    /// Decides on one event.
    pub fn handle(&mut self, event: Event) -> Vec<Effect> {
        let stage = std::mem::replace(&mut self.stage, Stage::Over);
        let (stage, effects) = self.step(stage, event);
        self.stage = stage;
        effects
    }

    fn step(&mut self, stage: Stage, event: Event) -> (Stage, Vec<Effect>) {
        match (stage, event) {
            (_, Event::Broken(text)) => (Stage::Over, vec![show(Screen::Broken { text })]),
            (Stage::Closed, Event::Opened { peer: false }) => {
                (Stage::Alone, vec![show(Screen::NoApp)])
            }
            (Stage::Closed, Event::Opened { peer: true }) => (
                Stage::Waiting,
                vec![Effect::Post {
                    message: response::ready(),
                    target_origin: "*".into(),
                }],
            ),
            (stage @ (Stage::Closed | Stage::Alone), _) => (stage, vec![]),
            (
                stage,
                Event::Message {
                    origin,
                    from_peer,
                    data,
                },
            ) => {
                let verdict = self.exchange.on_message(Incoming {
                    origin: &origin,
                    from_peer,
                    data: &data,
                });
                match verdict {
                    Verdict::Ignore(_) => (stage, vec![]),
                    Verdict::Refuse { origin, error } => refuse(&origin, &error),
                    Verdict::Accept(request) => {
                        let effects = vec![
                            show(Screen::Checking {
                                origin: request.origin.clone(),
                            }),
                            Effect::Call(Call::LoadConfiguration),
                        ];
                        (Stage::Checking(request), effects)
                    }
                }
            }
            (stage, Event::RequestTimedOut) => {
                if self.exchange.on_timeout() {
                    (Stage::Over, vec![show(Screen::TimedOut)])
                } else {
                    (stage, vec![])
                }
            }
            (Stage::Checking(request), Event::Configuration(configuration)) => {
                let checked = configuration
                    .map_err(AuthorizeError::Configuration)
                    .and_then(|development| {
                        Ok(check_derivation_origin(
                            &request.origin,
                            request.effective_derivation_origin(),
                            development,
                        )?)
                    });
                match checked {
                    Ok(DerivationCheck::SameOrigin) => resume(request),
                    Ok(DerivationCheck::FetchAlternativeOrigins { url }) => {
                        let effects = vec![Effect::Fetch {
                            url: url.clone(),
                            max_bytes: MAX_ALTERNATIVE_ORIGINS_BYTES,
                            timeout_millis: ALTERNATIVE_ORIGINS_TIMEOUT_MILLIS,
                        }];
                        (Stage::Fetching { request, url }, effects)
                    }
                    Err(error) => refuse(&request.origin, &error),
                }
            }
            (Stage::Fetching { request, url }, Event::Fetched(fetched)) => {
                let verified = fetched
                    .map_err(|reason| DerivationError::Unreachable {
                        url: url.clone(),
                        reason,
                    })
                    .and_then(|body| {
                        verify_alternative_origins(
                            &url,
                            &body,
                            &request.origin,
                            request.effective_derivation_origin(),
                        )
                    });
                match verified {
                    Ok(()) => resume(request),
                    Err(error) => refuse(&request.origin, &error.into()),
                }
            }
            (Stage::Resuming(request), Event::Resumed(Some(account))) => {
                load_principal(request, account)
            }
            (Stage::Resuming(request), Event::Resumed(None)) => choose(request, None, None),
            (Stage::Choosing(request), Event::Chose(choice)) => (
                Stage::SigningIn(request, choice),
                vec![working("Starting…"), Effect::Call(Call::SignIn(choice))],
            ),
            (stage @ Stage::SigningIn(..), Event::Progress(label)) => (stage, vec![working(label)]),
            (Stage::SigningIn(request, _), Event::SignedIn(Ok(account))) => {
                load_principal(request, account)
            }
            (Stage::SigningIn(request, choice), Event::SignedIn(Err(failure))) => {
                retry_or_fail(request, choice, failure)
            }
            (Stage::LoadingPrincipal(request, account), Event::Principal(Ok(principal))) => {
                let consent = Consent {
                    request: request.clone(),
                    account,
                    principal,
                };
                (
                    Stage::Consenting(request, account),
                    vec![show(Screen::Consent(consent))],
                )
            }
            (Stage::LoadingPrincipal(request, _), Event::Principal(Err(failure))) => {
                if failure.session_ended {
                    sign_out(request, Some(SESSION_ENDED_NOTICE.into()))
                } else {
                    fail(&request.origin, &AuthorizeError::SignIn(failure.text))
                }
            }
            (Stage::Choosing(request) | Stage::Consenting(request, _), Event::Cancelled) => {
                let effects = vec![
                    post_failure(&request.origin, &AuthorizeError::Cancelled),
                    show(Screen::Cancelled),
                ];
                (Stage::Over, effects)
            }
            (
                Stage::Choosing(request) | Stage::Consenting(request, _),
                Event::UseAnotherPasskey,
            ) => sign_out(request, None),
            (Stage::SigningOut(request, notice), Event::SignedOut(outcome)) => {
                choose(request, outcome.err().or(notice), None)
            }
            (Stage::Consenting(request, account), Event::Approved) => {
                let effects = vec![
                    working(format!("Signing you in to {}…", request.origin)),
                    Effect::Call(Call::PrepareDelegation {
                        account,
                        derivation_origin: request.effective_derivation_origin().to_owned(),
                        session_key: request.session_key.der().to_vec(),
                        time_to_live_nanos: request.time_to_live_nanos,
                    }),
                ];
                (Stage::Preparing(request, account), effects)
            }
            (Stage::Preparing(request, account), Event::Prepared(Ok(prepared))) => {
                let effects = vec![Effect::Call(Call::GetDelegation {
                    account,
                    derivation_origin: request.effective_derivation_origin().to_owned(),
                    session_key: request.session_key.der().to_vec(),
                    expiration: prepared.expiration,
                })];
                (Stage::Getting(request, account, prepared), effects)
            }
            (Stage::Getting(request, _, prepared), Event::Delegated(Ok(issued))) => {
                match success(&request, prepared, issued) {
                    Ok(success) => (
                        Stage::Done,
                        vec![
                            Effect::Post {
                                message: response::success(&success),
                                target_origin: request.origin.clone(),
                            },
                            show(Screen::Done {
                                origin: request.origin,
                            }),
                        ],
                    ),
                    Err(text) => fail(&request.origin, &AuthorizeError::Delegation(text)),
                }
            }
            (
                Stage::Preparing(request, _) | Stage::Getting(request, ..),
                Event::Prepared(Err(failure)) | Event::Delegated(Err(failure)),
            ) => fail(&request.origin, &AuthorizeError::Delegation(failure.text)),
            // The success could not be posted: the app did not get it.
            (Stage::Done, Event::PostFailed(text)) => {
                (Stage::Over, vec![show(Screen::Broken { text })])
            }
            (stage, _) => (stage, vec![]),
        }
    }
}

fn show(screen: Screen) -> Effect {
    Effect::Show(screen)
}

fn working(label: impl Into<String>) -> Effect {
    show(Screen::Working {
        label: label.into(),
    })
}

fn post_failure(origin: &str, error: &AuthorizeError) -> Effect {
    Effect::Post {
        message: response::failure(error),
        target_origin: origin.to_owned(),
    }
}

/// Tells the app at `origin` why its request failed, and the person too: a
/// request Sigil refuses, or Sigil itself unable to go on.
fn refuse(origin: &str, error: &AuthorizeError) -> (Stage, Vec<Effect>) {
    let text = error.to_string();
    let screen = match error {
        AuthorizeError::Configuration(_) => Screen::Broken { text },
        _ => Screen::Refused {
            origin: origin.to_owned(),
            text,
        },
    };
    (Stage::Over, vec![post_failure(origin, error), show(screen)])
}

/// Tells the app at `origin` that signing in or delegating failed.
fn fail(origin: &str, error: &AuthorizeError) -> (Stage, Vec<Effect>) {
    let screen = Screen::Failed {
        text: error.to_string(),
    };
    (Stage::Over, vec![post_failure(origin, error), show(screen)])
}

fn resume(request: AuthorizeRequest) -> (Stage, Vec<Effect>) {
    (
        Stage::Resuming(request),
        vec![Effect::Call(Call::ResumeSession)],
    )
}

fn choose(
    request: AuthorizeRequest,
    notice: Option<String>,
    account_number: Option<String>,
) -> (Stage, Vec<Effect>) {
    let screen = Screen::Request {
        request: request.clone(),
        notice,
        account_number,
    };
    (Stage::Choosing(request), vec![show(screen)])
}

fn load_principal(request: AuthorizeRequest, account: AccountNumber) -> (Stage, Vec<Effect>) {
    let effects = vec![
        working(format!("Loading your identity for {}…", request.origin)),
        Effect::Call(Call::GetPrincipal {
            account,
            derivation_origin: request.effective_derivation_origin().to_owned(),
        }),
    ];
    (Stage::LoadingPrincipal(request, account), effects)
}

fn sign_out(request: AuthorizeRequest, notice: Option<String>) -> (Stage, Vec<Effect>) {
    (
        Stage::SigningOut(request, notice),
        vec![working("Signing out…"), Effect::Call(Call::SignOut)],
    )
}

/// The request screen again after a failure the person can retry (with the
/// notice, and the account-number form with the number they typed), or the
/// end of the request.
fn retry_or_fail(
    request: AuthorizeRequest,
    choice: SignInChoice,
    failure: SignInFailure,
) -> (Stage, Vec<Effect>) {
    let text = failure.text;
    match (failure.retry, choice) {
        (Retry::No, _) => fail(&request.origin, &AuthorizeError::SignIn(text)),
        (_, SignInChoice::OfAccount(account)) => {
            choose(request, Some(text), Some(account.to_string()))
        }
        (Retry::PromptDismissed, SignInChoice::Discoverable) => {
            let notice = format!(
                "{text} If your browser did not offer your passkey, use your account number."
            );
            choose(request, Some(notice), None)
        }
        _ => choose(request, Some(text), None),
    }
}

/// The `/#authorize` success for `request` from what the identity manager
/// prepared and issued, or why it cannot be given to the app.
fn success(
    request: &AuthorizeRequest,
    prepared: PreparedDelegation,
    issued: IssuedDelegation,
) -> Result<AuthorizeSuccess, String> {
    let delegation = issued.delegation;
    if delegation.pubkey.as_slice() != request.session_key.der() {
        return Err("the identity manager issued a delegation to another key".into());
    }
    if delegation.expiration != prepared.expiration {
        return Err("the identity manager issued a delegation with another expiration".into());
    }
    Ok(AuthorizeSuccess {
        delegations: vec![SignedDelegation {
            pubkey: delegation.pubkey.into_vec(),
            expiration: delegation.expiration,
            // auth-client 3.x cannot keep targets given on this channel.
            targets: None,
            signature: issued.signature,
        }],
        user_public_key: prepared.user_key.into_vec(),
    })
}

#[cfg(test)]
#[path = "machine_tests.rs"]
pub(crate) mod tests;
