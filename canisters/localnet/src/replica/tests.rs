//! Replica-level tests that run with any execution layer: they exercise
//! routing, rejects, call contexts, time and commits without running wasm.

use candid::Principal;

use super::call_context::Origin;
use super::scheduler::{Message, round_time};
use super::*;
use crate::execution::Callback;
use crate::ids::canister_id;
use crate::management::ManagementContext;
use crate::messages::RejectCode;
use crate::persist::MemoryChange;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "localnet-replica-test-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn replica(name: &str) -> Replica {
    Replica::open(ReplicaConfig {
        state_dir: temp_dir(name),
        limits: ExecutionLimits::default(),
    })
    .unwrap()
}

fn ingress(canister_id: Principal, method: &str, id: u8) -> IngressCall {
    IngressCall {
        request_id: [id; 32],
        sender: Principal::anonymous(),
        canister_id,
        effective_canister_id: canister_id,
        method_name: method.to_string(),
        arg: vec![],
        ingress_expiry: u64::MAX / 2,
    }
}

fn rejected(status: Option<RequestStatus>) -> Reject {
    match status {
        Some(RequestStatus::Rejected(reject)) => reject,
        other => panic!("expected a reject, got {other:?}"),
    }
}

#[test]
fn should_reject_ingress_to_a_canister_that_does_not_exist() {
    let mut replica = replica("missing");
    let reject = replica
        .submit_ingress(ingress(canister_id(5), "go", 1))
        .unwrap_err();
    assert_eq!(reject.code, RejectCode::DestinationInvalid);
    assert_eq!(reject.error_code.as_deref(), Some("IC0301"));
    assert_eq!(
        reject.message,
        format!("Canister {} not found", canister_id(5))
    );
    assert_eq!(replica.request_status(&[1; 32]), None);
}

#[test]
fn should_reject_ingress_to_a_canister_without_a_module() {
    let mut replica = replica("empty");
    let id = replica.state.create_canister(vec![], 0, None).unwrap();
    let reject = replica.submit_ingress(ingress(id, "go", 1)).unwrap_err();
    assert_eq!(reject.code, RejectCode::CanisterError);
    assert_eq!(reject.error_code.as_deref(), Some("IC0537"));
}

#[test]
fn should_reject_ingress_to_stopping_and_stopped_canisters() {
    let mut replica = replica("stopped");
    let id = replica.state.create_canister(vec![], 0, None).unwrap();
    replica.state.set_status(id, RunStatus::Stopped).unwrap();
    let reject = replica.submit_ingress(ingress(id, "go", 1)).unwrap_err();
    assert_eq!(reject.error_code.as_deref(), Some("IC0508"));
    assert_eq!(reject.message, format!("Canister {id} is stopped"));

    replica.state.set_status(id, RunStatus::Running).unwrap();
    let context = replica
        .state
        .contexts
        .open(id, Principal::anonymous(), Origin::System, 0);
    replica.state.set_status(id, RunStatus::Stopped).unwrap();
    let reject = replica.submit_ingress(ingress(id, "go", 2)).unwrap_err();
    assert_eq!(reject.error_code.as_deref(), Some("IC0509"));
    replica.state.contexts.finish(context, None);
    replica.state.settle_stopping(&id);
    assert_eq!(replica.state.canisters[&id].status, RunStatus::Stopped);
}

#[test]
fn should_reject_queries_the_canister_cannot_answer() {
    let mut replica = replica("queries");
    let call = |canister_id| QueryCall {
        sender: Principal::anonymous(),
        canister_id,
        method_name: "read".to_string(),
        arg: vec![],
        data_certificate: None,
    };
    let reject = replica.query(call(canister_id(3))).unwrap_err();
    assert_eq!(reject.error_code.as_deref(), Some("IC0301"));
    let id = replica.state.create_canister(vec![], 0, None).unwrap();
    let reject = replica.query(call(id)).unwrap_err();
    assert_eq!(reject.error_code.as_deref(), Some("IC0537"));
    replica.state.set_status(id, RunStatus::Stopped).unwrap();
    let reject = replica.query(call(id)).unwrap_err();
    assert_eq!(reject.error_code.as_deref(), Some("IC0508"));
}

