//! The EVM apps connected to this account on this device (kept up to date
//! as Sigil's window connects more), each with when its connection ends
//! and a Disconnect button. A disconnected app gets
//! "not connected" (4100) on its next request until the person connects it
//! again.

use leptos::prelude::*;

use super::session::Account;
use crate::browser::local_store::{load_connections, save_connections};
use crate::browser::now_nanos;
use crate::format::utc_time;
use crate::provider::connections::Connection;

fn now_millis() -> u64 {
    now_nanos() / 1_000_000
}

#[component]
pub fn ConnectedApps(account: Account) -> impl IntoView {
    let number = account.number();
    let listed = RwSignal::new(load_connections().of_account(number, now_millis()));
    let notice = RwSignal::new(None::<String>);
    // A dapp connected in Sigil's window (another page of this origin).
    let on_storage = window_event_listener(leptos::ev::storage, move |_| {
        listed.try_set(load_connections().of_account(number, now_millis()));
    });
    on_cleanup(move || on_storage.remove());
    let disconnect = move |origin: String| {
        let mut connections = load_connections();
        connections.revoke(&origin, number);
        notice.set(Some(match save_connections(&connections) {
            Ok(()) => format!("{origin} is disconnected."),
            Err(error) => format!("{origin} could not be disconnected: {error}"),
        }));
        listed.set(load_connections().of_account(number, now_millis()));
    };
    let rows = move || {
        let connections = listed.get();
        if connections.is_empty() {
            return view! { <p class="muted" data-connections="empty">"No app is connected."</p> }
                .into_any();
        }
        let rows = connections
            .into_iter()
            .map(|Connection { origin, expires_at, .. }| {
                let until = utc_time(expires_at.saturating_mul(1_000_000));
                let label = format!("Disconnect {origin}");
                let target = origin.clone();
                let shown = origin.clone();
                view! {
                    <li data-connection=origin>
                        <span class="origin">{shown}</span>
                        <span class="muted">{format!(" · until {until}")}</span>
                        <button class="button secondary" aria-label=label on:click=move |_| disconnect(target.clone())>
                            "Disconnect"
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="connections">{rows}</ul> }.into_any()
    };
    view! {
        <section class="card" data-section="connections" aria-labelledby="connections-title">
            <h2 id="connections-title">"Connected apps"</h2>
            <p class="muted">"EVM apps that see your address and may ask you to sign. Sigil asks you every time."</p>
            {rows}
            {move || notice.get().map(|text| view! { <p class="done" role="status">{text}</p> })}
        </section>
    }
}
