//! `/#authorize`: a dapp asks the person to sign in. The protocol core
//! (`authorize::machine`) decides; [`flow`] performs its effects in the
//! browser (posts, fetches, the sign-in and the canister calls);
//! [`screens`] holds the screens where the person acts; this module picks
//! the screen.

mod flow;
mod screens;

use leptos::prelude::*;

use crate::authorize::machine::Screen;
use crate::components::error_panel::ErrorPanel;
use crate::components::progress::Progress;
use crate::route::Route;
use flow::Flow;
use screens::{ConsentScreen, RequestScreen};

#[component]
pub fn AuthorizePage() -> impl IntoView {
    let screen = RwSignal::new(Screen::Waiting);
    let flow = Flow::start(screen);
    // In a frame there is no window to close: the app carries on.
    let (leave, try_again) = if flow.in_frame() {
        ("You can go back to the app.", "Try again from the app.")
    } else {
        (
            "You can close this window.",
            "Close this window and try again from the app.",
        )
    };
    move || {
        match screen.get() {
        Screen::Waiting => view! {
            <section class="card" data-screen="waiting">
                <h1>"Sign in with Sigil"</h1>
                <Progress label="Waiting for the app to send its sign-in request…"/>
            </section>
        }
        .into_any(),
        Screen::NoApp => view! {
            <section class="card" data-screen="no-app">
                <ErrorPanel
                    title="No app to sign in to"
                    advice="This page opens from an app's “Sign in” button. To manage your identities, go to your wallet."
                />
                <a class="button" href=Route::Wallet.path()>"Go to your wallet"</a>
            </section>
        }
        .into_any(),
        Screen::TimedOut => view! {
            <section class="card" data-screen="timed-out">
                <ErrorPanel
                    title="The app did not answer"
                    advice=format!("The app that opened Sigil did not send a sign-in request within 10 seconds. {try_again}")
                />
            </section>
        }
        .into_any(),
        Screen::Checking { origin } => view! {
            <section class="card" data-screen="checking">
                <h1>"Sign in with Sigil"</h1>
                <Progress label=format!("Checking the request from {origin}…")/>
            </section>
        }
        .into_any(),
        Screen::Request { request, notice, account_number } => view! {
            <RequestScreen request=request notice=notice account_number=account_number flow=flow/>
        }
        .into_any(),
        Screen::Working { label } => view! {
            <section class="card" data-screen="working">
                <h1>"Sign in with Sigil"</h1>
                <Progress label=label/>
            </section>
        }
        .into_any(),
        Screen::Consent(consent) => view! { <ConsentScreen consent=consent flow=flow/> }.into_any(),
        Screen::Done { origin } => view! {
            <section class="card" data-screen="done">
                <h1>"Signed in"</h1>
                <p>"You are signed in to " <span class="origin">{origin}</span> ". " {leave}</p>
            </section>
        }
        .into_any(),
        Screen::Failed { text } => view! {
            <section class="card" data-screen="failed">
                <ErrorPanel
                    title="Sigil could not sign you in"
                    advice=format!("The app has been told. {try_again}")
                    detail=text
                />
            </section>
        }
        .into_any(),
        Screen::Refused { origin, text } => view! {
            <section class="card" data-screen="refused">
                <ErrorPanel
                    title="This sign-in request cannot be accepted"
                    advice=format!("{origin} sent a request Sigil cannot accept. The app has been told. {try_again} If it happens again, contact the app's developers.")
                    detail=text
                />
            </section>
        }
        .into_any(),
        Screen::Broken { text } => view! {
            <section class="card" data-screen="broken">
                <ErrorPanel
                    title="Something went wrong"
                    advice=format!("Sigil could not start the sign-in. {try_again}")
                    detail=text
                />
            </section>
        }
        .into_any(),
        Screen::Cancelled => view! {
            <section class="card" data-screen="cancelled">
                <h1>"Sign-in cancelled"</h1>
                <p>{leave}</p>
            </section>
        }
        .into_any(),
    }
    }
}
