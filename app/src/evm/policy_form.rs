//! The account's signing policy as the wallet's form shows it (amounts in
//! whole units of each chain's token, one allowed recipient per line) and
//! back. The identity manager checks the policy again when it is set.

use sigil_api::identity_manager::{ChainPolicy, Policy};
use thiserror::Error;

use super::amount::{AmountError, ETHER_DECIMALS, format_units, parse_units};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLimitsForm {
    pub chain_id: u64,
    pub transaction_limit: String,
    pub daily_limit: String,
    pub step_up_above: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyForm {
    pub chains: Vec<ChainLimitsForm>,
    /// One address per line; empty: any recipient.
    pub allowlist: String,
    pub raw_hash_signing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyFormError {
    #[error("chain {chain_id}, {what}: {error}")]
    Amount {
        chain_id: u64,
        what: &'static str,
        error: AmountError,
    },
}

pub fn form_of(policy: &Policy) -> PolicyForm {
    let ether = |wei: u128| format_units(wei, ETHER_DECIMALS);
    PolicyForm {
        chains: policy
            .evm_chains
            .iter()
            .map(|rule| ChainLimitsForm {
                chain_id: rule.chain_id,
                transaction_limit: ether(rule.transaction_limit),
                daily_limit: ether(rule.daily_limit),
                step_up_above: ether(rule.step_up_above),
            })
            .collect(),
        allowlist: policy.allowlist.as_deref().unwrap_or_default().join("\n"),
        raw_hash_signing: policy.raw_hash_signing,
    }
}

pub fn policy_of(form: &PolicyForm) -> Result<Policy, PolicyFormError> {
    let evm_chains = form
        .chains
        .iter()
        .map(|chain| {
            let amount = |what: &'static str, text: &str| {
                parse_units(text, ETHER_DECIMALS).map_err(|error| PolicyFormError::Amount {
                    chain_id: chain.chain_id,
                    what,
                    error,
                })
            };
            Ok(ChainPolicy {
                chain_id: chain.chain_id,
                transaction_limit: amount("one transaction", &chain.transaction_limit)?,
                daily_limit: amount("24 hours", &chain.daily_limit)?,
                step_up_above: amount("passkey above", &chain.step_up_above)?,
            })
        })
        .collect::<Result<_, _>>()?;
    let listed: Vec<String> = form
        .allowlist
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(Policy {
        evm_chains,
        allowlist: (!listed.is_empty()).then_some(listed),
        raw_hash_signing: form.raw_hash_signing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            evm_chains: vec![ChainPolicy {
                chain_id: 31337,
                transaction_limit: 1_000_000_000_000_000_000,
                daily_limit: 2_000_000_000_000_000_000,
                step_up_above: 100_000_000_000_000_000,
            }],
            allowlist: None,
            raw_hash_signing: false,
        }
    }

    #[test]
    fn should_show_a_policy_in_whole_units_and_read_it_back() {
        let form = form_of(&policy());
        assert_eq!(form.chains[0].transaction_limit, "1");
        assert_eq!(form.chains[0].step_up_above, "0.1");
        assert_eq!(form.allowlist, "");
        assert_eq!(policy_of(&form), Ok(policy()));
    }

    #[test]
    fn should_read_one_recipient_per_line_and_say_which_amount_is_wrong() {
        let mut form = form_of(&policy());
        form.allowlist = " 0xaa \n\n0xbb\n".into();
        assert_eq!(
            policy_of(&form).expect("valid").allowlist,
            Some(vec!["0xaa".to_owned(), "0xbb".to_owned()])
        );
        form.chains[0].daily_limit = "two".into();
        let words = policy_of(&form).expect_err("refused").to_string();
        assert!(words.starts_with("chain 31337, 24 hours: "), "{words}");
    }
}
