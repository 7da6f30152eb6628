//! The derivation paths of the accounts' threshold keys: the one place
//! that fixes which key, and so which address, an account has.
//!
//! ```text
//! path(family, owner) = [ [scheme byte], owner ]
//!
//! family   scheme byte   threshold key
//! Bitcoin  0x00          ECDSA secp256k1   (key name from the init argument)
//! Evm      0x01          ECDSA secp256k1
//! Solana   0x02          Schnorr Ed25519
//! ```
//!
//! `owner` is the account's global principal (its bytes, 29 at most). The
//! IC derives the key from its master key, this canister's id and the path
//! (IC interface specification, `ecdsa_public_key`), so an address depends
//! on the key name, the signer's canister id, the family and the owner,
//! and on nothing else.
//!
//! FROZEN: a change here moves every person's addresses, and what they
//! hold there would be out of reach. The vectors below fail on any change.

use candid::Principal;
use sigil_api::signer::KeyFamily;

/// The first element of a family's derivation paths.
pub fn scheme_byte(family: KeyFamily) -> u8 {
    match family {
        KeyFamily::Bitcoin => 0x00,
        KeyFamily::Evm => 0x01,
        KeyFamily::Solana => 0x02,
    }
}

/// The derivation path of `owner`'s key of `family`.
pub fn path(family: KeyFamily, owner: Principal) -> Vec<Vec<u8>> {
    vec![vec![scheme_byte(family)], owner.as_slice().to_vec()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_keep_the_derivation_paths_of_every_family() {
        // A self-authenticating principal, as global principals are.
        let owner =
            Principal::from_text("lqe5t-d6kfo-rkskt-qmm2i-54uno-f566p-s775w-airdn-iwmkz-kbbz2-mqe")
                .expect("a principal");
        let bytes =
            hex::decode("ca2ba2a92a7063348ef28d717bef3e5fff6c04446d4598aca821ce9902").expect("hex");
        assert_eq!(
            path(KeyFamily::Bitcoin, owner),
            vec![vec![0x00], bytes.clone()]
        );
        assert_eq!(path(KeyFamily::Evm, owner), vec![vec![0x01], bytes.clone()]);
        assert_eq!(path(KeyFamily::Solana, owner), vec![vec![0x02], bytes]);

        let canister = Principal::from_text("rwlgt-iiaaa-aaaaa-aaaaa-cai").expect("a principal");
        assert_eq!(
            path(KeyFamily::Evm, canister),
            vec![
                vec![0x01],
                hex::decode("00000000000000000101").expect("hex")
            ]
        );
    }

    #[test]
    fn should_give_each_family_its_own_scheme_byte() {
        let bytes: std::collections::BTreeSet<u8> = KeyFamily::ALL
            .iter()
            .map(|family| scheme_byte(*family))
            .collect();
        assert_eq!(bytes.len(), KeyFamily::ALL.len());
    }
}
