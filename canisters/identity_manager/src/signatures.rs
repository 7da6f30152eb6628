//! Signatures for other chains, prepared and finished around the signer's
//! threshold signature: what is signed is computed here from the request
//! (never a hash passed in), and each account may ask for
//! [`SIGNATURE_BURST`] signatures at once, then one every
//! [`SIGNATURE_REFILL_NS`] (a threshold signature costs the canister
//! cycles, so a stolen session cannot drain them quickly).
//!
//! Every signature made is logged for the account ([`record`], kept in
//! stable memory, the last `MAX_LOGGED_SIGNATURES`): when, which family and
//! kind, the SHA-256 and length of the message, and the dapp that asked;
//! the account's devices read it with [`signature_log_impl`].
//!
//! Invariants: only a device of the account (a passkey with two-factor on)
//! is answered, as for addresses; a signature is returned (and logged)
//! only once it checks against the account's own key; a refused request is
//! neither signed nor logged; the limits live in the heap (an upgrade
//! refills them).

use std::collections::BTreeMap;

use candid::Principal;
use ic_stable_structures::Memory;
use sha2::{Digest, Sha256};
use sigil_api::identity_manager::{
    AccountNumber, ChainsConfig, Error, EvmMessageSignature, MAX_MESSAGE_LEN, SIGNATURE_BURST,
    SIGNATURE_REFILL_NS, SignEvmMessageArgs, SolanaMessageSignature,
};
use sigil_api::identity_manager::{SignatureKind, SignatureLogArgs, SignatureRecord};
use sigil_api::signer::KeyFamily;
use sigil_chains::evm::{Address, RecoverableSignature, personal_message_hash};
use sigil_chains::solana;

use crate::authorization::authorize;
use crate::chains::{self, unusable};
use crate::rate_limit::TokenBucket;
use crate::state::Env;
use crate::storage::Storage;

/// Past this many accounts with a bucket, buckets that are full again are
/// dropped (they hold nothing a new one would not).
const MAX_BUCKETS: usize = 10_000;

/// Each account's signature bucket (heap).
#[derive(Default)]
pub struct SignatureLimits {
    buckets: BTreeMap<AccountNumber, TokenBucket>,
}

impl SignatureLimits {
    /// Takes one signature of `account`'s allowance at `now`.
    pub fn take(&mut self, account: AccountNumber, now: u64) -> Result<(), Error> {
        if self.buckets.len() >= MAX_BUCKETS {
            self.buckets.retain(|_, bucket| !bucket.is_full(now));
        }
        self.buckets
            .entry(account)
            .or_insert_with(|| TokenBucket::full(SIGNATURE_BURST, SIGNATURE_REFILL_NS))
            .take(now)
            .map_err(|wait_ns| Error::TooManySignatures {
                retry_after_seconds: wait_ns.div_ceil(1_000_000_000),
            })
    }
}

/// Checks a request to sign `message` for `account` and takes one
/// signature of the account's allowance (only once every other check
/// passed): the chains configuration and the account's global principal.
pub fn message_request<M: Memory + Clone>(
    storage: &Storage<M>,
    limits: &mut SignatureLimits,
    env: &Env,
    account: AccountNumber,
    message: &[u8],
) -> Result<(ChainsConfig, Principal), Error> {
    let (config, owner) = chains::owner(storage, env, account)?;
    if message.len() > MAX_MESSAGE_LEN {
        return Err(Error::MessageTooLong {
            length: message.len() as u64,
            max: MAX_MESSAGE_LEN as u64,
        });
    }
    limits.take(account, env.now)?;
    Ok((config, owner))
}

/// What the signer must sign for an EIP-191 message request: the chains
/// configuration, the account's global principal and the hash.
pub fn evm_message<M: Memory + Clone>(
    storage: &Storage<M>,
    limits: &mut SignatureLimits,
    env: &Env,
    args: &SignEvmMessageArgs,
) -> Result<(ChainsConfig, Principal, [u8; 32]), Error> {
    let (config, owner) = message_request(storage, limits, env, args.account, &args.message)?;
    Ok((config, owner, personal_message_hash(&args.message)))
}

/// The message signature from the signer's `r · s` over `hash`, checked
/// against the account's EVM key (SEC1).
pub fn evm_message_signature(
    public_key: &[u8],
    hash: &[u8; 32],
    signature: &[u8],
) -> Result<EvmMessageSignature, Error> {
    let address = Address::from_public_key(public_key).map_err(unusable)?;
    let signature = RecoverableSignature::new(signature, hash, public_key).map_err(unusable)?;
    Ok(EvmMessageSignature {
        address: address.to_checksummed(),
        signature: signature.to_message_signature().to_vec(),
    })
}

/// The Solana message signature from the signer, checked against the
/// account's Ed25519 key.
pub fn solana_message_signature(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<SolanaMessageSignature, Error> {
    solana::verify_message(public_key, message, signature).map_err(unusable)?;
    Ok(SolanaMessageSignature {
        address: solana::address(public_key).map_err(unusable)?,
        signature: signature.to_vec(),
    })
}

/// The log entry of a signature of `message` made at `now`.
pub fn record(
    kind: SignatureKind,
    family: KeyFamily,
    message: &[u8],
    now: u64,
    origin: Option<String>,
) -> SignatureRecord {
    SignatureRecord {
        time: now,
        family,
        kind,
        message_sha256: Sha256::digest(message).to_vec(),
        message_length: message.len() as u64,
        origin,
    }
}

/// The account's logged signatures, for its devices.
pub fn signature_log_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    env: &Env,
    args: SignatureLogArgs,
) -> Result<Vec<SignatureRecord>, Error> {
    authorize(storage, env.caller, args.account)?;
    Ok(storage.signature_log(args.account))
}
