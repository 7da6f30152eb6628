use super::*;

#[test]
fn should_refuse_non_passkey_callers_for_every_operation_with_two_factor_on() {
    let mut f = Fixture::new();
    let key = passkey(1);
    let phrase = ed25519_device(2);
    let account = f.create(&key).unwrap();
    f.add(&key, account, &phrase).unwrap();
    let by_phrase = principal_of(&phrase);
    f.set_two_factor(by_phrase, account, true).unwrap();
    assert_eq!(f.two_factor(principal_of(&key), account), Ok(true));

    let results = f.every_operation(by_phrase, account);
    assert_all_refused(results, &Error::PasskeyRequired { account });

    // The passkey prepares; the phrase still cannot collect.
    let prepared = f.prepare(&key, account, None, None).unwrap();
    assert_eq!(
        f.get(&phrase, account, prepared.expiration, None).map(drop),
        Err(Error::PasskeyRequired { account })
    );
    assert!(f.get(&key, account, prepared.expiration, None).is_ok());

    // The passkey may turn it off again.
    f.set_two_factor(principal_of(&key), account, false)
        .unwrap();
    assert!(f.principal(&phrase, account, ORIGIN).is_ok());
}

#[test]
fn should_require_a_passkey_to_turn_on_two_factor() {
    let mut f = Fixture::new();
    let phrase = ed25519_device(1);
    let account = f.create(&phrase).unwrap();
    let by_phrase = principal_of(&phrase);
    assert_eq!(
        f.set_two_factor(by_phrase, account, true),
        Err(Error::NoPasskey { account })
    );
    assert_eq!(f.two_factor(by_phrase, account), Ok(false));
}

#[test]
fn should_keep_the_last_passkey_with_two_factor_on() {
    let mut f = Fixture::new();
    let key = passkey(1);
    let account = f.create(&key).unwrap();
    f.add(&key, account, &ed25519_device(2)).unwrap();
    f.set_two_factor(principal_of(&key), account, true).unwrap();
    assert_eq!(
        f.remove(principal_of(&key), account, &key.public_key),
        Err(Error::LastPasskey)
    );
}

#[test]
fn should_refuse_a_confirmation_proposed_by_a_non_passkey_once_two_factor_is_on() {
    let mut f = Fixture::new();
    let key = passkey(1);
    let phrase = ed25519_device(2);
    let account = f.create(&key).unwrap();
    f.add(&key, account, &phrase).unwrap();
    f.propose(principal_of(&phrase), account, &passkey(3))
        .unwrap();
    f.set_two_factor(principal_of(&key), account, true).unwrap();
    assert_eq!(
        f.confirm(principal_of(&passkey(3)), account),
        Err(Error::PasskeyRequired { account })
    );
}
