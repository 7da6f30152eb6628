//! Signatures for other chains, in two steps around the signer's threshold
//! signature.
//!
//! `prepare_signature` ([`check_request`], then [`prepare`] once the
//! account's public key is known) reads the request, computes what the key
//! will sign (never a hash passed in) and its review from the same bytes,
//! and keeps both (`prepared`). `approve_signature` ([`approval`], then
//! [`finish`]) signs exactly that, for the caller that prepared it, once.
//!
//! Each account may have [`SIGNATURE_BURST`] signatures made at once, then
//! one every [`SIGNATURE_REFILL_NS`] (a threshold signature costs the
//! canister cycles, so a stolen session cannot drain them quickly); the
//! allowance is taken at approval, only once every other check passed.
//! Every signature made is logged for the account ([`record`], the last
//! `MAX_LOGGED_SIGNATURES`): when, which family and kind, what the review
//! called it, the chain, the SHA-256 and length of the request, and the dapp
//! that asked; the account's devices read it with [`signature_log_impl`].
//!
//! Invariants: only a device of the account (a passkey with two-factor on)
//! is answered, as for addresses; a signature is returned (and logged)
//! only once it checks against the account's own key; a refused request is
//! neither signed nor logged; limits and prepared requests live in the
//! heap (an upgrade refills the one and forgets the other).

use std::collections::BTreeMap;

use candid::Principal;
use ic_stable_structures::Memory;
use serde_bytes::ByteBuf;
use sha2::{Digest, Sha256};
use sigil_api::identity_manager::{
    AccountNumber, ApproveSignatureArgs, ChainsConfig, Error, EvmChain, MAX_MESSAGE_LEN,
    MAX_TYPED_DATA_LEN, PrepareSignatureArgs, PreparedSignature, Review, ReviewField,
    SIGNATURE_BURST, SIGNATURE_REFILL_NS, SignatureKind, SignatureLogArgs, SignatureRecord,
    SignatureRequest, Signed,
};
use sigil_api::signer::KeyFamily;
use sigil_chains::evm::quantity::parse_u64;
use sigil_chains::evm::{self, Address, RecoverableSignature, personal_message_hash};
use sigil_chains::review::message_review;
use sigil_chains::{ChainError, solana};

use crate::authorization::authorize;
use crate::chains::{self, unusable};
use crate::connections::require_connection;
use crate::delegation::validate_origin;
use crate::policies::{policy_in_force, spent_in_a_day, window_start};
use crate::policy::{Requirement, Subject, evaluate};
use crate::prepared::{Payload, Prepared};
use crate::rate_limit::TokenBucket;
use crate::state::{Env, State};
use crate::step_up::{self, challenge};
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

/// The key family that signs `request`.
pub fn family(request: &SignatureRequest) -> KeyFamily {
    match request {
        SignatureRequest::SolanaMessage { .. } => KeyFamily::Solana,
        _ => KeyFamily::Evm,
    }
}

fn malformed(error: ChainError) -> Error {
    Error::MalformedSignatureRequest {
        message: error.to_string(),
    }
}

/// The checks that need no key, made before the signer is asked for one:
/// the caller, the chains configuration, the origin and the request's size.
/// Returns the configuration and the account's global principal.
pub fn check_request<M: Memory + Clone>(
    storage: &Storage<M>,
    env: &Env,
    args: &PrepareSignatureArgs,
) -> Result<(ChainsConfig, Principal), Error> {
    let owner = chains::owner(storage, env, args.account)?;
    if let Some(origin) = &args.origin {
        validate_origin(origin)?;
        require_connection(storage, args.account, origin, env.now)?;
    }
    let (length, max) = match &args.request {
        SignatureRequest::EvmMessage { message } | SignatureRequest::SolanaMessage { message } => {
            (message.len(), MAX_MESSAGE_LEN)
        }
        SignatureRequest::EvmTypedData { json } => (json.len(), MAX_TYPED_DATA_LEN),
        SignatureRequest::EvmTransaction(_) | SignatureRequest::EvmHash { .. } => (0, 0),
    };
    if length > max {
        return Err(Error::MessageTooLong {
            length: length as u64,
            max: max as u64,
        });
    }
    Ok(owner)
}

/// A request as read: what the key signs, its review, how the log and the
/// policy see it.
struct Read {
    payload: Payload,
    review: Review,
    kind: SignatureKind,
    chain_id: Option<u64>,
    /// What the log digests: the message, the typed data's JSON or the
    /// unsigned transaction's encoding.
    digested: Vec<u8>,
    subject: Subject,
}

