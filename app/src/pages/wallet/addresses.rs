//! The account's addresses for other chains (EVM, Bitcoin, Solana), loaded
//! on their own so that the rest of the wallet does not wait for the
//! signer. A Sigil set up without a signer says so instead.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sigil_api::identity_manager::{Addresses, Error as IdentityManagerError};

use super::session::Account;
use crate::api::error::ApiError;
use crate::components::error_panel::ErrorPanel;
use crate::components::progress::Progress;

/// What the section shows.
#[derive(Clone, PartialEq)]
enum Loaded {
    Loading,
    Addresses(Addresses),
    /// This Sigil has no signer (its words).
    NotSetUp(String),
    Failed(String),
}

fn load(account: Account, shown: RwSignal<Loaded>) {
    shown.set(Loaded::Loading);
    spawn_local(async move {
        let result = match account.identity_manager().await {
            Ok((identity_manager, number)) => identity_manager.addresses(number).await,
            Err(error) => Err(error),
        };
        let next = match result {
            Ok(addresses) => Loaded::Addresses(addresses),
            Err(ApiError::IdentityManager(error @ IdentityManagerError::ChainsNotConfigured)) => {
                Loaded::NotSetUp(error.to_string())
            }
            Err(error) if account.wallet.end_session_if_revoked(&error) => return,
            Err(error) => Loaded::Failed(error.to_string()),
        };
        // The section may be gone (signed out) by now.
        shown.try_set(next);
    });
}

#[component]
pub fn AddressList(account: Account) -> impl IntoView {
    let shown = RwSignal::new(Loaded::Loading);
    load(account, shown);
    let body = move || {
        match shown.get() {
        Loaded::Loading => view! { <Progress label="Looking up your addresses…"/> }.into_any(),
        Loaded::Addresses(addresses) => view! {
            <dl class="facts addresses">
                <dt>"Ethereum and other EVM chains"</dt>
                <dd><code data-address="evm">{addresses.evm}</code></dd>
                <dt>"Bitcoin"</dt>
                <dd><code data-address="bitcoin">{addresses.bitcoin}</code></dd>
                <dt>"Solana"</dt>
                <dd><code data-address="solana">{addresses.solana}</code></dd>
            </dl>
            <p class="muted">
                "The keys behind these addresses are held by the Internet Computer as threshold \
                 keys: no device, and no one at Sigil, ever holds them whole."
            </p>
        }
        .into_any(),
        Loaded::NotSetUp(text) => view! { <p class="muted" data-addresses="not-set-up">{text}</p> }.into_any(),
        Loaded::Failed(error) => view! {
            <ErrorPanel
                title="Your addresses could not be looked up"
                advice="Sigil could not reach the keys behind them. Check your connection and try again."
                detail=error
            />
            <button class="button secondary" on:click=move |_| load(account, shown)>"Try again"</button>
        }
        .into_any(),
    }
    };
    view! {
        <section class="card" data-section="addresses" aria-labelledby="addresses-title">
            <h2 id="addresses-title">"Your addresses"</h2>
            {body}
        </section>
    }
}
