#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

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

#[test]
fn a_fresh_directory_is_created_and_opens_empty() {
    let dir = TempDir::new("fresh");
    let (store, state) = Store::open(&dir.file("nested/state")).unwrap();
    assert_eq!(state, PersistedState::default());
    assert_eq!(store.stats().generation, 1);
    assert!(dir.file("nested/state/checkpoint").is_file());
    assert!(dir.file("nested/state/wal").is_file());
}

#[test]
fn a_commit_survives_reopening() {
    let dir = TempDir::new("commit");
    let (mut store, _) = Store::open(dir.path()).unwrap();
    let mut heap = vec![0u8; 3 * PAGE_SIZE + 100];
    heap[5] = 1;
    heap[3 * PAGE_SIZE + 99] = 2;
    let mut a = change(
        1,
        MemoryChange::Full(heap),
        MemoryChange::Pages {
            len: 4 * PAGE_SIZE as u64,
            pages: vec![(2, page(0x33))],
        },
    );
    a.wasm = Some(Some(b"\0asm wasm bytes".to_vec()));
    a.meta.module_hash = Some([7; 32]);
    a.meta.status = RunStatus::Stopping;
    a.globals = vec![
        GlobalValue::I32(-5),
        GlobalValue::I64(i64::MIN),
        GlobalValue::F32(1.5f32.to_bits()),
        GlobalValue::F64(f64::NAN.to_bits()),
    ];
    let mut b = change(2, MemoryChange::Unchanged, MemoryChange::Unchanged);
    b.meta.status = RunStatus::Stopped;
    b.meta.controllers.clear();
    let batch = CommitBatch {
        time_nanos: 1_700_000_000_000_000_000,
        next_canister_index: 7,
        canisters: vec![a, b],
        deleted_canisters: vec![canister_id(99)],
        requests: vec![
            (request_id(1), replied(1)),
            (
                request_id(2),
                StoredRequest {
                    status: StoredStatus::Rejected {
                        code: 4,
                        message: "canister trapped: ünïcode".into(),
                        error_code: Some("IC0503".into()),
                    },
                    ingress_expiry: 9,
                    origin: None,
                },
            ),
            (
                request_id(3),
                StoredRequest {
                    status: StoredStatus::Rejected {
                        code: 5,
                        message: String::new(),
                        error_code: None,
                    },
                    ingress_expiry: 10,
                    origin: None,
                },
            ),
            (
                request_id(4),
                StoredRequest {
                    status: StoredStatus::Done,
                    ingress_expiry: 11,
                    origin: None,
                },
            ),
        ],
        pruned_requests: vec![request_id(77)],
    };
    store.commit(&batch).unwrap();
    drop(store);

    let mut expected = PersistedState::default();
    model_apply(&mut expected, &batch);
    let state = reopen(&dir);
    assert_eq!(state, expected);
    // And again, now from the checkpoint the first reopen wrote.
    assert_eq!(reopen(&dir), expected);
}

#[test]
fn page_deltas_grow_shrink_and_write_partial_pages() {
    let dir = TempDir::new("pages");
    let pages = |len: usize, pages: Vec<(u64, Vec<u8>)>| MemoryChange::Pages {
        len: len as u64,
        pages,
    };
    let steps = vec![
        pages(2 * PAGE_SIZE, vec![(1, page(7))]),
        // Growth keeps old pages and zero-fills.
        pages(5 * PAGE_SIZE, vec![(4, page(9))]),
        // Shrinking truncates in the middle of a page.
        pages(PAGE_SIZE + 10, vec![]),
        // A final partial page.
        pages(PAGE_SIZE + 10, vec![(1, vec![5; 10])]),
        // Growing again zero-fills what was truncated, not the old bytes.
        pages(3 * PAGE_SIZE, vec![]),
        // Pages past the length are dropped; a page crossing it is clipped.
        pages(
            2 * PAGE_SIZE + 1,
            vec![(7, page(1)), (2, page(3)), (0, page(4))],
        ),
        pages(0, vec![]),
    ];
    let mut expected = PersistedState::default();
    for (i, heap) in steps.into_iter().enumerate() {
        let (mut store, state) = Store::open(dir.path()).unwrap();
        assert_eq!(state, expected, "before step {i}");
        let batch = CommitBatch {
            time_nanos: i as u64,
            canisters: vec![change(1, heap.clone(), heap)],
            ..CommitBatch::default()
        };
        store.commit(&batch).unwrap();
        model_apply(&mut expected, &batch);
    }
    let state = reopen(&dir);
    assert_eq!(state, expected);
    assert!(state.canisters[&canister_id(1)].heap.is_empty());

    // Spot checks of the model itself at the interesting step.
    let mut memory = vec![7u8; 2 * PAGE_SIZE];
    model_memory(
        &mut memory,
        &MemoryChange::Pages {
            len: PAGE_SIZE as u64 + 10,
            pages: vec![],
        },
    );
    model_memory(
        &mut memory,
        &MemoryChange::Pages {
            len: 3 * PAGE_SIZE as u64,
            pages: vec![],
        },
    );
    assert_eq!(memory[PAGE_SIZE + 9], 7);
    assert_eq!(memory[PAGE_SIZE + 10], 0);
}

