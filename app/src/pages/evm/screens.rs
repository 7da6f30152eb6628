//! The Sigil window's screens. Each approval names the dapp by its origin,
//! says what it asks in the identity manager's words, and offers Approve
//! and Reject (Escape rejects too).

use leptos::prelude::*;

use super::flow::Flow;
use super::{Draft, ReviewScreen};
use crate::components::error_panel::ErrorPanel;
use crate::components::progress::Progress;
use crate::components::review::ReviewView;
use crate::config::EvmChainConfig;
use crate::provider::add_chain::AddChain;
use crate::route::Route;
use crate::signin::Passkeys;

const LEAVE: &str = "You can close this window.";

/// Who asks.
#[component]
fn Asker(origin: String, #[prop(into)] asks: String) -> impl IntoView {
    let shown = origin.clone();
    view! {
        <p class="muted">"Request from"</p>
        <h1><span class="origin" data-origin=origin>{shown}</span></h1>
        <p>{asks}</p>
    }
}

#[component]
fn Decision(flow: Flow, #[prop(into)] approve: String) -> impl IntoView {
    view! {
        <div class="actions">
            <button class="button" data-action="approve" disabled=move || flow.busy() on:click=move |_| flow.approve()>
                {approve}
            </button>
            <button class="button secondary" data-action="reject" disabled=move || flow.busy() on:click=move |_| flow.reject()>
                "Reject"
            </button>
        </div>
    }
}

pub fn no_app() -> impl IntoView {
    view! {
        <section class="card" data-screen="evm-no-app">
            <ErrorPanel
                title="No app asked anything"
                advice="This window opens when an app asks Sigil to connect or sign. To see your accounts, go to your wallet."
            />
            <a class="button" href=Route::Wallet.path()>"Go to your wallet"</a>
        </section>
    }
}

pub fn broken(text: String) -> impl IntoView {
    view! {
        <section class="card" data-screen="evm-broken">
            <ErrorPanel title="Something went wrong" advice="Sigil could not start. Close this window and try again from the app." detail=text/>
        </section>
    }
}

pub fn working(origin: String, label: String) -> impl IntoView {
    view! {
        <section class="card" data-screen="evm-working">
            {(!origin.is_empty()).then(|| view! {
                <p class="muted">"Request from " <span class="origin">{origin}</span></p>
            })}
            <Progress label=label/>
        </section>
    }
}

pub fn answered(origin: String) -> impl IntoView {
    view! {
        <section class="card" data-screen="evm-answered">
            <h1>"Done"</h1>
            <p>"Sigil answered " <span class="origin">{origin}</span> ". " {LEAVE}</p>
        </section>
    }
}

pub fn rejected(origin: String) -> impl IntoView {
    view! {
        <section class="card" data-screen="evm-rejected">
            <h1>"Rejected"</h1>
            <p><span class="origin">{origin}</span> " was told you rejected it. " {LEAVE}</p>
        </section>
    }
}

pub fn refused(origin: String, text: String, flow: Flow) -> impl IntoView {
    view! {
        <section class="card" data-screen="evm-refused">
            <ErrorPanel
                title="Sigil did not do this"
                advice=format!("{origin} was told why.")
                detail=text
            />
            <div class="actions">
                <button class="button" data-action="close" on:click=move |_| flow.close()>"Close"</button>
            </div>
        </section>
    }
}

#[component]
pub fn SignInScreen(origin: String, notice: Option<String>, flow: Flow) -> impl IntoView {
    view! {
        <section class="card" data-screen="evm-sign-in">
            <Asker origin asks="Sign in to Sigil to answer this app."/>
            {notice.map(|notice| view! { <p class="notice" role="alert">{notice}</p> })}
            <div class="actions">
                <button class="button" disabled=move || flow.busy() on:click=move |_| flow.sign_in(Some(Passkeys::Discoverable))>
                    "Continue with a passkey"
                </button>
                <button class="button secondary" disabled=move || flow.busy() on:click=move |_| flow.sign_in(None)>
                    "Create a passkey"
                </button>
                <button class="button secondary" data-action="reject" on:click=move |_| flow.reject()>"Reject"</button>
            </div>
        </section>
    }
}

#[component]
pub fn ConnectScreen(origin: String, address: String, flow: Flow) -> impl IntoView {
    let shown = address.clone();
    view! {
        <section class="card" data-screen="evm-connect">
            <Asker origin asks="wants to connect to your account. It will see your address:"/>
            <p><code class="address" data-address=address>{shown}</code></p>
            <p class="muted">"It can then ask you to sign; Sigil asks you each time. You can disconnect it from your wallet at any time."</p>
            <Decision flow approve="Connect"/>
        </section>
    }
}

