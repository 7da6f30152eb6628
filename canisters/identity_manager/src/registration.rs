//! What a registration costs: free while the token bucket has tokens, a
//! proof of work once it is empty.
//!
//! Defences against a flood of throwaway keys, and what each costs the
//! attacker:
//! - `canister_inspect_message` drops a `create_account` whose caller is
//!   anonymous or not the new device, and, while the bucket is empty, one
//!   without a valid proof of work, before it executes: junk costs the
//!   canister no cycles and the attacker a signed request each.
//! - The bucket ([`crate::rate_limit`]) lets `capacity` registrations
//!   through at once and one more per refill period without work: a flood
//!   empties it, but cannot lock anyone out, because
//! - past the bucket, every registration needs a [`ProofOfWork`] of
//!   `difficulty` bits bound to the canister and the new device's
//!   principal: about `2^difficulty` SHA-256 hashes per account (at the
//!   default 20 bits, a second or two in a person's browser, some
//!   milliseconds on an attacker's core), with a timestamp within five
//!   minutes of the canister's time, so it cannot be stockpiled for long
//!   nor reused for another key. A flood slows to what the attacker's
//!   hardware can pay for, and a person still signs up by paying once.

use sigil_api::identity_manager::{
    Error, PROOF_OF_WORK_WINDOW_NS, ProofOfWork, RegistrationRequirement, is_valid_work,
};

use crate::state::Env;
use crate::storage::Header;

/// Whether `proof` is valid work of `difficulty` bits for the caller at
/// `env.now` on this canister.
pub fn is_valid(env: &Env, proof: &ProofOfWork, difficulty: u8) -> bool {
    proof.timestamp.abs_diff(env.now) <= PROOF_OF_WORK_WINDOW_NS
        && is_valid_work(
            env.canister_id.as_slice(),
            env.caller.as_slice(),
            proof,
            difficulty,
        )
}

/// Whether a registration at `env.now` may proceed: with a free token, or
/// with valid work. Does not take the token (see [`take_free_token`]).
pub fn check(header: &Header, env: &Env, proof: Option<&ProofOfWork>) -> Result<(), Error> {
    if header.registrations.available(env.now) {
        return Ok(());
    }
    let difficulty = header.proof_of_work_difficulty();
    match proof {
        Some(proof) if is_valid(env, proof, difficulty) => Ok(()),
        _ => Err(Error::ProofOfWorkRequired { difficulty }),
    }
}

/// Takes a free token if there is one, once [`check`] has let the
/// registration through (nothing to take when the work paid for it).
pub fn take_free_token(header: &mut Header, env: &Env) {
    let _ = header.registrations.take(env.now);
}

/// What a registration at `env.now` needs.
pub fn requirement(header: &Header, env: &Env) -> RegistrationRequirement {
    RegistrationRequirement {
        proof_of_work_difficulty: (!header.registrations.available(env.now))
            .then(|| header.proof_of_work_difficulty()),
        time: env.now,
    }
}
