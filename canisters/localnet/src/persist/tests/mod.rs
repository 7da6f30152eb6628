//! The store against a model of the state it should recover, on real files
//! in a temporary directory.
//!
//! This module holds what the test files share: the temporary directory,
//! batches (fixed and random), the model, and helpers to reopen and damage
//! a store.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

mod commits;
mod crash;
mod decoding;
mod store_files;

/// A unique directory under the system's temporary directory, removed on
/// drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "localnet-persist-{name}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&path);
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn canister_id(n: u64) -> Principal {
    let mut bytes = n.to_be_bytes().to_vec();
    bytes.extend_from_slice(&[1, 1]);
    Principal::from_slice(&bytes)
}

fn meta(n: u64) -> CanisterMeta {
    CanisterMeta {
        controllers: vec![
            Principal::from_slice(&[n as u8; 29]),
            Principal::anonymous(),
        ],
        certified_data: vec![n as u8; 32],
        global_timer: n * 1_000,
        cycles: u128::from(n) << 70,
        status: RunStatus::Running,
        module_hash: None,
    }
}

fn change(n: u64, heap: MemoryChange, stable: MemoryChange) -> CanisterChange {
    CanisterChange {
        id: canister_id(n),
        meta: meta(n),
        wasm: None,
        heap,
        stable,
        globals: vec![GlobalValue::I32(n as i32)],
    }
}

fn page(fill: u8) -> Vec<u8> {
    vec![fill; PAGE_SIZE]
}

fn request_id(n: u64) -> RequestId {
    let mut id = [0xAB; 32];
    id[..8].copy_from_slice(&n.to_le_bytes());
    id
}

fn replied(n: u64) -> StoredRequest {
    StoredRequest {
        status: StoredStatus::Replied(n.to_le_bytes().to_vec()),
        ingress_expiry: n,
        origin: Some(RequestOrigin {
            sender: Principal::self_authenticating(n.to_le_bytes()),
            canister_id: Principal::management_canister(),
            effective_canister_id: canister_id(n),
        }),
    }
}

/// The reference semantics of a batch, written independently of the store.
fn model_apply(state: &mut PersistedState, batch: &CommitBatch) {
    state.time_nanos = batch.time_nanos;
    state.next_canister_index = batch.next_canister_index;
    for c in &batch.canisters {
        let entry = state
            .canisters
            .entry(c.id)
            .or_insert_with(|| PersistedCanister {
                meta: c.meta.clone(),
                wasm: None,
                heap: Vec::new(),
                stable: Vec::new(),
                globals: Vec::new(),
            });
        entry.meta = c.meta.clone();
        if let Some(wasm) = &c.wasm {
            entry.wasm = wasm.clone();
        }
        model_memory(&mut entry.heap, &c.heap);
        model_memory(&mut entry.stable, &c.stable);
        entry.globals = c.globals.clone();
    }
    for id in &batch.deleted_canisters {
        state.canisters.remove(id);
    }
    for (id, req) in &batch.requests {
        state.requests.insert(*id, req.clone());
    }
    for id in &batch.pruned_requests {
        state.requests.remove(id);
    }
}

fn model_memory(memory: &mut Vec<u8>, change: &MemoryChange) {
    match change {
        MemoryChange::Unchanged => {}
        MemoryChange::Full(bytes) => *memory = bytes.clone(),
        MemoryChange::Pages { len, pages } => {
            memory.resize(*len as usize, 0);
            for (index, bytes) in pages {
                let start = *index as usize * PAGE_SIZE;
                if start >= memory.len() {
                    continue;
                }
                let end = (start + bytes.len()).min(memory.len());
                memory[start..end].copy_from_slice(&bytes[..end - start]);
            }
        }
    }
}

/// A varied batch: page deltas on three canisters, an occasional module
/// install and full replacement, requests added and pruned.
fn random_batch(rng: &mut StdRng, seq: u64) -> CommitBatch {
    let mut canisters = Vec::new();
    for n in 0..3u64 {
        if rng.gen_bool(0.3) {
            continue;
        }
        let heap = if rng.gen_bool(0.05) {
            let mut bytes = vec![0u8; rng.gen_range(0..6) * PAGE_SIZE + rng.gen_range(0..100)];
            let head = bytes.len().min(300);
            rng.fill(&mut bytes[..head]);
            MemoryChange::Full(bytes)
        } else {
            let len = rng.gen_range(0..12) * PAGE_SIZE as u64;
            let pages = (0..rng.gen_range(0..4))
                .map(|_| (rng.gen_range(0..14), page(rng.r#gen())))
                .collect();
            MemoryChange::Pages { len, pages }
        };
        let stable = if rng.gen_bool(0.5) {
            MemoryChange::Unchanged
        } else {
            MemoryChange::Pages {
                len: 16 * PAGE_SIZE as u64,
                pages: vec![(rng.gen_range(0..16), page(rng.r#gen()))],
            }
        };
        let mut c = change(n, heap, stable);
        c.meta.global_timer = seq;
        if rng.gen_bool(0.05) {
            c.wasm = Some(Some(format!("module {}", rng.gen_range(0..4)).into_bytes()));
        } else if rng.gen_bool(0.01) {
            c.wasm = Some(None);
        }
        canisters.push(c);
    }
    let pruned_requests = if seq > 10 && rng.gen_bool(0.3) {
        vec![request_id(seq - 10)]
    } else {
        Vec::new()
    };
    CommitBatch {
        time_nanos: seq * 1_000_000,
        next_canister_index: 3,
        canisters,
        deleted_canisters: Vec::new(),
        requests: vec![(request_id(seq), replied(seq))],
        pruned_requests,
    }
}

/// A directory holding a checkpoint and a log of `n` random commits (the
/// store is closed). Returns the model state after each commit (index 0:
/// before any) and each record's start offset in the log.
fn fixture(dir: &TempDir, n: u64, seed: u64) -> (Vec<PersistedState>, Vec<u64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut store, state) = Store::open(dir.path()).unwrap();
    let mut models = vec![state];
    let mut offsets = Vec::new();
    for seq in 1..=n {
        let batch = random_batch(&mut rng, seq);
        offsets.push(store.stats().log_bytes);
        store.commit(&batch).unwrap();
        let mut next = models.last().unwrap().clone();
        model_apply(&mut next, &batch);
        models.push(next);
    }
    assert_eq!(store.stats().log_records, n);
    (models, offsets)
}

fn reopen(dir: &TempDir) -> PersistedState {
    let (store, state) = Store::open(dir.path()).unwrap();
    drop(store);
    state
}

fn flip_byte(path: &Path, offset: u64) {
    let mut data = fs::read(path).unwrap();
    data[offset as usize] ^= 0x5A;
    fs::write(path, data).unwrap();
}

fn is_corrupt(result: Result<(Store, PersistedState), PersistError>) -> bool {
    matches!(result, Err(PersistError::Corrupt(_)))
}
