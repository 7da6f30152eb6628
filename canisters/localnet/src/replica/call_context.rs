//! Call contexts and callbacks: the bookkeeping that ties every response to
//! the call that waits for it.
//!
//! Invariants:
//! - Every incoming call (ingress, inter-canister request, timer) opens one
//!   context. A context is answered at most once (`responded`).
//! - `outstanding` counts the callbacks registered for the context that have
//!   not been taken yet; a taken callback is never delivered again.
//! - A context is removed exactly when a message that ran in it ends with no
//!   outstanding calls ([`CallContexts::finish`]). If it had not been
//!   answered by then, it is rejected: with the failure of that message when
//!   it failed, otherwise with "did not produce a response" (the IC's call
//!   context starvation rule). System contexts (timers) are never answered.
//! - Cycles attached to the call and not accepted are refunded with the
//!   answer, whatever it is.

use std::collections::BTreeMap;

use candid::Principal;

use super::rejects;
use crate::execution::Callback;
use crate::messages::{Reject, RequestId};

pub(crate) type ContextId = u64;
pub(crate) type CallbackId = u64;

/// Who waits for the answer of a call context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    Ingress(RequestId),
    /// A canister's outgoing call: the answer goes to its callback.
    Canister {
        caller: Principal,
        callback: CallbackId,
    },
    /// A system task (global timer): nobody waits.
    System,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CallContext {
    pub canister: Principal,
    /// What `ic0.msg_caller` shows in every message of this context.
    pub caller: Principal,
    pub origin: Origin,
    pub responded: bool,
    pub outstanding: u64,
    /// Attached cycles not accepted yet.
    pub cycles_available: u128,
}

/// A callback waiting for the response to an outgoing call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PendingCallback {
    pub context: ContextId,
    /// The canister that made the call.
    pub canister: Principal,
    pub on_reply: Callback,
    pub on_reject: Callback,
    pub on_cleanup: Option<Callback>,
}

/// An answer leaving a call context, to be routed to its origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Answer {
    pub origin: Origin,
    pub result: Result<Vec<u8>, Reject>,
    /// Cycles returned to the caller.
    pub refund: u128,
}

#[derive(Debug, Default)]
pub(crate) struct CallContexts {
    contexts: BTreeMap<ContextId, CallContext>,
    callbacks: BTreeMap<CallbackId, PendingCallback>,
    open_per_canister: BTreeMap<Principal, u64>,
    next_id: u64,
}

impl CallContexts {
    fn fresh_id(&mut self) -> u64 {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }

    /// Opens the context of a call to `canister`.
    pub fn open(
        &mut self,
        canister: Principal,
        caller: Principal,
        origin: Origin,
        cycles: u128,
    ) -> ContextId {
        let id = self.fresh_id();
        self.contexts.insert(
            id,
            CallContext {
                canister,
                caller,
                responded: matches!(origin, Origin::System),
                origin,
                outstanding: 0,
                cycles_available: cycles,
            },
        );
        *self.open_per_canister.entry(canister).or_default() += 1;
        id
    }

    pub fn get(&self, id: ContextId) -> Option<&CallContext> {
        self.contexts.get(&id)
    }

    /// Whether a message running in the context may still answer it.
    pub fn can_reply(&self, id: ContextId) -> bool {
        self.contexts.get(&id).is_some_and(|c| !c.responded)
    }

    /// Moves up to `amount` of the context's available cycles to the
    /// canister; returns how many moved.
    pub fn accept_cycles(&mut self, id: ContextId, amount: u128) -> u128 {
        let Some(context) = self.contexts.get_mut(&id) else {
            return 0;
        };
        let accepted = amount.min(context.cycles_available);
        context.cycles_available -= accepted;
        accepted
    }

    /// Registers the callback of an outgoing call made in `callback.context`.
    /// `None` when that context no longer exists.
    pub fn register_callback(&mut self, callback: PendingCallback) -> Option<CallbackId> {
        let context = self.contexts.get_mut(&callback.context)?;
        context.outstanding += 1;
        let id = self.fresh_id();
        self.callbacks.insert(id, callback);
        Some(id)
    }

