//! What the signer checks before any threshold call: who asks (only the
//! identity manager named at install), for whom (never the anonymous
//! principal) and what (a 32-byte hash for ECDSA, a bounded message for
//! Ed25519). Pure functions, so the refusals are tested on the host.

use candid::Principal;
use sigil_api::signer::{
    Algorithm, ECDSA_HASH_LEN, Error, InitArgs, KeyFamily, MAX_SCHNORR_MESSAGE_LEN,
};

/// The configuration, when `caller` is the identity manager it names.
pub fn authorize(config: Option<&InitArgs>, caller: Principal) -> Result<&InitArgs, Error> {
    config
        .filter(|config| config.identity_manager == caller)
        .ok_or(Error::NotIdentityManager { caller })
}

pub fn check_owner(owner: Principal) -> Result<(), Error> {
    if owner == Principal::anonymous() {
        Err(Error::AnonymousOwner)
    } else {
        Ok(())
    }
}

/// Whether `message` is what a signature of `family` is made over.
pub fn check_message(family: KeyFamily, message: &[u8]) -> Result<(), Error> {
    match family.algorithm() {
        Algorithm::EcdsaSecp256k1 if message.len() != ECDSA_HASH_LEN => Err(Error::NotAHash {
            length: message.len() as u64,
        }),
        Algorithm::SchnorrEd25519 if message.len() > MAX_SCHNORR_MESSAGE_LEN => {
            Err(Error::MessageTooLong {
                length: message.len() as u64,
                max: MAX_SCHNORR_MESSAGE_LEN as u64,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> InitArgs {
        InitArgs {
            identity_manager: Principal::from_slice(&[1; 10]),
            key_name: "dfx_test_key".into(),
        }
    }

    #[test]
    fn should_answer_only_the_identity_manager() {
        let config = config();
        assert_eq!(
            authorize(Some(&config), config.identity_manager),
            Ok(&config)
        );
        for caller in [
            Principal::anonymous(),
            Principal::management_canister(),
            Principal::from_slice(&[2; 10]),
            Principal::self_authenticating(b"a dapp's session key"),
        ] {
            assert_eq!(
                authorize(Some(&config), caller),
                Err(Error::NotIdentityManager { caller })
            );
        }
        let caller = config.identity_manager;
        assert_eq!(
            authorize(None, caller),
            Err(Error::NotIdentityManager { caller })
        );
    }

    #[test]
    fn should_refuse_the_anonymous_owner() {
        assert_eq!(
            check_owner(Principal::anonymous()),
            Err(Error::AnonymousOwner)
        );
        assert_eq!(check_owner(Principal::self_authenticating(b"key")), Ok(()));
    }

    #[test]
    fn should_sign_only_hashes_with_ecdsa_and_bounded_messages_with_ed25519() {
        for family in [KeyFamily::Bitcoin, KeyFamily::Evm] {
            assert_eq!(check_message(family, &[7; 32]), Ok(()));
            for length in [0, 31, 33, 1_000] {
                assert_eq!(
                    check_message(family, &vec![7; length]),
                    Err(Error::NotAHash {
                        length: length as u64
                    })
                );
            }
        }
        assert_eq!(check_message(KeyFamily::Solana, b""), Ok(()));
        assert_eq!(
            check_message(KeyFamily::Solana, &vec![1; MAX_SCHNORR_MESSAGE_LEN]),
            Ok(())
        );
        assert_eq!(
            check_message(KeyFamily::Solana, &vec![1; MAX_SCHNORR_MESSAGE_LEN + 1]),
            Err(Error::MessageTooLong {
                length: MAX_SCHNORR_MESSAGE_LEN as u64 + 1,
                max: MAX_SCHNORR_MESSAGE_LEN as u64
            })
        );
    }
}
