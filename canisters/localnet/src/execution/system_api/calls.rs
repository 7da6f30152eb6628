//! Inter-canister calls, assembled between `call_new` and `call_perform`
//! (`call_on_cleanup`, `call_data_append`, `call_with_best_effort_response`,
//! `call_cycles_add128`).
//!
//! Invariants:
//! - At most one call is under construction; `call_new` discards an
//!   unperformed one, and its cycles go back to the balance.
//! - A call's argument stays within `MAX_PAYLOAD_BYTES`; cleanup callback
//!   and timeout are set at most once per call; cycles are attached only
//!   from the balance the message sees.
//! - A message performs at most [`MAX_CALLS_PER_MESSAGE`] calls; beyond
//!   that `call_perform` returns 2 (`SYS_TRANSIENT`, as on a full queue) and
//!   the call's cycles go back.
//! - Performed calls are only collected here; the runtime sends them when
//!   the message completes without trapping.

use wasmi::Error;

use super::host::{
    C, check_payload, enter, msg, msg_mut, not_supported, principal_of, read_bytes, trap, u128_of,
};
use super::imports::Context;
use super::state::PendingCall;
use crate::execution::{Callback, OutgoingCall};

/// Most calls one message may make (the IC's output queue capacity); a
/// further `call_perform` returns 2 (`SYS_TRANSIENT`), as on a full queue.
pub const MAX_CALLS_PER_MESSAGE: usize = 500;
/// Longest best-effort call timeout, in seconds.
const MAX_CALL_TIMEOUT: u32 = 300;

/// A callback given as wasm32 `i32` function index and environment.
fn callback(fun: i32, env: i32) -> Callback {
    Callback {
        fun: fun as u32,
        env: u64::from(env as u32),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn call_new(
    mut c: C<'_>,
    callee_src: i32,
    callee_size: i32,
    name_src: i32,
    name_size: i32,
    reply_fun: i32,
    reply_env: i32,
    reject_fun: i32,
    reject_env: i32,
) -> Result<(), Error> {
    enter(&mut c, "call_new")?;
    if msg(&c)?.context == Context::CompositeQuery {
        return Err(not_supported("call_new in composite queries"));
    }
    let callee = read_bytes(&mut c, callee_src, callee_size, "ic0.call_new")?;
    let callee = principal_of(&callee, "ic0.call_new")?;
    let name = read_bytes(&mut c, name_src, name_size, "ic0.call_new")?;
    let method_name = String::from_utf8(name)
        .map_err(|_| trap("ic0.call_new: the method name is not valid UTF-8"))?;
    let m = msg_mut(&mut c)?;
    // A call still being assembled is discarded, with its cycles.
    if let Some(old) = m.pending.take() {
        m.cycles_attached = m.cycles_attached.saturating_sub(old.cycles);
    }
    m.pending = Some(PendingCall {
        callee,
        method_name,
        arg: Vec::new(),
        cycles: 0,
        on_reply: callback(reply_fun, reply_env),
        on_reject: callback(reject_fun, reject_env),
        on_cleanup: None,
        timeout_seconds: None,
    });
    Ok(())
}

pub(super) fn call_on_cleanup(mut c: C<'_>, fun: i32, env: i32) -> Result<(), Error> {
    enter(&mut c, "call_on_cleanup")?;
    let m = msg_mut(&mut c)?;
    let pending = m
        .pending
        .as_mut()
        .ok_or_else(|| trap("ic0.call_on_cleanup: no call is being assembled"))?;
    if pending.on_cleanup.is_some() {
        return Err(trap("ic0.call_on_cleanup was called twice for one call"));
    }
    pending.on_cleanup = Some(callback(fun, env));
    Ok(())
}

pub(super) fn call_data_append(mut c: C<'_>, src: i32, size: i32) -> Result<(), Error> {
    enter(&mut c, "call_data_append")?;
    let Some(pending) = msg(&c)?.pending.as_ref() else {
        return Err(trap("ic0.call_data_append: no call is being assembled"));
    };
    check_payload(pending.arg.len(), size as u32, "call_data_append")?;
    let bytes = read_bytes(&mut c, src, size, "ic0.call_data_append")?;
    if let Some(pending) = msg_mut(&mut c)?.pending.as_mut() {
        pending.arg.extend_from_slice(&bytes);
    }
    Ok(())
}

pub(super) fn call_with_best_effort_response(mut c: C<'_>, timeout: i32) -> Result<(), Error> {
    enter(&mut c, "call_with_best_effort_response")?;
    let m = msg_mut(&mut c)?;
    let pending = m
        .pending
        .as_mut()
        .ok_or_else(|| trap("ic0.call_with_best_effort_response: no call is being assembled"))?;
    if pending.timeout_seconds.is_some() {
        return Err(trap(
            "ic0.call_with_best_effort_response was called twice for one call",
        ));
    }
    pending.timeout_seconds = Some((timeout as u32).clamp(1, MAX_CALL_TIMEOUT));
    Ok(())
}

pub(super) fn call_cycles_add128(mut c: C<'_>, high: i64, low: i64) -> Result<(), Error> {
    enter(&mut c, "call_cycles_add128")?;
    let amount = u128_of(high, low);
    let m = msg_mut(&mut c)?;
    let balance = m.balance();
    let Some(pending) = m.pending.as_mut() else {
        return Err(trap("ic0.call_cycles_add128: no call is being assembled"));
    };
    if amount > balance {
        return Err(trap(format!(
            "ic0.call_cycles_add128: the canister has {balance} cycles, fewer than the {amount} to attach"
        )));
    }
    pending.cycles = pending.cycles.saturating_add(amount);
    m.cycles_attached = m.cycles_attached.saturating_add(amount);
    Ok(())
}

pub(super) fn call_perform(mut c: C<'_>) -> Result<i32, Error> {
    enter(&mut c, "call_perform")?;
    let m = msg_mut(&mut c)?;
    let pending = m
        .pending
        .take()
        .ok_or_else(|| trap("ic0.call_perform: no call is being assembled"))?;
    if m.calls.len() >= MAX_CALLS_PER_MESSAGE {
        // The call is discarded, and its cycles go back.
        m.cycles_attached = m.cycles_attached.saturating_sub(pending.cycles);
        return Ok(2);
    }
    m.calls.push(OutgoingCall {
        callee: pending.callee,
        method_name: pending.method_name,
        arg: pending.arg,
        cycles: pending.cycles,
        on_reply: pending.on_reply,
        on_reject: pending.on_reject,
        on_cleanup: pending.on_cleanup,
        timeout_seconds: pending.timeout_seconds,
    });
    Ok(0)
}
