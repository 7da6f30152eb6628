//! Calls per second against the local network from N concurrent `ic-agent`
//! clients, for certified updates (`increment`, synchronous v4 call) and
//! signed queries (`whoami`).
//!
//! `cargo bench -p localnet --bench throughput` (set `BENCH_SECONDS` to
//! change the 5 s measured per row). It prints a Markdown table.

#![allow(clippy::unwrap_used)]

#[allow(dead_code, unused_imports)]
#[path = "../tests/network/harness.rs"]
mod harness;

use std::time::{Duration, Instant};

use harness::{DemoCanisters, Localnet, no_args};
use ic_agent::identity::BasicIdentity;

#[derive(Clone, Copy)]
enum Kind {
    Update,
    Query,
}

async fn measure(net: &Localnet, kind: Kind, clients: usize, duration: Duration) -> (u64, u64) {
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let agent = net
            .agent(BasicIdentity::from_raw_key(&rand::random()))
            .await;
        let canister = net.demo();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut failed) = (0u64, 0u64);
            let deadline = Instant::now() + duration;
            while Instant::now() < deadline {
                let result = match kind {
                    Kind::Update => agent
                        .update(&canister, "increment")
                        .with_arg(no_args())
                        .call_and_wait()
                        .await
                        .map(drop),
                    Kind::Query => agent
                        .query(&canister, "whoami")
                        .with_arg(no_args())
                        .call()
                        .await
                        .map(drop),
                };
                match result {
                    Ok(()) => ok += 1,
                    Err(_) => failed += 1,
                }
            }
            (ok, failed)
        }));
    }
    let mut totals = (0, 0);
    for task in tasks {
        let (ok, failed) = task.await.unwrap();
        totals.0 += ok;
        totals.1 += failed;
    }
    totals
}

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let duration = Duration::from_secs(seconds);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let net = harness::start();
    println!("| call | clients | calls/s | failed |");
    println!("| --- | ---: | ---: | ---: |");
    for kind in [Kind::Query, Kind::Update] {
        for clients in [1, 4, 16] {
            let (ok, failed) = runtime.block_on(measure(&net, kind, clients, duration));
            let name = match kind {
                Kind::Update => "update `increment` (v4 call, certified)",
                Kind::Query => "query `whoami` (signed response)",
            };
            println!(
                "| {name} | {clients} | {:.0} | {failed} |",
                ok as f64 / duration.as_secs_f64()
            );
        }
    }
}
