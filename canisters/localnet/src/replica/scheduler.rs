//! The execution round: messages run one at a time, in FIFO order, each
//! inside the call context it belongs to.
//!
//! Invariants:
//! - A round processes at most [`MAX_MESSAGES_PER_ROUND`] messages (a guard
//!   against endless call ping-pong); the rest waits for the next round.
//! - Every message that runs in a call context ends with
//!   `CallContexts::finish`, so no context outlives its last message
//!   without an answer.
//! - Answers go where the context's origin says: ingress statuses, or a
//!   response message to the caller's callback. A response finds its
//!   callback at most once; responses for dropped callbacks only refund.
//! - A trapped message changes nothing but its context's bookkeeping.

use candid::Principal;

use super::call_context::{Answer, CallbackId, ContextId, Origin, PendingCallback};
use super::canister::failure_reject;
use super::{Replica, RoundStats, rejects, system_time_nanos};
use crate::execution::{Callback, Entry, MessageEnv, Response};
use crate::management::{self, CallOrigin};
use crate::messages::{IngressCall, Reject};
use crate::persist::{CanisterChange, CommitBatch, RunStatus};

/// Messages one round processes at most.
pub const MAX_MESSAGES_PER_ROUND: usize = 100_000;

/// A message waiting in the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Message {
    Ingress(IngressCall),
    Request {
        caller: Principal,
        callback: CallbackId,
        callee: Principal,
        method: String,
        arg: Vec<u8>,
        cycles: u128,
    },
    Response {
        caller: Principal,
        callback: CallbackId,
        result: Result<Vec<u8>, Reject>,
        refund: u128,
    },
    /// The canister's global timer is due.
    Timer(Principal),
}

/// The time of a round that follows one at `last`.
pub(crate) fn round_time(last: u64, now: u64) -> u64 {
    now.max(last.saturating_add(1))
}

/// How a message may act on its call context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// A method or callback: may answer and call.
    Normal,
    /// A cleanup callback: may do neither.
    Cleanup,
}

/// The origin management calls of an ingress message get.
fn ingress_management_origin(call: &IngressCall) -> CallOrigin {
    CallOrigin::Ingress {
        sender: call.sender,
    }
}

impl Replica {
    /// Runs queued messages until none is left (or the round's bound is
    /// reached), then commits the round to the store. Ingress statuses are
    /// final only after this returns (and only if the commit succeeded).
    pub fn execute_round(&mut self) {
        let now = system_time_nanos();
        let timers_due = self.state.canisters.values().any(|c| timer_due(c, now));
        let work = !self.queue.is_empty()
            || timers_due
            || self.requests.prune_due(now)
            || self.has_uncommitted_changes();
        self.stats = RoundStats::default();
        if !work {
            return;
        }
        self.state.time = round_time(self.state.time, now);
        self.enqueue_due_timers();
        while (self.stats.messages as usize) < MAX_MESSAGES_PER_ROUND {
            let Some(message) = self.queue.pop_front() else {
                break;
            };
            self.stats.messages += 1;
            self.process(message);
            self.abandon_dropped_canisters();
        }
        self.requests.prune(self.state.time);
        self.commit();
    }

    fn has_uncommitted_changes(&self) -> bool {
        !self.state.touched.is_empty()
            || !self.state.deleted.is_empty()
            || self.requests.has_changes()
    }

    fn enqueue_due_timers(&mut self) {
        let time = self.state.time;
        for (id, canister) in &mut self.state.canisters {
            if timer_due(canister, time) {
                canister.global_timer = 0;
                self.state.touched.insert(*id);
                self.queue.push_back(Message::Timer(*id));
            }
        }
    }

