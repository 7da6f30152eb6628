//! Durable state: everything the local network knows lives in its state
//! directory, and an update acknowledged to a client survives `kill -9`.
//!
//! The replica hands the store one [`CommitBatch`] per execution round, before
//! it answers any client about that round; [`Store::commit`] returns only
//! once the batch is on disk (fsync). [`Store::open`] rebuilds the last
//! committed state.
//!
//! # On-disk layout
//!
//! ```text
//! <dir>/
//! ├── LOCK                  exclusive lock (flock) of the process using the
//! │                         directory; holds its pid, for the error message
//! ├── checkpoint            full state at generation G           (checkpoint.rs)
//! ├── wal                   header(G) + commit records 1, 2, …   (wal.rs)
//! │     ┌────────┬──────────────────┬──────────────────┬─────┐
//! │     │ header │ "SGRC" len seq   │ "SGRC" len seq   │ …   │
//! │     │ G      │ sha256 payload   │ sha256 payload   │     │
//! │     └────────┴──────────────────┴──────────────────┴─────┘
//! ├── modules/
//! │   └── <sha256 hex>.wasm each distinct module once, as the controller
//! │                         supplied it; referenced by hash
//! └── checkpoint.tmp, wal.tmp, modules/*.tmp
//!                           transient: files written before their rename
//! ```
//!
//! Payload encodings are in `codec.rs`: hand-written, versioned (by the file
//! headers), little-endian, length-prefixed. Memories travel as sparse page
//! lists ([`PAGE_SIZE`] pages): a record carries the pages a round changed,
//! a checkpoint the non-zero pages.
//!
//! # Invariants
//!
//! 1. The state is the checkpoint (generation G) with the intact records of
//!    `wal` applied in order, if `wal`'s header names generation G. A `wal`
//!    naming an older generation is stale (a crash interrupted compaction
//!    after the new checkpoint was in place) and is ignored; one naming a
//!    newer generation, or a `wal` without a checkpoint, is corruption.
//! 2. [`Store::commit`] appends exactly one record and fsyncs the log before
//!    it returns. So only the last record can be torn by a crash; `open`
//!    drops a damaged tail. A damaged record followed by an intact later one
//!    is damage in the middle of the log, reported as
//!    [`PersistError::Corrupt`], never silently dropped.
//! 3. A failed append is cut off the log before the next one; if that, or
//!    an fsync, or a step of compaction past its point of no return fails,
//!    the store refuses every further commit (it cannot vouch for the file
//!    any more): the replica must restart, and `open` recovers.
//! 4. A module file is complete and fsynced before any record or checkpoint
//!    refers to it. Module files are deleted only after a checkpoint that
//!    does not refer to them has replaced the log that might.
//! 5. `checkpoint` and `wal` are only ever replaced whole: write a temporary
//!    file, fsync it, rename it over the old one, fsync the directory.
//!
//! # Compaction
//!
//! `open` always compacts; `commit` compacts when the log grows past
//! [`DEFAULT_LOG_LIMIT`] (see [`Store::set_log_limit`]):
//!
//! 1. read the checkpoint and replay the log (the same code as recovery);
//! 2. write `checkpoint.tmp` at generation G+1, fsync, rename over
//!    `checkpoint` (point of no return: the old log is now stale);
//! 3. fsync the directory, write `wal.tmp` with header G+1, fsync, rename
//!    over `wal`, fsync the directory;
//! 4. delete the module files the new state does not refer to.
//!
//! A crash between any two steps leaves a directory that recovers to the
//! same state. The store keeps no copy of the state in memory between
//! commits; compaction holds one while it runs.
//!
//! # Untrusted input
//!
//! Decoding never panics and never allocates more than the file holds:
//! every file is checksummed (SHA-256) before it is decoded, every length is
//! checked against the bytes that remain, and memory lengths (sparse, so not
//! backed by bytes) are capped at [`MAX_MEMORY_BYTES`] and reserved
//! fallibly.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use candid::Principal;
use sha2::{Digest, Sha256};

