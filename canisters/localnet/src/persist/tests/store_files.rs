//! The store's files: compaction, the directory lock, stored modules, and
//! batches rejected before anything is written.

use super::*;

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
