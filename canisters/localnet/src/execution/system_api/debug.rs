//! `debug_print` and `trap`.
//!
//! Invariant: at most `MAX_DEBUG_PRINT` bytes of the canister's text are
//! read, whatever the size it passes: a printed line and a trap message
//! (which becomes a reject message, stored with the request's status) stay
//! bounded.

use wasmi::Error;

use super::host::{self, C, enter, read_bytes};

/// Longest message `debug_print` prints, and longest trap message kept.
const MAX_DEBUG_PRINT: usize = 32 * 1024;

pub(super) fn debug_print(mut c: C<'_>, src: i32, size: i32) -> Result<(), Error> {
    enter(&mut c, "debug_print")?;
    let size = (size as u32).min(MAX_DEBUG_PRINT as u32);
    let bytes = read_bytes(&mut c, src, size as i32, "ic0.debug_print")?;
    eprintln!(
        "[Canister {}] {}",
        c.data().canister_label,
        String::from_utf8_lossy(&bytes)
    );
    Ok(())
}

pub(super) fn trap(mut c: C<'_>, src: i32, size: i32) -> Result<(), Error> {
    enter(&mut c, "trap")?;
    let size = (size as u32).min(MAX_DEBUG_PRINT as u32);
    let bytes = read_bytes(&mut c, src, size as i32, "ic0.trap")?;
    Err(host::trap(String::from_utf8_lossy(&bytes).into_owned()))
}
