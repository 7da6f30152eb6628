//! Durable state: everything the local network knows lives in its state
//! directory, and an update acknowledged to a client survives `kill -9`.
//!
//! The replica hands the store one [`CommitBatch`] per execution round, before
//! it answers any client about that round; [`Store::commit`] returns only
//! once the batch is on disk (fsync). [`Store::open`] rebuilds the last
//! committed state.

use std::collections::BTreeMap;
use std::path::Path;

use candid::Principal;

use crate::messages::RequestId;

/// Granularity of memory deltas, in bytes.
pub const PAGE_SIZE: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("state directory I/O failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("state directory is corrupt: {0}")]
    Corrupt(String),
}

/// The value of one exported mutable wasm global.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GlobalValue {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
}

/// The lifecycle status of a canister (management canister's `status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Stopping,
    Stopped,
}

/// Everything about a canister except its memories and module.
#[derive(Clone, Debug, PartialEq)]
pub struct CanisterMeta {
    pub controllers: Vec<Principal>,
    pub certified_data: Vec<u8>,
    /// Nanoseconds since the epoch; 0 when unset.
    pub global_timer: u64,
    pub cycles: u128,
    pub status: RunStatus,
    pub module_hash: Option<[u8; 32]>,
}

/// A canister's full persisted state.
#[derive(Clone, Debug, PartialEq)]
pub struct PersistedCanister {
    pub meta: CanisterMeta,
    /// The installed module as the controller supplied it (before
    /// instrumentation), if any.
    pub wasm: Option<Vec<u8>>,
    pub heap: Vec<u8>,
    pub stable: Vec<u8>,
    /// Exported mutable globals, in export order.
    pub globals: Vec<GlobalValue>,
}

/// A finished ingress call's outcome, kept until it may no longer be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoredStatus {
    Replied(Vec<u8>),
    Rejected {
        code: u64,
        message: String,
        error_code: Option<String>,
    },
    Done,
}

/// A request status with the time after which it may be pruned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRequest {
    pub status: StoredStatus,
    pub ingress_expiry: u64,
}

/// What [`Store::open`] recovers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PersistedState {
    pub time_nanos: u64,
    pub next_canister_index: u64,
    pub canisters: BTreeMap<Principal, PersistedCanister>,
    pub requests: BTreeMap<RequestId, StoredRequest>,
}

/// How a memory changed in a round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemoryChange {
    Unchanged,
    /// The memory's new length in bytes and the [`PAGE_SIZE`] pages that
    /// differ from what was last committed (index, contents). Pages past
    /// the new length are dropped; pages not listed keep their old content
    /// (zero where the memory grew).
    Pages {
        len: u64,
        pages: Vec<(u64, Vec<u8>)>,
    },
    /// The memory was replaced whole (install, reinstall, upgrade's heap reset).
    Full(Vec<u8>),
}

/// One canister's changes in a round.
#[derive(Clone, Debug, PartialEq)]
pub struct CanisterChange {
    pub id: Principal,
    pub meta: CanisterMeta,
    /// `Some(Some(wasm))` when a module was installed, `Some(None)` when it
    /// was uninstalled, `None` when the module did not change.
    pub wasm: Option<Option<Vec<u8>>>,
    pub heap: MemoryChange,
    pub stable: MemoryChange,
    pub globals: Vec<GlobalValue>,
}

/// Everything one execution round changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommitBatch {
    pub time_nanos: u64,
    pub next_canister_index: u64,
    pub canisters: Vec<CanisterChange>,
    pub deleted_canisters: Vec<Principal>,
    pub requests: Vec<(RequestId, StoredRequest)>,
    pub pruned_requests: Vec<RequestId>,
}

/// The on-disk store.
pub struct Store {
    _private: (),
}

impl Store {
    /// Opens the store in `dir` (creating it when absent) and recovers the
    /// last committed state.
    pub fn open(dir: &Path) -> Result<(Store, PersistedState), PersistError> {
        // Interface stub: keeps nothing.
        let _ = dir;
        Ok((Store { _private: () }, PersistedState::default()))
    }

    /// Makes `batch` durable; returns only once it is on disk.
    pub fn commit(&mut self, batch: &CommitBatch) -> Result<(), PersistError> {
        // Interface stub: keeps nothing.
        let _ = batch;
        Ok(())
    }
}
