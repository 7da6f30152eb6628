//! The account on each EVM chain of the configuration: its balance (from
//! the chain's node), a test-funds button on a local network, and sending
//! the native token: the form, the identity manager's review of what will
//! be signed (never decoded here), the passkey where the policy asks for
//! one, then the signed transaction sent to the node and followed until it
//! is included.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sigil_api::identity_manager::{PreparedSignature, Signed};

use super::session::Account;
use crate::api::evm_node::EvmNode;
use crate::browser::timer::sleep_millis;
use crate::components::error_panel::ErrorPanel;
use crate::components::progress::Progress;
use crate::components::review::ReviewView;
use crate::config::EvmChainConfig;
use crate::evm::amount::{GWEI_DECIMALS, format_units, format_wei};
use crate::evm::transfer::{TransferForm, transfer_request};
use crate::signin::step_up::step_up;

/// What a local network's test-funds button adds: 10 of the native token.
const TEST_FUNDS: u128 = 10 * 1_000_000_000_000_000_000;
/// How long a sent transaction is followed, and how often.
const RECEIPT_POLLS: u32 = 60;
const RECEIPT_POLL_MILLIS: u32 = 1_000;

#[component]
pub fn EvmChains(
    account: Account,
    address: Signal<Option<String>>,
    signed: RwSignal<u32>,
) -> impl IntoView {
    let state = account.wallet.state();
    let chains = move || {
        let config = state.config.get()?.ok()?;
        let development = config.development();
        Some(
            config
                .evm_chains
                .into_iter()
                .map(|chain| {
                    view! {
                        <ChainCard account address signed chain development/>
                    }
                })
                .collect_view(),
        )
    };
    view! { {chains} }
}

/// Where the send flow is.
#[derive(Clone)]
enum Step {
    Form,
    Working(String),
    Review(PreparedSignature),
    Sent { text: String, hash: String },
    Failed(String),
}

