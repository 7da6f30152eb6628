//! Calls to the signer canister, canister to canister, by the method
//! descriptors of `sigil_api::signer`. Every failure becomes
//! `Error::SignerUnavailable` with the signer's (or the system's) words.

use candid::Principal;
use ic_cdk::call::Call;
use sigil_api::identity_manager::Error;
use sigil_api::method::Method;
use sigil_api::signer::{GetPublicKey, KeyFamily, PublicKeyArgs};

fn unavailable(error: impl std::fmt::Display) -> Error {
    Error::SignerUnavailable {
        message: error.to_string(),
    }
}

/// `owner`'s public key of `family`. A bounded wait: a lookup changes
/// nothing that a retry could double.
pub async fn public_key(
    signer: Principal,
    owner: Principal,
    family: KeyFamily,
) -> Result<Vec<u8>, Error> {
    let reply = Call::bounded_wait(signer, GetPublicKey::NAME)
        .with_arg(PublicKeyArgs { owner, family })
        .await
        .map_err(unavailable)?;
    let result: <GetPublicKey as Method>::Response = reply.candid().map_err(unavailable)?;
    result
        .map(|reply| reply.public_key.into_vec())
        .map_err(unavailable)
}
