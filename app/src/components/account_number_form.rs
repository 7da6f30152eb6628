//! The form where a person types their account number, for a passkey the
//! browser cannot offer by itself. It only reads the number (see
//! [`crate::account_number`]); what happens next is the caller's.
//!
//! Keyboard: the input takes the focus when the form appears, Enter
//! submits, Escape and the Back button close the form.

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use sigil_api::identity_manager::AccountNumber;

use crate::account_number;

const INPUT_ID: &str = "account-number";
const HINT_ID: &str = "account-number-hint";
const ERROR_ID: &str = "account-number-error";

/// `initial`: the text to start with. `on_submit` gets a well-formed
/// number; `on_back` is called when the person closes the form.
#[component]
pub fn AccountNumberForm(
    initial: String,
    #[prop(into)] on_submit: Callback<AccountNumber>,
    #[prop(into)] on_back: Callback<()>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let input = NodeRef::<html::Input>::new();
    Effect::new(move || {
        if let Some(input) = input.get() {
            let _ = input.focus();
        }
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(field) = input.get_untracked() else {
            return;
        };
        match account_number::parse(&field.value()) {
            Ok(number) => {
                error.set(None);
                on_submit.run(number);
            }
            Err(problem) => {
                error.set(Some(problem.to_string()));
                let _ = field.focus();
            }
        }
    };
    let close_on_escape = move |event: KeyboardEvent| {
        if event.key() == "Escape" {
            event.prevent_default();
            on_back.run(());
        }
    };
    let described_by = move || {
        if error.with(Option::is_some) {
            format!("{HINT_ID} {ERROR_ID}")
        } else {
            HINT_ID.to_owned()
        }
    };
    view! {
        <form class="account-number" novalidate on:submit=submit on:keydown=close_on_escape>
            <label for=INPUT_ID>"Account number"</label>
            <input
                node_ref=input
                id=INPUT_ID
                name=INPUT_ID
                type="text"
                inputmode="numeric"
                autocomplete="off"
                autocapitalize="off"
                spellcheck="false"
                aria-describedby=described_by
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                value=initial
            />
            <p id=HINT_ID class="muted">
                "The number of your Sigil account, shown as “Account” when you sign in. Your browser then asks for one of its passkeys."
            </p>
            {move || error.get().map(|message| view! {
                <p id=ERROR_ID class="notice" role="alert">{message}</p>
            })}
            <div class="actions">
                <button type="submit" class="button">"Continue"</button>
                <button type="button" class="button secondary" on:click=move |_| on_back.run(())>
                    "Back"
                </button>
            </div>
        </form>
    }
}

/// The usual ways in (`children`) with a "Use your account number" link
/// under them. The link swaps them for [`AccountNumberForm`]; Back swaps
/// them back and returns the focus to the link. `form` holds the form's
/// starting text while it is open, so a caller can reopen it with what the
/// person typed.
#[component]
pub fn WithAccountNumber(
    form: RwSignal<Option<String>>,
    #[prop(into)] on_submit: Callback<AccountNumber>,
    children: ChildrenFn,
) -> impl IntoView {
    let open_form = NodeRef::<html::Button>::new();
    let refocus = StoredValue::new(false);
    Effect::new(move || {
        if let Some(button) = open_form.get()
            && refocus.get_value()
        {
            refocus.set_value(false);
            let _ = button.focus();
        }
    });
    move || {
        match form.get() {
        Some(initial) => view! {
            <AccountNumberForm
                initial=initial
                on_submit=on_submit
                on_back=move |()| {
                    refocus.set_value(true);
                    form.set(None);
                }
            />
        }
        .into_any(),
        None => view! {
            {children()}
            <p class="muted">
                "Passkey not offered? "
                <button node_ref=open_form class="link" on:click=move |_| form.set(Some(String::new()))>
                    "Use your account number"
                </button>
            </p>
        }
        .into_any(),
    }
    }
}
