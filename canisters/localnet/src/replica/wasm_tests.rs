//! Replica tests that run real (hand-assembled) wasm: they need the
//! execution module, and are ignored until it is in place.

use candid::Principal;
use wasm_encoder::{
    CodeSection, ConstExpr, DataSection, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, ImportSection, MemorySection, MemoryType, Module, TypeSection, ValType,
};

use super::*;
use crate::management::{InstallMode, ManagementContext};
use crate::messages::RejectCode;

/// Imports, in function index order: (name, type index).
const IMPORTS: [(&str, u32); 7] = [
    ("msg_reply", 0),
    ("msg_reply_data_append", 1),
    ("trap", 1),
    ("stable64_grow", 2),
    ("stable64_write", 3),
    ("stable64_read", 3),
    ("global_timer_set", 2),
];
const MSG_REPLY: u32 = 0;
const REPLY_APPEND: u32 = 1;
const TRAP: u32 = 2;
const STABLE_GROW: u32 = 3;
const STABLE_WRITE: u32 = 4;
const STABLE_READ: u32 = 5;
const GLOBAL_TIMER_SET: u32 = 6;

/// Heap layout of the test module's data.
const PONG: i32 = 0;
const ABCD: i64 = 16;
const BOOM: i32 = 32;
const SCRATCH: i32 = 64;
const SCRIBBLE: i32 = 200;

fn reply(f: &mut Function, at: i32, len: i32) {
    f.instructions()
        .i32_const(at)
        .i32_const(len)
        .call(REPLY_APPEND)
        .call(MSG_REPLY);
}

/// A module with the exports the tests use; `post_upgrade_traps` adds a
/// `canister_post_upgrade` that traps.
fn test_wasm(post_upgrade_traps: bool) -> Vec<u8> {
    let mut exports: Vec<(&str, Function)> = Vec::new();
    let mut ping = Function::new([]);
    reply(&mut ping, PONG, 4);
    ping.instructions().end();
    exports.push(("canister_update ping", ping.clone()));
    exports.push(("canister_query read", ping));

    let mut boom = Function::new([]);
    boom.instructions()
        .i32_const(BOOM)
        .i32_const(4)
        .call(TRAP)
        .end();
    exports.push(("canister_update boom", boom.clone()));

    let mut silent = Function::new([]);
    silent.instructions().end();
    exports.push(("canister_update silent", silent));

    let mut store = Function::new([]);
    store
        .instructions()
        .i64_const(1)
        .call(STABLE_GROW)
        .drop()
        .i64_const(0)
        .i64_const(ABCD)
        .i64_const(4)
        .call(STABLE_WRITE);
    reply(&mut store, PONG, 4);
    store.instructions().end();
    exports.push(("canister_update store", store));

    let mut load = Function::new([]);
    load.instructions()
        .i64_const(i64::from(SCRATCH))
        .i64_const(0)
        .i64_const(4)
        .call(STABLE_READ);
    reply(&mut load, SCRATCH, 4);
    load.instructions().end();
    exports.push(("canister_query load", load));

    let mut dirty = Function::new([]);
    dirty
        .instructions()
        .i32_const(SCRIBBLE)
        .i32_const(0x41)
        .i32_store8(wasm_encoder::MemArg {
            offset: 0,
            align: 0,
            memory_index: 0,
        });
    reply(&mut dirty, SCRIBBLE, 1);
    dirty.instructions().end();
    exports.push(("canister_query dirty", dirty));

    let mut peek = Function::new([]);
    reply(&mut peek, SCRIBBLE, 1);
    peek.instructions().end();
    exports.push(("canister_query peek", peek));

    let mut arm = Function::new([]);
    arm.instructions()
        .i64_const(1)
        .call(GLOBAL_TIMER_SET)
        .drop();
    reply(&mut arm, PONG, 4);
    arm.instructions().end();
    exports.push(("canister_update arm", arm));

    let mut timer = Function::new([]);
    timer
        .instructions()
        .i32_const(SCRIBBLE)
        .i32_const(0x54)
        .i32_store8(wasm_encoder::MemArg {
            offset: 0,
            align: 0,
            memory_index: 0,
        })
        .end();
    exports.push(("canister_global_timer", timer));

    if post_upgrade_traps {
        exports.push(("canister_post_upgrade", boom));
    }

    let mut types = TypeSection::new();
    types.ty().function([], []);
    types.ty().function([ValType::I32, ValType::I32], []);
    types.ty().function([ValType::I64], [ValType::I64]);
    types
        .ty()
        .function([ValType::I64, ValType::I64, ValType::I64], []);
    let mut imports = ImportSection::new();
    for (name, ty) in IMPORTS {
        imports.import("ic0", name, EntityType::Function(ty));
    }
    let mut functions = FunctionSection::new();
    let mut export_section = ExportSection::new();
    let mut code = CodeSection::new();
    for (index, (name, body)) in exports.iter().enumerate() {
        functions.function(0);
        export_section.export(name, ExportKind::Func, IMPORTS.len() as u32 + index as u32);
        code.function(body);
    }
    export_section.export("memory", ExportKind::Memory, 0);
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut data = DataSection::new();
    data.active(0, &ConstExpr::i32_const(PONG), b"pong".iter().copied());
    data.active(
        0,
        &ConstExpr::i32_const(ABCD as i32),
        b"abcd".iter().copied(),
    );
    data.active(0, &ConstExpr::i32_const(BOOM), b"boom".iter().copied());

    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&memories)
        .section(&export_section)
        .section(&code)
        .section(&data);
    module.finish()
}

