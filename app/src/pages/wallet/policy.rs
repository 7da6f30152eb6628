//! The account's signing policy: the limits in force on each chain, the
//! allowed recipients, bare-hash signing; a change waiting for its delay,
//! which a passkey can cancel; and the form that changes the policy.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sigil_api::identity_manager::{Policy, PolicyState};

use super::session::Account;
use crate::components::progress::Progress;
use crate::evm::amount::format_wei;
use crate::evm::policy_form::{PolicyForm, form_of, policy_of};
use crate::format::utc_time;

#[component]
pub fn PolicySection(account: Account) -> impl IntoView {
    let state = RwSignal::new(None::<Result<PolicyState, String>>);
    let form = RwSignal::new(None::<PolicyForm>);
    // The form's fields are drawn again only when the policy is loaded
    // again, not on every key typed.
    let loaded_forms = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            let result = account
                .with_identity_manager(|identity_manager, number| async move {
                    identity_manager.policy(number).await
                })
                .await;
            let result = result.map_err(|e| e.to_string());
            if let Ok(loaded) = &result {
                form.try_set(Some(form_of(&loaded.current)));
                loaded_forms.try_update(|n| *n += 1);
            }
            state.try_set(Some(result));
        });
    };
    load();

    let save = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(typed) = form.get_untracked() else {
            return;
        };
        let policy = match policy_of(&typed) {
            Ok(policy) => policy,
            Err(error) => return notice.set(Some(Err(error.to_string()))),
        };
        busy.set(true);
        spawn_local(async move {
            let result = account
                .with_identity_manager(move |identity_manager, number| async move {
                    identity_manager.set_policy(number, policy).await
                })
                .await;
            busy.try_set(false);
            notice.try_set(Some(match result {
                Ok(saved) => Ok(match &saved.pending {
                    None => "Saved: your new policy is in force.".to_owned(),
                    Some(pending) => format!(
                        "Saved. What loosens your policy applies from {}, unless one of your passkeys cancels it; what tightens it applies now.",
                        utc_time(pending.effective_at)
                    ),
                }),
                Err(error) => Err(error.to_string()),
            }));
            load();
        });
    };
    let cancel = move |_| {
        busy.set(true);
        spawn_local(async move {
            let result = account
                .with_identity_manager(|identity_manager, number| async move {
                    identity_manager.cancel_policy_change(number).await
                })
                .await;
            busy.try_set(false);
            notice.try_set(Some(
                result
                    .map(|_| "Cancelled: the waiting change will not apply.".to_owned())
                    .map_err(|e| e.to_string()),
            ));
            load();
        });
    };

    let symbol_of = move |chain_id: u64| {
        account
            .wallet
            .state()
            .config
            .get()
            .and_then(Result::ok)
            .and_then(|config| {
                config
                    .evm_chains
                    .into_iter()
                    .find(|chain| chain.chain_id == chain_id)
                    .map(|chain| (chain.name, chain.symbol))
            })
            .unwrap_or_else(|| (format!("Chain {chain_id}"), "ETH".to_owned()))
    };
    let rules = move |policy: Policy| {
        let chains = policy
            .evm_chains
            .into_iter()
            .map(|rule| {
                let (name, symbol) = symbol_of(rule.chain_id);
                view! {
                    <dt>{name}</dt>
                    <dd data-policy-chain=rule.chain_id.to_string()>
                        {format!(
                            "At most {} a transaction and {} in any 24 hours; a passkey confirms above {}.",
                            format_wei(rule.transaction_limit, &symbol),
                            format_wei(rule.daily_limit, &symbol),
                            format_wei(rule.step_up_above, &symbol),
                        )}
                    </dd>
                }
            })
            .collect_view();
        let recipients = match policy.allowlist {
            None => "Anyone.".to_owned(),
            Some(list) if list.is_empty() => "No one.".to_owned(),
            Some(list) => list.join(", "),
        };
        let raw = if policy.raw_hash_signing {
            "On, with a passkey."
        } else {
            "Off."
        };
        view! {
            <dl class="facts">
                {chains}
                <dt>"Recipients"</dt>
                <dd>{recipients}</dd>
                <dt>"Signing bare hashes"</dt>
                <dd>{raw}</dd>
            </dl>
        }
    };
    let shown = move || match state.get() {
        None => view! { <Progress label="Loading your policy…"/> }.into_any(),
        Some(Err(error)) => view! { <p class="notice" role="alert">{error}</p> }.into_any(),
        Some(Ok(loaded)) => {
            let pending = loaded.pending.map(|pending| {
                view! {
                    <div class="pending" data-policy-pending>
                        <p>{format!("From {}, this looser policy applies:", utc_time(pending.effective_at))}</p>
                        {rules(pending.policy)}
                        <button class="button secondary" disabled=move || busy.get() on:click=cancel>
                            "Cancel this change"
                        </button>
                    </div>
                }
            });
            view! { <div data-policy-current>{rules(loaded.current)}</div> {pending} }.into_any()
        }
    };
    let editor = move || {
        loaded_forms.track();
        form.get_untracked().map(|typed| {
            let chains = typed
                .chains
                .iter()
                .enumerate()
                .map(|(index, chain)| {
                    let id = chain.chain_id;
                    let input = move |what: &'static str, label: &'static str, value: String| {
                        let field = format!("policy-{id}-{what}");
                        view! {
                            <label for=field.clone()>{label}</label>
                            <input id=field type="text" inputmode="decimal" autocomplete="off" prop:value=value
                                on:input=move |e| {
                                    let text = event_target_value(&e);
                                    form.update(|f| {
                                        if let Some(f) = f.as_mut().and_then(|f| f.chains.get_mut(index)) {
                                            match what {
                                                "transaction" => f.transaction_limit = text,
                                                "daily" => f.daily_limit = text,
                                                _ => f.step_up_above = text,
                                            }
                                        }
                                    });
                                }/>
                        }
                    };
                    view! {
                        <fieldset>
                            <legend>{symbol_of(id).0}</legend>
                            {input("transaction", "At most per transaction", chain.transaction_limit.clone())}
                            {input("daily", "At most in any 24 hours", chain.daily_limit.clone())}
                            {input("step-up", "A passkey confirms above", chain.step_up_above.clone())}
                        </fieldset>
                    }
                })
                .collect_view();
            view! {
                <form class="policy-form" novalidate on:submit=save>
                    {chains}
                    <label for="policy-allowlist">"Only these recipients (one address a line; empty: anyone)"</label>
                    <textarea id="policy-allowlist" rows="3" spellcheck="false" prop:value=typed.allowlist.clone()
                        on:input=move |e| {
                            let text = event_target_value(&e);
                            form.update(|f| if let Some(f) = f { f.allowlist = text });
                        }></textarea>
                    <label class="switch">
                        <input type="checkbox" prop:checked=typed.raw_hash_signing
                            on:change=move |e| {
                                let on = event_target_checked(&e);
                                form.update(|f| if let Some(f) = f { f.raw_hash_signing = on });
                            }/>
                        <span>"Allow signing bare hashes (each with a passkey)"</span>
                    </label>
                    <div class="actions">
                        <button class="button" type="submit" disabled=move || busy.get()>"Save policy"</button>
                    </div>
                </form>
            }
        })
    };
    let notice_view = move || {
        notice.get().map(|notice| match notice {
            Ok(text) => view! { <p class="done" role="status">{text}</p> }.into_any(),
            Err(text) => view! { <p class="notice" role="alert">{text}</p> }.into_any(),
        })
    };
    view! {
        <section class="card" data-section="policy" aria-labelledby="policy-title">
            <h2 id="policy-title">"Your signing policy"</h2>
            <p class="muted">
                "Sigil's keys sign only what this allows. Tightening applies at once; loosening \
                 waits 24 hours, and any of your passkeys can cancel it."
            </p>
            {shown}
            <details>
                <summary>"Change your policy"</summary>
                {editor}
            </details>
            {notice_view}
        </section>
    }
}
