//! Acknowledged commits survive `kill -9`: the test runs itself as a child
//! process that commits until killed.

use super::*;

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
                "persist::tests::crash::crash_test_child_process",
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
