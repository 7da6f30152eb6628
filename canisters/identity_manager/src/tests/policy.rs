//! The signing policy on its own: every rule at its edges, the default a
//! new account gets, and changes (tightening at once, loosening after the
//! delay with the tighter policy in force meanwhile, cancelling).

use sigil_api::identity_manager::{
    ChainPolicy, DEFAULT_DAILY_LIMIT, DEFAULT_STEP_UP_ABOVE, DEFAULT_TRANSACTION_LIMIT, Error,
    EvmChain, MAX_ALLOWLIST_LEN, PendingPolicy, Policy, PolicyRefusal, PolicyState, WEI_PER_ETHER,
};
use sigil_chains::evm::Address;

use crate::policy::{
    Requirement, Subject, change, check_policy, default_policy, evaluate, in_force, tighter,
};

const DAY: u64 = 24 * 60 * 60 * 1_000_000_000;
const RECIPIENT: &str = "0x3535353535353535353535353535353535353535";

fn chains() -> Vec<EvmChain> {
    [(1, "Ethereum"), (31337, "Hardhat")]
        .into_iter()
        .map(|(chain_id, name)| EvmChain {
            chain_id,
            name: name.into(),
            symbol: "ETH".into(),
        })
        .collect()
}

fn send(chain_id: u64, value: u128) -> Subject {
    Subject::Transaction {
        chain_id,
        to: Some(Address::parse(RECIPIENT).unwrap()),
        value,
    }
}

fn eval(policy: &Policy, subject: &Subject, spent: u128) -> Result<Requirement, PolicyRefusal> {
    evaluate(policy, subject, spent, "ETH")
}

fn one_chain(transaction_limit: u128, daily_limit: u128, step_up_above: u128) -> Policy {
    Policy {
        evm_chains: vec![ChainPolicy {
            chain_id: 1,
            transaction_limit,
            daily_limit,
            step_up_above,
        }],
        allowlist: None,
        raw_hash_signing: false,
    }
}

#[test]
fn should_give_a_new_account_modest_limits_on_every_chain_signed_for() {
    let policy = default_policy(&chains());
    assert_eq!(policy.evm_chains.len(), 2);
    for rule in &policy.evm_chains {
        assert_eq!(rule.transaction_limit, DEFAULT_TRANSACTION_LIMIT);
        assert_eq!(rule.daily_limit, DEFAULT_DAILY_LIMIT);
        assert_eq!(rule.step_up_above, DEFAULT_STEP_UP_ABOVE);
    }
    assert_eq!(policy.allowlist, None);
    assert!(!policy.raw_hash_signing);
    assert_eq!(check_policy(&policy, &chains()), Ok(()));
}

#[test]
fn should_allow_messages_and_refuse_what_no_rule_allows() {
    let policy = one_chain(WEI_PER_ETHER, 2 * WEI_PER_ETHER, WEI_PER_ETHER / 10);
    assert_eq!(
        eval(&policy, &Subject::Message, 0),
        Ok(Requirement::Nothing)
    );
    let typed = |chain_id| Subject::TypedData { chain_id };
    assert_eq!(eval(&policy, &typed(None), 0), Ok(Requirement::Nothing));
    assert_eq!(eval(&policy, &typed(Some(1)), 0), Ok(Requirement::Nothing));
    assert_eq!(
        eval(&policy, &typed(Some(5)), 0),
        Err(PolicyRefusal::ChainNotAllowed { chain_id: 5 })
    );
    assert_eq!(
        eval(&policy, &send(31337, 1), 0),
        Err(PolicyRefusal::ChainNotAllowed { chain_id: 31337 })
    );
    assert_eq!(
        eval(&policy, &Subject::RawHash, 0),
        Err(PolicyRefusal::RawHashSigningOff)
    );
    let with_raw = Policy {
        raw_hash_signing: true,
        ..policy
    };
    assert_eq!(
        eval(&with_raw, &Subject::RawHash, 0),
        Ok(Requirement::Passkey),
        "a bare hash always needs a passkey"
    );
}

#[test]
fn should_hold_the_transaction_limit_and_the_step_up_amount_at_their_edges() {
    let policy = one_chain(1_000, 10_000, 100);
    assert_eq!(eval(&policy, &send(1, 0), 0), Ok(Requirement::Nothing));
    assert_eq!(eval(&policy, &send(1, 100), 0), Ok(Requirement::Nothing));
    assert_eq!(eval(&policy, &send(1, 101), 0), Ok(Requirement::Passkey));
    assert_eq!(eval(&policy, &send(1, 1_000), 0), Ok(Requirement::Passkey));
    let refused = eval(&policy, &send(1, 1_001), 0).unwrap_err();
    assert!(matches!(
        refused,
        PolicyRefusal::OverTransactionLimit { chain_id: 1, .. }
    ));
    let big = one_chain(WEI_PER_ETHER, 10 * WEI_PER_ETHER, 0);
    let words = eval(&big, &send(1, 3 * WEI_PER_ETHER / 2), 0)
        .unwrap_err()
        .to_string();
    assert!(
        words.contains("1.5 ETH") && words.contains("1 ETH"),
        "{words}"
    );
    let saturated = eval(&big, &send(1, u128::MAX), 0);
    assert!(matches!(
        saturated,
        Err(PolicyRefusal::OverTransactionLimit { .. })
    ));
}

