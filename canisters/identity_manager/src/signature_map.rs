//! Canister signatures awaiting collection: the certified map
//! `sig / SHA-256(seed) / message hash → ""` of the IC interface
//! specification ("Canister signatures").
//!
//! The map lives in the heap, not in stable memory: an entry is useful for
//! one minute only, and after an upgrade a client simply calls
//! `prepare_delegation` again. The canister's certified data is always
//! [`SignatureMap::certified_data`] (set after every change).
//!
//! Time and the certificate are passed in, so the map runs natively in
//! tests. Its tree shape and CBOR encoding are those that
//! `ic-canister-sig-creation` produces and verifiers expect.
//!
//! Invariants: every entry has one expiry (the latest `add` wins);
//! `add` first prunes expired entries (at most [`MAX_PRUNE_PER_ADD`], so an
//! update's cost stays bounded). An expired entry that is not pruned yet
//! stays in the certified tree (removing it would need an update) but is
//! no longer handed out ([`SignatureMap::contains`] is false).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use ic_canister_sig_creation::hash_bytes;
use ic_canister_sig_creation::signature_map::{CanisterSigInputs, LABEL_SIG};
use ic_certification::{AsHashTree, Hash, HashTree, RbTree, labeled, labeled_hash};
use serde::Serialize;
use serde_bytes::ByteBuf;

/// How long a prepared signature can be collected.
pub const SIGNATURE_EXPIRATION_NS: u64 = 60 * 1_000_000_000;
/// Most expired entries removed by one `add`.
pub const MAX_PRUNE_PER_ADD: usize = 100;

#[derive(Default)]
pub struct SignatureMap {
    tree: RbTree<Hash, RbTree<Hash, Vec<u8>>>,
    expiry: BTreeMap<(Hash, Hash), u64>,
    queue: BinaryHeap<Reverse<(u64, Hash, Hash)>>,
}

/// The CBOR canister signature (`{certificate, tree}`).
#[derive(Serialize)]
struct CanisterSig<'a> {
    certificate: &'a ByteBuf,
    tree: HashTree,
}

impl SignatureMap {
    /// Adds the signature for `inputs`, collectable until
    /// `now + SIGNATURE_EXPIRATION_NS`, after pruning expired ones.
    pub fn add(&mut self, inputs: &CanisterSigInputs, now: u64) {
        self.prune(now);
        let seed_hash = hash_bytes(inputs.seed);
        let message_hash = inputs.message_hash();
        let expires_at = now.saturating_add(SIGNATURE_EXPIRATION_NS);
        match self.tree.get(&seed_hash) {
            Some(_) => self.tree.modify(&seed_hash, |messages| {
                messages.insert(message_hash, Vec::new())
            }),
            None => {
                let mut messages = RbTree::new();
                messages.insert(message_hash, Vec::new());
                self.tree.insert(seed_hash, messages);
            }
        }
        self.expiry.insert((seed_hash, message_hash), expires_at);
        self.queue
            .push(Reverse((expires_at, seed_hash, message_hash)));
    }

    /// Removes up to [`MAX_PRUNE_PER_ADD`] entries that expired at `now`.
    fn prune(&mut self, now: u64) -> usize {
        let mut pruned = 0;
        while pruned < MAX_PRUNE_PER_ADD {
            let Some(Reverse((expires_at, seed_hash, message_hash))) = self.queue.peek().copied()
            else {
                break;
            };
            if expires_at > now {
                break;
            }
            self.queue.pop();
            // A later `add` of the same entry pushed a later expiry: keep it.
            if self.expiry.get(&(seed_hash, message_hash)) != Some(&expires_at) {
                continue;
            }
            self.expiry.remove(&(seed_hash, message_hash));
            let mut now_empty = false;
            self.tree.modify(&seed_hash, |messages| {
                messages.delete(&message_hash);
                now_empty = messages.is_empty();
            });
            if now_empty {
                self.tree.delete(&seed_hash);
            }
            pruned += 1;
        }
        pruned
    }

    pub fn len(&self) -> usize {
        self.expiry.len()
    }

    pub fn is_empty(&self) -> bool {
        self.expiry.is_empty()
    }

    /// Whether the signature for `inputs` can still be collected at `now`:
    /// an entry expires a minute after it was added, whether or not an
    /// `add` has pruned it yet.
    pub fn contains(&self, inputs: &CanisterSigInputs, now: u64) -> bool {
        self.expiry
            .get(&(hash_bytes(inputs.seed), inputs.message_hash()))
            .is_some_and(|&expires_at| expires_at > now)
    }

    /// What the canister certifies: the root hash of the tree under `sig`.
    pub fn certified_data(&self) -> Hash {
        labeled_hash(LABEL_SIG, &self.tree.root_hash())
    }

