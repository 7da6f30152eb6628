//! The screens where the person acts on a request: choosing how to sign in,
//! and consenting as the signed-in person.

use leptos::prelude::*;

use super::flow::Flow;
use crate::authorize::machine::{Consent, SignInChoice};
use crate::authorize::request::AuthorizeRequest;
use crate::components::account_number_form::WithAccountNumber;
use crate::format;

/// Who asks: the request's origin and, when it differs, the origin whose
/// identity the app gets.
#[component]
fn Requester(request: AuthorizeRequest) -> impl IntoView {
    let derivation = request
        .derivation_origin
        .clone()
        .filter(|origin| *origin != request.origin);
    view! {
        <h1>"Sign in to " <span class="origin">{request.origin}</span></h1>
        {derivation.map(|origin| view! {
            <p>"as the identity you use at " <span class="origin">{origin}</span></p>
        })}
    }
}

/// Nobody is signed in on this device: a passkey the browser offers, a
/// passkey of the account whose number the person types, a new passkey,
/// or cancel. `account_number`, when set, opens the account-number form
/// with that text.
#[component]
pub fn RequestScreen(
    request: AuthorizeRequest,
    notice: Option<String>,
    account_number: Option<String>,
    flow: Flow,
) -> impl IntoView {
    let lifetime = format::duration(request.time_to_live_nanos);
    let form = RwSignal::new(account_number);
    view! {
        <section class="card" data-screen="request">
            <Requester request=request/>
            <p>"The app stays signed in for " {lifetime} "."</p>
            {notice.map(|notice| view! { <p class="notice" role="alert">{notice}</p> })}
            <WithAccountNumber
                form=form
                on_submit=move |number| flow.sign_in(SignInChoice::OfAccount(number))
            >
                <div class="actions">
                    <button class="button" disabled=move || flow.busy() on:click=move |_| flow.sign_in(SignInChoice::Discoverable)>
                        "Continue with a passkey"
                    </button>
                    <button class="button secondary" disabled=move || flow.busy() on:click=move |_| flow.sign_in(SignInChoice::NewPasskey)>
                        "Create a passkey"
                    </button>
                    <button class="button secondary" disabled=move || flow.busy() on:click=move |_| flow.cancel()>"Cancel"</button>
                </div>
            </WithAccountNumber>
        </section>
    }
}

/// The signed-in person sees what the app will receive, and decides.
#[component]
pub fn ConsentScreen(consent: Consent, flow: Flow) -> impl IntoView {
    let lifetime = format::duration(consent.request.time_to_live_nanos);
    let principal = consent.principal;
    let principal_attribute = principal.clone();
    view! {
        <section class="card" data-screen="consent">
            <Requester request=consent.request/>
            <p>"The app will see you as"</p>
            <p><code class="principal" data-principal=principal_attribute>{principal}</code></p>
            <p>"It stays signed in for " {lifetime} "."</p>
            <p class="muted" data-account=consent.account>"Account " {consent.account}</p>
            <div class="actions">
                <button class="button" disabled=move || flow.busy() on:click=move |_| flow.approve()>"Continue"</button>
                <button class="button secondary" disabled=move || flow.busy() on:click=move |_| flow.cancel()>"Cancel"</button>
            </div>
            <p><button class="link" disabled=move || flow.busy() on:click=move |_| flow.use_another_passkey()>"Use another passkey"</button></p>
        </section>
    }
}
