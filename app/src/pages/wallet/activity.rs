//! The account's last signatures, newest first: when, what (in the
//! identity manager's words), on which chain, for which app.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sigil_api::identity_manager::SignatureRecord;

use super::session::Account;
use crate::components::progress::Progress;
use crate::format::utc_time;

#[component]
pub fn Activity(account: Account, signed: RwSignal<u32>) -> impl IntoView {
    let log = RwSignal::new(None::<Result<Vec<SignatureRecord>, String>>);
    Effect::new(move || {
        signed.track();
        spawn_local(async move {
            let result = account
                .with_identity_manager(|identity_manager, number| async move {
                    identity_manager.signature_log(number).await
                })
                .await;
            log.try_set(Some(result.map_err(|e| e.to_string())));
        });
    });
    let body = move || match log.get() {
        None => view! { <Progress label="Loading your signatures…"/> }.into_any(),
        Some(Ok(records)) if records.is_empty() => {
            view! { <p class="muted" data-activity="empty">"Nothing signed yet."</p> }.into_any()
        }
        Some(Ok(records)) => {
            let rows = records
                .into_iter()
                .rev()
                .map(|record| {
                    let chain = record
                        .chain_id
                        .map(|id| format!(" · chain {id}"))
                        .unwrap_or_default();
                    let by = record.origin.unwrap_or_else(|| "your wallet".to_owned());
                    view! {
                        <li data-signature>
                            <strong>{record.summary}</strong>
                            <span class="muted">{format!("{} · {by}{chain}", utc_time(record.time))}</span>
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="activity">{rows}</ul> }.into_any()
        }
        Some(Err(error)) => view! { <p class="notice" role="alert">{error}</p> }.into_any(),
    };
    view! {
        <section class="card" data-section="activity" aria-labelledby="activity-title">
            <h2 id="activity-title">"What your keys signed"</h2>
            {body}
        </section>
    }
}
