//! `/`: the wallet. Until sign-in exists it says so, and shows which network
//! the app is configured for.

use leptos::prelude::*;

use crate::components::error_panel::ErrorPanel;
use crate::state::AppState;

#[component]
pub fn WalletPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let network = move || {
        state.config.get().map(|config| match config {
            Ok(config) => view! {
                <p class="muted">"Network: " <code>{config.url}</code></p>
            }
            .into_any(),
            Err(error) => view! {
                <ErrorPanel
                    title="Sigil is not set up correctly"
                    advice="This copy of Sigil cannot find its network settings. Try again later."
                    detail=error.to_string()
                />
            }
            .into_any(),
        })
    };
    view! {
        <section class="card" data-screen="wallet-signed-out">
            <h1>"Your wallet"</h1>
            <p>"You are not signed in."</p>
            <p class="muted">
                "Sigil keeps your identities behind your passkeys: one for every app you use, \
                 and one of your own."
            </p>
            {network}
        </section>
    }
}