#[test]
fn should_hold_the_daily_limit_over_what_was_already_sent() {
    let policy = one_chain(1_000, 2_500, 1_000);
    assert_eq!(
        eval(&policy, &send(1, 1_000), 1_500),
        Ok(Requirement::Nothing)
    );
    let refused = eval(&policy, &send(1, 1_000), 1_501).unwrap_err();
    assert!(matches!(
        refused,
        PolicyRefusal::OverDailyLimit { chain_id: 1, .. }
    ));
    assert!(matches!(
        eval(&policy, &send(1, 1), u128::MAX),
        Err(PolicyRefusal::OverDailyLimit { .. })
    ));
}

#[test]
fn should_send_only_to_listed_recipients_in_any_letter_case_and_create_nothing() {
    let mut policy = one_chain(1_000, 10_000, 1_000);
    policy.allowlist = Some(vec![RECIPIENT.to_uppercase().replace("0X", "0x")]);
    assert_eq!(eval(&policy, &send(1, 5), 0), Ok(Requirement::Nothing));
    let other = Subject::Transaction {
        chain_id: 1,
        to: Some(Address([0x11; 20])),
        value: 5,
    };
    assert!(matches!(
        eval(&policy, &other, 0),
        Err(PolicyRefusal::RecipientNotAllowed { .. })
    ));
    let create = Subject::Transaction {
        chain_id: 1,
        to: None,
        value: 0,
    };
    assert_eq!(
        eval(&policy, &create, 0),
        Err(PolicyRefusal::ContractCreationNotAllowed)
    );
    policy.allowlist = Some(Vec::new());
    assert!(
        eval(&policy, &send(1, 5), 0).is_err(),
        "an empty list allows no one"
    );
}

#[test]
fn should_refuse_policies_that_cannot_hold() {
    let invalid = |policy: &Policy| {
        matches!(
            check_policy(policy, &chains()),
            Err(Error::InvalidPolicy { .. })
        )
    };
    let mut twice = default_policy(&chains());
    twice.evm_chains.push(twice.evm_chains[0].clone());
    assert!(invalid(&twice));
    let mut unknown = one_chain(1, 1, 1);
    unknown.evm_chains[0].chain_id = 10;
    assert!(invalid(&unknown));
    let mut bad_address = one_chain(1, 1, 1);
    bad_address.allowlist = Some(vec!["0x1234".into()]);
    assert!(invalid(&bad_address));
    let mut long = one_chain(1, 1, 1);
    long.allowlist = Some(vec![RECIPIENT.into(); MAX_ALLOWLIST_LEN + 1]);
    assert!(invalid(&long));
}

#[test]
fn should_take_the_tighter_of_two_policies_rule_by_rule() {
    let mut a = default_policy(&chains());
    a.evm_chains[0].transaction_limit = 5;
    a.allowlist = Some(vec![RECIPIENT.into(), format!("0x{}", "11".repeat(20))]);
    a.raw_hash_signing = true;
    let mut b = one_chain(10, 3, 7);
    b.allowlist = Some(vec![RECIPIENT.to_lowercase()]);
    let both = tighter(&a, &b);
    assert_eq!(
        both.evm_chains,
        vec![ChainPolicy {
            chain_id: 1,
            transaction_limit: 5,
            daily_limit: 3,
            step_up_above: 7,
        }]
    );
    assert_eq!(both.allowlist, Some(vec![RECIPIENT.to_string()]));
    assert!(!both.raw_hash_signing);
    assert_eq!(tighter(&both, &both), both);
}

#[test]
fn should_tighten_at_once_and_loosen_only_after_the_delay() {
    let now = 1_000 * DAY;
    let start = PolicyState {
        current: one_chain(1_000, 10_000, 100),
        pending: None,
    };

    let tightened = change(start.clone(), one_chain(500, 10_000, 100), now, DAY);
    assert_eq!(tightened.current, one_chain(500, 10_000, 100));
    assert_eq!(tightened.pending, None);

    for looser in [
        one_chain(2_000, 10_000, 100),
        one_chain(1_000, 10_000, 200),
        Policy {
            raw_hash_signing: true,
            ..one_chain(1_000, 10_000, 100)
        },
        default_policy(&chains()),
    ] {
        let changed = change(start.clone(), looser.clone(), now, DAY);
        assert_eq!(changed.current, tighter(&start.current, &looser));
        assert_eq!(
            changed.pending,
            Some(PendingPolicy {
                policy: looser.clone(),
                effective_at: now + DAY
            })
        );
        assert_eq!(in_force(changed.clone(), now + DAY - 1), changed);
        assert_eq!(in_force(changed, now + DAY).current, looser);
    }

    // Tightening one rule and loosening another: the tightening at once.
    let mixed = change(start.clone(), one_chain(500, 20_000, 100), now, DAY);
    assert_eq!(mixed.current, one_chain(500, 10_000, 100));
    assert_eq!(mixed.pending.unwrap().policy, one_chain(500, 20_000, 100));

    // Removing the allowlist loosens; adding one tightens.
    let listed = Policy {
        allowlist: Some(vec![RECIPIENT.into()]),
        ..start.current.clone()
    };
    assert_eq!(
        change(start.clone(), listed.clone(), now, DAY).pending,
        None
    );
    let listed = PolicyState {
        current: listed,
        pending: None,
    };
    let unlisted = change(listed.clone(), start.current.clone(), now, DAY);
    assert_eq!(unlisted.current, listed.current);
    assert!(unlisted.pending.is_some());

    // A new change replaces a pending one.
    let pending = change(start.clone(), one_chain(2_000, 10_000, 100), now, DAY);
    assert_eq!(
        change(pending, one_chain(900, 10_000, 100), now, DAY).pending,
        None
    );
}
