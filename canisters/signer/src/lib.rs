//! Sigil's signer: the accounts' threshold keys (chain-key ECDSA on
//! secp256k1 for Bitcoin and EVM chains, Schnorr on Ed25519 for Solana).
//! Interface: `signer.did`, whose methods and records are
//! `sigil_api::signer`.
//!
//! Only the identity manager named at install is answered (`requests`);
//! it decides whether a signature may be made, and the signer makes it at
//! the owner's fixed derivation path (`derivation`). Public keys are kept
//! in stable memory (`state`), so that only the first lookup of an
//! address costs a threshold call. No ingress message is accepted
//! (`canister_inspect_message` refuses them all): the identity manager
//! calls from canister to canister.

pub mod derivation;
pub mod requests;
pub mod state;
pub mod threshold;

use std::cell::RefCell;

use ic_cdk::{init, inspect_message, post_upgrade, update};
use ic_stable_structures::DefaultMemoryImpl;
use serde_bytes::ByteBuf;
use sigil_api::signer::{Error, InitArgs, PublicKeyArgs, PublicKeyReply, SignArgs, SignReply};

use crate::state::State;

thread_local! {
    static STATE: RefCell<State<DefaultMemoryImpl>> =
        RefCell::new(State::init(DefaultMemoryImpl::default()));
}

#[init]
fn init(args: InitArgs) {
    configure(Some(args));
}

#[post_upgrade]
fn post_upgrade(args: Option<InitArgs>) {
    configure(args);
}

fn configure(args: Option<InitArgs>) {
    if let Err(message) = STATE.with_borrow_mut(|state| state.configure(args)) {
        ic_cdk::trap(message);
    }
}

#[inspect_message]
fn inspect_message() {
    ic_cdk::trap("the signer answers only the identity manager, from canister to canister");
}

/// The key name, when the caller is the identity manager.
fn authorized_key_name() -> Result<String, Error> {
    let caller = ic_cdk::api::msg_caller();
    STATE.with_borrow(|state| {
        requests::authorize(state.config(), caller).map(|config| config.key_name.clone())
    })
}

/// `owner`'s public key of `family`: kept after the first lookup.
#[update]
async fn public_key(args: PublicKeyArgs) -> Result<PublicKeyReply, Error> {
    let key_name = authorized_key_name()?;
    requests::check_owner(args.owner)?;
    let kept = STATE.with_borrow(|state| state.public_key(args.family, args.owner));
    let public_key = match kept {
        Some(key) => key,
        None => {
            let key = threshold::public_key(&key_name, args.family, args.owner).await?;
            STATE.with_borrow_mut(|state| {
                state.keep_public_key(args.family, args.owner, key.clone())
            });
            key
        }
    };
    Ok(PublicKeyReply {
        public_key: ByteBuf::from(public_key),
    })
}

/// A signature by `owner`'s key of `family` over `message`.
#[update]
async fn sign(args: SignArgs) -> Result<SignReply, Error> {
    let key_name = authorized_key_name()?;
    requests::check_owner(args.owner)?;
    requests::check_message(args.family, &args.message)?;
    let signature =
        threshold::sign(&key_name, args.family, args.owner, args.message.into_vec()).await?;
    Ok(SignReply {
        signature: ByteBuf::from(signature),
    })
}

ic_cdk::export_candid!();

#[cfg(test)]
mod tests;
