use super::*;
use ic_canister_sig_creation::signature_map::CanisterSigInputs;
use ic_canister_sig_creation::{DELEGATION_SIG_DOMAIN, hash_bytes};
use ic_certification::LookupResult;
use sigil_api::identity_manager::{DEFAULT_DELEGATION_TTL_NS, MAX_DELEGATION_TTL_NS};

use crate::delegation::{delegation_message, seed};
use crate::signature_map::SIGNATURE_EXPIRATION_NS;

#[test]
fn should_default_the_ttl_to_30_minutes() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let prepared = f.prepare(&passkey(1), account, None, None).unwrap();
    assert_eq!(prepared.expiration, f.now + DEFAULT_DELEGATION_TTL_NS);
    assert_eq!(DEFAULT_DELEGATION_TTL_NS, 30 * MINUTE);
}

#[test]
fn should_shorten_ttl_longer_than_30_days() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let prepared = f
        .prepare(&passkey(1), account, Some(60 * DAY), None)
        .unwrap();
    assert_eq!(prepared.expiration, f.now + 30 * DAY);
    assert_eq!(MAX_DELEGATION_TTL_NS, 30 * DAY);
    let prepared = f
        .prepare(&passkey(1), account, Some(u64::MAX), None)
        .unwrap();
    assert_eq!(prepared.expiration, f.now + 30 * DAY);
    let prepared = f
        .prepare(&passkey(1), account, Some(2 * DAY), None)
        .unwrap();
    assert_eq!(prepared.expiration, f.now + 2 * DAY);
}

#[test]
fn should_return_a_prepared_delegation_whose_hash_is_in_the_map() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let targets = Some(vec![canister_id(), Principal::management_canister()]);
    let prepared = f
        .prepare(&passkey(1), account, None, targets.clone())
        .unwrap();
    let signed = f
        .get(&passkey(1), account, prepared.expiration, targets.clone())
        .unwrap();

    assert_eq!(
        signed.delegation.pubkey.as_slice(),
        session_key().as_slice()
    );
    assert_eq!(signed.delegation.expiration, prepared.expiration);
    assert_eq!(signed.delegation.targets, targets);

    let seed = seed(&[42; 32], account, ORIGIN);
    let message = delegation_message(&session_key(), prepared.expiration, targets.as_ref());
    let inputs = CanisterSigInputs {
        domain: DELEGATION_SIG_DOMAIN,
        seed: &seed,
        message: &message,
    };
    assert!(f.state.signatures.contains(&inputs, f.now));

    let signature = ic_canister_sig_creation::parse_canister_sig_cbor(&signed.signature).unwrap();
    let witness = f.state.signatures.witness(&inputs).unwrap();
    assert_eq!(witness.digest(), f.state.signatures.certified_data());
    let path: [&[u8]; 3] = [b"sig", &hash_bytes(seed), &inputs.message_hash()];
    assert_eq!(witness.lookup_path(path), LookupResult::Found(b""));
    // The CBOR carries this witness and the system's certificate.
    let expected = f.state.signatures.signature(&inputs, CERTIFICATE).unwrap();
    assert_eq!(signed.signature, expected);
    drop(signature);
}

#[test]
fn should_sign_targets_into_the_delegation() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let targets = Some(vec![canister_id()]);
    let prepared = f.prepare(&passkey(1), account, None, targets).unwrap();
    assert_eq!(
        f.get(&passkey(1), account, prepared.expiration, None)
            .map(|_| ()),
        Err(Error::NoSuchDelegation)
    );
    assert_eq!(
        f.get(&passkey(1), account, prepared.expiration, Some(vec![]))
            .map(|_| ()),
        Err(Error::NoSuchDelegation)
    );
}

#[test]
fn should_refuse_a_delegation_that_was_not_prepared_or_has_lapsed() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    assert_eq!(
        f.get(&passkey(1), account, f.now, None).map(|_| ()),
        Err(Error::NoSuchDelegation)
    );
    let prepared = f.prepare(&passkey(1), account, None, None).unwrap();
    f.now += SIGNATURE_EXPIRATION_NS;
    // Pruning happens on the next prepare.
    f.prepare(&passkey(1), account, Some(MINUTE), None).unwrap();
    assert_eq!(
        f.get(&passkey(1), account, prepared.expiration, None)
            .map(|_| ()),
        Err(Error::NoSuchDelegation)
    );
}

#[test]
fn should_refuse_to_collect_a_signature_a_minute_after_it_was_prepared() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let prepared = f.prepare(&passkey(1), account, None, None).unwrap();
    f.now += SIGNATURE_EXPIRATION_NS - 1;
    assert!(
        f.get(&passkey(1), account, prepared.expiration, None)
            .is_ok()
    );
    // No prepare since, so nothing was pruned: the entry is still in the
    // map, but its minute is over.
    f.now += 1;
    assert_eq!(
        f.get(&passkey(1), account, prepared.expiration, None)
            .map(|_| ()),
        Err(Error::NoSuchDelegation)
    );
}

#[test]
fn should_refuse_to_sign_without_a_certificate() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let prepared = f.prepare(&passkey(1), account, None, None).unwrap();
    let args = GetDelegationArgs {
        account,
        origin: ORIGIN.to_string(),
        session_key: ByteBuf::from(session_key()),
        expiration: prepared.expiration,
        targets: None,
    };
    let env = f.env(principal_of(&passkey(1)));
    let result = get_delegation_impl(&f.state, &env, args, None);
    assert_eq!(result.map(drop), Err(Error::NoCertificate));
}

fn prepare_for_key(
    f: &mut Fixture,
    account: AccountNumber,
    key: &[u8],
) -> Result<PreparedDelegation, Error> {
    let args = PrepareDelegationArgs {
        account,
        origin: ORIGIN.to_string(),
        session_key: ByteBuf::from(key),
        max_time_to_live: None,
        targets: None,
    };
    f.prepare_with(principal_of(&passkey(1)), &args)
}

#[test]
fn should_refuse_an_invalid_session_key() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    for key in [
        vec![],
        vec![0x30, 0x03, 0x01, 0x02, 0x03],
        test_keys::ed25519(1)[..20].to_vec(),
        test_keys::webauthn(1),
    ] {
        let result = prepare_for_key(&mut f, account, &key);
        assert!(
            matches!(result, Err(Error::InvalidSessionKey { .. })),
            "{key:?}"
        );
    }
    assert_eq!(
        prepare_for_key(&mut f, account, &[0x30; 301]),
        Err(Error::SessionKeyTooLong {
            length: 301,
            max: 300
        })
    );
    assert!(f.state.signatures.is_empty());
    for key in [test_keys::p256(1), test_keys::secp256k1(1)] {
        assert!(prepare_for_key(&mut f, account, &key).is_ok());
    }
}

#[test]
fn should_refuse_every_session_key_the_ic_cannot_verify() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    for (name, key) in test_keys::unusable() {
        let result = prepare_for_key(&mut f, account, &key);
        assert!(
            matches!(result, Err(Error::InvalidSessionKey { .. })),
            "{name}: {result:?}"
        );
    }
    assert!(f.state.signatures.is_empty());
}

#[test]
fn should_refuse_too_many_targets() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let targets = vec![canister_id(); 1_001];
    assert_eq!(
        f.prepare(&passkey(1), account, None, Some(targets)),
        Err(Error::TooManyTargets {
            count: 1_001,
            max: 1_000
        })
    );
}