/// What Sigil does on a chain: sign where the policy allows, or only let
/// the app read.
fn signing_note(signs: bool) -> &'static str {
    if signs {
        "Sigil signs on this chain where your policy allows it."
    } else {
        "Sigil does not sign on this chain: the app can only read from it."
    }
}

#[component]
pub fn SwitchChainScreen(
    origin: String,
    chain_id: u64,
    known: Option<EvmChainConfig>,
    flow: Flow,
) -> impl IntoView {
    let name = known
        .as_ref()
        .map_or_else(|| "a chain it added".to_owned(), |chain| chain.name.clone());
    let asks = format!("wants to switch to {name} (chain {chain_id}).");
    view! {
        <section class="card" data-screen="evm-switch-chain" data-chain-id=chain_id.to_string()>
            <Asker origin asks=asks/>
            <p class="muted">{signing_note(known.is_some())}</p>
            <Decision flow approve="Switch"/>
        </section>
    }
}

#[component]
pub fn AddChainScreen(origin: String, chain: AddChain, known: bool, flow: Flow) -> impl IntoView {
    let AddChain {
        chain_id,
        name,
        rpc_url,
        symbol,
    } = chain;
    view! {
        <section class="card" data-screen="evm-add-chain" data-chain-id=chain_id.to_string()>
            <Asker origin asks="wants to add a chain:"/>
            <dl class="facts">
                <dt>"Name (as the app says)"</dt>
                <dd>{name}</dd>
                <dt>"Chain id"</dt>
                <dd><code>{chain_id}</code></dd>
                <dt>"Node the app reads from"</dt>
                <dd><code>{rpc_url}</code></dd>
                {symbol.map(|symbol| view! { <dt>"Currency"</dt><dd>{symbol}</dd> })}
            </dl>
            <p class="muted">{signing_note(known)}</p>
            <Decision flow approve="Add"/>
        </section>
    }
}

#[component]
pub fn ReviewScreenView(review: ReviewScreen, flow: Flow) -> impl IntoView {
    let asks_passkey = review.prepared.step_up_challenge.is_some();
    let kind = if review.transaction.is_some() {
        "transaction"
    } else {
        "message"
    };
    let approve = match &review.transaction {
        Some(draft) if draft.send => "Approve and send",
        _ => "Approve and sign",
    };
    view! {
        <section class="card" data-screen="evm-review" data-review=kind>
            <Asker origin=review.origin asks="asks you to sign:"/>
            <ReviewView review=review.prepared.review/>
            {review.transaction.map(|draft| view! { <FeeForm draft flow/> })}
            {if asks_passkey {
                view! { <p class="notice" data-step-up>"Your policy asks you to confirm this with one of your passkeys."</p> }.into_any()
            } else {
                view! { <p class="muted" data-policy-allows>"Your policy allows this."</p> }.into_any()
            }}
            <Decision flow approve/>
        </section>
    }
}

/// The transaction's fees, which the person may change before approving;
/// a change is reviewed by the identity manager again.
#[component]
fn FeeForm(draft: Draft, flow: Flow) -> impl IntoView {
    let (max, priority) = draft.fees.in_gwei();
    let legacy = priority.is_none();
    let max = RwSignal::new(max);
    let priority = RwSignal::new(priority.unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let draft = StoredValue::new(draft);
    let update = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let draft = draft.get_value();
        match draft
            .fees
            .retyped(&max.get_untracked(), &priority.get_untracked())
        {
            Ok(fees) => flow.change_fees(draft, fees),
            Err(text) => error.set(Some(text)),
        }
    };
    let max_label = if legacy {
        "Gas price (gwei)"
    } else {
        "Maximum fee per gas (gwei)"
    };
    view! {
        <form class="fees" novalidate on:submit=update>
            <details>
                <summary>"Fees"</summary>
                <label for="evm-max-fee">{max_label}</label>
                <input id="evm-max-fee" type="text" inputmode="decimal" autocomplete="off"
                    prop:value=move || max.get() on:input=move |e| max.set(event_target_value(&e))/>
                {(!legacy).then(|| view! {
                    <label for="evm-priority-fee">"Priority fee per gas (gwei)"</label>
                    <input id="evm-priority-fee" type="text" inputmode="decimal" autocomplete="off"
                        prop:value=move || priority.get() on:input=move |e| priority.set(event_target_value(&e))/>
                })}
                {move || error.get().map(|text| view! { <p class="notice" role="alert">{text}</p> })}
                <button class="button secondary" type="submit" disabled=move || flow.busy()>"Use these fees"</button>
            </details>
        </form>
    }
}