    /// Takes the callback a response is for; its context then has one
    /// outstanding call fewer. `None` when it was dropped (or delivered).
    pub fn take_callback(&mut self, id: CallbackId) -> Option<PendingCallback> {
        let callback = self.callbacks.remove(&id)?;
        match self.contexts.get_mut(&callback.context) {
            Some(context) => {
                context.outstanding = context.outstanding.saturating_sub(1);
                Some(callback)
            }
            None => None,
        }
    }

    /// Answers the context, unless it was answered already.
    pub fn respond(&mut self, id: ContextId, result: Result<Vec<u8>, Reject>) -> Option<Answer> {
        let context = self.contexts.get_mut(&id)?;
        if context.responded {
            return None;
        }
        context.responded = true;
        let refund = std::mem::take(&mut context.cycles_available);
        Some(Answer {
            origin: context.origin.clone(),
            result,
            refund,
        })
    }

    /// Ends a message that ran in context `id`. `failure` is the reject the
    /// message's failure (trap) deserves. When no call is outstanding the
    /// context closes; an unanswered one is rejected first.
    pub fn finish(&mut self, id: ContextId, failure: Option<Reject>) -> Option<Answer> {
        let context = self.contexts.get(&id)?;
        if context.outstanding > 0 {
            return None;
        }
        let canister = context.canister;
        let answer = if context.responded {
            None
        } else {
            let reject = failure.unwrap_or_else(|| rejects::did_not_reply(&canister));
            self.respond(id, Err(reject))
        };
        self.close(id);
        answer
    }