    fn process(&mut self, message: Message) {
        match message {
            Message::Ingress(call) => self.run_ingress(call),
            Message::Request {
                caller,
                callback,
                callee,
                method,
                arg,
                cycles,
            } => {
                let origin = Origin::Canister { caller, callback };
                if callee == Principal::management_canister() {
                    let result = management::dispatch(
                        &mut self.state,
                        CallOrigin::Canister(caller),
                        &method,
                        &arg,
                        cycles,
                    );
                    self.log(format_args!(
                        "{caller} -> management {method}: {}",
                        outcome_word(&result)
                    ));
                    let refund = if result.is_ok() { 0 } else { cycles };
                    self.deliver(Answer {
                        origin,
                        result,
                        refund,
                    });
                } else {
                    self.run_call(callee, caller, origin, &method, arg, cycles);
                }
            }
            Message::Response {
                caller,
                callback,
                result,
                refund,
            } => self.run_response(caller, callback, result, refund),
            Message::Timer(canister_id) => self.run_timer(canister_id),
        }
    }

    fn run_ingress(&mut self, call: IngressCall) {
        let id = call.request_id;
        self.requests.processing(&id);
        if call.canister_id == Principal::management_canister() {
            let origin = ingress_management_origin(&call);
            let result =
                management::dispatch(&mut self.state, origin, &call.method_name, &call.arg, 0);
            self.log(format_args!(
                "ingress {} -> management {}: {}",
                call.sender,
                call.method_name,
                outcome_word(&result)
            ));
            self.requests.finish(id, &result);
            return;
        }
        self.run_call(
            call.canister_id,
            call.sender,
            Origin::Ingress(id),
            &call.method_name,
            call.arg,
            0,
        );
    }

    /// Why `callee` cannot run update `method` now, if it cannot.
    fn check_callable(&self, callee: &Principal, method: &str) -> Result<(), Reject> {
        let canister = self
            .state
            .canisters
            .get(callee)
            .ok_or_else(|| rejects::canister_not_found(callee))?;
        match canister.status {
            RunStatus::Running => {}
            RunStatus::Stopping => return Err(rejects::stopping(callee)),
            RunStatus::Stopped => return Err(rejects::stopped(callee)),
        }
        let installed = canister
            .installed
            .as_ref()
            .ok_or_else(|| rejects::no_wasm_module(callee))?;
        let exported = installed
            .module
            .exports(&format!("canister_update {method}"))
            || installed
                .module
                .exports(&format!("canister_query {method}"));
        if exported {
            Ok(())
        } else {
            Err(rejects::no_update_method(callee, method))
        }
    }

    /// Runs an incoming call (ingress or request) in a new call context.
    fn run_call(
        &mut self,
        callee: Principal,
        caller: Principal,
        origin: Origin,
        method: &str,
        arg: Vec<u8>,
        cycles: u128,
    ) {
        if let Err(reject) = self.check_callable(&callee, method) {
            self.log(format_args!("{caller} -> {callee} {method}: {reject}"));
            self.deliver(Answer {
                origin,
                result: Err(reject),
                refund: cycles,
            });
            return;
        }
        let context = self.state.contexts.open(callee, caller, origin, cycles);
        let entry = Entry::Update(method.to_string());
        let failure = self
            .execute(context, callee, &entry, arg, 0, Role::Normal)
            .err();
        self.log(format_args!(
            "{caller} -> {callee} {method}: {}",
            Outcome(failure.as_ref())
        ));
        self.finish(context, callee, failure);
    }

    fn run_response(
        &mut self,
        caller: Principal,
        callback: CallbackId,
        result: Result<Vec<u8>, Reject>,
        refund: u128,
    ) {
        if refund > 0
            && let Some(canister) = self.state.canisters.get_mut(&caller)
        {
            canister.cycles = canister.cycles.saturating_add(refund);
            self.state.touched.insert(caller);
        }
        let Some(PendingCallback {
            context,
            canister,
            on_reply,
            on_reject,
            on_cleanup,
        }) = self.state.contexts.take_callback(callback)
        else {
            return;
        };
        let entry = match result {
            Ok(payload) => Entry::Reply {
                callback: on_reply,
                payload,
            },
            Err(reject) => Entry::Reject {
                callback: on_reject,
                code: reject.code as u32,
                message: reject.message,
            },
        };
        let failure = self
            .execute(context, canister, &entry, Vec::new(), refund, Role::Normal)
            .err();
        self.log(format_args!(
            "{canister} callback: {}",
            Outcome(failure.as_ref())
        ));
        if failure.is_some()
            && let Some(cleanup) = on_cleanup
        {
            self.run_cleanup(context, canister, cleanup);
        }
        self.finish(context, canister, failure);
    }