#[test]
fn many_commits_survive_reopening() {
    let dir = TempDir::new("many");
    let (models, _) = fixture(&dir, 300, 1);
    let (store, state) = Store::open(dir.path()).unwrap();
    assert_eq!(store.stats().replayed_records, 300);
    assert_eq!(store.stats().dropped_tail_bytes, 0);
    assert_eq!(&state, models.last().unwrap());
}

#[test]
fn a_torn_last_record_is_dropped_and_earlier_commits_survive() {
    for cut in [1u64, 3, 40, 52, 53, 1000] {
        let dir = TempDir::new("torn");
        let (models, offsets) = fixture(&dir, 5, 2);
        let wal = dir.file("wal");
        let len = fs::metadata(&wal).unwrap().len();
        let last = offsets[4];
        let new_len = len.saturating_sub(cut).max(last);
        fs::OpenOptions::new()
            .write(true)
            .open(&wal)
            .unwrap()
            .set_len(new_len)
            .unwrap();
        let (store, state) = Store::open(dir.path()).unwrap();
        let expected = if new_len == last { 0 } else { new_len - last };
        assert_eq!(store.stats().dropped_tail_bytes, expected, "cut {cut}");
        assert_eq!(store.stats().replayed_records, 4, "cut {cut}");
        assert_eq!(state, models[4], "cut {cut}");
        drop(store);
        // The dropped tail is gone for good: commits continue from there.
        assert_eq!(reopen(&dir), models[4]);
    }
}

#[test]
fn a_corrupted_byte_in_the_last_record_is_detected_and_dropped() {
    // In the payload, in the checksum, in the length, in the sequence number.
    for delta in [200u64, 30, 5, 14] {
        let dir = TempDir::new("flip");
        let (models, offsets) = fixture(&dir, 6, 3);
        flip_byte(&dir.file("wal"), offsets[5] + delta);
        let (store, state) = Store::open(dir.path()).unwrap();
        assert!(store.stats().dropped_tail_bytes > 0);
        assert_eq!(state, models[5], "byte {delta} of the last record");
    }
}

#[test]
fn a_damaged_record_followed_by_intact_ones_is_reported_as_corrupt() {
    let dir = TempDir::new("midlog");
    let (_, offsets) = fixture(&dir, 6, 4);
    flip_byte(&dir.file("wal"), offsets[2] + 100);
    let result = Store::open(dir.path());
    match result {
        Err(PersistError::Corrupt(msg)) => assert!(msg.contains("intact later record"), "{msg}"),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("damage in the middle of the log went unnoticed"),
    }
}

