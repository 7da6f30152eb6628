//! Evaluating an account's signing policy (`sigil_api`'s `policy` module
//! says what the rules mean), and changing it.
//!
//! Pure: the caller supplies the policy in force, what the request would
//! sign ([`Subject`]) and what the account already sent on the chain in
//! the last 24 hours. A change is compared with the policy in force by
//! [`tighter`]: the tighter of two policies allows only what both allow,
//! so a change that equals it loosens nothing and applies at once, and any
//! other waits, the tighter of the two applying meanwhile.

use std::collections::BTreeSet;

use sigil_api::identity_manager::{
    ChainPolicy, DEFAULT_DAILY_LIMIT, DEFAULT_STEP_UP_ABOVE, DEFAULT_TRANSACTION_LIMIT, Error,
    EvmChain, MAX_ALLOWLIST_LEN, PendingPolicy, Policy, PolicyRefusal, PolicyState, Timestamp,
};
use sigil_chains::evm::Address;
use sigil_chains::evm::quantity::format_wei;

use crate::chains::MAX_EVM_CHAINS;

/// What a request signs, as the policy sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A message (EIP-191 or Solana): moves nothing by itself.
    Message,
    /// EIP-712 typed data, bound to a chain when its domain names one.
    TypedData { chain_id: Option<u64> },
    /// A transaction sending `value` wei (saturated at `u128::MAX`) to
    /// `to` (`None`: creating a contract).
    Transaction {
        chain_id: u64,
        to: Option<Address>,
        value: u128,
    },
    /// A bare hash.
    RawHash,
}

/// What the policy asks before it lets a request be signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    Nothing,
    /// A fresh assertion of one of the account's passkeys.
    Passkey,
}

/// A new account's policy: the default limits on every chain signed for.
pub fn default_policy(chains: &[EvmChain]) -> Policy {
    Policy {
        evm_chains: chains
            .iter()
            .map(|chain| ChainPolicy {
                chain_id: chain.chain_id,
                transaction_limit: DEFAULT_TRANSACTION_LIMIT,
                daily_limit: DEFAULT_DAILY_LIMIT,
                step_up_above: DEFAULT_STEP_UP_ABOVE,
            })
            .collect(),
        allowlist: None,
        raw_hash_signing: false,
    }
}

/// The policy state at `now`: a pending change whose time has come
/// applies.
pub fn in_force(state: PolicyState, now: Timestamp) -> PolicyState {
    match state.pending {
        Some(pending) if pending.effective_at <= now => PolicyState {
            current: pending.policy,
            pending: None,
        },
        _ => state,
    }
}

/// Whether `policy` can be set where `chains` are signed for.
pub fn check_policy(policy: &Policy, chains: &[EvmChain]) -> Result<(), Error> {
    let invalid = |reason: String| Err(Error::InvalidPolicy { reason });
    if policy.evm_chains.len() > MAX_EVM_CHAINS {
        return invalid(format!("it lists more than {MAX_EVM_CHAINS} chains"));
    }
    let mut seen = BTreeSet::new();
    for rule in &policy.evm_chains {
        if !seen.insert(rule.chain_id) {
            return invalid(format!("it lists chain {} twice", rule.chain_id));
        }
        if !chains.iter().any(|chain| chain.chain_id == rule.chain_id) {
            return invalid(format!("Sigil does not sign for chain {}", rule.chain_id));
        }
    }
    if let Some(allowlist) = &policy.allowlist {
        if allowlist.len() > MAX_ALLOWLIST_LEN {
            return invalid(format!(
                "its list of recipients holds more than {MAX_ALLOWLIST_LEN} addresses"
            ));
        }
        for entry in allowlist {
            if Address::parse(entry).is_err() {
                return invalid(format!("{entry:?} is not an EVM address"));
            }
        }
    }
    Ok(())
}

/// Allowlist entries as addresses; entries that do not parse (none, once
/// checked) allow nothing.
fn allowed(allowlist: &[String]) -> BTreeSet<[u8; 20]> {
    allowlist
        .iter()
        .filter_map(|entry| Address::parse(entry).ok())
        .map(|address| address.0)
        .collect()
}