fn replica_with_canister(name: &str) -> (Replica, Principal) {
    let dir = std::env::temp_dir().join(format!(
        "localnet-replica-wasm-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let mut replica = Replica::open(ReplicaConfig {
        state_dir: dir,
        limits: ExecutionLimits::default(),
    })
    .unwrap();
    let id = replica
        .state
        .create_canister(vec![Principal::anonymous()], 1 << 40, None)
        .unwrap();
    replica
        .state
        .install_code(
            id,
            InstallMode::Install,
            test_wasm(false),
            vec![],
            Principal::anonymous(),
        )
        .unwrap();
    (replica, id)
}

fn update(replica: &mut Replica, canister_id: Principal, method: &str, id: u8) -> RequestStatus {
    replica
        .submit_ingress(IngressCall {
            request_id: [id; 32],
            sender: Principal::anonymous(),
            canister_id,
            effective_canister_id: canister_id,
            method_name: method.to_string(),
            arg: vec![],
            ingress_expiry: u64::MAX / 2,
        })
        .unwrap();
    replica.execute_round();
    replica.request_status(&[id; 32]).unwrap()
}

fn query(replica: &mut Replica, canister_id: Principal, method: &str) -> Result<Vec<u8>, Reject> {
    replica.query(QueryCall {
        sender: Principal::anonymous(),
        canister_id,
        method_name: method.to_string(),
        arg: vec![],
        data_certificate: None,
    })
}

fn reject_of(status: RequestStatus) -> Reject {
    match status {
        RequestStatus::Rejected(reject) => reject,
        other => panic!("expected a reject, got {other:?}"),
    }
}

#[test]
fn should_assemble_a_valid_test_module() {
    let wasm = test_wasm(true);
    wasmparser::Validator::new().validate_all(&wasm).unwrap();
}

#[test]
fn should_reply_to_an_update_once_its_round_is_committed() {
    let (mut replica, id) = replica_with_canister("reply");
    assert_eq!(
        update(&mut replica, id, "ping", 1),
        RequestStatus::Replied(b"pong".to_vec())
    );
    assert!(replica.last_round().committed);
}

#[test]
fn should_reject_a_trapping_update_as_the_ic_does() {
    let (mut replica, id) = replica_with_canister("trap");
    let reject = reject_of(update(&mut replica, id, "boom", 1));
    assert_eq!(reject.code, RejectCode::CanisterError);
    assert_eq!(reject.error_code.as_deref(), Some("IC0503"));
    assert!(
        reject
            .message
            .starts_with(&format!("Canister {id} trapped"))
    );
}

#[test]
fn should_reject_a_call_that_was_never_replied() {
    let (mut replica, id) = replica_with_canister("silent");
    let reject = reject_of(update(&mut replica, id, "silent", 1));
    assert_eq!(reject.error_code.as_deref(), Some("IC0506"));
}