use crate::messages::{RequestId, RequestOrigin};

mod checkpoint;
mod codec;
mod state;
#[cfg(test)]
mod tests;
mod wal;

use state::{ModuleHash, State};

/// Granularity of memory deltas, in bytes.
pub const PAGE_SIZE: usize = 4096;

/// The log size past which [`Store::commit`] writes a new checkpoint.
pub const DEFAULT_LOG_LIMIT: u64 = 64 << 20;

/// The largest memory (heap or stable) the store accepts or decodes.
pub const MAX_MEMORY_BYTES: u64 = 64 << 30;

const LOCK_FILE: &str = "LOCK";
const CHECKPOINT_FILE: &str = "checkpoint";
const CHECKPOINT_TMP: &str = "checkpoint.tmp";
const LOG_FILE: &str = "wal";
const LOG_TMP: &str = "wal.tmp";
const MODULES_DIR: &str = "modules";

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

/// A request status with the time after which it may be pruned, and who
/// may read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRequest {
    pub status: StoredStatus,
    pub ingress_expiry: u64,
    /// `None` for statuses recorded by format version 1, which did not keep
    /// it (nobody may read those).
    pub origin: Option<RequestOrigin>,
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

/// Counters describing the store, for logs and tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// The generation of the current checkpoint.
    pub generation: u64,
    /// The log's size in bytes, header included.
    pub log_bytes: u64,
    /// Records in the log since the current checkpoint.
    pub log_records: u64,
    /// Commits since `open`.
    pub commits: u64,
    /// Checkpoints written since `open` (including the one `open` writes).
    pub checkpoints: u64,
    /// Records `open` replayed from the log.
    pub replayed_records: u64,
    /// Bytes of a torn or damaged log tail that `open` dropped.
    pub dropped_tail_bytes: u64,
}

/// The on-disk store. Holds the directory's lock while it lives.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    _lock: File,
    log: File,
    generation: u64,
    log_len: u64,
    next_seq: u64,
    log_limit: u64,
    /// Module files known to be complete on disk.
    modules: HashSet<ModuleHash>,
    /// Why the store stopped accepting commits, if it did.
    poisoned: Option<String>,
    stats: StoreStats,
}

impl Store {
    /// Opens the store in `dir` (creating it when absent) and recovers the
    /// last committed state.
    ///
    /// Fails with an [`io::ErrorKind::ResourceBusy`] error when another
    /// process (or another live `Store`) uses the directory.
    pub fn open(dir: &Path) -> Result<(Store, PersistedState), PersistError> {
        if !dir.exists() {
            fs::create_dir_all(dir)?;
            if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                sync_dir(parent)?;
            }
        }
        let lock = lock_dir(dir)?;
        fs::create_dir_all(dir.join(MODULES_DIR))?;

        let recovered = recover(dir)?;
        // Every module the state needs must be present and intact before
        // anything is rewritten.
        let mut wasm: HashMap<ModuleHash, Vec<u8>> = HashMap::new();
        for hash in recovered.state.referenced_modules() {
            if let Entry::Vacant(slot) = wasm.entry(hash) {
                slot.insert(read_module(dir, &hash)?);
            }
        }

        let generation = recovered.generation + 1;
        write_checkpoint(dir, generation, &recovered.state)?;
        let log = start_log(dir, generation)?;
        let modules: HashSet<ModuleHash> = wasm.keys().copied().collect();
        remove_unreferenced_modules(dir, &modules);

