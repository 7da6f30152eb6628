//! Addresses for other chains: the configuration set once, who may learn
//! an account's owner, and the addresses written from the signer's keys.

use candid::Principal;
use sigil_api::identity_manager::{BitcoinNetwork, ChainsConfig, Error, InitArgs};

use super::*;
use crate::chains::{OwnerKeys, addresses, check_config, owner};

const SIGIL: &str = "https://sigil.example";

fn config(origin: &str) -> ChainsConfig {
    ChainsConfig {
        signer: Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 9, 1, 1]),
        global_origin: origin.to_string(),
        bitcoin_network: BitcoinNetwork::Regtest,
    }
}

fn with_chains(chains: ChainsConfig) -> Option<InitArgs> {
    Some(InitArgs {
        base_account_number: None,
        registration_rate_limit: None,
        registration_proof_of_work_difficulty: None,
        chains: Some(chains),
        evm_chains: None,
        policy_loosening_delay_ns: None,
    })
}

#[test]
fn should_set_the_chains_configuration_once() {
    let mut f = Fixture::with_args(with_chains(config(SIGIL)));
    f.upgrade(None);
    f.upgrade(with_chains(config(SIGIL)));
    assert_eq!(f.state.storage.chains(), Some(&config(SIGIL)));
    let moved =
        State::init(f.memory.clone()).configure(with_chains(config("https://other.example")));
    assert!(moved.is_err(), "another origin would move every address");
    let other_signer = ChainsConfig {
        signer: Principal::from_slice(&[1; 10]),
        ..config(SIGIL)
    };
    assert!(check_config(Some(&config(SIGIL)), &other_signer).is_err());
    assert_eq!(
        State::init(f.memory.clone()).storage.chains(),
        Some(&config(SIGIL))
    );
}

#[test]
fn should_refuse_a_first_configuration_without_an_origin_or_with_the_anonymous_signer() {
    assert!(check_config(None, &config("")).is_err());
    assert!(check_config(None, &config(&"x".repeat(256))).is_err());
    let anonymous = ChainsConfig {
        signer: Principal::anonymous(),
        ..config(SIGIL)
    };
    assert!(check_config(None, &anonymous).is_err());
    assert_eq!(check_config(None, &config(SIGIL)), Ok(()));
}

#[test]
fn should_own_the_keys_as_the_accounts_principal_for_sigils_origin() {
    let mut f = Fixture::with_args(with_chains(config(SIGIL)));
    let account = f.create(&passkey(1)).unwrap();
    let other = f.create(&passkey(2)).unwrap();
    let (_, owner_of_account) =
        owner(&f.state.storage, &f.env(principal_of(&passkey(1))), account).unwrap();
    assert_eq!(
        Ok(owner_of_account),
        f.principal(&passkey(1), account, SIGIL)
    );
    let (_, owner_of_other) =
        owner(&f.state.storage, &f.env(principal_of(&passkey(2))), other).unwrap();
    assert_ne!(owner_of_account, owner_of_other);
}

#[test]
fn should_tell_an_accounts_owner_only_to_its_devices() {
    let mut f = Fixture::with_args(with_chains(config(SIGIL)));
    let account = f.create(&passkey(1)).unwrap();
    f.create(&passkey(2)).unwrap();
    let dapp_session = f.principal(&passkey(1), account, ORIGIN).unwrap();
    for caller in [principal_of(&passkey(2)), dapp_session] {
        assert_eq!(
            owner(&f.state.storage, &f.env(caller), account).map(|(_, owner)| owner),
            Err(Error::Unauthorized { caller, account })
        );
    }
    assert_eq!(
        owner(&f.state.storage, &f.env(Principal::anonymous()), account).map(|(_, o)| o),
        Err(Error::AnonymousCaller)
    );
}

#[test]
fn should_let_only_a_passkey_learn_the_owner_with_two_factor_on() {
    let mut f = Fixture::with_args(with_chains(config(SIGIL)));
    let account = f.create(&passkey(1)).unwrap();
    f.add(&passkey(1), account, &ed25519_device(2)).unwrap();
    f.set_two_factor(principal_of(&passkey(1)), account, true)
        .unwrap();
    assert_eq!(
        owner(
            &f.state.storage,
            &f.env(principal_of(&ed25519_device(2))),
            account
        )
        .map(|(_, o)| o),
        Err(Error::PasskeyRequired { account })
    );
    assert!(owner(&f.state.storage, &f.env(principal_of(&passkey(1))), account).is_ok());
}

#[test]
fn should_say_so_when_no_signer_is_configured() {
    let mut f = Fixture::new();
    let account = f.create(&passkey(1)).unwrap();
    assert_eq!(
        owner(&f.state.storage, &f.env(principal_of(&passkey(1))), account).map(|(_, o)| o),
        Err(Error::ChainsNotConfigured)
    );
}

#[test]
fn should_write_the_addresses_of_the_signers_keys() {
    // The generator point (the key of the secret 1) and RFC 8032's first
    // Ed25519 key, whose addresses are well known.
    let generator =
        hex::decode("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798").unwrap();
    let ed25519 =
        hex::decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").unwrap();
    let owner = Principal::self_authenticating(b"owner");
    let written = addresses(
        owner,
        BitcoinNetwork::Mainnet,
        OwnerKeys {
            bitcoin: &generator,
            evm: &generator,
            solana: &ed25519,
        },
    )
    .unwrap();
    assert_eq!(written.owner, owner);
    assert_eq!(written.evm, "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    assert_eq!(
        written.bitcoin,
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    );
    assert_eq!(
        written.solana,
        "FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z"
    );
}

#[test]
fn should_refuse_keys_from_the_signer_that_are_not_keys() {
    let owner = Principal::self_authenticating(b"owner");
    let result = addresses(
        owner,
        BitcoinNetwork::Regtest,
        OwnerKeys {
            bitcoin: &[2; 33],
            evm: &[0; 33],
            solana: &[1; 31],
        },
    );
    assert!(matches!(result, Err(Error::SignerUnavailable { .. })));
}