#[test]
fn should_report_management_calls_final_only_after_their_round() {
    let mut replica = replica("management");
    let call = ingress(Principal::management_canister(), "no_such_method", 9);
    replica.submit_ingress(call.clone()).unwrap();
    assert_eq!(
        replica.request_status(&[9; 32]),
        Some(RequestStatus::Received)
    );
    // The same request again changes nothing.
    replica.submit_ingress(call).unwrap();
    assert_eq!(replica.queue.len(), 1);
    replica.execute_round();
    assert!(replica.last_round().committed);
    assert_eq!(replica.last_round().messages, 1);
    // Whatever the management canister answers, the status is final now.
    assert!(matches!(
        replica.request_status(&[9; 32]),
        Some(RequestStatus::Replied(_) | RequestStatus::Rejected(_))
    ));
}

#[test]
fn should_answer_a_request_to_an_unknown_canister_and_refund_its_cycles() {
    let mut replica = replica("unknown-callee");
    let caller = replica.state.create_canister(vec![], 100, None).unwrap();
    let context =
        replica
            .state
            .contexts
            .open(caller, Principal::anonymous(), Origin::Ingress([4; 32]), 0);
    replica.requests.received(
        [4; 32],
        u64::MAX / 2,
        crate::messages::RequestOrigin {
            sender: Principal::anonymous(),
            canister_id: Principal::anonymous(),
            effective_canister_id: Principal::anonymous(),
        },
    );
    let callback = Callback { fun: 0, env: 0 };
    let callback = replica
        .state
        .contexts
        .register_callback(call_context::PendingCallback {
            context,
            canister: caller,
            on_reply: callback,
            on_reject: callback,
            on_cleanup: None,
        })
        .unwrap();
    replica.state.canisters.get_mut(&caller).unwrap().cycles -= 40;
    replica.queue.push_back(Message::Request {
        caller,
        callback,
        callee: canister_id(77),
        method: "m".to_string(),
        arg: vec![],
        cycles: 40,
    });
    replica.execute_round();
    assert_eq!(replica.state.canisters[&caller].cycles, 100);
    // The callback could not run (the caller has no module): the call that
    // waited for it is rejected with that failure.
    let reject = rejected(replica.request_status(&[4; 32]));
    assert_eq!(reject.error_code.as_deref(), Some("IC0537"));
    assert_eq!(replica.state.contexts.open_contexts(&caller), 0);
}

#[test]
fn should_reject_the_open_calls_of_an_uninstalled_canister() {
    let mut replica = replica("uninstall");
    let id = replica.state.create_canister(vec![], 0, None).unwrap();
    replica
        .state
        .contexts
        .open(id, Principal::anonymous(), Origin::Ingress([6; 32]), 0);
    replica.requests.received(
        [6; 32],
        u64::MAX / 2,
        crate::messages::RequestOrigin {
            sender: Principal::anonymous(),
            canister_id: Principal::anonymous(),
            effective_canister_id: Principal::anonymous(),
        },
    );
    replica.state.uninstall_code(id).unwrap();
    // The next round notices the abandoned canister after its first message.
    replica
        .submit_ingress(ingress(Principal::management_canister(), "x", 7))
        .unwrap();
    replica.execute_round();
    let reject = rejected(replica.request_status(&[6; 32]));
    assert_eq!(reject.code, RejectCode::CanisterReject);
    assert_eq!(replica.state.contexts.open_contexts(&id), 0);
}

