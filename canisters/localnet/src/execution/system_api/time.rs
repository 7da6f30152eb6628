//! Time and counters: `time`, `global_timer_set`, `performance_counter`.
//!
//! Invariants: `time` is the message's block time (constant within a
//! message); the timer set here takes effect only when the message
//! completes, and `global_timer_set` returns the timer as this message last
//! saw it; the performance counter is the instructions used so far by this
//! message (both counter types 0 and 1 count the same single message).

use wasmi::Error;

use super::host::{C, enter, msg, msg_mut, trap};

pub(super) fn time(mut c: C<'_>) -> Result<i64, Error> {
    enter(&mut c, "time")?;
    Ok(msg(&c)?.env.time_nanos as i64)
}

pub(super) fn global_timer_set(mut c: C<'_>, timestamp: i64) -> Result<i64, Error> {
    enter(&mut c, "global_timer_set")?;
    let m = msg_mut(&mut c)?;
    let previous = m.global_timer.unwrap_or(m.env.global_timer);
    m.global_timer = Some(timestamp as u64);
    Ok(previous as i64)
}

pub(super) fn performance_counter(mut c: C<'_>, kind: i32) -> Result<i64, Error> {
    enter(&mut c, "performance_counter")?;
    if !(0..=1).contains(&kind) {
        return Err(trap(format!(
            "ic0.performance_counter: unknown counter type {kind}"
        )));
    }
    let limit = msg(&c)?.fuel_limit;
    let left = c.get_fuel()?;
    Ok(limit.saturating_sub(left) as i64)
}