    fn close(&mut self, id: ContextId) {
        if let Some(context) = self.contexts.remove(&id)
            && let Some(count) = self.open_per_canister.get_mut(&context.canister)
        {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.open_per_canister.remove(&context.canister);
            }
        }
    }

    /// How many contexts of `canister` are open.
    pub fn open_contexts(&self, canister: &Principal) -> u64 {
        self.open_per_canister.get(canister).copied().unwrap_or(0)
    }

    /// Forgets everything `canister` was doing (uninstall, reinstall,
    /// delete): its open contexts are rejected with `reject` and closed, and
    /// the callbacks of its own outgoing calls are dropped (their responses
    /// will find nothing to run).
    pub fn drop_canister(&mut self, canister: &Principal, reject: &Reject) -> Vec<Answer> {
        let ids: Vec<ContextId> = self
            .contexts
            .iter()
            .filter(|(_, c)| c.canister == *canister)
            .map(|(id, _)| *id)
            .collect();
        let mut answers = Vec::new();
        for id in ids {
            if let Some(answer) = self.respond(id, Err(reject.clone())) {
                answers.push(answer);
            }
            self.close(id);
        }
        self.callbacks.retain(|_, cb| cb.canister != *canister);
        answers
    }

    /// Number of open contexts and pending callbacks (for tests and stats).
    #[cfg(test)]
    pub fn sizes(&self) -> (usize, usize) {
        (self.contexts.len(), self.callbacks.len())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ids::canister_id;
    use crate::messages::RejectCode;

    fn callback(context: ContextId, canister: Principal) -> PendingCallback {
        let cb = Callback { fun: 1, env: 2 };
        PendingCallback {
            context,
            canister,
            on_reply: cb,
            on_reject: cb,
            on_cleanup: None,
        }
    }

    fn trap() -> Reject {
        Reject::system(RejectCode::CanisterError, "IC0503", "trapped")
    }

    #[test]
    fn should_reject_a_call_that_was_never_replied() {
        let mut contexts = CallContexts::default();
        let a = canister_id(1);
        let id = contexts.open(a, Principal::anonymous(), Origin::Ingress([7; 32]), 0);
        let answer = contexts.finish(id, None).unwrap();
        assert_eq!(answer.origin, Origin::Ingress([7; 32]));
        let reject = answer.result.unwrap_err();
        assert_eq!(reject.code, RejectCode::CanisterError);
        assert_eq!(reject.error_code.as_deref(), Some("IC0506"));
        assert_eq!(contexts.sizes(), (0, 0));
        assert_eq!(contexts.open_contexts(&a), 0);
    }

    #[test]
    fn should_reject_with_the_trap_when_the_opening_message_trapped() {
        let mut contexts = CallContexts::default();
        let id = contexts.open(canister_id(1), Principal::anonymous(), Origin::System, 0);
        assert_eq!(
            contexts.finish(id, Some(trap())),
            None,
            "timers are never answered"
        );
        let id = contexts.open(
            canister_id(1),
            Principal::anonymous(),
            Origin::Ingress([1; 32]),
            0,
        );
        let answer = contexts.finish(id, Some(trap())).unwrap();
        assert_eq!(answer.result, Err(trap()));
    }

    #[test]
    fn should_answer_only_once() {
        let mut contexts = CallContexts::default();
        let id = contexts.open(canister_id(1), canister_id(2), Origin::System, 0);
        assert!(!contexts.can_reply(id));
        let id = contexts.open(
            canister_id(1),
            canister_id(2),
            Origin::Canister {
                caller: canister_id(2),
                callback: 99,
            },
            10,
        );
        assert!(contexts.can_reply(id));
        let first = contexts.respond(id, Ok(vec![1])).unwrap();
        assert_eq!(first.refund, 10);
        assert!(!contexts.can_reply(id));
        assert_eq!(contexts.respond(id, Ok(vec![2])), None);
        assert_eq!(contexts.finish(id, None), None);
        assert_eq!(contexts.get(id), None);
    }

    #[test]
    fn should_keep_a_context_open_while_calls_are_outstanding() {
        let mut contexts = CallContexts::default();
        let a = canister_id(1);
        let id = contexts.open(a, Principal::anonymous(), Origin::Ingress([1; 32]), 0);
        let cb1 = contexts.register_callback(callback(id, a)).unwrap();
        let cb2 = contexts.register_callback(callback(id, a)).unwrap();
        assert_eq!(contexts.finish(id, None), None);
        assert_eq!(contexts.open_contexts(&a), 1);

        assert!(contexts.take_callback(cb1).is_some());
        assert!(contexts.take_callback(cb1).is_none(), "delivered once");
        assert_eq!(contexts.finish(id, Some(trap())), None, "one still out");

        assert!(contexts.take_callback(cb2).is_some());
        let answer = contexts.finish(id, Some(trap())).unwrap();
        assert_eq!(answer.result, Err(trap()));
        assert_eq!(contexts.sizes(), (0, 0));
    }

    #[test]
    fn should_refund_the_cycles_that_were_not_accepted() {
        let mut contexts = CallContexts::default();
        let origin = Origin::Canister {
            caller: canister_id(2),
            callback: 5,
        };
        let id = contexts.open(canister_id(1), canister_id(2), origin, 100);
        assert_eq!(contexts.accept_cycles(id, 30), 30);
        assert_eq!(contexts.accept_cycles(id, 500), 70);
        assert_eq!(contexts.accept_cycles(id, 1), 0);
        let id = contexts.open(
            canister_id(1),
            canister_id(2),
            Origin::Ingress([0; 32]),
            100,
        );
        contexts.accept_cycles(id, 40);
        assert_eq!(contexts.finish(id, None).unwrap().refund, 60);
    }

    #[test]
    fn should_reject_open_contexts_and_drop_callbacks_of_an_uninstalled_canister() {
        let mut contexts = CallContexts::default();
        let a = canister_id(1);
        let b = canister_id(2);
        let in_a = contexts.open(a, b, Origin::Ingress([3; 32]), 0);
        let in_b = contexts.open(b, b, Origin::Ingress([4; 32]), 0);
        let a_calls = contexts.register_callback(callback(in_a, a)).unwrap();
        let b_calls = contexts.register_callback(callback(in_b, b)).unwrap();
        let gone = Reject::canister("uninstalled");
        let answers = contexts.drop_canister(&a, &gone);
        assert_eq!(answers.len(), 1);
        assert_eq!(answers[0].origin, Origin::Ingress([3; 32]));
        assert_eq!(contexts.take_callback(a_calls), None);
        assert!(contexts.take_callback(b_calls).is_some());
        assert_eq!(contexts.open_contexts(&a), 0);
        assert_eq!(contexts.open_contexts(&b), 1);
    }
}
