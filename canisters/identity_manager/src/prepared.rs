//! Signatures prepared by `prepare_signature`, waiting for
//! `approve_signature`: what the key will sign (computed when the review
//! was made, from the same bytes), who may approve it, and until when.
//!
//! Heap only: a prepared signature lasts [`PREPARED_SIGNATURE_TTL_NS`] and
//! one lost to an upgrade is prepared again. Each is bound to its account
//! and to the caller that prepared it; an account has at most
//! [`MAX_PREPARED_SIGNATURES`] waiting (preparing another drops its
//! oldest), and expired ones are pruned whenever one is added. Ids only
//! grow, so an approval never reaches a later request by an old id; an
//! approval takes the request out, so it is signed at most once.

use std::collections::BTreeMap;

use candid::Principal;
use sigil_api::identity_manager::{
    AccountNumber, MAX_PREPARED_SIGNATURES, PREPARED_SIGNATURE_TTL_NS, Review, SignatureKind,
    Timestamp,
};
use sigil_api::signer::KeyFamily;
use sigil_chains::evm::UnsignedTransaction;

use crate::policy::Subject;

/// What the account's key signs once approved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// A `personal_sign` or typed data hash, signed as a 65-byte signature.
    EvmHash([u8; 32]),
    /// A transaction and its signing hash.
    EvmTransaction {
        unsigned: Box<UnsignedTransaction>,
        hash: [u8; 32],
    },
    /// A Solana message, signed as it is (Ed25519).
    SolanaMessage(Vec<u8>),
}

impl Payload {
    /// What the signer signs: the hash (ECDSA) or the message (Ed25519).
    pub fn to_sign(&self) -> Vec<u8> {
        match self {
            Payload::EvmHash(hash) | Payload::EvmTransaction { hash, .. } => hash.to_vec(),
            Payload::SolanaMessage(message) => message.clone(),
        }
    }

    pub fn family(&self) -> KeyFamily {
        match self {
            Payload::SolanaMessage(_) => KeyFamily::Solana,
            _ => KeyFamily::Evm,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub account: AccountNumber,
    /// The only caller that may approve it.
    pub caller: Principal,
    pub expires_at: Timestamp,
    pub payload: Payload,
    /// The account's public key of the payload's family (SEC1 or
    /// Ed25519), which the signature must verify under.
    pub public_key: Vec<u8>,
    pub review: Review,
    /// For the log: the kind, and the SHA-256 and length of the message,
    /// the typed data JSON or the unsigned transaction's encoding.
    pub kind: SignatureKind,
    pub request_sha256: [u8; 32],
    pub request_length: u64,
    pub origin: Option<String>,
    pub chain_id: Option<u64>,
    /// What the policy evaluates, at preparation and again at approval.
    pub subject: Subject,
}

#[derive(Default)]
pub struct PreparedSignatures {
    next_id: u64,
    waiting: BTreeMap<u64, Prepared>,
}

impl PreparedSignatures {
    /// Keeps `prepared` (prepared at `now`; `expires_at` is set here) and
    /// returns its id and expiry.
    pub fn insert(&mut self, mut prepared: Prepared, now: Timestamp) -> (u64, Timestamp) {
        self.waiting.retain(|_, waiting| waiting.expires_at > now);
        let account = prepared.account;
        while self.of_account(account).count() >= MAX_PREPARED_SIGNATURES {
            let oldest = self.of_account(account).next().expect("counted above");
            self.waiting.remove(&oldest);
        }
        let expires_at = now.saturating_add(PREPARED_SIGNATURE_TTL_NS);
        prepared.expires_at = expires_at;
        let id = self.next_id;
        self.next_id += 1;
        self.waiting.insert(id, prepared);
        (id, expires_at)
    }

    /// The prepared signature `id` of `account`, if `caller` prepared it
    /// and it has not expired at `now`.
    pub fn get(
        &self,
        id: u64,
        account: AccountNumber,
        caller: Principal,
        now: Timestamp,
    ) -> Option<&Prepared> {
        self.waiting.get(&id).filter(|prepared| {
            prepared.account == account && prepared.caller == caller && prepared.expires_at > now
        })
    }

    /// Takes `id` out (it was approved).
    pub fn take(&mut self, id: u64) -> Option<Prepared> {
        self.waiting.remove(&id)
    }

    fn of_account(&self, account: AccountNumber) -> impl Iterator<Item = u64> + '_ {
        self.waiting
            .iter()
            .filter(move |(_, prepared)| prepared.account == account)
            .map(|(id, _)| *id)
    }

    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }
}
