//! The account's addresses for other chains (EVM, Bitcoin, Solana), loaded
//! on their own so that the rest of the wallet does not wait for the
//! signer, each with a copy button and a QR code. A Sigil set up without a
//! signer says so instead.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sigil_api::identity_manager::{Addresses, Error as IdentityManagerError};

use super::session::Account;
use crate::api::error::ApiError;
use crate::browser::copy_text;
use crate::components::error_panel::ErrorPanel;
use crate::components::progress::Progress;
use crate::qr::svg_path;

/// What the section shows.
#[derive(Clone, PartialEq)]
enum Loaded {
    Loading,
    Addresses(Addresses),
    /// This Sigil has no signer (its words).
    NotSetUp(String),
    Failed(String),
}

fn load(account: Account, shown: RwSignal<Loaded>, evm: RwSignal<Option<String>>) {
    shown.set(Loaded::Loading);
    spawn_local(async move {
        let result = account
            .with_identity_manager(|identity_manager, number| async move {
                identity_manager.addresses(number).await
            })
            .await;
        let next = match result {
            Ok(addresses) => {
                evm.try_set(Some(addresses.evm.clone()));
                Loaded::Addresses(addresses)
            }
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

/// One address: the text, a copy button and its QR code.
#[component]
fn AddressEntry(name: &'static str, kind: &'static str, address: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = StoredValue::new(address.clone());
    let copy = move |_| {
        let text = text.get_value();
        spawn_local(async move {
            copied.try_set(copy_text(&text).await.is_ok());
        });
    };
    let qr = svg_path(&address).map(|(side, path)| {
        view! {
            <svg class="qr" viewBox=format!("0 0 {side} {side}") role="img"
                aria-label=format!("QR code of your {name} address") data-qr=kind>
                <rect width="100%" height="100%" fill="#fff"/>
                <path d=path fill="#000"/>
            </svg>
        }
    });
    view! {
        <dt>{name}</dt>
        <dd>
            <code data-address=kind>{address}</code>
            <button class="button secondary small" type="button" on:click=copy
                aria-label=format!("Copy your {name} address")>
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
            <details>
                <summary>"QR code"</summary>
                {qr}
            </details>
        </dd>
    }
}

#[component]
pub fn AddressList(account: Account, evm: RwSignal<Option<String>>) -> impl IntoView {
    let shown = RwSignal::new(Loaded::Loading);
    load(account, shown, evm);
    let body = move || {
        match shown.get() {
        Loaded::Loading => view! { <Progress label="Looking up your addresses…"/> }.into_any(),
        Loaded::Addresses(addresses) => view! {
            <dl class="facts addresses">
                <AddressEntry name="Ethereum and other EVM chains" kind="evm" address=addresses.evm/>
                <AddressEntry name="Bitcoin" kind="bitcoin" address=addresses.bitcoin/>
                <AddressEntry name="Solana" kind="solana" address=addresses.solana/>
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
            <button class="button secondary" on:click=move |_| load(account, shown, evm)>"Try again"</button>
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
