//! `/#evm`: the window an EVM dapp's provider (`/evm-provider.js`) opens
//! when it needs the person: to connect, to sign a message, typed data or
//! a transaction, or to switch or add chains. The protocol is `provider`'s;
//! [`flow`] performs the effects, [`draft`] has the chain's node fill in a
//! transaction; [`screens`] shows each step. The dapp is
//! named by the origin the browser gave its messages, never by anything it
//! sent.

mod draft;
mod flow;
mod screens;

use leptos::prelude::*;
use sigil_api::identity_manager::PreparedSignature;

use crate::config::EvmChainConfig;
use crate::provider::add_chain::AddChain;
use crate::state::AppState;
pub use draft::Draft;
use flow::Flow;
use screens::{AddChainScreen, ConnectScreen, ReviewScreenView, SignInScreen, SwitchChainScreen};

/// The identity manager's review of a signature the dapp asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewScreen {
    pub origin: String,
    pub prepared: PreparedSignature,
    pub transaction: Option<Draft>,
}

/// What the window shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    /// Waiting for the dapp's request.
    Waiting,
    /// Opened directly, by no dapp.
    NoApp,
    Broken(String),
    /// Nobody is signed in on this device.
    SignIn {
        origin: String,
        notice: Option<String>,
    },
    Working {
        origin: String,
        label: String,
    },
    Connect {
        origin: String,
        address: String,
    },
    /// `known`: the chain of Sigil's configuration (Sigil signs on it
    /// where the policy allows); `None`: one an app added, to read from.
    SwitchChain {
        origin: String,
        chain_id: u64,
        known: Option<EvmChainConfig>,
    },
    /// `known`: whether Sigil's configuration has the chain already.
    AddChain {
        origin: String,
        chain: AddChain,
        known: bool,
    },
    Review(Box<ReviewScreen>),
    /// The dapp has its answer.
    Answered {
        origin: String,
    },
    Rejected {
        origin: String,
    },
    /// The request could not be answered; the dapp was told `text`.
    Refused {
        origin: String,
        text: String,
    },
}

impl Screen {
    /// Whether the person is asked to decide (Escape rejects).
    fn asks(&self) -> bool {
        matches!(
            self,
            Screen::SignIn { .. }
                | Screen::Connect { .. }
                | Screen::SwitchChain { .. }
                | Screen::AddChain { .. }
                | Screen::Review(_)
        )
    }
}

#[component]
pub fn EvmPage() -> impl IntoView {
    let flow = Flow::start(expect_context::<AppState>());
    let screen = flow.screen;
    // Escape rejects whatever is asked, as the Reject button does.
    let _ = window_event_listener(leptos::ev::keydown, move |event| {
        if event.key() == "Escape" && screen.get_untracked().asks() {
            flow.reject();
        }
    });
    move || match screen.get() {
        Screen::Waiting => view! {
            <section class="card" data-screen="evm-waiting">
                <h1>"Sigil"</h1>
                <crate::components::progress::Progress label="Waiting for the app’s request…"/>
            </section>
        }
        .into_any(),
        Screen::NoApp => screens::no_app().into_any(),
        Screen::Broken(text) => screens::broken(text).into_any(),
        Screen::SignIn { origin, notice } => {
            view! { <SignInScreen origin notice flow/> }.into_any()
        }
        Screen::Working { origin, label } => screens::working(origin, label).into_any(),
        Screen::Connect { origin, address } => {
            view! { <ConnectScreen origin address flow/> }.into_any()
        }
        Screen::SwitchChain {
            origin,
            chain_id,
            known,
        } => view! { <SwitchChainScreen origin chain_id known flow/> }.into_any(),
        Screen::AddChain {
            origin,
            chain,
            known,
        } => view! { <AddChainScreen origin chain known flow/> }.into_any(),
        Screen::Review(review) => view! { <ReviewScreenView review=*review flow/> }.into_any(),
        Screen::Answered { origin } => screens::answered(origin).into_any(),
        Screen::Rejected { origin } => screens::rejected(origin).into_any(),
        Screen::Refused { origin, text } => screens::refused(origin, text, flow).into_any(),
    }
}
