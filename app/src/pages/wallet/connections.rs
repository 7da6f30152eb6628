//! The EVM apps connected to the account (kept by the identity manager, so
//! the same on every device), each with when its connection ends and a
//! Disconnect button. A disconnected app gets "not connected" (4100) on its
//! next request until the person connects it again. The list is loaded
//! again whenever the wallet's window comes back to the front, since apps
//! connect in Sigil's other windows.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sigil_api::identity_manager::Connection;

use super::session::Account;
use crate::components::progress::Progress;
use crate::format::utc_time;

fn load(account: Account, listed: RwSignal<Option<Result<Vec<Connection>, String>>>) {
    spawn_local(async move {
        let result = account
            .with_identity_manager(|identity_manager, number| async move {
                identity_manager.connections(number).await
            })
            .await;
        listed.try_set(Some(result.map_err(|e| e.to_string())));
    });
}

#[component]
pub fn ConnectedApps(account: Account) -> impl IntoView {
    let listed = RwSignal::new(None::<Result<Vec<Connection>, String>>);
    let notice = RwSignal::new(None::<String>);
    load(account, listed);
    let on_focus = window_event_listener(leptos::ev::focus, move |_| load(account, listed));
    on_cleanup(move || on_focus.remove());
    let disconnect = move |origin: String| {
        notice.set(None);
        spawn_local(async move {
            let result = account
                .with_identity_manager(|identity_manager, number| {
                    let origin = origin.clone();
                    async move { identity_manager.disconnect(number, &origin).await }
                })
                .await;
            notice.try_set(Some(match result {
                Ok(_) => format!("{origin} is disconnected."),
                Err(error) => format!("{origin} could not be disconnected: {error}"),
            }));
            load(account, listed);
        });
    };
    let rows = move || match listed.get() {
        None => view! { <Progress label="Loading your connected apps…"/> }.into_any(),
        Some(Err(error)) => view! { <p class="notice" role="alert">{error}</p> }.into_any(),
        Some(Ok(connections)) if connections.is_empty() => {
            view! { <p class="muted" data-connections="empty">"No app is connected."</p> }
                .into_any()
        }
        Some(Ok(connections)) => {
            let rows = connections
                .into_iter()
                .map(|Connection { origin, expires_at, .. }| {
                    let label = format!("Disconnect {origin}");
                    let target = origin.clone();
                    let shown = origin.clone();
                    view! {
                        <li data-connection=origin>
                            <span class="origin">{shown}</span>
                            <span class="muted">{format!(" · until {}", utc_time(expires_at))}</span>
                            <button class="button secondary" aria-label=label on:click=move |_| disconnect(target.clone())>
                                "Disconnect"
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="connections">{rows}</ul> }.into_any()
        }
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