/// Prepares `args` for signing by `public_key` (the account's key of the
/// request's family) and returns its id and review.
pub fn prepare<M: Memory + Clone>(
    state: &mut State<M>,
    env: &Env,
    args: PrepareSignatureArgs,
    public_key: Vec<u8>,
) -> Result<PreparedSignature, Error> {
    authorize(&state.storage, env.caller, args.account)?;
    let Read {
        payload,
        review,
        kind,
        chain_id,
        digested,
        subject,
    } = match &args.request {
        SignatureRequest::EvmMessage { message } => {
            let address = Address::from_public_key(&public_key).map_err(unusable)?;
            let review = message_review("Sign a message", &address.to_checksummed(), message);
            let hash = personal_message_hash(message);
            Read {
                payload: Payload::EvmHash(hash),
                review,
                kind: SignatureKind::EvmMessage,
                chain_id: None,
                digested: message.to_vec(),
                subject: Subject::Message,
            }
        }
        SignatureRequest::EvmTypedData { json } => {
            let address = Address::from_public_key(&public_key).map_err(unusable)?;
            let data = evm::typed_data(json).map_err(malformed)?;
            let chain_id = data
                .chain_id
                .map(|id| {
                    let id = u64::try_from(id).map_err(|_| {
                        malformed(ChainError::QuantityTooLarge {
                            field: "chainId",
                            bits: 64,
                        })
                    })?;
                    evm_chain(&state.storage, id).map(|chain| chain.chain_id)
                })
                .transpose()?;
            let mut review = data.review;
            review.fields.insert(0, address_field(&address));
            let payload = Payload::EvmHash(data.signing_hash);
            Read {
                payload,
                review,
                kind: SignatureKind::EvmTypedData,
                chain_id,
                digested: json.as_bytes().to_vec(),
                subject: Subject::TypedData { chain_id },
            }
        }
        SignatureRequest::EvmTransaction(request) => {
            let address = Address::from_public_key(&public_key).map_err(unusable)?;
            let chain_id = parse_u64("chainId", &request.chain_id).map_err(malformed)?;
            let chain = evm_chain(&state.storage, chain_id)?;
            let transaction = evm::transaction(request, &chain, address).map_err(malformed)?;
            let payload = Payload::EvmTransaction {
                unsigned: Box::new(transaction.unsigned),
                hash: transaction.signing_hash,
            };
            let review = transaction.review;
            Read {
                payload,
                review,
                kind: SignatureKind::EvmTransaction,
                chain_id: Some(chain_id),
                digested: transaction.encoded,
                subject: Subject::Transaction {
                    chain_id,
                    to: transaction.to,
                    value: u128::try_from(transaction.value).unwrap_or(u128::MAX),
                },
            }
        }
        SignatureRequest::EvmHash { hash } => {
            let address = Address::from_public_key(&public_key).map_err(unusable)?;
            let hash: [u8; 32] =
                hash.as_slice()
                    .try_into()
                    .map_err(|_| Error::MalformedSignatureRequest {
                        message: format!("a hash is 32 bytes, not {}", hash.len()),
                    })?;
            let mut review = Review::new("Sign a bare hash");
            review.fields.push(address_field(&address));
            review.field("Hash", format!("0x{}", hex::encode(hash)));
            review.warn(
                "Nobody can show what a bare hash means: it may be a transaction or a permit that moves your funds.",
            );
            Read {
                payload: Payload::EvmHash(hash),
                review,
                kind: SignatureKind::EvmHash,
                chain_id: None,
                digested: hash.to_vec(),
                subject: Subject::RawHash,
            }
        }
        SignatureRequest::SolanaMessage { message } => {
            let address = solana::address(&public_key).map_err(unusable)?;
            let review = message_review("Sign a Solana message", &address, message);
            let payload = Payload::SolanaMessage(message.to_vec());
            Read {
                payload,
                review,
                kind: SignatureKind::SolanaMessage,
                chain_id: None,
                digested: message.to_vec(),
                subject: Subject::Message,
            }
        }
    };
    let requirement = evaluate_policy(&state.storage, args.account, &subject, env.now)?;
    let to_sign = payload.to_sign();
    let prepared = Prepared {
        account: args.account,
        caller: env.caller,
        expires_at: 0,
        payload,
        public_key,
        review: review.clone(),
        kind,
        request_sha256: Sha256::digest(&digested).into(),
        request_length: digested.len() as u64,
        origin: args.origin,
        chain_id,
        subject,
    };
    let (id, expires_at) = state.prepared.insert(prepared, env.now);
    let step_up_challenge = (requirement == Requirement::Passkey).then(|| {
        let challenge = challenge(env.canister_id, args.account, (id, expires_at), &to_sign);
        ByteBuf::from(challenge.to_vec())
    });
    Ok(PreparedSignature {
        id,
        review,
        expires_at,
        step_up_challenge,
    })
}

/// What the policy in force for `account` at `now` makes of `subject`.
fn evaluate_policy<M: Memory + Clone>(
    storage: &Storage<M>,
    account: AccountNumber,
    subject: &Subject,
    now: u64,
) -> Result<Requirement, Error> {
    let policy = policy_in_force(storage, account, now).current;
    let (spent, symbol) = match subject {
        Subject::Transaction { chain_id, .. } => (
            spent_in_a_day(storage, account, *chain_id, now),
            evm_chain(storage, *chain_id)?.symbol,
        ),
        _ => (0, String::new()),
    };
    evaluate(&policy, subject, spent, &symbol).map_err(|refusal| Error::PolicyRefused { refusal })
}

