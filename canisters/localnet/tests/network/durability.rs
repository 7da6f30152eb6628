//! State survives upgrades, restarts and `kill -9`.

use crate::harness::{self, DemoCanisters, no_args, query, update};

#[tokio::test]
async fn should_keep_the_stable_counter_across_an_upgrade() {
    let mut net = harness::start();
    let agent = net.anonymous_agent().await;
    for expected in 1..=3u64 {
        let value: u64 = update(&agent, net.demo(), "increment", no_args())
            .await
            .unwrap();
        assert_eq!(value, expected);
    }
    let ids = net.ids.clone();
    // Deploying again upgrades the canisters in place.
    net.restart(true);
    assert_eq!(net.ids, ids, "deploy again keeps the canister ids");
    let agent = net.anonymous_agent().await;
    let value: u64 = query(&agent, net.demo(), "counter", no_args())
        .await
        .unwrap();
    assert_eq!(value, 3);
    let value: u64 = update(&agent, net.demo(), "increment", no_args())
        .await
        .unwrap();
    assert_eq!(value, 4);
}

#[tokio::test]
async fn should_keep_acknowledged_updates_after_kill_9() {
    let mut net = harness::start();
    let agent = net.anonymous_agent().await;
    let mut acknowledged = 0;
    for _ in 0..5 {
        acknowledged = update(&agent, net.demo(), "increment", no_args())
            .await
            .unwrap();
    }
    net.kill();
    net.restart(false);
    let agent = net.anonymous_agent().await;
    let value: u64 = query(&agent, net.demo(), "counter", no_args())
        .await
        .unwrap();
    assert_eq!(value, acknowledged);
    let root_key_before = agent.read_root_key();
    net.restart(false);
    let agent = net.anonymous_agent().await;
    assert_eq!(
        agent.read_root_key(),
        root_key_before,
        "the root key is kept"
    );
    let value: u64 = update(&agent, net.demo(), "increment", no_args())
        .await
        .unwrap();
    assert_eq!(value, acknowledged + 1);
}
