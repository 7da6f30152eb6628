//! The wallet with nobody signed in on this device: a passkey the browser
//! offers, a passkey of the account whose number the person types, or a
//! new passkey and account.

use leptos::prelude::*;

use super::Wallet;
use crate::components::account_number_form::WithAccountNumber;
use crate::signin::Passkeys;

#[component]
pub fn SignedOutView(wallet: Wallet, notice: Option<String>) -> impl IntoView {
    let form = RwSignal::new(None);
    view! {
        <section class="card" data-screen="wallet-signed-out">
            <h1>"Your wallet"</h1>
            <p>"You are not signed in."</p>
            <p class="muted">
                "Sigil keeps your identities behind your passkeys: one for every app you use, \
                 and one of your own."
            </p>
            {notice.map(|notice| view! { <p class="notice" role="alert">{notice}</p> })}
            <WithAccountNumber
                form=form
                on_submit=move |number| wallet.sign_in(Some(Passkeys::OfAccount(number)))
            >
                <div class="actions">
                    <button class="button" on:click=move |_| wallet.sign_in(Some(Passkeys::Discoverable))>
                        "Sign in with a passkey"
                    </button>
                    <button class="button secondary" on:click=move |_| wallet.sign_in(None)>
                        "Create a passkey"
                    </button>
                </div>
            </WithAccountNumber>
        </section>
    }
}
