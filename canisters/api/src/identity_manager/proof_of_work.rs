//! The proof of work a registration needs while registrations are many
//! (the canister's `registration` module says when, and what it costs an
//! attacker). The canister checks it and the app finds it with the same
//! functions.

use std::ops::Range;

use candid::{CandidType, Deserialize};
use sha2::{Digest, Sha256};

use super::Timestamp;

/// Largest [`ProofOfWork`] difficulty a configuration may ask for.
pub const MAX_PROOF_OF_WORK_DIFFICULTY: u8 = 32;
/// Default difficulty: about a million SHA-256 hashes, a second or two in
/// a browser.
pub const DEFAULT_PROOF_OF_WORK_DIFFICULTY: u8 = 20;
/// How far a proof of work's timestamp may be from the canister's time.
pub const PROOF_OF_WORK_WINDOW_NS: u64 = 5 * 60 * 1_000_000_000;
/// Domain separator of the proof-of-work hash.
pub const PROOF_OF_WORK_DOMAIN: &[u8] = b"sigil-registration-pow";

/// Work done by the registering device while registrations are many: a
/// nonce such that SHA-256 of
/// `len·domain · len·canister id · len·caller · timestamp (8 bytes, big
/// endian) · nonce (8 bytes, big endian)`, lengths one byte each, starts
/// with `difficulty` zero bits. Bound to the canister and to the caller
/// (the new device), so it serves one registration only; its timestamp
/// must be within [`PROOF_OF_WORK_WINDOW_NS`] of the canister's time, so
/// work cannot be stockpiled for long.
#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProofOfWork {
    pub timestamp: Timestamp,
    pub nonce: u64,
}

/// The bytes whose SHA-256 a [`ProofOfWork`] is checked on.
pub fn proof_of_work_message(
    canister: &[u8],
    caller: &[u8],
    timestamp: Timestamp,
    nonce: u64,
) -> Vec<u8> {
    let mut message = Vec::with_capacity(96);
    for part in [PROOF_OF_WORK_DOMAIN, canister, caller] {
        message.push(part.len() as u8);
        message.extend_from_slice(part);
    }
    message.extend_from_slice(&timestamp.to_be_bytes());
    message.extend_from_slice(&nonce.to_be_bytes());
    message
}

/// The number of leading zero bits of `hash`.
pub fn leading_zero_bits(hash: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in hash {
        bits += byte.leading_zeros();
        if *byte != 0 {
            break;
        }
    }
    bits
}

/// Whether `proof` is work of `difficulty` bits for `caller` on `canister`
/// (the timestamp window is the canister's to check).
pub fn is_valid_work(canister: &[u8], caller: &[u8], proof: &ProofOfWork, difficulty: u8) -> bool {
    let message = proof_of_work_message(canister, caller, proof.timestamp, proof.nonce);
    leading_zero_bits(&Sha256::digest(message)) >= u32::from(difficulty)
}

/// Looks for work among `nonces`, so a caller can search in slices and
/// show progress in between.
pub fn search_work(
    canister: &[u8],
    caller: &[u8],
    timestamp: Timestamp,
    difficulty: u8,
    nonces: Range<u64>,
) -> Option<ProofOfWork> {
    nonces
        .map(|nonce| ProofOfWork { timestamp, nonce })
        .find(|proof| is_valid_work(canister, caller, proof, difficulty))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_count_leading_zero_bits_across_bytes() {
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0x00, 0x10]), 11);
        assert_eq!(leading_zero_bits(&[0x00, 0x00]), 16);
        assert_eq!(leading_zero_bits(&[]), 0);
    }

    #[test]
    fn should_find_work_that_checks_and_only_for_its_caller() {
        let proof = search_work(&[1], &[2], 7, 8, 0..100_000).expect("work of 8 bits");
        assert!(is_valid_work(&[1], &[2], &proof, 8));
        assert!(!is_valid_work(&[1], &[3], &proof, 8) || !is_valid_work(&[1], &[4], &proof, 8));
    }

    #[test]
    fn should_bind_the_proof_of_work_message_to_canister_and_caller() {
        let a = proof_of_work_message(&[1], &[2], 3, 4);
        assert_ne!(a, proof_of_work_message(&[1], &[3], 3, 4));
        assert_ne!(a, proof_of_work_message(&[2], &[2], 3, 4));
        // Lengths keep the parts apart: ([1, 2], []) is not ([1], [2]).
        assert_ne!(
            proof_of_work_message(&[1, 2], &[], 3, 4),
            proof_of_work_message(&[1], &[2], 3, 4)
        );
    }
}
