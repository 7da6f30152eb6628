//! What a round changed, in the form the store takes it, and the ingress
//! statuses whose durability decides when they may be reported.
//!
//! Invariants:
//! - A canister's [`CommitState`] describes what the store holds of it:
//!   `committed_heap` is byte for byte the heap of the last successful
//!   commit, `dirty_stable` the stable pages written since then, `full`
//!   whether both memories must be sent whole, `wasm` a module change not yet
//!   committed. They advance only in [`CommitState::committed`], after
//!   `Store::commit` succeeded, so the changes of a failed commit roll into
//!   the next batch unchanged.
//! - A request status is reported final by [`Requests::status`] only after
//!   the batch carrying it was committed; until then it reads `Processing`.
//!   Pruning only removes committed statuses, and a pruned id is reported to
//!   the store in the next batch.
//! - Every request keeps its [`RequestOrigin`] from submission on, and its
//!   final status is stored with it, so who may read a status is known
//!   across restarts.

use std::collections::{BTreeMap, BTreeSet};

use crate::messages::{Reject, RejectCode, RequestId, RequestOrigin, RequestStatus};
use crate::persist::{MemoryChange, PAGE_SIZE, StoredRequest, StoredStatus};

/// How long a final status stays readable after its request expired.
pub(crate) const STATUS_RETENTION_NANOS: u64 = 5 * 60 * 1_000_000_000;

/// The persistence bookkeeping of one canister.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CommitState {
    pub committed_heap: Vec<u8>,
    pub committed_stable_len: u64,
    pub dirty_stable: BTreeSet<u64>,
    pub full: bool,
    pub wasm: Option<Option<Vec<u8>>>,
}

impl CommitState {
    /// A canister the store does not know yet (created in this round).
    pub fn new_canister() -> Self {
        Self {
            full: true,
            wasm: Some(None),
            ..Self::default()
        }
    }

    /// A canister restored from the store with these memories.
    pub fn restored(heap: Vec<u8>, stable_len: u64) -> Self {
        Self {
            committed_heap: heap,
            committed_stable_len: stable_len,
            ..Self::default()
        }
    }

    /// The module (and so both memories) was replaced.
    pub fn replaced(&mut self, wasm: Option<Vec<u8>>) {
        self.full = true;
        self.wasm = Some(wasm);
        self.dirty_stable.clear();
    }

    /// The changes of the memories, given the current ones.
    pub fn changes(&self, heap: &[u8], stable: &[u8]) -> (MemoryChange, MemoryChange) {
        if self.full {
            return (
                MemoryChange::Full(heap.to_vec()),
                MemoryChange::Full(stable.to_vec()),
            );
        }
        (
            heap_delta(&self.committed_heap, heap),
            stable_delta(self.committed_stable_len, stable, &self.dirty_stable),
        )
    }

    /// The store now holds what `heap` and `stable` described.
    pub fn committed(&mut self, heap: &MemoryChange, stable_len: u64) {
        apply_change(&mut self.committed_heap, heap);
        self.committed_stable_len = stable_len;
        self.dirty_stable.clear();
        self.full = false;
        self.wasm = None;
    }
}

fn page_range(index: usize, len: usize) -> std::ops::Range<usize> {
    let start = index.saturating_mul(PAGE_SIZE).min(len);
    start..start.saturating_add(PAGE_SIZE).min(len)
}

/// The pages of `current` that differ from `committed` (missing bytes of
/// `committed` count as zero).
pub(crate) fn heap_delta(committed: &[u8], current: &[u8]) -> MemoryChange {
    let mut pages = Vec::new();
    for index in 0..current.len().div_ceil(PAGE_SIZE) {
        let now = &current[page_range(index, current.len())];
        let before = &committed[page_range(index, committed.len())];
        let same = now.len() == before.len() && now == before
            || before.len() < now.len()
                && now[..before.len()] == *before
                && now[before.len()..].iter().all(|b| *b == 0);
        if !same {
            pages.push((index as u64, now.to_vec()));
        }
    }
    if pages.is_empty() && committed.len() == current.len() {
        MemoryChange::Unchanged
    } else {
        MemoryChange::Pages {
            len: current.len() as u64,
            pages,
        }
    }
}