fn address_field(address: &Address) -> ReviewField {
    ReviewField {
        label: "Address".into(),
        value: address.to_checksummed(),
    }
}

/// The configured EVM chain `chain_id`.
fn evm_chain<M: Memory + Clone>(storage: &Storage<M>, chain_id: u64) -> Result<EvmChain, Error> {
    storage
        .evm_chains()
        .iter()
        .find(|chain| chain.chain_id == chain_id)
        .cloned()
        .ok_or(Error::UnknownEvmChain { chain_id })
}

/// A prepared signature taken for signing.
pub struct Approval {
    pub config: ChainsConfig,
    /// The account's global principal, whose keys sign.
    pub owner: Principal,
    pub prepared: Prepared,
    /// When it was approved (its spending, if any, is recorded then).
    pub at: u64,
}

/// Takes the prepared signature `args.id` for signing, when the caller
/// prepared it, is still a device of the account, the policy in force
/// still allows it (with a passkey's assertion where it asks for one) and
/// the account has allowance left. A transaction's value counts towards
/// the daily limit from here on ([`refund`] if it is not signed after
/// all), so approvals waiting for the signer together cannot exceed it.
pub fn approval<M: Memory + Clone>(
    state: &mut State<M>,
    env: &Env,
    args: &ApproveSignatureArgs,
) -> Result<Approval, Error> {
    let (config, owner) = chains::owner(&state.storage, env, args.account)?;
    let waiting = state
        .prepared
        .get(args.id, args.account, env.caller, env.now)
        .ok_or(Error::SignatureNotPrepared)?;
    let (subject, expires_at, to_sign) = (
        waiting.subject.clone(),
        waiting.expires_at,
        waiting.payload.to_sign(),
    );
    if evaluate_policy(&state.storage, args.account, &subject, env.now)? == Requirement::Passkey {
        let assertion = args.step_up.as_ref().ok_or(Error::StepUpRequired)?;
        let account = state
            .storage
            .account(args.account)
            .ok_or(Error::AccountNotFound {
                account: args.account,
            })?;
        let challenge = challenge(
            env.canister_id,
            args.account,
            (args.id, expires_at),
            &to_sign,
        );
        step_up::verify(&account, assertion, &challenge, &config.global_origin)?;
    }
    state.signature_limits.take(args.account, env.now)?;
    let prepared = state
        .prepared
        .take(args.id)
        .ok_or(Error::SignatureNotPrepared)?;
    if let Subject::Transaction {
        chain_id, value, ..
    } = prepared.subject
    {
        let at = (env.now, args.id);
        let keep_since = window_start(env.now);
        (state.storage).record_spending(args.account, chain_id, at, value, keep_since);
    }
    Ok(Approval {
        config,
        owner,
        prepared,
        at: env.now,
    })
}

/// Takes back the spending [`approval`] recorded for a transaction that
/// was not signed after all.
pub fn refund<M: Memory + Clone>(state: &mut State<M>, approval: &Approval, id: u64) {
    if let Subject::Transaction { chain_id, .. } = approval.prepared.subject {
        let account = approval.prepared.account;
        (state.storage).refund_spending(account, chain_id, (approval.at, id));
    }
}

/// The signed result from the signer's `signature` of `prepared`, checked
/// against the account's key.
pub fn finish(prepared: &Prepared, signature: &[u8]) -> Result<Signed, Error> {
    let key = &prepared.public_key;
    match &prepared.payload {
        Payload::EvmHash(hash) => {
            let signature = RecoverableSignature::new(signature, hash, key).map_err(unusable)?;
            Ok(Signed::EvmSignature {
                address: Address::from_public_key(key)
                    .map_err(unusable)?
                    .to_checksummed(),
                signature: ByteBuf::from(signature.to_message_signature().to_vec()),
            })
        }
        Payload::EvmTransaction { unsigned, hash } => {
            let signature = RecoverableSignature::new(signature, hash, key).map_err(unusable)?;
            let signed = evm::transaction::signed(unsigned, &signature);
            Ok(Signed::EvmTransaction {
                address: Address::from_public_key(key)
                    .map_err(unusable)?
                    .to_checksummed(),
                raw: ByteBuf::from(signed.raw),
                hash: ByteBuf::from(signed.hash.to_vec()),
            })
        }
        Payload::SolanaMessage(message) => {
            solana::verify_message(key, message, signature).map_err(unusable)?;
            Ok(Signed::SolanaSignature {
                address: solana::address(key).map_err(unusable)?,
                signature: ByteBuf::from(signature.to_vec()),
            })
        }
    }
}

/// The log entry of `prepared`, signed at `now`.
pub fn record(prepared: &Prepared, now: u64) -> SignatureRecord {
    SignatureRecord {
        time: now,
        family: prepared.payload.family(),
        kind: prepared.kind,
        message_sha256: prepared.request_sha256.to_vec(),
        message_length: prepared.request_length,
        origin: prepared.origin.clone(),
        chain_id: prepared.chain_id,
        summary: prepared.review.title.clone(),
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
