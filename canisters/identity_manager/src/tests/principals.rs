use super::*;
use crate::delegation::{normalize_origin, seed};
use ic_canister_sig_creation::CanisterSigPublicKey;

#[test]
fn should_derive_the_seed_from_the_formula() {
    let salt: [u8; 32] = std::array::from_fn(|i| i as u8);
    // SHA-256(0x20 · salt · 0x05 · "10000" · 0x13 · "https://example.org"),
    // computed independently.
    let expected = "715cc0572378dd6afc079db356335a01ac28d908767f77a3605199a684cc1828";
    let actual: String = seed(&salt, 10_000, "https://example.org")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(actual, expected);
}

#[test]
fn should_map_icp0_io_origins_to_ic0_app() {
    assert_eq!(
        normalize_origin("https://abc-de.icp0.io"),
        "https://abc-de.ic0.app"
    );
    assert_eq!(
        normalize_origin("https://abc.raw.icp0.io"),
        "https://abc.raw.ic0.app"
    );
    assert_eq!(
        normalize_origin("https://abc.ic0.app"),
        "https://abc.ic0.app"
    );
    assert_eq!(
        normalize_origin("https://a.b.icp0.io"),
        "https://a.b.icp0.io"
    );
    assert_eq!(normalize_origin("http://abc.icp0.io"), "http://abc.icp0.io");
    assert_eq!(normalize_origin("https://.icp0.io"), "https://.icp0.io");

    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    assert_eq!(
        f.principal(&passkey(1), account, "https://abc.icp0.io"),
        f.principal(&passkey(1), account, "https://abc.ic0.app")
    );
}

#[test]
fn should_map_only_the_exact_icp0_io_host_pattern() {
    for origin in [
        "https://x.icp0.io.evil.com",
        "https://evil.com/x.icp0.io",
        "https://evil.com?x.icp0.io",
        "https://x.icp0.io:443",
        "https://x.icp0.io/",
        "https://x.icp0.io/path",
        "https://a.b.raw.icp0.io",
        "https://x.ICP0.IO",
        "HTTPS://x.icp0.io",
        "https://x@y.icp0.io",
        "https://.raw.icp0.io",
        "https://x.raw.raw.icp0.io",
        "https://icp0.io",
    ] {
        assert_eq!(normalize_origin(origin), origin, "{origin}");
    }
}

#[test]
fn should_compare_origins_exactly_as_given() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let exact = f.principal(&passkey(1), account, ORIGIN).unwrap();
    for other in [
        "https://dapp.example/",
        "https://DAPP.example",
        "https://dapp.example:443",
        "http://dapp.example",
        "https://dapp.example ",
    ] {
        assert_ne!(
            f.principal(&passkey(1), account, other).unwrap(),
            exact,
            "{other}"
        );
    }
    // An icp0.io host outside the pattern is not merged with ic0.app.
    assert_ne!(
        f.principal(&passkey(1), account, "https://x.icp0.io.evil.com"),
        f.principal(&passkey(1), account, "https://x.ic0.app.evil.com")
    );
}

#[test]
fn should_give_two_origins_two_principals() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let a = f
        .principal(&passkey(1), account, "https://a.example")
        .unwrap();
    let b = f
        .principal(&passkey(1), account, "https://b.example")
        .unwrap();
    assert_ne!(a, b);
}

#[test]
fn should_give_two_devices_of_one_account_the_same_principal() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    f.add(&passkey(1), account, &ed25519_device(2)).unwrap();
    assert_eq!(
        f.principal(&passkey(1), account, ORIGIN),
        f.principal(&ed25519_device(2), account, ORIGIN)
    );
}

#[test]
fn should_give_two_accounts_different_principals() {
    let mut f = Fixture::new();
    let a = f.create(&passkey(1)).unwrap();
    let b = f.create(&passkey(2)).unwrap();
    assert_ne!(
        f.principal(&passkey(1), a, ORIGIN).unwrap(),
        f.principal(&passkey(2), b, ORIGIN).unwrap()
    );
}

#[test]
fn should_derive_the_principal_from_the_canister_signature_key() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    let prepared = f.prepare(&passkey(1), account, None, None).unwrap();
    let key = CanisterSigPublicKey::try_from(prepared.user_key.as_slice()).unwrap();
    assert_eq!(key.canister_id, canister_id());
    assert_eq!(key.seed, seed(&[42; 32], account, ORIGIN).to_vec());
    assert_eq!(
        Principal::self_authenticating(&prepared.user_key),
        f.principal(&passkey(1), account, ORIGIN).unwrap()
    );
}

#[test]
fn should_refuse_principals_before_the_salt_is_set() {
    let mut f = Fixture::new();
    f.state = State::init(VectorMemory::default());
    let account = f.create(&passkey(1)).unwrap();
    assert_eq!(
        f.principal(&passkey(1), account, ORIGIN),
        Err(Error::SaltNotSet)
    );
    assert_eq!(
        f.prepare(&passkey(1), account, None, None),
        Err(Error::SaltNotSet)
    );
}

#[test]
fn should_never_change_the_salt_once_set() {
    let mut f = Fixture::new();
    f.state.set_salt_once(&[1; 32]).unwrap();
    assert_eq!(f.state.storage.header().salt(), Some([42; 32]));
    let mut fresh = State::init(VectorMemory::default());
    assert!(matches!(
        fresh.set_salt_once(&[1; 8]),
        Err(Error::RandomnessUnavailable { .. })
    ));
    assert_eq!(fresh.storage.header().salt(), None);
}
