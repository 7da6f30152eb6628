//! The signed-in wallet: the account number, the global principal, sign
//! out, and the [`super::addresses`], [`super::evm`], [`super::policy`],
//! [`super::activity`], [`super::connections`], [`super::devices`] and [`super::two_factor`]
//! sections, over one [`Account`].

use leptos::prelude::*;

use super::Wallet;
use super::activity::Activity;
use super::addresses::AddressList;
use super::connections::ConnectedApps;
use super::devices::DeviceList;
use super::evm::EvmChains;
use super::policy::PolicySection;
use super::session::{Account, Notice};
use super::two_factor::TwoFactorSwitch;
use crate::components::error_panel::ErrorPanel;
use crate::components::progress::Progress;
use crate::signin::SignedIn;

#[component]
pub fn AccountView(wallet: Wallet, signed_in: SignedIn) -> impl IntoView {
    let account = Account::new(wallet, signed_in);
    // The EVM address, once the addresses are loaded, and how many
    // signatures this page made (the activity reloads on each).
    let evm = RwSignal::new(None::<String>);
    let signed = RwSignal::new(0u32);
    let number = account.number();
    let principal = move || match account.details.get() {
        None => view! { <Progress label="Loading your identity…"/> }.into_any(),
        Some(Ok(details)) => {
            let attribute = details.principal.clone();
            view! { <code class="principal" data-global-principal=attribute>{details.principal}</code> }
                .into_any()
        }
        Some(Err(error)) => view! {
            <ErrorPanel
                title="Your wallet could not be loaded"
                advice="Sigil could not reach your account. Check your connection and try again."
                detail=error
            />
            <button class="button secondary" on:click=move |_| account.retry()>"Try again"</button>
        }
        .into_any(),
    };
    let busy = move || {
        account
            .busy
            .get()
            .map(|label| view! { <Progress label=label/> })
    };
    let notice = move || {
        account.notice.get().map(|notice| match notice {
            Notice::Done(text) => view! { <p class="done" role="status">{text}</p> }.into_any(),
            Notice::Failed(text) => view! { <p class="notice" role="alert">{text}</p> }.into_any(),
        })
    };
    view! {
        <section class="card" data-screen="wallet">
            <h1>"Your wallet"</h1>
            <dl class="facts">
                <dt>"Account number"</dt>
                <dd><code data-account=number.to_string()>{number}</code></dd>
                <dt>"Your Sigil principal"</dt>
                <dd>{principal}</dd>
            </dl>
            <p class="muted">
                "Every app you sign in to sees you under a principal of its own; this one is \
                 yours alone, for your wallet and addresses."
            </p>
            <div class="actions">
                <button
                    class="button secondary"
                    disabled=move || account.busy.get().is_some()
                    on:click=move |_| wallet.sign_out(None)
                >
                    "Sign out"
                </button>
            </div>
        </section>
        <div class="status-line">{busy} {notice}</div>
        <AddressList account=account evm=evm/>
        <EvmChains account=account address=evm.into() signed=signed/>
        <PolicySection account=account/>
        <Activity account=account signed=signed/>
        <ConnectedApps account=account/>
        <DeviceList account=account/>
        <TwoFactorSwitch account=account/>
    }
}
