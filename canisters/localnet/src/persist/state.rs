//! The store's own view of the state: like [`PersistedState`], but a
//! canister names its module by hash (the bytes live in `modules/`), and
//! commit records carry memories in sparse form.
//!
//! [`State::apply`] is the single definition of what a commit record does;
//! recovery and compaction both use it.

use std::collections::BTreeMap;

use candid::Principal;

use super::{
    CanisterMeta, GlobalValue, MAX_MEMORY_BYTES, PAGE_SIZE, PersistError, PersistedCanister,
    PersistedState, StoredRequest,
};
use crate::messages::RequestId;

/// SHA-256 of a wasm module as the controller supplied it.
pub(super) type ModuleHash = [u8; 32];

/// A memory image or delta: its length and the pages that carry data.
///
/// Invariant (enforced by the decoder and by the encoder): every page starts
/// below `len` and ends at or before `len`; a page holds at most
/// [`PAGE_SIZE`] bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Sparse {
    pub len: u64,
    pub pages: Vec<(u64, Vec<u8>)>,
}

/// How a memory changes in a commit record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Delta {
    Unchanged,
    /// Resize to `len`, then write the pages over the old contents.
    Pages(Sparse),
    /// Replace with `len` zero bytes, then write the pages.
    Full(Sparse),
}

/// How a canister's module changes in a commit record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ModuleChange {
    Keep,
    Install(ModuleHash),
    Uninstall,
}

/// One canister's changes, as stored in a commit record.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ChangeRecord {
    pub id: Principal,
    pub meta: CanisterMeta,
    pub module: ModuleChange,
    pub heap: Delta,
    pub stable: Delta,
    pub globals: Vec<GlobalValue>,
}

/// A decoded commit record.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct BatchRecord {
    pub time_nanos: u64,
    pub next_canister_index: u64,
    pub changes: Vec<ChangeRecord>,
    pub deleted: Vec<Principal>,
    pub requests: Vec<(RequestId, StoredRequest)>,
    pub pruned: Vec<RequestId>,
}

/// A canister in the store's view.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct CanisterState {
    pub meta: CanisterMeta,
    pub module: Option<ModuleHash>,
    pub heap: Vec<u8>,
    pub stable: Vec<u8>,
    pub globals: Vec<GlobalValue>,
}

/// The whole state in the store's view.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct State {
    pub time_nanos: u64,
    pub next_canister_index: u64,
    pub canisters: BTreeMap<Principal, CanisterState>,
    pub requests: BTreeMap<RequestId, StoredRequest>,
}

impl State {
    /// Applies one commit record: canister changes first, then deletions,
    /// then request insertions, then request pruning.
    pub fn apply(&mut self, record: BatchRecord) -> Result<(), PersistError> {
        self.time_nanos = record.time_nanos;
        self.next_canister_index = record.next_canister_index;
        for change in record.changes {
            let canister = self
                .canisters
                .entry(change.id)
                .or_insert_with(|| CanisterState {
                    meta: change.meta.clone(),
                    module: None,
                    heap: Vec::new(),
                    stable: Vec::new(),
                    globals: Vec::new(),
                });
            canister.meta = change.meta;
            match change.module {
                ModuleChange::Keep => {}
                ModuleChange::Install(hash) => canister.module = Some(hash),
                ModuleChange::Uninstall => canister.module = None,
            }
            apply_delta(&mut canister.heap, change.heap)?;
            apply_delta(&mut canister.stable, change.stable)?;
            canister.globals = change.globals;
        }
        for id in record.deleted {
            self.canisters.remove(&id);
        }
        for (id, request) in record.requests {
            self.requests.insert(id, request);
        }
        for id in record.pruned {
            self.requests.remove(&id);
        }
        Ok(())
    }

    /// The module hashes that canisters refer to.
    pub fn referenced_modules(&self) -> impl Iterator<Item = ModuleHash> + '_ {
        self.canisters.values().filter_map(|c| c.module)
    }

    /// Converts to the public form; `module` supplies each referenced
    /// module's bytes.
    pub fn into_persisted(
        self,
        mut module: impl FnMut(&ModuleHash) -> Result<Vec<u8>, PersistError>,
    ) -> Result<PersistedState, PersistError> {
        let mut canisters = BTreeMap::new();
        for (id, c) in self.canisters {
            let wasm = match &c.module {
                Some(hash) => Some(module(hash)?),
                None => None,
            };
            canisters.insert(
                id,
                PersistedCanister {
                    meta: c.meta,
                    wasm,
                    heap: c.heap,
                    stable: c.stable,
                    globals: c.globals,
                },
            );
        }
        Ok(PersistedState {
            time_nanos: self.time_nanos,
            next_canister_index: self.next_canister_index,
            canisters,
            requests: self.requests,
        })
    }
}

fn apply_delta(memory: &mut Vec<u8>, delta: Delta) -> Result<(), PersistError> {
    match delta {
        Delta::Unchanged => Ok(()),
        Delta::Pages(sparse) => write_sparse(memory, sparse),
        Delta::Full(sparse) => {
            *memory = materialize(sparse)?;
            Ok(())
        }
    }
}

/// Builds a memory of `sparse.len` bytes: zeros except the listed pages.
pub(super) fn materialize(sparse: Sparse) -> Result<Vec<u8>, PersistError> {
    let mut memory = Vec::new();
    write_sparse(&mut memory, sparse)?;
    Ok(memory)
}

/// Resizes `memory` to `sparse.len` (zero-filling growth) and writes the
/// pages over it.
fn write_sparse(memory: &mut Vec<u8>, sparse: Sparse) -> Result<(), PersistError> {
    resize(memory, sparse.len)?;
    for (index, bytes) in sparse.pages {
        let Some(start) = page_start(index).filter(|s| *s < memory.len()) else {
            return Err(PersistError::Corrupt(format!(
                "page {index} lies past the memory's end"
            )));
        };
        let end = start.saturating_add(bytes.len());
        let Some(target) = memory.get_mut(start..end) else {
            return Err(PersistError::Corrupt(format!(
                "page {index} runs past the memory's end"
            )));
        };
        target.copy_from_slice(&bytes);
    }
    Ok(())
}

/// The byte offset of page `index`, when it fits in `usize`.
pub(super) fn page_start(index: u64) -> Option<usize> {
    usize::try_from(index).ok()?.checked_mul(PAGE_SIZE)
}

fn resize(memory: &mut Vec<u8>, len: u64) -> Result<(), PersistError> {
    let len = usize::try_from(len)
        .ok()
        .filter(|l| (*l as u64) <= MAX_MEMORY_BYTES)
        .ok_or_else(|| PersistError::Corrupt(format!("memory length {len} is too large")))?;
    if len > memory.len() {
        memory.try_reserve_exact(len - memory.len()).map_err(|_| {
            PersistError::Io(std::io::Error::new(
                std::io::ErrorKind::OutOfMemory,
                format!("cannot allocate a memory of {len} bytes"),
            ))
        })?;
        memory.resize(len, 0);
    } else {
        memory.truncate(len);
    }
    Ok(())
}