/// The `dirty` pages of `current` (those inside it).
pub(crate) fn stable_delta(
    committed_len: u64,
    current: &[u8],
    dirty: &BTreeSet<u64>,
) -> MemoryChange {
    let pages: Vec<(u64, Vec<u8>)> = dirty
        .iter()
        .filter_map(|&index| {
            let index_usize = usize::try_from(index).ok()?;
            let range = page_range(index_usize, current.len());
            (!range.is_empty()).then(|| (index, current[range].to_vec()))
        })
        .collect();
    if pages.is_empty() && committed_len == current.len() as u64 {
        MemoryChange::Unchanged
    } else {
        MemoryChange::Pages {
            len: current.len() as u64,
            pages,
        }
    }
}

/// Applies a change to a copy of the committed memory.
pub(crate) fn apply_change(memory: &mut Vec<u8>, change: &MemoryChange) {
    match change {
        MemoryChange::Unchanged => {}
        MemoryChange::Full(bytes) => memory.clone_from(bytes),
        MemoryChange::Pages { len, pages } => {
            let len = usize::try_from(*len).unwrap_or(usize::MAX);
            memory.resize(len, 0);
            for (index, bytes) in pages {
                let Ok(index) = usize::try_from(*index) else {
                    continue;
                };
                let range = page_range(index, len);
                let n = range.len().min(bytes.len());
                memory[range.start..range.start + n].copy_from_slice(&bytes[..n]);
            }
        }
    }
}

pub(crate) fn stored_status(result: &Result<Vec<u8>, Reject>) -> StoredStatus {
    match result {
        Ok(bytes) => StoredStatus::Replied(bytes.clone()),
        Err(reject) => StoredStatus::Rejected {
            code: reject.code as u64,
            message: reject.message.clone(),
            error_code: reject.error_code.clone(),
        },
    }
}

