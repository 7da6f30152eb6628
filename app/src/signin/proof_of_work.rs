//! The proof of work that signing up needs while many accounts are being
//! created (the identity manager's `registration` module says when, and
//! what it costs an attacker). Found in slices, with a turn of the event
//! loop between them, so the page keeps showing its progress.

use candid::Principal;
use sigil_api::identity_manager::{ProofOfWork, Timestamp, search_work};

use crate::browser::timer::next_turn;

/// Nonces tried between two turns of the event loop (some milliseconds).
const SLICE: u64 = 8_192;

/// Work of `difficulty` bits for `caller` on `canister` at `time`.
pub async fn prove(
    canister: Principal,
    caller: Principal,
    time: Timestamp,
    difficulty: u8,
) -> ProofOfWork {
    // A turn first, so that the step's label is on screen even when the
    // first slice already finds the work.
    next_turn().await;
    let mut start = 0u64;
    loop {
        let end = start.saturating_add(SLICE);
        if let Some(proof) = search_work(
            canister.as_slice(),
            caller.as_slice(),
            time,
            difficulty,
            start..end,
        ) {
            return proof;
        }
        start = end;
        next_turn().await;
    }
}
