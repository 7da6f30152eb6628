//! The wallet with nobody signed in on this device.

use leptos::prelude::*;

use super::Wallet;

#[component]
pub fn SignedOutView(wallet: Wallet, notice: Option<String>) -> impl IntoView {
    view! {
        <section class="card" data-screen="wallet-signed-out">
            <h1>"Your wallet"</h1>
            <p>"You are not signed in."</p>
            <p class="muted">
                "Sigil keeps your identities behind your passkeys: one for every app you use, \
                 and one of your own."
            </p>
            {notice.map(|notice| view! { <p class="notice" role="alert">{notice}</p> })}
            <div class="actions">
                <button class="button" on:click=move |_| wallet.sign_in(false)>"Sign in with a passkey"</button>
                <button class="button secondary" on:click=move |_| wallet.sign_in(true)>"Create a passkey"</button>
            </div>
        </section>
    }
}
