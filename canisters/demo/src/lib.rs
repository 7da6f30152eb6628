//! The demo canister: small enough to read in one sitting, yet it touches
//! every part of the system a real canister uses.
//!
//! - `whoami` (query) and `whoami_update` (update) return the caller.
//! - A counter in stable memory (`increment`, `counter`), whose value is also
//!   the canister's certified data, so upgrades and certification can be
//!   tested against it.
//! - `random_bytes` awaits the management canister's `raw_rand`.
//! - `sign_ecdsa` asks the management canister for a threshold ECDSA public
//!   key and signature (inter-canister calls with cycles attached).
//! - `fail` traps and `spin` never ends, to exercise error paths.
//!
//! Stable memory layout: the whole stable memory is one `StableCell<u64>`
//! holding the counter.

use std::cell::RefCell;

use candid::Principal;
use ic_cdk::{init, post_upgrade, query, update};
use ic_cdk_management_canister::{
    EcdsaCurve, EcdsaKeyId, EcdsaPublicKeyArgs, SignWithEcdsaArgs, ecdsa_public_key, raw_rand,
    sign_with_ecdsa,
};
use ic_stable_structures::{DefaultMemoryImpl, StableCell};
use sigil_api::demo::{CertifiedCounter, EcdsaSignature, SignEcdsaArgs, SignEcdsaError};

/// The threshold key the local network provides for development.
const ECDSA_KEY_NAME: &str = "dfx_test_key";

thread_local! {
    static COUNTER: RefCell<StableCell<u64, DefaultMemoryImpl>> =
        RefCell::new(StableCell::init(DefaultMemoryImpl::default(), 0));
}

#[init]
fn init() {
    certify(counter());
}

#[post_upgrade]
fn post_upgrade() {
    certify(counter());
}

/// The caller, as seen by a query.
#[query]
fn whoami() -> Principal {
    ic_cdk::api::msg_caller()
}

/// The caller, as seen by an update (goes through consensus).
#[update]
fn whoami_update() -> Principal {
    ic_cdk::api::msg_caller()
}

/// Adds one to the stable counter and returns the new value.
#[update]
fn increment() -> u64 {
    let value = COUNTER.with_borrow_mut(|cell| {
        let next = cell.get().saturating_add(1);
        cell.set(next);
        next
    });
    certify(value);
    value
}

/// The stable counter.
#[query]
fn counter() -> u64 {
    COUNTER.with_borrow(|cell| *cell.get())
}

/// The stable counter with the certificate that vouches for it.
#[query]
fn certified_counter() -> CertifiedCounter {
    CertifiedCounter {
        value: counter(),
        certificate: ic_cdk::api::data_certificate().map(serde_bytes::ByteBuf::from),
    }
}

/// 32 bytes from the management canister's `raw_rand`.
#[update]
async fn random_bytes() -> Vec<u8> {
    match raw_rand().await {
        Ok(bytes) => bytes,
        Err(error) => ic_cdk::trap(format!("raw_rand failed: {error}")),
    }
}

/// Signs `message_hash` with the threshold ECDSA key derived for this
/// canister and `derivation_path`, and returns the signature with the
/// public key to check it against.
#[update]
async fn sign_ecdsa(args: SignEcdsaArgs) -> Result<EcdsaSignature, SignEcdsaError> {
    if args.message_hash.len() != 32 {
        return Err(SignEcdsaError::InvalidMessageHash {
            length: args.message_hash.len() as u64,
        });
    }
    let key_id = EcdsaKeyId {
        curve: EcdsaCurve::Secp256k1,
        name: ECDSA_KEY_NAME.to_string(),
    };
    let derivation_path: Vec<Vec<u8>> = args
        .derivation_path
        .into_iter()
        .map(|part| part.into_vec())
        .collect();
    let public_key = ecdsa_public_key(&EcdsaPublicKeyArgs {
        canister_id: None,
        derivation_path: derivation_path.clone(),
        key_id: key_id.clone(),
    })
    .await
    .map_err(|error| management_error(&error))?;
    let signature = sign_with_ecdsa(&SignWithEcdsaArgs {
        message_hash: args.message_hash,
        derivation_path,
        key_id,
    })
    .await
    .map_err(|error| management_error(&error))?;
    Ok(EcdsaSignature {
        public_key: public_key.public_key,
        signature: signature.signature,
    })
}

/// Always traps, with the given message.
#[update]
fn fail(message: String) {
    ic_cdk::trap(message)
}

/// Never returns: the system must stop it at the instruction limit.
#[update]
fn spin() -> u64 {
    let mut n: u64 = 0;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
        if std::hint::black_box(n) == u64::MAX {
            return n;
        }
    }
}

fn certify(value: u64) {
    ic_cdk::api::certified_data_set(value.to_be_bytes());
}

fn management_error(error: &dyn std::fmt::Display) -> SignEcdsaError {
    SignEcdsaError::ManagementCanister {
        message: error.to_string(),
    }
}

ic_cdk::export_candid!();
