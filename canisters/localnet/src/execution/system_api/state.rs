//! What one message execution carries: its context and environment (caller,
//! time, cycles, ...), its arguments, and the effects it has had so far —
//! the reply being assembled, the response, the calls made and the one under
//! construction, accepted and attached cycles, certified data, the global
//! timer, and the undo log of stable memory.
//!
//! Invariants:
//! - The runtime applies the effects collected here only when the message
//!   completes without trapping.
//! - Stable memory is written in place; the original of every 4 KiB page
//!   below `stable_len_before` is kept in [`MessageState::stable_undo`] the
//!   first time the message writes it.
//! - `cycles_attached` is the sum of the cycles of the calls performed and
//!   of the call under construction, so [`MessageState::balance`] never
//!   counts a cycle twice.

use std::collections::{BTreeMap, BTreeSet};

use candid::Principal;
use wasmi::{Memory, StoreLimits};

use super::imports::Context;
use crate::execution::{Callback, MessageEnv, OutgoingCall, Response};

/// A call being assembled between `call_new` and `call_perform`.
pub(super) struct PendingCall {
    pub(super) callee: Principal,
    pub(super) method_name: String,
    pub(super) arg: Vec<u8>,
    pub(super) cycles: u128,
    pub(super) on_reply: Callback,
    pub(super) on_reject: Callback,
    pub(super) on_cleanup: Option<Callback>,
    pub(super) timeout_seconds: Option<u32>,
}

/// The system's view of one running message, and its effects so far.
pub(in crate::execution) struct MessageState {
    pub context: Context,
    pub env: MessageEnv,
    /// The method name (inspect message).
    pub method_name: String,
    /// What `msg_arg_data_*` reads: the argument or the reply payload.
    pub arg: Vec<u8>,
    /// Reject code and message (reject callbacks; code 0 in reply callbacks).
    pub reject: Option<(u32, String)>,
    pub reply_buf: Vec<u8>,
    pub response: Option<Response>,
    pub calls: Vec<OutgoingCall>,
    pub(super) pending: Option<PendingCall>,
    pub certified_data: Option<Vec<u8>>,
    pub global_timer: Option<u64>,
    pub cycles_accepted: u128,
    /// Cycles moved from the balance into calls (performed or pending).
    pub(super) cycles_attached: u128,
    pub message_accepted: bool,
    /// Original contents of stable pages (below `stable_len_before`)
    /// written by this message.
    pub stable_undo: BTreeMap<u64, Vec<u8>>,
    /// Every stable page (4 KiB index) this message wrote.
    pub stable_written: BTreeSet<u64>,
    pub stable_len_before: usize,
    /// Fuel given to the message.
    pub fuel_limit: u64,
}

impl MessageState {
    pub(in crate::execution) fn new(
        context: Context,
        env: MessageEnv,
        method_name: String,
        arg: Vec<u8>,
        reject: Option<(u32, String)>,
        stable_len_before: usize,
    ) -> Self {
        let fuel_limit = env.instruction_limit;
        MessageState {
            context,
            env,
            method_name,
            arg,
            reject,
            reply_buf: Vec::new(),
            response: None,
            calls: Vec::new(),
            pending: None,
            certified_data: None,
            global_timer: None,
            cycles_accepted: 0,
            cycles_attached: 0,
            message_accepted: false,
            stable_undo: BTreeMap::new(),
            stable_written: BTreeSet::new(),
            stable_len_before,
            fuel_limit,
        }
    }

    /// The cycle balance as the message sees it: accepted cycles in,
    /// cycles attached to calls out.
    pub(super) fn balance(&self) -> u128 {
        self.env
            .cycles_balance
            .saturating_add(self.cycles_accepted)
            .saturating_sub(self.cycles_attached)
    }

    /// Whether the message may still reply or reject.
    pub(super) fn can_respond(&self) -> bool {
        self.env.can_reply && self.response.is_none()
    }
}

/// The data of a canister's wasmi store.
pub(in crate::execution) struct HostState {
    pub memory: Option<Memory>,
    pub limits: StoreLimits,
    pub stable: Vec<u8>,
    pub msg: Option<Box<MessageState>>,
    /// Canister id for `debug_print` outside messages.
    pub canister_label: String,
}