/// The policy that allows exactly what both `a` and `b` allow.
pub fn tighter(a: &Policy, b: &Policy) -> Policy {
    let evm_chains = a
        .evm_chains
        .iter()
        .filter_map(|rule| {
            let other = b.evm_chains.iter().find(|o| o.chain_id == rule.chain_id)?;
            Some(ChainPolicy {
                chain_id: rule.chain_id,
                transaction_limit: rule.transaction_limit.min(other.transaction_limit),
                daily_limit: rule.daily_limit.min(other.daily_limit),
                step_up_above: rule.step_up_above.min(other.step_up_above),
            })
        })
        .collect();
    let allowlist = match (&a.allowlist, &b.allowlist) {
        (None, None) => None,
        (Some(list), None) | (None, Some(list)) => Some(list.clone()),
        (Some(list), Some(other)) => {
            let other = allowed(other);
            Some(
                list.iter()
                    .filter(|entry| {
                        Address::parse(entry).is_ok_and(|address| other.contains(&address.0))
                    })
                    .cloned()
                    .collect(),
            )
        }
    };
    Policy {
        evm_chains,
        allowlist,
        raw_hash_signing: a.raw_hash_signing && b.raw_hash_signing,
    }
}

/// Whether `policy` allows nothing that `than` does not.
fn loosens_nothing(policy: &Policy, than: &Policy) -> bool {
    let both = tighter(policy, than);
    both.raw_hash_signing == policy.raw_hash_signing
        && both.evm_chains.len() == policy.evm_chains.len()
        && policy
            .evm_chains
            .iter()
            .all(|rule| both.evm_chains.contains(rule))
        && match (&both.allowlist, &policy.allowlist) {
            (None, None) => true,
            (Some(both), Some(new)) => allowed(both) == allowed(new),
            _ => false,
        }
}

/// The state after the person asks for `new` at `now`, from the state in
/// force: `new` at once where it loosens nothing, else pending until
/// `now + delay` with the tighter of the two in force meanwhile. Replaces
/// any pending change.
pub fn change(in_force: PolicyState, new: Policy, now: Timestamp, delay: u64) -> PolicyState {
    if loosens_nothing(&new, &in_force.current) {
        return PolicyState {
            current: new,
            pending: None,
        };
    }
    PolicyState {
        current: tighter(&in_force.current, &new),
        pending: Some(PendingPolicy {
            policy: new,
            effective_at: now.saturating_add(delay),
        }),
    }
}

/// Evaluates `subject` under `policy`, `spent` being the wei the account
/// sent on the subject's chain in the last 24 hours and `symbol` its
/// native token's.
pub fn evaluate(
    policy: &Policy,
    subject: &Subject,
    spent: u128,
    symbol: &str,
) -> Result<Requirement, PolicyRefusal> {
    let rule = |chain_id: u64| {
        policy
            .evm_chains
            .iter()
            .find(|rule| rule.chain_id == chain_id)
            .ok_or(PolicyRefusal::ChainNotAllowed { chain_id })
    };
    match subject {
        Subject::Message | Subject::TypedData { chain_id: None } => Ok(Requirement::Nothing),
        Subject::TypedData {
            chain_id: Some(chain_id),
        } => rule(*chain_id).map(|_| Requirement::Nothing),
        Subject::RawHash if policy.raw_hash_signing => Ok(Requirement::Passkey),
        Subject::RawHash => Err(PolicyRefusal::RawHashSigningOff),
        Subject::Transaction {
            chain_id,
            to,
            value,
        } => {
            let rule = rule(*chain_id)?;
            if let Some(allowlist) = &policy.allowlist {
                let Some(to) = to else {
                    return Err(PolicyRefusal::ContractCreationNotAllowed);
                };
                if !allowed(allowlist).contains(&to.0) {
                    return Err(PolicyRefusal::RecipientNotAllowed {
                        to: to.to_checksummed(),
                    });
                }
            }
            let amount = |wei: u128| format_wei(wei, symbol);
            if *value > rule.transaction_limit {
                return Err(PolicyRefusal::OverTransactionLimit {
                    chain_id: *chain_id,
                    value: amount(*value),
                    limit: amount(rule.transaction_limit),
                });
            }
            if spent.saturating_add(*value) > rule.daily_limit {
                return Err(PolicyRefusal::OverDailyLimit {
                    chain_id: *chain_id,
                    value: amount(*value),
                    spent: amount(spent),
                    limit: amount(rule.daily_limit),
                });
            }
            Ok(if *value > rule.step_up_above {
                Requirement::Passkey
            } else {
                Requirement::Nothing
            })
        }
    }
}