        let store = Store {
            dir: dir.to_path_buf(),
            _lock: lock,
            log,
            generation,
            log_len: wal::HEADER_LEN as u64,
            next_seq: 1,
            log_limit: DEFAULT_LOG_LIMIT,
            modules,
            poisoned: None,
            stats: StoreStats {
                checkpoints: 1,
                replayed_records: recovered.records,
                dropped_tail_bytes: recovered.dropped_tail_bytes,
                ..StoreStats::default()
            },
        };
        let state = recovered.state.into_persisted(|hash| {
            wasm.get(hash).cloned().ok_or_else(|| {
                PersistError::Corrupt(format!("module {} vanished", hex::encode(hash)))
            })
        })?;
        Ok((store, state))
    }

    /// Makes `batch` durable; returns only once it is on disk.
    ///
    /// On `Err` the batch may or may not be durable (like a crash during
    /// the call): the caller must not acknowledge it. Applying the same
    /// batch twice gives the same state as applying it once.
    pub fn commit(&mut self, batch: &CommitBatch) -> Result<(), PersistError> {
        self.check_usable()?;
        validate(batch)?;
        let mut hashes = Vec::with_capacity(batch.canisters.len());
        for change in &batch.canisters {
            hashes.push(match &change.wasm {
                Some(Some(wasm)) => Some(self.store_module(wasm)?),
                _ => None,
            });
        }
        let mut w = codec::Writer {
            buf: wal::record_buffer(),
        };
        codec::encode_batch(&mut w, batch, &hashes);
        let mut record = w.buf;
        wal::seal(&mut record, self.next_seq);
        self.append(&record)?;
        self.stats.commits += 1;
        if self.log_len > self.log_limit {
            self.compact()?;
        }
        Ok(())
    }

    /// Writes a checkpoint of the committed state now and starts an empty
    /// log.
    pub fn checkpoint(&mut self) -> Result<(), PersistError> {
        self.check_usable()?;
        self.compact()
    }

    /// Sets the log size past which `commit` writes a checkpoint
    /// (default [`DEFAULT_LOG_LIMIT`]).
    pub fn set_log_limit(&mut self, bytes: u64) {
        self.log_limit = bytes;
    }

    /// The state directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Current counters.
    pub fn stats(&self) -> StoreStats {
        StoreStats {
            generation: self.generation,
            log_bytes: self.log_len,
            log_records: self.next_seq - 1,
            ..self.stats.clone()
        }
    }

    fn check_usable(&self) -> Result<(), PersistError> {
        match &self.poisoned {
            None => Ok(()),
            Some(reason) => Err(PersistError::Io(io::Error::other(format!(
                "the store refuses commits after an earlier failure ({reason}); \
                 restart localnet to recover the state directory"
            )))),
        }
    }

    fn poison(&mut self, reason: String) {
        self.poisoned.get_or_insert(reason);
    }

    /// Writes `wasm` to `modules/` unless it is already there.
    fn store_module(&mut self, wasm: &[u8]) -> Result<ModuleHash, PersistError> {
        let hash: ModuleHash = Sha256::digest(wasm).into();
        if !self.modules.contains(&hash) {
            let path = module_path(&self.dir, &hash);
            let tmp = path.with_extension("tmp");
            write_synced(&tmp, &[wasm])?;
            fs::rename(&tmp, &path)?;
            sync_dir(&self.dir.join(MODULES_DIR))?;
            self.modules.insert(hash);
        }
        Ok(hash)
    }

    /// Appends one sealed record and fsyncs the log.
    fn append(&mut self, record: &[u8]) -> Result<(), PersistError> {
        if let Err(e) = self.log.write_all(record) {
            // Cut the partial record off so the next one follows intact ones.
            if let Err(e2) = self.log.set_len(self.log_len) {
                self.poison(format!("a partial log record could not be removed: {e2}"));
            }
            return Err(e.into());
        }
        if let Err(e) = self.log.sync_data() {
            self.poison(format!("fsync of the log failed: {e}"));
            return Err(e.into());
        }
        self.log_len += record.len() as u64;
        self.next_seq += 1;
        Ok(())
    }

    /// Folds the log into a new checkpoint (see the module docs).
    fn compact(&mut self) -> Result<(), PersistError> {
        let recovered = recover(&self.dir)?;
        if recovered.generation != self.generation {
            let reason = format!(
                "checkpoint generation {} on disk, {} expected",
                recovered.generation, self.generation
            );
            self.poison(reason.clone());
            return Err(PersistError::Corrupt(reason));
        }
        let generation = self.generation + 1;
        write_checkpoint(&self.dir, generation, &recovered.state)?;
        // Point of no return: the current log is stale now, and appending to
        // it would lose commits.
        match start_log(&self.dir, generation) {
            Ok(log) => {
                self.log = log;
                self.generation = generation;
                self.log_len = wal::HEADER_LEN as u64;
                self.next_seq = 1;
            }
            Err(e) => {
                self.poison(format!("starting a new log failed: {e}"));
                return Err(e);
            }
        }
        let referenced: HashSet<ModuleHash> = recovered.state.referenced_modules().collect();
        remove_unreferenced_modules(&self.dir, &referenced);
        self.modules = referenced;
        self.stats.checkpoints += 1;
        Ok(())
    }
}