#[test]
fn should_leave_messages_beyond_the_round_bound_for_the_next_round() {
    let mut replica = replica("bound");
    for callback in 0..MAX_MESSAGES_PER_ROUND as u64 {
        replica.queue.push_back(Message::Response {
            caller: canister_id(1),
            callback,
            result: Ok(vec![]),
            refund: 0,
        });
    }
    replica
        .submit_ingress(ingress(Principal::management_canister(), "x", 1))
        .unwrap();
    replica.execute_round();
    assert_eq!(replica.last_round().messages, MAX_MESSAGES_PER_ROUND as u64);
    assert!(replica.has_pending_messages());
    assert_eq!(
        replica.request_status(&[1; 32]),
        Some(RequestStatus::Received)
    );
    replica.execute_round();
    assert!(!replica.has_pending_messages());
    assert!(matches!(
        replica.request_status(&[1; 32]),
        Some(RequestStatus::Rejected(_) | RequestStatus::Replied(_))
    ));
}

#[test]
fn should_never_let_time_go_back() {
    assert_eq!(round_time(10, 50), 50);
    assert_eq!(round_time(50, 10), 51);
    assert_eq!(round_time(u64::MAX, 0), u64::MAX);
    let mut replica = replica("time");
    replica.state.time = u64::MAX / 2;
    assert_eq!(replica.time_nanos(), u64::MAX / 2);
    replica
        .submit_ingress(ingress(Principal::management_canister(), "x", 1))
        .unwrap();
    replica.execute_round();
    assert_eq!(replica.state.time, u64::MAX / 2 + 1);
    let before = replica.time_nanos();
    replica
        .submit_ingress(ingress(Principal::management_canister(), "x", 2))
        .unwrap();
    replica.execute_round();
    assert!(replica.time_nanos() > before);
}

#[test]
fn should_skip_the_commit_of_a_round_with_nothing_to_do() {
    let mut replica = replica("idle");
    let time = replica.state.time;
    replica.execute_round();
    assert_eq!(replica.last_round(), RoundStats::default());
    assert_eq!(replica.state.time, time);
}

#[test]
fn should_commit_a_new_canister_whole_and_then_only_its_changes() {
    let mut replica = replica("batch");
    let id = replica
        .state
        .create_canister(vec![Principal::anonymous()], 5, None)
        .unwrap();
    let batch = replica.build_batch();
    assert_eq!(batch.next_canister_index, 1);
    assert_eq!(batch.canisters.len(), 1);
    let change = &batch.canisters[0];
    assert_eq!(change.id, id);
    assert_eq!(change.wasm, Some(None));
    assert_eq!(change.heap, MemoryChange::Full(vec![]));
    assert_eq!(change.meta.controllers, vec![Principal::anonymous()]);
    assert_eq!(change.meta.cycles, 5);
    // Not committed yet: the same change comes again.
    assert_eq!(replica.build_batch(), batch);
    replica.committed(&batch);
    assert!(replica.build_batch().canisters.is_empty());

    replica.state.deposit_cycles(id, 1).unwrap();
    let batch = replica.build_batch();
    assert_eq!(batch.canisters[0].wasm, None);
    assert_eq!(batch.canisters[0].heap, MemoryChange::Unchanged);
    assert_eq!(batch.canisters[0].meta.cycles, 6);
    replica.committed(&batch);

    replica.state.set_status(id, RunStatus::Stopped).unwrap();
    replica.state.delete_canister(id).unwrap();
    let batch = replica.build_batch();
    assert!(batch.canisters.is_empty());
    assert_eq!(batch.deleted_canisters, vec![id]);
}

#[test]
fn should_keep_the_timer_of_a_canister_without_a_module() {
    let mut replica = replica("timer");
    let id = replica.state.create_canister(vec![], 0, None).unwrap();
    replica.state.canisters.get_mut(&id).unwrap().global_timer = 1;
    // No module: the timer is not due (it fires only for installed,
    // running canisters) and stays set.
    replica.execute_round();
    assert_eq!(replica.state.canisters[&id].global_timer, 1);
}