#[component]
fn ChainCard(
    account: Account,
    address: Signal<Option<String>>,
    signed: RwSignal<u32>,
    chain: EvmChainConfig,
    development: bool,
) -> impl IntoView {
    let chain = StoredValue::new(chain);
    let node = move || chain.with_value(|c| EvmNode::new(&c.name, &c.rpc_url));
    let symbol = chain.with_value(|c| c.symbol.clone());
    let balance = RwSignal::new(None::<Result<u128, String>>);
    let form = RwSignal::new(TransferForm::default());
    let step = RwSignal::new(Step::Form);

    let load_balance = move || {
        let Some(address) = address.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let result = node().balance(&address).await.map_err(|e| e.to_string());
            balance.try_set(Some(result));
        });
    };
    Effect::new(move || {
        if address.get().is_some() {
            load_balance();
        }
    });
    // Suggested fees fill the form once; the person may change them.
    spawn_local(async move {
        if let Ok(fees) = node().fees().await {
            form.try_update(|form| {
                form.max_fee = format_units(fees.max_fee_per_gas, GWEI_DECIMALS);
                form.priority_fee = format_units(fees.max_priority_fee_per_gas, GWEI_DECIMALS);
            });
        }
    });

    let fund = move |_| {
        let Some(address) = address.get_untracked() else {
            return;
        };
        let current = balance.get_untracked().and_then(Result::ok).unwrap_or(0);
        spawn_local(async move {
            let added = current.saturating_add(TEST_FUNDS);
            if let Err(error) = node().set_balance(&address, added).await {
                balance.try_set(Some(Err(error.to_string())));
            }
            load_balance();
        });
    };

    let review = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(address) = address.get_untracked() else {
            return;
        };
        let typed = form.get_untracked();
        let chain_id = chain.with_value(|c| c.chain_id);
        step.set(Step::Working(format!(
            "Asking {} for your next nonce…",
            chain.with_value(|c| c.name.clone())
        )));
        spawn_local(async move {
            let outcome = async {
                let nonce = node().nonce(&address).await.map_err(|e| e.to_string())?;
                let request =
                    transfer_request(&typed, chain_id, nonce).map_err(|e| e.to_string())?;
                step.try_set(Step::Working(
                    "Sigil is reading what you are about to sign…".into(),
                ));
                let (identity_manager, number) = account
                    .identity_manager()
                    .await
                    .map_err(|e| e.to_string())?;
                identity_manager
                    .prepare_signature(number, request, None)
                    .await
                    .map_err(|e| e.to_string())
            };
            step.try_set(match outcome.await {
                Ok(prepared) => Step::Review(prepared),
                Err(text) => Step::Failed(text),
            });
        });
    };

    let approve = move |prepared: PreparedSignature| {
        let credential_ids = account
            .details
            .get_untracked()
            .and_then(Result::ok)
            .map(|details| details.credential_ids)
            .unwrap_or_default();
        let summary = prepared.review.title.clone();
        spawn_local(async move {
            let outcome = async {
                let step_up = match &prepared.step_up_challenge {
                    None => None,
                    Some(challenge) => {
                        step.try_set(Step::Working("Confirm with your passkey…".into()));
                        Some(step_up(challenge, &credential_ids).await?)
                    }
                };
                step.try_set(Step::Working("Sigil's keys are signing…".into()));
                let (identity_manager, number) = account
                    .identity_manager()
                    .await
                    .map_err(|e| e.to_string())?;
                let result = identity_manager
                    .approve_signature(number, prepared.id, step_up)
                    .await
                    .map_err(|e| e.to_string())?;
                signed.try_update(|count| *count += 1);
                let Signed::EvmTransaction { raw, .. } = result else {
                    return Err("Sigil signed something other than a transaction".to_owned());
                };
                let name = chain.with_value(|c| c.name.clone());
                step.try_set(Step::Working(format!("Sending it to {name}…")));
                let node = node();
                let hash = node.send_raw(&raw).await.map_err(|e| e.to_string())?;
                step.try_set(Step::Working(format!("Waiting for {name} to include it…")));
                for _ in 0..RECEIPT_POLLS {
                    if let Some(receipt) = node.receipt(&hash).await.map_err(|e| e.to_string())? {
                        let text = if receipt.succeeded {
                            format!("{summary}: done, in block {}.", receipt.block)
                        } else {
                            format!(
                                "{summary}: included in block {}, but it failed.",
                                receipt.block
                            )
                        };
                        return Ok((text, hash));
                    }
                    sleep_millis(RECEIPT_POLL_MILLIS).await;
                }
                Ok((format!("{summary}: sent, not included yet."), hash))
            };
            let next = match outcome.await {
                Ok((text, hash)) => Step::Sent { text, hash },
                Err(text) => Step::Failed(text),
            };
            step.try_set(next);
            load_balance();
        });
    };

    let shown_balance = {
        let symbol = symbol.clone();
        move || match balance.get() {
            None => view! { <Progress label="Looking up your balance…"/> }.into_any(),
            Some(Ok(wei)) => {
                let text = format_wei(wei, &symbol);
                view! { <p class="balance" data-balance=wei.to_string()>{text}</p> }.into_any()
            }
            Some(Err(error)) => view! {
                <ErrorPanel
                    title="Your balance could not be looked up"
                    advice="The chain's node did not answer. Try again in a moment."
                    detail=error
                />
            }
            .into_any(),
        }
    };
    let flow = move || match step.get() {
        Step::Form => None,
        Step::Working(label) => Some(view! { <Progress label=label/> }.into_any()),
        Step::Review(prepared) => {
            let asks_passkey = prepared.step_up_challenge.is_some();
            let review = prepared.review.clone();
            Some(
                view! {
                    <div class="review" data-review="transaction">
                        <ReviewView review=review/>
                        {if asks_passkey {
                            view! {
                                <p class="notice" data-step-up>"Your policy asks you to confirm this with one of your passkeys."</p>
                            }
                            .into_any()
                        } else {
                            view! { <p class="muted" data-policy-allows>"Your policy allows this."</p> }.into_any()
                        }}
                        <div class="actions">
                            <button class="button" data-action="approve" on:click=move |_| approve(prepared.clone())>
                                "Approve and send"
                            </button>
                            <button class="button secondary" on:click=move |_| step.set(Step::Form)>"Cancel"</button>
                        </div>
                    </div>
                }
                .into_any(),
            )
        }
        Step::Sent { text, hash } => Some(
            view! {
                <p class="done" role="status" data-sent=hash.clone()>{text}</p>
                <p class="muted">"Transaction " <code>{hash}</code></p>
            }
            .into_any(),
        ),
        Step::Failed(text) => {
            Some(view! { <p class="notice" role="alert" data-send-failed>{text}</p> }.into_any())
        }
    };
    let (name, chain_id) = chain.with_value(|c| (c.name.clone(), c.chain_id));
    let title_id = format!("chain-{chain_id}-title");
    let labelled_by = title_id.clone();
    let field = |name: &'static str| format!("chain-{chain_id}-{name}");
    let busy = move || matches!(step.get(), Step::Working(_));
    view! {
        <section class="card" data-section="evm-chain" data-chain-id=chain_id.to_string() aria-labelledby=labelled_by>
            <h2 id=title_id>{name}</h2>
            {shown_balance}
            {development.then(|| view! {
                <button class="button secondary" data-action="fund" on:click=fund>
                    {format!("Add 10 test {symbol}")}
                </button>
            })}
            <form class="send" novalidate on:submit=review>
                <h3>"Send"</h3>
                <FormField form id=field("to") label="To" inputmode="text" part=FormPart::To/>
                <FormField form id=field("amount") label="Amount" inputmode="decimal" part=FormPart::Amount/>
                <details>
                    <summary>"Fees"</summary>
                    <FormField form id=field("max-fee") label="Maximum fee per gas (gwei)"
                        inputmode="decimal" part=FormPart::MaxFee/>
                    <FormField form id=field("priority-fee") label="Priority fee per gas (gwei)"
                        inputmode="decimal" part=FormPart::PriorityFee/>
                </details>
                <div class="actions">
                    <button class="button" type="submit" disabled=move || busy() || address.get().is_none()>
                        "Review"
                    </button>
                </div>
            </form>
            <div class="status-line">{flow}</div>
        </section>
    }
}

/// A field of the send form.
#[derive(Clone, Copy)]
enum FormPart {
    To,
    Amount,
    MaxFee,
    PriorityFee,
}

impl FormPart {
    fn get(self, form: &TransferForm) -> String {
        match self {
            FormPart::To => form.to.clone(),
            FormPart::Amount => form.amount.clone(),
            FormPart::MaxFee => form.max_fee.clone(),
            FormPart::PriorityFee => form.priority_fee.clone(),
        }
    }

    fn of(self, form: &mut TransferForm) -> &mut String {
        match self {
            FormPart::To => &mut form.to,
            FormPart::Amount => &mut form.amount,
            FormPart::MaxFee => &mut form.max_fee,
            FormPart::PriorityFee => &mut form.priority_fee,
        }
    }
}

#[component]
fn FormField(
    form: RwSignal<TransferForm>,
    id: String,
    label: &'static str,
    inputmode: &'static str,
    part: FormPart,
) -> impl IntoView {
    view! {
        <label for=id.clone()>{label}</label>
        <input id=id type="text" inputmode=inputmode autocomplete="off" spellcheck="false"
            prop:value=move || form.with(|f| part.get(f))
            on:input=move |e| form.update(|f| *part.of(f) = event_target_value(&e))/>
    }
}
