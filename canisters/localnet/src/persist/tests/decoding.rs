//! What reading the files back tolerates: torn and damaged records,
//! garbage, random input to the decoders, and records of format version 1.

use super::*;

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