/// What [`recover`] rebuilt from the directory.
struct Recovered {
    state: State,
    generation: u64,
    records: u64,
    dropped_tail_bytes: u64,
}

/// Reads the checkpoint and replays the log; writes nothing.
fn recover(dir: &Path) -> Result<Recovered, PersistError> {
    let (generation, mut state) = match fs::read(dir.join(CHECKPOINT_FILE)) {
        Ok(data) => checkpoint::decode(&data)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => (0, State::default()),
        Err(e) => return Err(e.into()),
    };
    let mut records = 0;
    let mut dropped_tail_bytes = 0;
    match fs::read(dir.join(LOG_FILE)) {
        Ok(data) => {
            let (log_generation, version) = wal::parse_header(&data)?;
            if log_generation == generation {
                let scan = wal::scan(&data)?;
                for range in scan.records {
                    records += 1;
                    let record = data.get(range).unwrap_or_default();
                    let batch =
                        codec::decode_batch(record, version).map_err(|e| in_record(records, e))?;
                    state.apply(batch).map_err(|e| in_record(records, e))?;
                }
                dropped_tail_bytes = (data.len() - scan.valid_len) as u64;
            } else if log_generation > generation {
                return Err(PersistError::Corrupt(if generation == 0 {
                    format!(
                        "log continues checkpoint generation {log_generation}, but there is no checkpoint"
                    )
                } else {
                    format!(
                        "log continues checkpoint generation {log_generation}, \
                         but the checkpoint is generation {generation}"
                    )
                }));
            }
            // An older log was already folded into the checkpoint.
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Recovered {
        state,
        generation,
        records,
        dropped_tail_bytes,
    })
}

fn in_record(n: u64, e: PersistError) -> PersistError {
    match e {
        PersistError::Corrupt(msg) => PersistError::Corrupt(format!("log record {n}: {msg}")),
        other => other,
    }
}

fn invalid(msg: String) -> PersistError {
    PersistError::Io(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("invalid commit batch: {msg}"),
    ))
}

/// Rejects batches the store could not read back.
fn validate(batch: &CommitBatch) -> Result<(), PersistError> {
    for change in &batch.canisters {
        for (name, memory) in [("heap", &change.heap), ("stable memory", &change.stable)] {
            let len = match memory {
                MemoryChange::Unchanged => continue,
                MemoryChange::Pages { len, pages } => {
                    if let Some((index, bytes)) = pages.iter().find(|(_, b)| b.len() > PAGE_SIZE) {
                        return Err(invalid(format!(
                            "canister {}: {name} page {index} has {} bytes, more than a page",
                            change.id,
                            bytes.len()
                        )));
                    }
                    *len
                }
                MemoryChange::Full(bytes) => bytes.len() as u64,
            };
            if len > MAX_MEMORY_BYTES {
                return Err(invalid(format!(
                    "canister {}: {name} of {len} bytes exceeds the limit of {MAX_MEMORY_BYTES}",
                    change.id
                )));
            }
        }
    }
    Ok(())
}

