//! `/`: the wallet. [`Wallet`] holds what the page shows ([`WalletScreen`])
//! and the sign-in and sign-out actions; [`signed_out`] lets a person in,
//! [`account`] shows the signed-in account, its devices and its two-factor
//! switch.
//!
//! Invariant: whenever a canister says the session's passkey no longer
//! belongs to the account, the session on this device is deleted and the
//! person is signed out with a notice saying why.

mod account;
mod activity;
mod addresses;
mod connections;
mod devices;
mod evm;
mod policy;
mod session;
mod signed_out;
mod two_factor;

use crate::authorize::machine::session_ended;
use leptos::logging::warn;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::error::ApiError;
use crate::components::error_panel::ErrorPanel;
use crate::components::progress::Progress;
use crate::signin::{Passkeys, SignedIn, Step, passkey, stored};
use crate::state::AppState;
use account::AccountView;
use signed_out::SignedOutView;

/// What the wallet shows.
#[derive(Clone)]
pub enum WalletScreen {
    /// Looking for a session on this device.
    Loading,
    /// `notice` says why the last attempt did not work, or why the person
    /// was signed out.
    SignedOut {
        notice: Option<String>,
    },
    /// Signing in: waiting for the passkey or the network.
    Working {
        label: String,
    },
    SignedIn(SignedIn),
}

/// A handle on the page (`Copy`, for event handlers).
#[derive(Clone, Copy)]
pub struct Wallet {
    screen: RwSignal<WalletScreen, LocalStorage>,
    state: AppState,
}

impl Wallet {
    fn start() -> Self {
        let wallet = Self {
            screen: RwSignal::new_local(WalletScreen::Loading),
            state: expect_context::<AppState>(),
        };
        wallet.state.warm_up();
        spawn_local(async move {
            let next = match stored::resume().await {
                Ok(Some(signed_in)) => WalletScreen::SignedIn(signed_in),
                Ok(None) => WalletScreen::SignedOut { notice: None },
                Err(error) => {
                    warn!("wallet: the stored session is unusable: {error}");
                    WalletScreen::SignedOut { notice: None }
                }
            };
            wallet.screen.set(next);
        });
        wallet
    }

    pub fn state(self) -> AppState {
        self.state
    }

    /// Signs in with one of `passkeys`, or (`None`) creates a passkey and
    /// an account first.
    pub fn sign_in(self, passkeys: Option<Passkeys>) {
        if !matches!(self.screen.get_untracked(), WalletScreen::SignedOut { .. }) {
            return;
        }
        // Synchronously, so a second click finds nothing to do.
        self.working("Starting…");
        spawn_local(async move {
            let on_step = move |step: Step| self.working(step.label());
            let result = match passkeys {
                Some(passkeys) => passkey::sign_in(self.state, passkeys, on_step).await,
                None => passkey::sign_up(self.state, on_step).await,
            };
            match result {
                Ok(signed_in) => self.screen.set(WalletScreen::SignedIn(signed_in)),
                Err(error) => self.signed_out(Some(error.to_string())),
            }
        });
    }

    /// Deletes the session on this device; `notice` tells the person why
    /// when they did not ask for it.
    pub fn sign_out(self, notice: Option<String>) {
        self.working("Signing out…");
        spawn_local(async move {
            let failure = stored::sign_out()
                .await
                .err()
                .map(|error| error.to_string());
            self.signed_out(failure.or(notice));
        });
    }

    /// Signs out when `error` means the session's passkey is no longer part
    /// of the account; returns whether it did.
    pub fn end_session_if_revoked(self, error: &ApiError) -> bool {
        let revoked = matches!(error, ApiError::IdentityManager(error) if session_ended(error));
        if revoked {
            self.sign_out(Some(
                "Your session on this device has ended. Sign in again.".into(),
            ));
        }
        revoked
    }

    fn working(self, label: impl Into<String>) {
        self.screen.set(WalletScreen::Working {
            label: label.into(),
        });
    }

    fn signed_out(self, notice: Option<String>) {
        self.screen.set(WalletScreen::SignedOut { notice });
    }
}

#[component]
pub fn WalletPage() -> impl IntoView {
    let wallet = Wallet::start();
    let state = wallet.state;
    let broken_config = move || {
        state.config.get().and_then(|config| config.err()).map(|error| {
            view! {
                <section class="card" data-screen="wallet-broken">
                    <ErrorPanel
                        title="Sigil is not set up correctly"
                        advice="This copy of Sigil cannot find its network settings. Try again later."
                        detail=error.to_string()
                    />
                </section>
            }
        })
    };
    let screen = move || match wallet.screen.get() {
        WalletScreen::Loading => view! {
            <section class="card" data-screen="wallet-loading">
                <h1>"Your wallet"</h1>
                <Progress label="Opening your wallet…"/>
            </section>
        }
        .into_any(),
        WalletScreen::SignedOut { notice } => {
            view! { <SignedOutView wallet=wallet notice=notice/> }.into_any()
        }
        WalletScreen::Working { label } => view! {
            <section class="card" data-screen="wallet-working">
                <h1>"Your wallet"</h1>
                <Progress label=label/>
            </section>
        }
        .into_any(),
        WalletScreen::SignedIn(signed_in) => {
            view! { <AccountView wallet=wallet signed_in=signed_in/> }.into_any()
        }
    };
    view! {
        {broken_config}
        {screen}
    }
}
