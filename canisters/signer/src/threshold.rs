//! The management canister's threshold keys, at the paths of
//! [`crate::derivation`]. The IC derives each key from the key name, this
//! canister's id and the path; signing attaches the fee that
//! `ic0.cost_sign_with_ecdsa` / `ic0.cost_sign_with_schnorr` names.

use candid::Principal;
use ic_cdk_management_canister::{
    EcdsaCurve, EcdsaKeyId, EcdsaPublicKeyArgs, SchnorrAlgorithm, SchnorrKeyId,
    SchnorrPublicKeyArgs, SignWithEcdsaArgs, SignWithSchnorrArgs,
};
use sigil_api::signer::{Algorithm, Error, KeyFamily};

use crate::derivation;

/// The lengths of what the management canister answers: a SEC1-compressed
/// secp256k1 key, an Ed25519 key, and either signature.
const ECDSA_PUBLIC_KEY_LEN: usize = 33;
const ED25519_PUBLIC_KEY_LEN: usize = 32;
const SIGNATURE_LEN: usize = 64;

fn failed(error: impl std::fmt::Display) -> Error {
    Error::ThresholdCall {
        message: error.to_string(),
    }
}

fn expect_len(bytes: Vec<u8>, len: usize, what: &str) -> Result<Vec<u8>, Error> {
    if bytes.len() == len {
        Ok(bytes)
    } else {
        Err(failed(format!(
            "the {what} is {} bytes, not {len}",
            bytes.len()
        )))
    }
}

fn ecdsa_key(name: &str) -> EcdsaKeyId {
    EcdsaKeyId {
        curve: EcdsaCurve::Secp256k1,
        name: name.to_owned(),
    }
}

fn schnorr_key(name: &str) -> SchnorrKeyId {
    SchnorrKeyId {
        algorithm: SchnorrAlgorithm::Ed25519,
        name: name.to_owned(),
    }
}

/// `owner`'s public key of `family`.
pub async fn public_key(
    key_name: &str,
    family: KeyFamily,
    owner: Principal,
) -> Result<Vec<u8>, Error> {
    let derivation_path = derivation::path(family, owner);
    match family.algorithm() {
        Algorithm::EcdsaSecp256k1 => {
            let reply = ic_cdk_management_canister::ecdsa_public_key(&EcdsaPublicKeyArgs {
                canister_id: None,
                derivation_path,
                key_id: ecdsa_key(key_name),
            })
            .await
            .map_err(failed)?;
            expect_len(reply.public_key, ECDSA_PUBLIC_KEY_LEN, "public key")
        }
        Algorithm::SchnorrEd25519 => {
            let reply = ic_cdk_management_canister::schnorr_public_key(&SchnorrPublicKeyArgs {
                canister_id: None,
                derivation_path,
                key_id: schnorr_key(key_name),
            })
            .await
            .map_err(failed)?;
            expect_len(reply.public_key, ED25519_PUBLIC_KEY_LEN, "public key")
        }
    }
}

/// A signature of `message` (checked by `requests::check_message`) by
/// `owner`'s key of `family`.
pub async fn sign(
    key_name: &str,
    family: KeyFamily,
    owner: Principal,
    message: Vec<u8>,
) -> Result<Vec<u8>, Error> {
    let derivation_path = derivation::path(family, owner);
    let signature = match family.algorithm() {
        Algorithm::EcdsaSecp256k1 => {
            ic_cdk_management_canister::sign_with_ecdsa(&SignWithEcdsaArgs {
                message_hash: message,
                derivation_path,
                key_id: ecdsa_key(key_name),
            })
            .await
            .map_err(failed)?
            .signature
        }
        Algorithm::SchnorrEd25519 => {
            ic_cdk_management_canister::sign_with_schnorr(&SignWithSchnorrArgs {
                message,
                derivation_path,
                key_id: schnorr_key(key_name),
                aux: None,
            })
            .await
            .map_err(failed)?
            .signature
        }
    };
    expect_len(signature, SIGNATURE_LEN, "signature")
}