#[test]
fn garbage_in_the_checkpoint_is_reported_as_corrupt() {
    let dir = TempDir::new("ckpt");
    let (models, _) = fixture(&dir, 20, 5);
    assert_eq!(&reopen(&dir), models.last().unwrap());
    let path = dir.file("checkpoint");
    let good = fs::read(&path).unwrap();

    let mut damaged = vec![
        Vec::new(),
        b"hello".to_vec(),
        good[..good.len() / 2].to_vec(),
        good[..good.len() - 1].to_vec(),
        [good.as_slice(), b"x"].concat(),
    ];
    for offset in [0, 9, 13, 21, 40, 100, good.len() - 1] {
        let mut bytes = good.clone();
        bytes[offset] ^= 1;
        damaged.push(bytes);
    }
    for (i, bytes) in damaged.into_iter().enumerate() {
        fs::write(&path, bytes).unwrap();
        assert!(is_corrupt(Store::open(dir.path())), "case {i}");
    }
    // A log without its checkpoint.
    fs::remove_file(&path).unwrap();
    assert!(is_corrupt(Store::open(dir.path())));
    fs::write(&path, &good).unwrap();
    assert_eq!(&reopen(&dir), models.last().unwrap());
}

#[test]
fn a_damaged_log_header_is_reported_as_corrupt() {
    let dir = TempDir::new("walhdr");
    fixture(&dir, 3, 6);
    flip_byte(&dir.file("wal"), 15);
    assert!(is_corrupt(Store::open(dir.path())));
}