pub(crate) fn request_status(stored: &StoredStatus) -> RequestStatus {
    match stored {
        StoredStatus::Replied(bytes) => RequestStatus::Replied(bytes.clone()),
        StoredStatus::Rejected {
            code,
            message,
            error_code,
        } => RequestStatus::Rejected(Reject {
            code: RejectCode::from_u64(*code).unwrap_or(RejectCode::CanisterError),
            message: message.clone(),
            error_code: error_code.clone(),
        }),
        StoredStatus::Done => RequestStatus::Done,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct InFlight {
    processing: bool,
    ingress_expiry: u64,
    origin: RequestOrigin,
}

/// The statuses of ingress calls.
#[derive(Debug, Default)]
pub(crate) struct Requests {
    in_flight: BTreeMap<RequestId, InFlight>,
    /// Final, not yet durable.
    uncommitted: BTreeMap<RequestId, StoredRequest>,
    /// Final and durable.
    committed: BTreeMap<RequestId, StoredRequest>,
    /// `(prune time, id)` of every committed status.
    prune_queue: BTreeSet<(u64, RequestId)>,
    /// Pruned, not yet reported to the store.
    pruned: Vec<RequestId>,
}

impl Requests {
    /// The statuses the store recovered.
    pub fn restored(stored: BTreeMap<RequestId, StoredRequest>) -> Self {
        let prune_queue = stored
            .iter()
            .map(|(id, r)| (r.ingress_expiry.saturating_add(STATUS_RETENTION_NANOS), *id))
            .collect();
        Self {
            committed: stored,
            prune_queue,
            ..Self::default()
        }
    }

    pub fn knows(&self, id: &RequestId) -> bool {
        self.in_flight.contains_key(id)
            || self.uncommitted.contains_key(id)
            || self.committed.contains_key(id)
    }

    pub fn status(&self, id: &RequestId) -> Option<RequestStatus> {
        if let Some(stored) = self.committed.get(id) {
            return Some(request_status(&stored.status));
        }
        if self.uncommitted.contains_key(id) {
            return Some(RequestStatus::Processing);
        }
        self.in_flight.get(id).map(|f| {
            if f.processing {
                RequestStatus::Processing
            } else {
                RequestStatus::Received
            }
        })
    }

    pub fn received(&mut self, id: RequestId, ingress_expiry: u64, origin: RequestOrigin) {
        self.in_flight.insert(
            id,
            InFlight {
                processing: false,
                ingress_expiry,
                origin,
            },
        );
    }

    /// Who sent the request and where, if known (statuses stored by format
    /// version 1 do not say).
    pub fn origin(&self, id: &RequestId) -> Option<RequestOrigin> {
        if let Some(f) = self.in_flight.get(id) {
            return Some(f.origin);
        }
        self.uncommitted
            .get(id)
            .or_else(|| self.committed.get(id))
            .and_then(|stored| stored.origin)
    }

    pub fn processing(&mut self, id: &RequestId) {
        if let Some(f) = self.in_flight.get_mut(id) {
            f.processing = true;
        }
    }

    /// Records the outcome of a call (durable at the next commit).
    pub fn finish(&mut self, id: RequestId, result: &Result<Vec<u8>, Reject>) {
        let Some(f) = self.in_flight.remove(&id) else {
            return;
        };
        self.uncommitted.insert(
            id,
            StoredRequest {
                status: stored_status(result),
                ingress_expiry: f.ingress_expiry,
                origin: Some(f.origin),
            },
        );
    }

    /// Drops the committed statuses whose retention ended by `now`.
    pub fn prune(&mut self, now: u64) {
        while let Some(&(at, id)) = self.prune_queue.first() {
            if at > now {
                break;
            }
            self.prune_queue.pop_first();
            if self.committed.remove(&id).is_some() {
                self.pruned.push(id);
            }
        }
    }

    /// Whether anything awaits a commit.
    pub fn has_changes(&self) -> bool {
        !self.uncommitted.is_empty() || !self.pruned.is_empty()
    }

    /// The batch's `requests` and `pruned_requests`.
    pub fn batch(&self) -> (Vec<(RequestId, StoredRequest)>, Vec<RequestId>) {
        (
            self.uncommitted
                .iter()
                .map(|(id, r)| (*id, r.clone()))
                .collect(),
            self.pruned.clone(),
        )
    }

    /// The last batch is durable: its statuses may be reported.
    pub fn committed(&mut self) {
        for (id, stored) in std::mem::take(&mut self.uncommitted) {
            self.prune_queue.insert((
                stored.ingress_expiry.saturating_add(STATUS_RETENTION_NANOS),
                id,
            ));
            self.committed.insert(id, stored);
        }
        self.pruned.clear();
    }

    /// Whether a committed status is due for pruning at `now`.
    pub fn prune_due(&self, now: u64) -> bool {
        self.prune_queue.first().is_some_and(|(at, _)| *at <= now)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn origin() -> RequestOrigin {
        RequestOrigin {
            sender: candid::Principal::anonymous(),
            canister_id: crate::ids::canister_id(1),
            effective_canister_id: crate::ids::canister_id(1),
        }
    }

    fn page(byte: u8) -> Vec<u8> {
        vec![byte; PAGE_SIZE]
    }

    #[test]
    fn should_find_no_change_in_an_identical_heap() {
        let heap = [page(1), page(2)].concat();
        assert_eq!(heap_delta(&heap, &heap), MemoryChange::Unchanged);
        assert_eq!(heap_delta(&[], &[]), MemoryChange::Unchanged);
    }

    #[test]
    fn should_send_only_the_pages_that_changed() {
        let before = [page(1), page(2), page(3)].concat();
        let after = [page(1), page(9), page(3)].concat();
        assert_eq!(
            heap_delta(&before, &after),
            MemoryChange::Pages {
                len: 3 * PAGE_SIZE as u64,
                pages: vec![(1, page(9))],
            }
        );
    }

    #[test]
    fn should_treat_grown_zero_pages_as_unchanged_but_report_the_length() {
        let before = page(1);
        let after = [page(1), page(0), page(4)].concat();
        assert_eq!(
            heap_delta(&before, &after),
            MemoryChange::Pages {
                len: 3 * PAGE_SIZE as u64,
                pages: vec![(2, page(4))],
            }
        );
    }

    #[test]
    fn should_reproduce_the_current_heap_when_the_delta_is_applied() {
        let cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (vec![], [page(1), vec![5; 10]].concat()),
            ([page(1), page(2)].concat(), page(3)),
            (
                [page(1), vec![7; 100]].concat(),
                [page(1), vec![8; 3000]].concat(),
            ),
        ];
        for (before, after) in cases {
            let mut copy = before.clone();
            apply_change(&mut copy, &heap_delta(&before, &after));
            assert_eq!(copy, after);
        }
    }

    #[test]
    fn should_send_dirty_stable_pages_inside_the_memory_only() {
        let stable = [page(1), page(2)].concat();
        let dirty: BTreeSet<u64> = [1, 5].into_iter().collect();
        assert_eq!(
            stable_delta(stable.len() as u64, &stable, &dirty),
            MemoryChange::Pages {
                len: stable.len() as u64,
                pages: vec![(1, page(2))],
            }
        );
        assert_eq!(
            stable_delta(stable.len() as u64, &stable, &BTreeSet::new()),
            MemoryChange::Unchanged
        );
        assert_eq!(
            stable_delta(0, &stable, &BTreeSet::new()),
            MemoryChange::Pages {
                len: stable.len() as u64,
                pages: vec![],
            }
        );
    }

    #[test]
    fn should_send_memories_whole_until_a_replacement_is_committed() {
        let mut state = CommitState::new_canister();
        let (heap, stable) = state.changes(&page(1), &[]);
        assert_eq!(heap, MemoryChange::Full(page(1)));
        assert_eq!(stable, MemoryChange::Full(vec![]));
        state.committed(&heap, 0);
        assert_eq!(state.wasm, None);
        assert_eq!(state.changes(&page(1), &[]).0, MemoryChange::Unchanged);
        state.replaced(Some(vec![0, 97, 115, 109]));
        assert!(matches!(
            state.changes(&page(1), &[]).0,
            MemoryChange::Full(_)
        ));
    }

    #[test]
    fn should_keep_uncommitted_changes_for_the_next_batch() {
        let mut state = CommitState::restored(page(1), 0);
        state.dirty_stable.insert(0);
        let stable = page(6);
        let (heap, stable_change) = state.changes(&page(2), &stable);
        assert!(matches!(heap, MemoryChange::Pages { .. }));
        assert!(matches!(stable_change, MemoryChange::Pages { .. }));
        // The commit failed: nothing advanced, the same changes come again.
        let again = state.changes(&page(2), &stable);
        assert_eq!(again, (heap.clone(), stable_change));
        state.committed(&heap, stable.len() as u64);
        assert_eq!(
            state.changes(&page(2), &stable),
            (MemoryChange::Unchanged, MemoryChange::Unchanged)
        );
    }

    #[test]
    fn should_report_a_status_final_only_after_it_was_committed() {
        let mut requests = Requests::default();
        let id = [1; 32];
        assert_eq!(requests.status(&id), None);
        requests.received(id, 100, origin());
        assert_eq!(requests.status(&id), Some(RequestStatus::Received));
        requests.processing(&id);
        assert_eq!(requests.status(&id), Some(RequestStatus::Processing));
        requests.finish(id, &Ok(vec![4]));
        assert_eq!(requests.status(&id), Some(RequestStatus::Processing));
        assert!(requests.knows(&id));
        let (batch, pruned) = requests.batch();
        assert_eq!(batch.len(), 1);
        assert!(pruned.is_empty());
        requests.committed();
        assert_eq!(requests.status(&id), Some(RequestStatus::Replied(vec![4])));
        assert!(!requests.has_changes());
    }

    #[test]
    fn should_prune_statuses_five_minutes_after_their_expiry() {
        let mut requests = Requests::default();
        let id = [2; 32];
        requests.received(id, 1_000, origin());
        requests.finish(
            id,
            &Err(Reject::system(RejectCode::CanisterError, "IC0503", "x")),
        );
        requests.prune(u64::MAX);
        assert!(!requests.batch().1.contains(&id), "uncommitted: kept");
        requests.committed();
        requests.prune(1_000 + STATUS_RETENTION_NANOS - 1);
        assert!(requests.status(&id).is_some());
        requests.prune(1_000 + STATUS_RETENTION_NANOS);
        assert_eq!(requests.status(&id), None);
        assert_eq!(requests.batch().1, vec![id]);
        requests.committed();
        assert!(!requests.has_changes());
    }

    #[test]
    fn should_restore_rejects_with_their_codes() {
        let reject = Reject::system(RejectCode::DestinationInvalid, "IC0301", "gone");
        let stored = stored_status(&Err(reject.clone()));
        assert_eq!(request_status(&stored), RequestStatus::Rejected(reject));
        let requests = Requests::restored(
            [(
                [3; 32],
                StoredRequest {
                    status: StoredStatus::Done,
                    ingress_expiry: 0,
                    origin: None,
                },
            )]
            .into_iter()
            .collect(),
        );
        assert_eq!(requests.status(&[3; 32]), Some(RequestStatus::Done));
    }
}
