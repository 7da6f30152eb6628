//! The two-factor switch: when on, the account accepts only passkeys (and
//! sessions a passkey signed), not other kinds of keys.

use leptos::ev::Event;
use leptos::prelude::*;
use leptos::web_sys::HtmlInputElement;

use super::session::{Account, Changed};

#[component]
pub fn TwoFactorSwitch(account: Account) -> impl IntoView {
    let enabled = move || {
        account
            .details
            .get()
            .and_then(Result::ok)
            .map(|details| details.two_factor)
    };
    let toggle = move |event: Event| {
        let current = account
            .details
            .get_untracked()
            .and_then(Result::ok)
            .map(|details| details.two_factor);
        let Some(on) = current.map(|enabled| !enabled) else {
            return;
        };
        // The box shows the account's setting, not the click: it changes
        // when the reloaded setting arrives, and stays if the change fails.
        event_target::<HtmlInputElement>(&event).set_checked(!on);
        let label = if on {
            "Turning two-factor authentication on…"
        } else {
            "Turning two-factor authentication off…"
        };
        account.change(label, move |identity_manager, number| async move {
            identity_manager.set_two_factor(number, on).await?;
            let text = if on {
                "Two-factor authentication is on: only passkeys can sign in to your account."
            } else {
                "Two-factor authentication is off."
            };
            Ok(Changed::Done(text.to_owned()))
        });
    };
    view! {
        <section class="card" data-section="two-factor" aria-labelledby="two-factor-title">
            <h2 id="two-factor-title">"Two-factor authentication"</h2>
            <label class="switch">
                <input
                    type="checkbox"
                    role="switch"
                    prop:checked=move || enabled().unwrap_or(false)
                    disabled=move || account.busy.get().is_some() || enabled().is_none()
                    on:change=toggle
                />
                <span>"Only passkeys can sign in"</span>
            </label>
            <p class="muted">
                "When this is on, keys that are not passkeys (such as a recovery phrase) cannot \
                 sign in or change your account."
            </p>
        </section>
    }
}
