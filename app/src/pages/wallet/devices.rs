//! The wallet's device list: add a passkey, rename or remove a device.
//!
//! Removing the passkey this browser's session was signed by ends the
//! session here, since the canister no longer accepts it.

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;

use super::session::{Account, Changed};
use crate::devices::{DeviceEntry, parse_alias};
use crate::signin::Step;
use crate::signin::passkey::add_passkey;

#[component]
pub fn DeviceList(account: Account) -> impl IntoView {
    let rows = move || {
        account.details.get().and_then(Result::ok).map(|details| {
            details
                .devices
                .into_iter()
                .map(|entry| view! { <DeviceRow account=account entry=entry/> })
                .collect_view()
        })
    };
    let add = move |_| {
        let exclude = account
            .details
            .get_untracked()
            .and_then(Result::ok)
            .map(|details| details.credential_ids)
            .unwrap_or_default();
        account.change(
            Step::CreatingPasskey.label(),
            move |identity_manager, number| async move {
                let on_step = move |step: Step| account.busy.set(Some(step.label().to_owned()));
                let device = add_passkey(&identity_manager, number, &exclude, on_step).await?;
                Ok(Changed::Done(format!(
                    "Added “{}”. You can now sign in with it.",
                    device.alias
                )))
            },
        );
    };
    view! {
        <section class="card" data-section="devices" aria-labelledby="devices-title">
            <h2 id="devices-title">"Passkeys and devices"</h2>
            <p class="muted">"Any of these can sign in to your account."</p>
            <ul class="devices">{rows}</ul>
            <div class="actions">
                <button
                    class="button"
                    disabled=move || account.busy.get().is_some() || !matches!(account.details.get(), Some(Ok(_)))
                    on:click=add
                >
                    "Add a passkey"
                </button>
            </div>
        </section>
    }
}

/// What a row shows below the device's name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RowMode {
    Plain,
    Renaming,
    ConfirmingRemoval,
}

#[component]
fn DeviceRow(account: Account, entry: DeviceEntry) -> impl IntoView {
    let mode = RwSignal::new(RowMode::Plain);
    let entry = StoredValue::new(entry);
    let alias = entry.with_value(|e| e.alias.clone());
    let alias_attribute = alias.clone();
    let busy = move || account.busy.get().is_some();
    let badges = entry.with_value(|e| {
        view! {
            <span class="muted">{e.kind.label()}</span>
            {e.this_device.then(|| view! { <span class="badge">"Signed in here"</span> })}
            {e.protected.then(|| view! { <span class="badge">"Protected"</span> })}
        }
    });
    let controls = move || match mode.get() {
        RowMode::Plain => {
            let only_way_in = entry.with_value(|e| e.only_way_in);
            view! {
                <div class="row-actions">
                    <button class="link" disabled=busy on:click=move |_| mode.set(RowMode::Renaming)>
                        "Rename"
                    </button>
                    {if only_way_in {
                        view! {
                            <span class="muted">"Your only way to sign in: add another passkey before removing it."</span>
                        }
                        .into_any()
                    } else {
                        view! {
                            <button
                                class="link danger"
                                disabled=busy
                                on:click=move |_| mode.set(RowMode::ConfirmingRemoval)
                            >
                                "Remove"
                            </button>
                        }
                        .into_any()
                    }}
                </div>
            }
            .into_any()
        }
        RowMode::Renaming => {
            view! { <RenameForm account=account entry=entry mode=mode/> }.into_any()
        }
        RowMode::ConfirmingRemoval => {
            view! { <ConfirmRemoval account=account entry=entry mode=mode/> }.into_any()
        }
    };
    view! {
        <li class="device" data-alias=alias_attribute>
            <div class="device-name">
                <strong>{alias}</strong>
                {badges}
            </div>
            {controls}
        </li>
    }
}

#[component]
fn RenameForm(
    account: Account,
    entry: StoredValue<DeviceEntry>,
    mode: RwSignal<RowMode>,
) -> impl IntoView {
    let draft = RwSignal::new(entry.with_value(|e| e.alias.clone()));
    let problem = RwSignal::new(None::<String>);
    let input = NodeRef::<html::Input>::new();
    // Keyboard users land in the field they opened.
    Effect::new(move || {
        if let Some(input) = input.get() {
            let _ = input.focus();
            input.select();
        }
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let alias = match parse_alias(&draft.get_untracked()) {
            Ok(alias) => alias,
            Err(error) => return problem.set(Some(error.to_string())),
        };
        let public_key = entry.with_value(|e| e.public_key.clone());
        mode.set(RowMode::Plain);
        account.change("Renaming…", move |identity_manager, number| async move {
            identity_manager
                .rename_device(number, &public_key, &alias)
                .await?;
            Ok(Changed::Done(format!("Renamed to “{alias}”.")))
        });
    };
    let on_keydown = move |event: KeyboardEvent| {
        if event.key() == "Escape" {
            mode.set(RowMode::Plain);
        }
    };
    // The key's last bytes: DER headers are the same for every passkey.
    let field_id = entry.with_value(|e| {
        format!(
            "rename-{}",
            hex::encode(&e.public_key[e.public_key.len().saturating_sub(8)..])
        )
    });
    view! {
        <form class="inline-form" on:submit=submit on:keydown=on_keydown>
            <label for=field_id.clone()>"New name"</label>
            <input
                id=field_id
                type="text"
                autocomplete="off"
                maxlength="64"
                node_ref=input
                bind:value=draft
                aria-invalid=move || problem.get().is_some().to_string()
            />
            {move || problem.get().map(|text| view! { <p class="notice" role="alert">{text}</p> })}
            <div class="actions">
                <button class="button" type="submit">"Save"</button>
                <button class="button secondary" type="button" on:click=move |_| mode.set(RowMode::Plain)>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

#[component]
fn ConfirmRemoval(
    account: Account,
    entry: StoredValue<DeviceEntry>,
    mode: RwSignal<RowMode>,
) -> impl IntoView {
    let (alias, this_device) = entry.with_value(|e| (e.alias.clone(), e.this_device));
    let keep = NodeRef::<html::Button>::new();
    Effect::new(move || {
        if let Some(keep) = keep.get() {
            let _ = keep.focus();
        }
    });
    let warning = if this_device {
        "You signed in here with this passkey: removing it signs you out on this device."
    } else {
        "It will no longer sign in to your account."
    };
    let remove = move |_| {
        let public_key = entry.with_value(|e| e.public_key.clone());
        let alias = entry.with_value(|e| e.alias.clone());
        mode.set(RowMode::Plain);
        let signs_out = account.is_session_device(&public_key);
        account.change("Removing…", move |identity_manager, number| async move {
            identity_manager.remove_device(number, &public_key).await?;
            Ok(if signs_out {
                Changed::SignedOut(format!(
                    "You removed “{alias}”, the passkey you signed in with, so you are signed out here."
                ))
            } else {
                Changed::Done(format!("Removed “{alias}”."))
            })
        });
    };
    view! {
        <div class="confirm" role="group" aria-label=format!("Remove {alias}?")>
            <p>"Remove “" {alias.clone()} "”? " {warning}</p>
            <div class="actions">
                <button class="button danger" on:click=remove>"Remove"</button>
                <button class="button secondary" node_ref=keep on:click=move |_| mode.set(RowMode::Plain)>
                    "Keep it"
                </button>
            </div>
        </div>
    }
}
