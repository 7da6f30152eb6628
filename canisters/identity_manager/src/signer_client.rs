//! Calls to the signer canister, canister to canister, by the method
//! descriptors of `sigil_api::signer`. Every failure becomes
//! `Error::SignerUnavailable` with the signer's (or the system's) words.

use candid::Principal;
use ic_cdk::call::Call;
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::Error;
use sigil_api::method::Method;
use sigil_api::signer::{GetPublicKey, KeyFamily, PublicKeyArgs, Sign, SignArgs};

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

/// A signature by `owner`'s key of `family` over `message`. An unbounded
/// wait: a signature costs cycles, and its reply must not be lost to a
/// timeout after it was made.
pub async fn sign(
    signer: Principal,
    owner: Principal,
    family: KeyFamily,
    message: Vec<u8>,
) -> Result<Vec<u8>, Error> {
    let reply = Call::unbounded_wait(signer, Sign::NAME)
        .with_arg(SignArgs {
            owner,
            family,
            message: ByteBuf::from(message),
        })
        .await
        .map_err(unavailable)?;
    let result: <Sign as Method>::Response = reply.candid().map_err(unavailable)?;
    result
        .map(|reply| reply.signature.into_vec())
        .map_err(unavailable)
}