/// How long [`Store::open`] waits for a lock held by someone else.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Tries to lock `file` until [`LOCK_WAIT`] has passed. A lock can outlive
/// the store that took it by a moment: a child process forked (by any
/// thread) while the lock file was open shares the lock until it execs.
fn try_lock_for_a_while(file: &File) -> Result<(), TryLockError> {
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Err(TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            result => return result,
        }
    }
}

/// Takes the directory's exclusive lock.
fn lock_dir(dir: &Path) -> Result<File, PersistError> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)?;
    match try_lock_for_a_while(&file) {
        Ok(()) => {
            file.set_len(0)?;
            (&file).write_all(format!("{}\n", std::process::id()).as_bytes())?;
            Ok(file)
        }
        Err(TryLockError::WouldBlock) => {
            let holder = fs::read_to_string(&path)
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .map(|pid| format!(" (process {pid})"))
                .unwrap_or_default();
            Err(PersistError::Io(io::Error::new(
                io::ErrorKind::ResourceBusy,
                format!(
                    "another localnet{holder} is using the state directory {}",
                    dir.display()
                ),
            )))
        }
        Err(TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Writes `checkpoint.tmp` at `generation` and renames it over
/// `checkpoint`.
fn write_checkpoint(dir: &Path, generation: u64, state: &State) -> Result<(), PersistError> {
    let payload = codec::encode_state(state);
    let header = checkpoint::header(generation, &payload);
    let tmp = dir.join(CHECKPOINT_TMP);
    let written = write_synced(&tmp, &[&header, &payload])
        .and_then(|()| fs::rename(&tmp, dir.join(CHECKPOINT_FILE)));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    Ok(written?)
}

/// Makes the checkpoint's rename durable, then replaces `wal` with an empty
/// log for `generation` and opens it for appending.
fn start_log(dir: &Path, generation: u64) -> Result<File, PersistError> {
    sync_dir(dir)?;
    let tmp = dir.join(LOG_TMP);
    write_synced(&tmp, &[&wal::header(generation)])?;
    fs::rename(&tmp, dir.join(LOG_FILE))?;
    sync_dir(dir)?;
    Ok(OpenOptions::new().append(true).open(dir.join(LOG_FILE))?)
}

fn module_path(dir: &Path, hash: &ModuleHash) -> PathBuf {
    dir.join(MODULES_DIR)
        .join(format!("{}.wasm", hex::encode(hash)))
}

/// Reads and verifies a module file.
fn read_module(dir: &Path, hash: &ModuleHash) -> Result<Vec<u8>, PersistError> {
    let name = hex::encode(hash);
    let wasm = match fs::read(module_path(dir, hash)) {
        Ok(wasm) => wasm,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(PersistError::Corrupt(format!("module {name} is missing")));
        }
        Err(e) => return Err(e.into()),
    };
    if Sha256::digest(&wasm)[..] != hash[..] {
        return Err(PersistError::Corrupt(format!("module {name} is damaged")));
    }
    Ok(wasm)
}

/// Deletes module files (and leftover temporary files) that `keep` does not
/// list. Failures are harmless (a stray file) and ignored.
fn remove_unreferenced_modules(dir: &Path, keep: &HashSet<ModuleHash>) {
    let Ok(entries) = fs::read_dir(dir.join(MODULES_DIR)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let kept = name
            .strip_suffix(".wasm")
            .and_then(|h| hex::decode(h).ok())
            .and_then(|h| ModuleHash::try_from(h).ok())
            .is_some_and(|h| keep.contains(&h));
        if !kept && (name.ends_with(".wasm") || name.ends_with(".tmp")) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Creates (or truncates) `path`, writes `parts` and fsyncs it.
fn write_synced(path: &Path, parts: &[&[u8]]) -> io::Result<()> {
    let mut file = File::create(path)?;
    for part in parts {
        file.write_all(part)?;
    }
    file.sync_all()
}

/// Makes a directory's entries (creations, renames) durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
