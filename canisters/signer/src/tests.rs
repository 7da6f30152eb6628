//! The stored state (configuration once, kept keys) and the checked-in
//! interface.

use candid::Principal;
use candid_parser::utils::{CandidSource, service_equal};
use ic_stable_structures::DefaultMemoryImpl;
use ic_stable_structures::VectorMemory;
use sigil_api::method::ServiceDescription;
use sigil_api::signer::{GetPublicKey, InitArgs, KeyFamily, Sign};

use crate::state::State;

const CHECKED_IN: &str = include_str!("../signer.did");

fn config(key_name: &str) -> InitArgs {
    InitArgs {
        identity_manager: Principal::from_slice(&[1; 10]),
        key_name: key_name.into(),
    }
}

#[test]
fn should_keep_the_first_configuration_and_refuse_another() {
    let mut state = State::init(DefaultMemoryImpl::default());
    assert!(
        state.configure(None).is_err(),
        "an install needs its argument"
    );
    state.configure(Some(config("key_1"))).expect("installed");
    state
        .configure(None)
        .expect("an upgrade without an argument");
    state
        .configure(Some(config("key_1")))
        .expect("an upgrade with the same one");
    assert!(state.configure(Some(config("test_key_1"))).is_err());
    let other_manager = InitArgs {
        identity_manager: Principal::from_slice(&[2; 10]),
        ..config("key_1")
    };
    assert!(state.configure(Some(other_manager)).is_err());
    assert_eq!(state.config(), Some(&config("key_1")));
}

#[test]
fn should_refuse_an_empty_key_name() {
    let mut state = State::init(DefaultMemoryImpl::default());
    assert!(state.configure(Some(config(""))).is_err());
    assert_eq!(state.config(), None);
}

#[test]
fn should_keep_public_keys_per_family_and_owner_across_an_upgrade() {
    let memory = VectorMemory::default();
    let (alice, bob) = (
        Principal::self_authenticating(b"alice"),
        Principal::self_authenticating(b"bob"),
    );
    let mut state = State::init(memory.clone());
    state.configure(Some(config("key_1"))).expect("installed");
    state.keep_public_key(KeyFamily::Evm, alice, vec![2; 33]);
    state.keep_public_key(KeyFamily::Solana, alice, vec![5; 32]);
    state.keep_public_key(KeyFamily::Evm, bob, vec![3; 33]);

    let upgraded = State::init(memory);
    assert_eq!(upgraded.config(), Some(&config("key_1")));
    assert_eq!(
        upgraded.public_key(KeyFamily::Evm, alice),
        Some(vec![2; 33])
    );
    assert_eq!(
        upgraded.public_key(KeyFamily::Solana, alice),
        Some(vec![5; 32])
    );
    assert_eq!(upgraded.public_key(KeyFamily::Bitcoin, alice), None);
    assert_eq!(upgraded.public_key(KeyFamily::Evm, bob), Some(vec![3; 33]));
    assert_eq!(upgraded.kept_public_keys(), 3);
}

#[test]
fn should_tell_owners_apart_whose_bytes_share_a_prefix() {
    let mut state = State::init(DefaultMemoryImpl::default());
    let short = Principal::from_slice(&[7; 9]);
    let long = Principal::from_slice(&[7; 10]);
    state.keep_public_key(KeyFamily::Evm, short, vec![1; 33]);
    assert_eq!(state.public_key(KeyFamily::Evm, long), None);
    let padded = Principal::from_slice(&[7, 7, 7, 7, 7, 7, 7, 7, 7, 0]);
    assert_eq!(state.public_key(KeyFamily::Evm, padded), None);
}

#[test]
fn should_match_the_checked_in_candid_interface() {
    let exported = crate::__export_service();
    service_equal(
        CandidSource::Text(CHECKED_IN),
        CandidSource::Text(&exported),
    )
    .unwrap_or_else(|error| panic!("signer.did differs from the canister: {error:?}\n{exported}"));
}

#[test]
fn should_describe_every_method_exactly_as_the_canister_exports_it() {
    let described = ServiceDescription::default()
        .with::<GetPublicKey>()
        .with::<Sign>()
        .into_candid();
    let exported = crate::__export_service();
    let methods_only = exported.replace("service : (InitArgs) ->", "service :");
    service_equal(
        CandidSource::Text(&described),
        CandidSource::Text(&methods_only),
    )
    .unwrap_or_else(|error| {
        panic!("the descriptors differ from the canister: {error:?}\n{described}")
    });
}