    fn run_cleanup(&mut self, context: ContextId, canister: Principal, cleanup: Callback) {
        let entry = Entry::Cleanup { callback: cleanup };
        if let Err(reject) = self.execute(context, canister, &entry, Vec::new(), 0, Role::Cleanup) {
            self.log(format_args!("{canister} cleanup: {reject}"));
        }
    }

    fn run_timer(&mut self, canister_id: Principal) {
        let runs = self.state.canisters.get(&canister_id).is_some_and(|c| {
            c.status == RunStatus::Running
                && c.installed
                    .as_ref()
                    .is_some_and(|i| i.module.exports("canister_global_timer"))
        });
        if !runs {
            return;
        }
        let context = self.state.contexts.open(
            canister_id,
            Principal::management_canister(),
            Origin::System,
            0,
        );
        let failure = self
            .execute(
                context,
                canister_id,
                &Entry::GlobalTimer,
                Vec::new(),
                0,
                Role::Normal,
            )
            .err();
        self.log(format_args!(
            "{canister_id} global timer: {}",
            Outcome(failure.as_ref())
        ));
        self.finish(context, canister_id, failure);
    }

    /// Ends a message of `context`: answers or closes it as the call
    /// context rules say.
    fn finish(&mut self, context: ContextId, canister: Principal, failure: Option<Reject>) {
        if let Some(answer) = self.state.contexts.finish(context, failure) {
            self.deliver(answer);
        }
        self.state.settle_stopping(&canister);
    }

    /// Runs one message of `context` on `canister_id` and applies its
    /// effects; `refunded` is what the response a callback runs for
    /// brought back. `Err` is the reject its failure deserves.
    fn execute(
        &mut self,
        context: ContextId,
        canister_id: Principal,
        entry: &Entry,
        arg: Vec<u8>,
        refunded: u128,
        role: Role,
    ) -> Result<(), Reject> {
        let limits = self.state.limits;
        let Some(call_context) = self.state.contexts.get(context) else {
            return Ok(());
        };
        let caller = call_context.caller;
        let can_reply = role == Role::Normal && self.state.contexts.can_reply(context);
        let cycles_available = call_context.cycles_available;
        let canister = self
            .state
            .canisters
            .get_mut(&canister_id)
            .ok_or_else(|| rejects::canister_not_found(&canister_id))?;
        let env = MessageEnv {
            cycles_available: if role == Role::Normal {
                cycles_available
            } else {
                0
            },
            cycles_refunded: refunded,
            can_reply,
            ..canister.message_env(
                canister_id,
                caller,
                arg,
                self.state.time,
                limits.message_instructions,
                &limits,
            )
        };
        let installed = canister
            .installed
            .as_mut()
            .ok_or_else(|| rejects::no_wasm_module(&canister_id))?;
        let outcome = installed.instance.execute(entry, &env);
        self.stats.instructions = self.stats.instructions.saturating_add(outcome.instructions);
        self.stats.last_message_instructions = outcome.instructions;
        self.state.touched.insert(canister_id);
        if let Err(message) = &outcome.result {
            return Err(failure_reject(
                &canister_id,
                message,
                outcome.instructions,
                env.instruction_limit,
            ));
        }
        canister.apply_system_effects(&outcome);
        if role == Role::Cleanup {
            return Ok(());
        }
        let accepted = self
            .state
            .contexts
            .accept_cycles(context, outcome.cycles_accepted);
        canister.cycles = canister.cycles.saturating_add(accepted);
        for call in outcome.calls {
            let pending = PendingCallback {
                context,
                canister: canister_id,
                on_reply: call.on_reply,
                on_reject: call.on_reject,
                on_cleanup: call.on_cleanup,
            };
            let Some(callback) = self.state.contexts.register_callback(pending) else {
                continue;
            };
            if call.cycles > canister.cycles {
                let reject =
                    rejects::insufficient_cycles(&canister_id, call.cycles, canister.cycles);
                self.queue.push_back(Message::Response {
                    caller: canister_id,
                    callback,
                    result: Err(reject),
                    refund: 0,
                });
                continue;
            }
            canister.cycles -= call.cycles;
            self.queue.push_back(Message::Request {
                caller: canister_id,
                callback,
                callee: call.callee,
                method: call.method_name,
                arg: call.arg,
                cycles: call.cycles,
            });
        }
        if can_reply && let Some(response) = outcome.response {
            let result = match response {
                Response::Reply(bytes) => Ok(bytes),
                Response::Reject(message) => Err(Reject::canister(message)),
            };
            if let Some(answer) = self.state.contexts.respond(context, result) {
                self.deliver(answer);
            }
        }
        Ok(())
    }

