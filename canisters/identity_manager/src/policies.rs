//! Accounts' signing policies as this canister keeps them: the policy in
//! force for an account, what it sent in the last 24 hours, and the
//! methods that read and change a policy (`policy` evaluates).
//!
//! Invariants: an account without a stored policy has the default one for
//! the chains signed for now; a stored pending change whose time has come
//! is in force from that moment (applied when read); any device of the
//! account (a passkey with two-factor on) may read a policy and ask for a
//! change, only a passkey may cancel a pending one.

use ic_stable_structures::Memory;
use sigil_api::identity_manager::{
    AccountNumber, DAILY_LIMIT_WINDOW_NS, Error, PolicyArgs, PolicyState, SetPolicyArgs,
};

use crate::authorization::{authorize, is_passkey};
use crate::policy::{change, check_policy, default_policy, in_force};
use crate::state::Env;
use crate::storage::Storage;

/// `account`'s policy in force at `now`.
pub fn policy_in_force<M: Memory + Clone>(
    storage: &Storage<M>,
    account: AccountNumber,
    now: u64,
) -> PolicyState {
    let stored = storage.policy(account).unwrap_or_else(|| PolicyState {
        current: default_policy(storage.evm_chains()),
        pending: None,
    });
    in_force(stored, now)
}

/// The wei `account` sent on `chain_id` in the 24 hours before `now`.
pub fn spent_in_a_day<M: Memory + Clone>(
    storage: &Storage<M>,
    account: AccountNumber,
    chain_id: u64,
    now: u64,
) -> u128 {
    storage.spent_since(account, chain_id, window_start(now))
}

/// The oldest time the daily limit still counts at `now`.
pub fn window_start(now: u64) -> u64 {
    now.saturating_sub(DAILY_LIMIT_WINDOW_NS).saturating_add(1)
}

pub fn policy_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    env: &Env,
    args: &PolicyArgs,
) -> Result<PolicyState, Error> {
    authorize(storage, env.caller, args.account)?;
    Ok(policy_in_force(storage, args.account, env.now))
}

pub fn set_policy_impl<M: Memory + Clone>(
    storage: &mut Storage<M>,
    env: &Env,
    args: SetPolicyArgs,
) -> Result<PolicyState, Error> {
    authorize(storage, env.caller, args.account)?;
    check_policy(&args.policy, storage.evm_chains())?;
    let delay = storage.header().policy_loosening_delay_ns();
    let state = change(
        policy_in_force(storage, args.account, env.now),
        args.policy,
        env.now,
        delay,
    );
    storage.set_policy(args.account, state.clone());
    Ok(state)
}

pub fn cancel_policy_change_impl<M: Memory + Clone>(
    storage: &mut Storage<M>,
    env: &Env,
    args: &PolicyArgs,
) -> Result<PolicyState, Error> {
    check_passkey(storage, env, args.account)?;
    let state = PolicyState {
        pending: None,
        ..policy_in_force(storage, args.account, env.now)
    };
    storage.set_policy(args.account, state.clone());
    Ok(state)
}

/// Checks that the caller is a passkey of `account`.
pub fn check_passkey<M: Memory + Clone>(
    storage: &Storage<M>,
    env: &Env,
    account: AccountNumber,
) -> Result<(), Error> {
    let authorized = authorize(storage, env.caller, account)?;
    if is_passkey(authorized.caller()) {
        Ok(())
    } else {
        Err(Error::NotAPasskey { account })
    }
}