#[test]
fn should_reject_an_unknown_method_when_the_call_runs() {
    let (mut replica, id) = replica_with_canister("unknown");
    let reject = reject_of(update(&mut replica, id, "nothing", 1));
    assert_eq!(reject.error_code.as_deref(), Some("IC0536"));
    assert!(reject.message.contains(&format!(
        "Canister {id}: Canister has no update method 'nothing'"
    )));
    let reject = query(&mut replica, id, "ping").unwrap_err();
    assert_eq!(reject.error_code.as_deref(), Some("IC0536"));
}

#[test]
fn should_run_a_query_method_called_as_an_update() {
    let (mut replica, id) = replica_with_canister("query-as-update");
    assert_eq!(
        update(&mut replica, id, "read", 1),
        RequestStatus::Replied(b"pong".to_vec())
    );
    assert_eq!(query(&mut replica, id, "read").unwrap(), b"pong");
}

#[test]
fn should_leave_no_trace_of_a_query() {
    let (mut replica, id) = replica_with_canister("query-trace");
    assert_eq!(query(&mut replica, id, "dirty").unwrap(), b"A");
    assert_eq!(query(&mut replica, id, "peek").unwrap(), [0]);
    replica.execute_round();
    assert!(replica.build_batch().canisters.is_empty());
}

#[test]
fn should_keep_stable_memory_across_an_upgrade() {
    let (mut replica, id) = replica_with_canister("upgrade");
    update(&mut replica, id, "store", 1);
    let upgrade = InstallMode::Upgrade {
        skip_pre_upgrade: false,
    };
    replica
        .state
        .install_code(
            id,
            upgrade,
            test_wasm(false),
            vec![],
            Principal::anonymous(),
        )
        .unwrap();
    assert_eq!(query(&mut replica, id, "load").unwrap(), b"abcd");
}

#[test]
fn should_leave_the_canister_as_it_was_when_post_upgrade_traps() {
    let (mut replica, id) = replica_with_canister("failed-upgrade");
    update(&mut replica, id, "store", 1);
    let hash = replica.canister_info(&id).unwrap().module_hash;
    let upgrade = InstallMode::Upgrade {
        skip_pre_upgrade: false,
    };
    let reject = replica
        .state
        .install_code(id, upgrade, test_wasm(true), vec![], Principal::anonymous())
        .unwrap_err();
    assert_eq!(reject.error_code.as_deref(), Some("IC0503"));
    assert_eq!(replica.canister_info(&id).unwrap().module_hash, hash);
    assert_eq!(query(&mut replica, id, "load").unwrap(), b"abcd");
}

#[test]
fn should_restore_canisters_and_statuses_after_reopening() {
    let dir = std::env::temp_dir().join(format!(
        "localnet-replica-wasm-{}-reopen",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let config = ReplicaConfig {
        state_dir: dir,
        limits: ExecutionLimits::default(),
    };
    let mut replica = Replica::open(config.clone()).unwrap();
    let id = replica
        .state
        .create_canister(vec![Principal::anonymous()], 1 << 40, None)
        .unwrap();
    replica
        .state
        .install_code(
            id,
            InstallMode::Install,
            test_wasm(false),
            vec![],
            Principal::anonymous(),
        )
        .unwrap();
    update(&mut replica, id, "store", 1);
    let time = replica.time_nanos();
    drop(replica);
    let mut replica = Replica::open(config).unwrap();
    assert!(replica.time_nanos() >= time);
    assert_eq!(replica.canister_ids(), vec![id]);
    assert_eq!(
        replica.request_status(&[1; 32]),
        Some(RequestStatus::Replied(b"pong".to_vec()))
    );
    assert_eq!(query(&mut replica, id, "load").unwrap(), b"abcd");
}

#[test]
fn should_fire_a_due_global_timer_in_a_round_without_messages() {
    let (mut replica, id) = replica_with_canister("timer");
    assert_eq!(
        update(&mut replica, id, "arm", 1),
        RequestStatus::Replied(b"pong".to_vec())
    );
    assert_eq!(replica.state.canisters[&id].global_timer, 1);
    assert_eq!(query(&mut replica, id, "peek").unwrap(), vec![0]);
    replica.execute_round();
    assert_eq!(query(&mut replica, id, "peek").unwrap(), b"T");
    assert_eq!(replica.state.canisters[&id].global_timer, 0, "deactivated");
    assert!(replica.last_round().committed);
}
