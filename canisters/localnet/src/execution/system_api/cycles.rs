//! Cycles: those the message carries (`msg_cycles_available128`,
//! `msg_cycles_accept128`, `msg_cycles_refunded128`) and the canister's
//! balance (`canister_cycle_balance128`, `canister_liquid_cycle_balance128`).
//! `cycles_burn128` is not supported.
//!
//! Invariants: a message accepts at most the cycles still available to it;
//! the balance it sees counts accepted cycles in and attached cycles out
//! ([`MessageState::balance`](super::state::MessageState::balance)).

use wasmi::Error;

use super::host::{C, enter, msg, msg_mut, not_supported, u128_of, write_u128};

pub(super) fn msg_cycles_available128(mut c: C<'_>, dst: i32) -> Result<(), Error> {
    enter(&mut c, "msg_cycles_available128")?;
    let m = msg(&c)?;
    let available = m.env.cycles_available.saturating_sub(m.cycles_accepted);
    write_u128(&mut c, dst, available, "ic0.msg_cycles_available128")
}

pub(super) fn msg_cycles_refunded128(mut c: C<'_>, dst: i32) -> Result<(), Error> {
    enter(&mut c, "msg_cycles_refunded128")?;
    let refunded = msg(&c)?.env.cycles_refunded;
    write_u128(&mut c, dst, refunded, "ic0.msg_cycles_refunded128")
}

pub(super) fn msg_cycles_accept128(
    mut c: C<'_>,
    high: i64,
    low: i64,
    dst: i32,
) -> Result<(), Error> {
    enter(&mut c, "msg_cycles_accept128")?;
    let m = msg_mut(&mut c)?;
    let available = m.env.cycles_available.saturating_sub(m.cycles_accepted);
    let amount = u128_of(high, low).min(available);
    m.cycles_accepted = m.cycles_accepted.saturating_add(amount);
    write_u128(&mut c, dst, amount, "ic0.msg_cycles_accept128")
}

pub(super) fn cycles_burn128(mut c: C<'_>, _high: i64, _low: i64, _dst: i32) -> Result<(), Error> {
    enter(&mut c, "cycles_burn128")?;
    Err(not_supported("cycles_burn128"))
}

pub(super) fn canister_cycle_balance128(mut c: C<'_>, dst: i32) -> Result<(), Error> {
    enter(&mut c, "canister_cycle_balance128")?;
    let balance = msg(&c)?.balance();
    write_u128(&mut c, dst, balance, "ic0.canister_cycle_balance128")
}

pub(super) fn canister_liquid_cycle_balance128(mut c: C<'_>, dst: i32) -> Result<(), Error> {
    enter(&mut c, "canister_liquid_cycle_balance128")?;
    let balance = msg(&c)?.balance();
    write_u128(&mut c, dst, balance, "ic0.canister_liquid_cycle_balance128")
}
