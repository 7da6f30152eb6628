//! Commits that survive reopening, page deltas, and the commit-rate
//! benchmark (ignored by default).

use super::*;

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