    /// The witness for `inputs` (a tree whose digest is `certified_data`),
    /// or `None` if the map does not hold the entry.
    pub fn witness(&self, inputs: &CanisterSigInputs) -> Option<HashTree> {
        let seed_hash = hash_bytes(inputs.seed);
        let message_hash = inputs.message_hash();
        self.tree.get(&seed_hash)?.get(&message_hash)?;
        let tree = self
            .tree
            .nested_witness(&seed_hash, |messages| messages.witness(&message_hash));
        Some(labeled(LABEL_SIG, tree))
    }

    /// The CBOR canister signature for `inputs` with the system's
    /// `certificate` of this canister's certified data.
    pub fn signature(&self, inputs: &CanisterSigInputs, certificate: &[u8]) -> Option<Vec<u8>> {
        let tree = self.witness(inputs)?;
        let signature = CanisterSig {
            certificate: &ByteBuf::from(certificate),
            tree,
        };
        let mut serializer = serde_cbor::Serializer::new(Vec::new());
        serializer.self_describe().ok()?;
        signature.serialize(&mut serializer).ok()?;
        Some(serializer.into_inner())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // test code
mod tests {
    use super::*;
    use ic_canister_sig_creation::{DELEGATION_SIG_DOMAIN, parse_canister_sig_cbor};
    use ic_certification::{LookupResult, leaf_hash};

    fn inputs<'a>(seed: &'a [u8], message: &'a [u8]) -> CanisterSigInputs<'a> {
        CanisterSigInputs {
            domain: DELEGATION_SIG_DOMAIN,
            seed,
            message,
        }
    }

    #[test]
    fn should_certify_the_tree_of_the_interface_specification() {
        let mut map = SignatureMap::default();
        let entry = inputs(b"seed", b"message");
        map.add(&entry, 0);
        let expected = labeled_hash(
            b"sig",
            &labeled_hash(
                &hash_bytes(b"seed"),
                &labeled_hash(&entry.message_hash(), &leaf_hash(b"")),
            ),
        );
        assert_eq!(map.certified_data(), expected);
    }

    #[test]
    fn should_give_a_witness_whose_digest_is_the_certified_data() {
        let mut map = SignatureMap::default();
        map.add(&inputs(b"a", b"1"), 0);
        map.add(&inputs(b"a", b"2"), 0);
        map.add(&inputs(b"b", b"1"), 0);
        let entry = inputs(b"a", b"2");
        let witness = map.witness(&entry).unwrap();
        assert_eq!(witness.digest(), map.certified_data());
        let path: [&[u8]; 3] = [b"sig", &hash_bytes(b"a"), &entry.message_hash()];
        assert_eq!(witness.lookup_path(path), LookupResult::Found(b""));
    }

    #[test]
    fn should_encode_a_signature_the_reference_parser_reads() {
        let mut map = SignatureMap::default();
        let entry = inputs(b"seed", b"message");
        map.add(&entry, 0);
        let cbor = map.signature(&entry, b"certificate").unwrap();
        assert_eq!(&cbor[..3], &[0xd9, 0xd9, 0xf7]);
        assert!(parse_canister_sig_cbor(&cbor).is_ok());
    }

    #[test]
    fn should_prune_entries_a_minute_after_they_were_added() {
        let mut map = SignatureMap::default();
        map.add(&inputs(b"old", b"1"), 0);
        map.add(&inputs(b"later", b"1"), 30 * 1_000_000_000);
        let empty_root = SignatureMap::default().certified_data();

        map.add(&inputs(b"new", b"1"), SIGNATURE_EXPIRATION_NS - 1);
        assert_eq!(map.len(), 3);

        map.add(&inputs(b"new", b"2"), SIGNATURE_EXPIRATION_NS);
        assert!(!map.contains(&inputs(b"old", b"1"), 0));
        assert!(map.witness(&inputs(b"old", b"1")).is_none());
        assert!(map.contains(&inputs(b"later", b"1"), SIGNATURE_EXPIRATION_NS));
        assert_eq!(map.len(), 3);

        map.add(&inputs(b"x", b"1"), 10 * SIGNATURE_EXPIRATION_NS);
        assert_eq!(map.len(), 1);
        assert_ne!(map.certified_data(), empty_root);
    }

    #[test]
    fn should_keep_an_entry_added_again_until_its_latest_expiry() {
        let mut map = SignatureMap::default();
        map.add(&inputs(b"s", b"m"), 0);
        map.add(&inputs(b"s", b"m"), 50 * 1_000_000_000);
        map.add(&inputs(b"t", b"m"), SIGNATURE_EXPIRATION_NS + 1);
        assert!(map.contains(&inputs(b"s", b"m"), SIGNATURE_EXPIRATION_NS + 1));
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn should_bound_the_work_of_one_prune() {
        let mut map = SignatureMap::default();
        for i in 0..(MAX_PRUNE_PER_ADD + 10) as u32 {
            map.add(&inputs(b"s", &i.to_be_bytes()), 0);
        }
        map.add(&inputs(b"t", b"m"), SIGNATURE_EXPIRATION_NS);
        assert_eq!(map.len(), 11);
    }
}