#[test]
fn random_damage_to_checkpoint_and_log_never_panics() {
    let dir = TempDir::new("fuzz");
    let (_, _) = fixture(&dir, 30, 7);
    reopen(&dir);
    let (models, _) = {
        // More commits on top of that checkpoint, so both files carry data.
        let mut rng = StdRng::seed_from_u64(8);
        let (mut store, state) = Store::open(dir.path()).unwrap();
        let mut models = vec![state];
        for seq in 31..=45 {
            let batch = random_batch(&mut rng, seq);
            store.commit(&batch).unwrap();
            let mut next = models.last().unwrap().clone();
            model_apply(&mut next, &batch);
            models.push(next);
        }
        (models, ())
    };
    let checkpoint = fs::read(dir.file("checkpoint")).unwrap();
    let wal = fs::read(dir.file("wal")).unwrap();
    let modules: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(dir.file("modules"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();

    let mut rng = StdRng::seed_from_u64(9);
    for round in 0..150 {
        let mut c = checkpoint.clone();
        let mut w = wal.clone();
        match round % 6 {
            0 => c.truncate(rng.gen_range(0..c.len())),
            1 => {
                for _ in 0..rng.gen_range(1..4) {
                    let i = rng.gen_range(0..c.len());
                    c[i] = rng.r#gen();
                }
            }
            2 => {
                c = (0..rng.gen_range(0..200)).map(|_| rng.r#gen()).collect();
                if rng.gen_bool(0.5) && c.len() >= 8 {
                    c[..8].copy_from_slice(b"SIGLCKPT");
                }
            }
            3 => w.truncate(rng.gen_range(0..w.len())),
            4 => {
                let i = rng.gen_range(0..w.len());
                w[i] = rng.r#gen();
            }
            _ => w.extend((0..rng.gen_range(1..300)).map(|_| rng.r#gen::<u8>())),
        }
        fs::write(dir.file("checkpoint"), &c).unwrap();
        fs::write(dir.file("wal"), &w).unwrap();
        for (path, bytes) in &modules {
            fs::write(path, bytes).unwrap();
        }
        match Store::open(dir.path()) {
            Ok((_, state)) => {
                if round % 6 == 3 && w.len() >= wal::HEADER_LEN {
                    // A cut log gives some earlier committed state.
                    assert!(models.contains(&state), "round {round}");
                }
                if round % 6 == 5 {
                    assert_eq!(&state, models.last().unwrap(), "round {round}");
                }
            }
            Err(PersistError::Corrupt(_)) => {
                assert!(round % 6 != 5, "appended garbage is a torn tail");
            }
            Err(e) => panic!("round {round}: unexpected error {e}"),
        }
    }
}

#[test]
fn decoders_never_panic_on_random_or_damaged_input() {
    let mut rng = StdRng::seed_from_u64(10);
    // Valid payloads to damage: a state and a batch.
    let mut state = State::default();
    let mut batches = Vec::new();
    for seq in 1..20 {
        let batch = random_batch(&mut rng, seq);
        let hashes: Vec<_> = batch
            .canisters
            .iter()
            .map(|c| match &c.wasm {
                Some(Some(w)) => Some(Sha256::digest(w).into()),
                _ => None,
            })
            .collect();
        let mut w = codec::Writer::default();
        codec::encode_batch(&mut w, &batch, &hashes);
        let record = codec::decode_batch(&w.buf, codec::FORMAT_VERSION).unwrap();
        state.apply(record).unwrap();
        batches.push(w.buf);
    }
    let state_bytes = codec::encode_state(&state);
    let (decoded, _) = codec::decode_state(&state_bytes, codec::FORMAT_VERSION).unwrap();
    assert_eq!(decoded.requests, state.requests);

    for round in 0..3000 {
        let mut bytes = match round % 3 {
            0 => state_bytes.clone(),
            1 => batches[round % batches.len()].clone(),
            _ => (0..rng.gen_range(0..300)).map(|_| rng.r#gen()).collect(),
        };
        if round % 3 != 2 {
            for _ in 0..rng.gen_range(1..5) {
                let i = rng.gen_range(0..bytes.len());
                bytes[i] = rng.r#gen();
            }
            if rng.gen_bool(0.3) {
                bytes.truncate(rng.gen_range(0..bytes.len()));
            }
        }
        for version in codec::OLDEST_FORMAT_VERSION..=codec::FORMAT_VERSION {
            let _ = codec::decode_state(&bytes, version);
            let _ = codec::decode_batch(&bytes, version);
        }
        let _ = checkpoint::decode(&bytes);
        if wal::parse_header(&bytes).is_ok() {
            let _ = wal::scan(&bytes);
        }
        let _ = wal::scan(&bytes);
    }
}

#[test]
fn compaction_keeps_the_state() {
    let dir = TempDir::new("compact");
    let mut rng = StdRng::seed_from_u64(11);
    let (mut store, mut expected) = Store::open(dir.path()).unwrap();
    store.set_log_limit(32 * 1024);
    for seq in 1..=200 {
        let batch = random_batch(&mut rng, seq);
        store.commit(&batch).unwrap();
        model_apply(&mut expected, &batch);
        assert!(store.stats().log_bytes <= 32 * 1024 + 200 * 1024);
    }
    let stats = store.stats();
    assert!(stats.checkpoints > 5, "{stats:?}");
    assert_eq!(stats.generation, stats.checkpoints);
    store.checkpoint().unwrap();
    assert_eq!(store.stats().log_records, 0);
    assert_eq!(store.stats().log_bytes, wal::HEADER_LEN as u64);
    drop(store);
    assert_eq!(reopen(&dir), expected);
}

#[test]
fn a_stale_log_left_by_an_interrupted_compaction_is_ignored() {
    let dir = TempDir::new("stale");
    let mut rng = StdRng::seed_from_u64(12);
    let (mut store, mut expected) = Store::open(dir.path()).unwrap();
    for seq in 1..=10 {
        let batch = random_batch(&mut rng, seq);
        store.commit(&batch).unwrap();
        model_apply(&mut expected, &batch);
    }
    let old_log = fs::read(dir.file("wal")).unwrap();
    store.checkpoint().unwrap();
    drop(store);
    // As if the crash came after the checkpoint's rename, before the log's.
    fs::write(dir.file("wal"), old_log).unwrap();
    let (store, state) = Store::open(dir.path()).unwrap();
    assert_eq!(store.stats().replayed_records, 0);
    assert_eq!(state, expected);
}

#[test]
fn an_open_waits_for_a_lock_that_is_released_shortly() {
    // A child process forked while the lock file is open holds the lock
    // until it execs: the lock can outlive its store by a moment.
    let dir = TempDir::new("lock-wait");
    let (first, _) = Store::open(dir.path()).unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(100));
        drop(first);
    });
    let opened = Store::open(dir.path());
    releaser.join().unwrap();
    opened.unwrap();
}

#[test]
fn a_second_open_of_the_same_directory_fails_while_the_first_store_lives() {
    let dir = TempDir::new("lock");
    let (first, _) = Store::open(dir.path()).unwrap();
    match Store::open(dir.path()) {
        Err(PersistError::Io(e)) => {
            assert_eq!(e.kind(), io::ErrorKind::ResourceBusy);
            let msg = PersistError::Io(e).to_string();
            assert!(msg.contains("another localnet"), "{msg}");
            assert!(msg.contains(&std::process::id().to_string()), "{msg}");
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("two stores on one directory"),
    }
    drop(first);
    Store::open(dir.path()).unwrap();
}

#[test]
fn modules_are_stored_once_and_unreferenced_ones_are_removed() {
    let dir = TempDir::new("modules");
    let module_files = || fs::read_dir(dir.file("modules")).unwrap().count();
    let (mut store, mut expected) = Store::open(dir.path()).unwrap();
    let mut commit = |store: &mut Store, batch: CommitBatch| {
        store.commit(&batch).unwrap();
        model_apply(&mut expected, &batch);
    };

    let install = |n, wasm: &[u8]| {
        let mut c = change(n, MemoryChange::Unchanged, MemoryChange::Unchanged);
        c.wasm = Some(Some(wasm.to_vec()));
        c
    };
    commit(
        &mut store,
        CommitBatch {
            canisters: vec![install(1, b"one"), install(2, b"one")],
            ..CommitBatch::default()
        },
    );
    assert_eq!(module_files(), 1);
    commit(
        &mut store,
        CommitBatch {
            canisters: vec![install(1, b"two"), install(3, b"one")],
            ..CommitBatch::default()
        },
    );
    assert_eq!(module_files(), 2);
    let mut uninstall = change(2, MemoryChange::Unchanged, MemoryChange::Unchanged);
    uninstall.wasm = Some(None);
    commit(
        &mut store,
        CommitBatch {
            canisters: vec![install(1, b"three"), uninstall],
            deleted_canisters: vec![canister_id(3)],
            ..CommitBatch::default()
        },
    );
    assert_eq!(module_files(), 3);
    store.checkpoint().unwrap();
    // Only "three" is still referenced (canister 2 has none, 3 is gone).
    assert_eq!(module_files(), 1);
    drop(store);

    let state = reopen(&dir);
    assert_eq!(state, expected);
    assert_eq!(state.canisters.len(), 2);
    assert_eq!(
        state.canisters[&canister_id(1)].wasm.as_deref(),
        Some(&b"three"[..])
    );
    assert_eq!(state.canisters[&canister_id(2)].wasm, None);
}

#[test]
fn a_damaged_or_missing_module_is_reported_as_corrupt() {
    let dir = TempDir::new("badmodule");
    let (mut store, _) = Store::open(dir.path()).unwrap();
    let mut c = change(1, MemoryChange::Unchanged, MemoryChange::Unchanged);
    c.wasm = Some(Some(b"module".to_vec()));
    store
        .commit(&CommitBatch {
            canisters: vec![c],
            ..CommitBatch::default()
        })
        .unwrap();
    drop(store);
    let path = module_path(dir.path(), &Sha256::digest(b"module").into());
    fs::write(&path, b"modulE").unwrap();
    assert!(is_corrupt(Store::open(dir.path())));
    fs::remove_file(&path).unwrap();
    assert!(is_corrupt(Store::open(dir.path())));
}

#[test]
fn an_invalid_batch_is_rejected_without_writing() {
    let dir = TempDir::new("invalid");
    let (mut store, _) = Store::open(dir.path()).unwrap();
    let before = store.stats();
    let bad = CommitBatch {
        canisters: vec![change(
            1,
            MemoryChange::Pages {
                len: 2 * PAGE_SIZE as u64,
                pages: vec![(0, vec![1; PAGE_SIZE + 1])],
            },
            MemoryChange::Unchanged,
        )],
        ..CommitBatch::default()
    };
    match store.commit(&bad) {
        Err(PersistError::Io(e)) => assert_eq!(e.kind(), io::ErrorKind::InvalidInput),
        other => panic!("accepted an oversized page: {other:?}"),
    }
    assert_eq!(store.stats().log_bytes, before.log_bytes);
    let good = CommitBatch {
        time_nanos: 5,
        ..CommitBatch::default()
    };
    store.commit(&good).unwrap();
    drop(store);
    assert_eq!(reopen(&dir).time_nanos, 5);
}

// ---- the crash test ----

const CRASH_CHILD_ENV: &str = "LOCALNET_PERSIST_CRASH_CHILD_DIR";
const CRASH_PAGES: u64 = 64;
const ACK: &str = "committed-seq=";

/// Commit `seq` of the crash test: one page of the heap, one request, now
/// and then a module install and a full stable memory.
fn crash_batch(seq: u64) -> CommitBatch {
    let mut contents = vec![(seq % 251) as u8; PAGE_SIZE];
    contents[..8].copy_from_slice(&seq.to_le_bytes());
    let mut c = change(
        1,
        MemoryChange::Pages {
            len: CRASH_PAGES * PAGE_SIZE as u64,
            pages: vec![(seq % CRASH_PAGES, contents)],
        },
        if seq.is_multiple_of(25) {
            MemoryChange::Full(vec![seq as u8; 3 * PAGE_SIZE])
        } else {
            MemoryChange::Unchanged
        },
    );
    if seq % 40 == 1 {
        c.wasm = Some(Some(format!("module {}", seq / 40).into_bytes()));
    }
    c.globals = vec![GlobalValue::I64(seq as i64)];
    CommitBatch {
        time_nanos: seq,
        next_canister_index: seq,
        canisters: vec![c],
        requests: vec![(request_id(seq), replied(seq))],
        ..CommitBatch::default()
    }
}

/// The child side: runs only when the parent sets the environment
/// variable; commits forever and reports each acknowledged commit.
#[test]
fn crash_test_child_process() {
    let Some(dir) = std::env::var_os(CRASH_CHILD_ENV) else {
        return;
    };
    let (mut store, state) = Store::open(Path::new(&dir)).unwrap();
    // Small, so that kills also land in the middle of compactions.
    store.set_log_limit(64 * 1024);
    let mut out = io::stdout().lock();
    // The child also ends when the parent is gone (writing to the closed
    // pipe fails) or, as a last resort, after a bounded number of commits.
    let first = state.time_nanos + 1;
    for seq in first..first + 100_000 {
        store.commit(&crash_batch(seq)).unwrap();
        writeln!(out, "{ACK}{seq}").unwrap();
        out.flush().unwrap();
    }
}

fn parse_ack(line: &str) -> Option<u64> {
    line.split(ACK).nth(1)?.trim().parse().ok()
}

/// Everything up to the recovered sequence number is there, exactly.
fn check_crash_state(state: &PersistedState, acked: u64) {
    let last = state.time_nanos;
    assert!(
        last >= acked,
        "acknowledged commit {acked} lost: state is at {last}"
    );
    assert!(
        last <= acked + 1,
        "state {last} is ahead of the child's {acked}"
    );
    assert_eq!(state.requests.len() as u64, last);
    for s in 1..=last {
        assert_eq!(
            state.requests.get(&request_id(s)),
            Some(&replied(s)),
            "request {s}"
        );
    }
    let canister = &state.canisters[&canister_id(1)];
    assert_eq!(canister.globals, vec![GlobalValue::I64(last as i64)]);
    assert_eq!(canister.heap.len() as u64, CRASH_PAGES * PAGE_SIZE as u64);
    for p in 0..CRASH_PAGES {
        let writer = (1..=last).rev().find(|s| s % CRASH_PAGES == p);
        let expected = writer.map_or_else(
            || vec![0; PAGE_SIZE],
            |s| {
                let mut b = vec![(s % 251) as u8; PAGE_SIZE];
                b[..8].copy_from_slice(&s.to_le_bytes());
                b
            },
        );
        let start = p as usize * PAGE_SIZE;
        assert!(
            canister.heap[start..start + PAGE_SIZE] == expected[..],
            "page {p} at {last}"
        );
    }
    let install = (1..=last).rev().find(|s| s % 40 == 1);
    assert_eq!(
        canister.wasm,
        install.map(|s| format!("module {}", s / 40).into_bytes())
    );
    let full = (1..=last).rev().find(|s| s.is_multiple_of(25));
    assert_eq!(
        canister.stable,
        full.map_or_else(Vec::new, |s| vec![s as u8; 3 * PAGE_SIZE])
    );
}

#[test]
fn acknowledged_commits_survive_sigkill() {
    let dir = TempDir::new("crash");
    let exe = std::env::current_exe().unwrap();
    let mut acked = 0u64;
    for round in 0..6u64 {
        let mut child = Command::new(&exe)
            .args([
                "persist::tests::crash_test_child_process",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CRASH_CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let target = 15 + round * 29;
        let mut seen = 0;
        while seen < target {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(seq) = parse_ack(&line) {
                        acked = acked.max(seq);
                        seen += 1;
                    }
                }
                _ => {
                    let mut err = String::new();
                    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
                    let _ = child.kill();
                    panic!("child stopped early: {err}");
                }
            }
        }
        // SIGKILL, in the middle of whatever the child is doing.
        child.kill().unwrap();
        // Lines already in the pipe were acknowledged too.
        for line in lines.map_while(Result::ok) {
            if let Some(seq) = parse_ack(&line) {
                acked = acked.max(seq);
            }
        }
        child.wait().unwrap();
        let (store, state) = Store::open(dir.path()).unwrap();
        check_crash_state(&state, acked);
        drop(store);
    }
    assert!(acked > 400);
}

// ---- benchmark ----

#[test]
#[ignore = "benchmark; run with --ignored --nocapture"]
fn commit_rate_with_one_page_delta() {
    let dir = match std::env::var_os("LOCALNET_PERSIST_BENCH_DIR") {
        Some(d) => TempDir(PathBuf::from(d).join(format!("bench-{}", std::process::id()))),
        None => TempDir::new("bench"),
    };
    let (mut store, _) = Store::open(dir.path()).unwrap();
    let heap_len = 256 * PAGE_SIZE as u64;
    store
        .commit(&CommitBatch {
            canisters: vec![change(
                1,
                MemoryChange::Full(vec![1; heap_len as usize]),
                MemoryChange::Unchanged,
            )],
            ..CommitBatch::default()
        })
        .unwrap();
    let n = 2000u64;
    let start = Instant::now();
    for seq in 1..=n {
        store
            .commit(&CommitBatch {
                time_nanos: seq,
                canisters: vec![change(
                    1,
                    MemoryChange::Pages {
                        len: heap_len,
                        pages: vec![(seq % 256, page(seq as u8))],
                    },
                    MemoryChange::Unchanged,
                )],
                requests: vec![(request_id(seq), replied(seq))],
                ..CommitBatch::default()
            })
            .unwrap();
    }
    let elapsed = start.elapsed();
    println!(
        "{n} commits with one 4 KiB page delta in {elapsed:?}: {:.0} commits/s, log {} bytes",
        n as f64 / elapsed.as_secs_f64(),
        store.stats().log_bytes
    );
}

#[test]
fn request_origins_are_kept_and_version_1_records_still_read() {
    let mut request = replied(5);
    let batch = |request: StoredRequest| CommitBatch {
        time_nanos: 1,
        next_canister_index: 2,
        canisters: vec![],
        deleted_canisters: vec![],
        requests: vec![(request_id(5), request)],
        pruned_requests: vec![],
    };
    let mut w = codec::Writer::default();
    codec::encode_batch(&mut w, &batch(request.clone()), &[]);
    let decoded = codec::decode_batch(&w.buf, codec::FORMAT_VERSION).unwrap();
    assert_eq!(decoded.requests, vec![(request_id(5), request.clone())]);

    // Version 1 had no origin: the same record without its option tag.
    request.origin = None;
    let mut w = codec::Writer::default();
    codec::encode_batch(&mut w, &batch(request.clone()), &[]);
    let tag = w.buf.len() - 8 - 1;
    assert_eq!(w.buf[tag], 0);
    w.buf.remove(tag);
    let decoded = codec::decode_batch(&w.buf, 1).unwrap();
    assert_eq!(decoded.requests, vec![(request_id(5), request)]);
    assert!(codec::decode_batch(&w.buf, codec::FORMAT_VERSION).is_err());
}