    /// Sends an answer where its context came from.
    fn deliver(&mut self, answer: Answer) {
        match answer.origin {
            Origin::Ingress(id) => self.requests.finish(id, &answer.result),
            Origin::Canister { caller, callback } => self.queue.push_back(Message::Response {
                caller,
                callback,
                result: answer.result,
                refund: answer.refund,
            }),
            Origin::System => {}
        }
    }

    /// Rejects the call contexts of canisters that were uninstalled,
    /// reinstalled or deleted.
    fn abandon_dropped_canisters(&mut self) {
        for canister_id in std::mem::take(&mut self.state.abandoned) {
            let reject = rejects::uninstalled(&canister_id);
            for answer in self.state.contexts.drop_canister(&canister_id, &reject) {
                self.deliver(answer);
            }
            self.state.settle_stopping(&canister_id);
        }
    }

    /// Everything changed since the last successful commit.
    pub(super) fn build_batch(&mut self) -> CommitBatch {
        let mut canisters = Vec::new();
        for id in &self.state.touched {
            let Some(canister) = self.state.canisters.get_mut(id) else {
                continue;
            };
            let (heap, stable) = match canister.installed.as_mut() {
                Some(installed) => {
                    canister
                        .commit
                        .dirty_stable
                        .extend(installed.instance.take_dirty_stable_pages());
                    canister.commit.changes(
                        installed.instance.heap(),
                        installed.instance.stable_memory(),
                    )
                }
                None => canister.commit.changes(&[], &[]),
            };
            canisters.push(CanisterChange {
                id: *id,
                meta: canister.meta(),
                wasm: canister.commit.wasm.clone(),
                heap,
                stable,
                globals: canister.globals(),
            });
        }
        let (requests, pruned_requests) = self.requests.batch();
        CommitBatch {
            time_nanos: self.state.time,
            next_canister_index: self.state.next_canister_index,
            canisters,
            deleted_canisters: self.state.deleted.iter().copied().collect(),
            requests,
            pruned_requests,
        }
    }

    /// The store holds `batch` now.
    pub(super) fn committed(&mut self, batch: &CommitBatch) {
        for change in &batch.canisters {
            if let Some(canister) = self.state.canisters.get_mut(&change.id) {
                let stable_len = canister
                    .installed
                    .as_ref()
                    .map_or(0, |i| i.instance.stable_memory().len() as u64);
                canister.commit.committed(&change.heap, stable_len);
            }
        }
        self.state.touched.clear();
        self.state.deleted.clear();
        self.requests.committed();
    }

    fn commit(&mut self) {
        let batch = self.build_batch();
        match self.store.commit(&batch) {
            Ok(()) => {
                self.committed(&batch);
                self.stats.committed = true;
            }
            Err(error) => eprintln!(
                "localnet: committing the round failed ({error}); its results stay pending until a later commit succeeds"
            ),
        }
    }
}

fn timer_due(canister: &super::canister::Canister, now: u64) -> bool {
    canister.global_timer != 0
        && canister.global_timer <= now
        && canister.status == RunStatus::Running
        && canister.installed.is_some()
}

fn outcome_word(result: &Result<Vec<u8>, Reject>) -> Outcome<'_> {
    Outcome(result.as_ref().err())
}

/// Shows a message's outcome in a log line.
struct Outcome<'a>(Option<&'a Reject>);

impl std::fmt::Display for Outcome<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => f.write_str("ok"),
            Some(reject) => reject.fmt(f),
        }
    }
}
