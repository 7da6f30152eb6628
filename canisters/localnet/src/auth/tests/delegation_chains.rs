//! Delegation chains: signables, length, expiry, tampering, targets,
//! repeated keys and the queries-only permission.

use super::*;

#[test]
fn the_delegation_signable_is_the_one_ic_agent_signs() {
    let d = delegation(vec![1, 2, 3], 42, Some(vec![canister(1)]));
    assert_eq!(delegation_signable(&d).unwrap(), d.signable());
    let with_permissions = Delegation {
        permissions: Some(DelegationPermissions::Queries),
        ..d.clone()
    };
    assert_eq!(
        delegation_signable(&with_permissions).unwrap(),
        with_permissions.signable()
    );
    assert_ne!(with_permissions.signable(), d.signable());
}

#[test]
fn a_valid_chain_across_schemes_is_accepted_for_the_root_principal() {
    let root = ed25519(20);
    let envelope = chain_envelope(
        vec![
            Box::new(ed25519(20)),
            Box::new(p256(21)),
            Box::new(secp256k1(22)),
            Box::new(ed25519(23)),
        ],
        &[],
    );
    assert_eq!(envelope.delegations.as_ref().unwrap().len(), 3);
    let auth = envelope.check().unwrap();
    assert_eq!(auth.sender, root.sender().unwrap());
    assert_eq!(auth.targets, None);
}

fn chain_of(length: usize) -> Envelope {
    let keys: Vec<Box<dyn Identity>> = (0..=length)
        .map(|i| Box::new(ed25519(100 + i as u8)) as Box<dyn Identity>)
        .collect();
    chain_envelope(keys, &[])
}

#[test]
fn a_chain_of_twenty_delegations_is_accepted_and_twenty_one_are_rejected() {
    assert!(chain_of(20).check().is_ok());
    assert_eq!(
        chain_of(21).check(),
        Err(AuthError::TooManyDelegations { count: 21, max: 20 })
    );
}

#[test]
fn an_empty_delegation_list_is_the_same_as_none() {
    let mut envelope = signed_by(&ed25519(24));
    envelope.delegations = Some(vec![]);
    assert_eq!(envelope.check().unwrap().targets, None);
}

fn two_step_chain(expiration: u64) -> Envelope {
    let root = ed25519(25);
    let session = ed25519(26);
    let d = sign_delegation(
        &root,
        delegation(session.public_key().unwrap(), expiration, None),
    );
    let identity =
        DelegatedIdentity::new_unchecked(root.public_key().unwrap(), Box::new(session), vec![d]);
    signed_by(&identity)
}

#[test]
fn an_expired_delegation_is_rejected_and_one_expiring_now_is_not() {
    assert_eq!(
        two_step_chain(NOW - 1).check(),
        Err(AuthError::DelegationExpired {
            index: 0,
            expiration: NOW - 1,
            now: NOW
        })
    );
    assert!(two_step_chain(NOW).check().is_ok());
}

#[test]
fn a_delegation_changed_after_signing_is_rejected() {
    let envelope = two_step_chain(NOW + MINUTE);
    let mut later = envelope.clone();
    later.delegations.as_mut().unwrap()[0].delegation.expiration += 1;
    let mut targeted = envelope.clone();
    targeted.delegations.as_mut().unwrap()[0].delegation.targets = Some(vec![canister(7)]);
    let mut resigned = envelope.clone();
    flip(&mut resigned.delegations.as_mut().unwrap()[0].signature, 3);
    for bad in [later, targeted, resigned] {
        assert_eq!(
            bad.check(),
            Err(AuthError::InvalidDelegation {
                index: 0,
                error: Box::new(AuthError::InvalidSignature(KeyKind::Ed25519)),
            })
        );
    }
}

#[test]
fn a_delegation_signed_by_a_key_outside_the_chain_is_rejected() {
    // sender_pubkey A, but the delegation to the session key is signed by B.
    let a = ed25519(27);
    let b = ed25519(28);
    let session = ed25519(29);
    let d = sign_delegation(
        &b,
        delegation(session.public_key().unwrap(), NOW + MINUTE, None),
    );
    let identity =
        DelegatedIdentity::new_unchecked(a.public_key().unwrap(), Box::new(session), vec![d]);
    assert!(matches!(
        signed_by(&identity).check(),
        Err(AuthError::InvalidDelegation { index: 0, .. })
    ));
}

#[test]
fn a_request_signed_by_the_root_key_instead_of_the_delegated_key_is_rejected() {
    let mut envelope = two_step_chain(NOW + MINUTE);
    let direct = signed_by(&ed25519(25));
    assert_eq!(direct.request_id, envelope.request_id);
    envelope.sig = direct.sig;
    assert_eq!(
        envelope.check(),
        Err(AuthError::InvalidSignature(KeyKind::Ed25519))
    );
}

#[test]
fn targets_intersect_along_the_chain() {
    let keys = || -> Vec<Box<dyn Identity>> {
        vec![
            Box::new(ed25519(30)),
            Box::new(ed25519(31)),
            Box::new(ed25519(32)),
        ]
    };
    let (a, b, c, d) = (canister(1), canister(2), canister(3), canister(4));
    let targets = |t: &[Option<Vec<Principal>>]| chain_envelope(keys(), t).check().unwrap().targets;

    assert_eq!(targets(&[None, None]), None);
    assert_eq!(targets(&[Some(vec![c, a, b]), None]), Some(vec![a, b, c]));
    assert_eq!(targets(&[None, Some(vec![b, d])]), Some(vec![b, d]));
    assert_eq!(
        targets(&[Some(vec![a, b, c]), Some(vec![b, c, d, c])]),
        Some(vec![b, c])
    );
    assert_eq!(targets(&[Some(vec![a]), Some(vec![b])]), Some(vec![]));
    assert_eq!(targets(&[Some(vec![]), None]), Some(vec![]));
}

#[test]
fn a_delegation_with_more_than_a_thousand_targets_is_rejected() {
    let many: Vec<Principal> = (0..1001).map(canister).collect();
    let envelope = chain_envelope(
        vec![Box::new(ed25519(33)), Box::new(ed25519(34))],
        &[Some(many)],
    );
    assert_eq!(
        envelope.check(),
        Err(AuthError::TooManyTargets {
            index: 0,
            count: 1001,
            max: 1000
        })
    );
    let thousand: Vec<Principal> = (0..1000).map(canister).collect();
    let envelope = chain_envelope(
        vec![Box::new(ed25519(33)), Box::new(ed25519(34))],
        &[Some(thousand)],
    );
    assert_eq!(envelope.check().unwrap().targets.unwrap().len(), 1000);
}

#[test]
fn a_chain_that_repeats_a_key_is_rejected() {
    // A → B → A
    let cycle = chain_envelope(
        vec![
            Box::new(ed25519(35)),
            Box::new(ed25519(36)),
            Box::new(ed25519(35)),
        ],
        &[],
    );
    assert_eq!(cycle.check(), Err(AuthError::DelegationCycle { index: 1 }));
    // A → A
    let own = chain_envelope(vec![Box::new(ed25519(37)), Box::new(ed25519(37))], &[]);
    assert_eq!(own.check(), Err(AuthError::DelegationCycle { index: 0 }));
}

#[test]
fn a_queries_only_delegation_is_reported() {
    let root = ed25519(38);
    let session = ed25519(39);
    let d = sign_delegation(
        &root,
        Delegation {
            permissions: Some(DelegationPermissions::Queries),
            ..delegation(session.public_key().unwrap(), NOW + MINUTE, None)
        },
    );
    let identity =
        DelegatedIdentity::new_unchecked(root.public_key().unwrap(), Box::new(session), vec![d]);
    let auth = signed_by(&identity).check().unwrap();
    assert!(auth.queries_only);
}
