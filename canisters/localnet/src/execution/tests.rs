#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use candid::{Decode, Encode};
use system_api::{API, Ty};
use wasm_encoder::{
    CodeSection, ConstExpr, DataSection, ElementSection, Elements, EntityType, ExportKind,
    ExportSection, Function, FunctionSection, GlobalSection, GlobalType, ImportSection,
    Instruction as I, MemArg, MemorySection, MemoryType, RefType, TableSection, TableType,
    TypeSection, ValType,
};

const HEAP_LIMIT: u64 = 1 << 30;

// ---------------------------------------------------------------------------
// Hand-made modules
// ---------------------------------------------------------------------------

fn val(ty: Ty) -> ValType {
    match ty {
        Ty::I32 => ValType::I32,
        Ty::I64 => ValType::I64,
    }
}

struct TestFunc {
    export: Option<&'static str>,
    params: Vec<ValType>,
    body: Vec<I<'static>>,
}

fn func(export: &'static str, body: Vec<I<'static>>) -> TestFunc {
    TestFunc {
        export: Some(export),
        params: Vec::new(),
        body,
    }
}

/// A module importing `imports` from ic0, with one page of memory
/// (exported as `memory`), one mutable i32 global, a table holding every
/// function (not exported), `raw_rand` at address 500, and `funcs`.
fn build(imports: &[&str], funcs: Vec<TestFunc>) -> Vec<u8> {
    let mut types = TypeSection::new();
    let mut import_section = ImportSection::new();
    for (index, name) in imports.iter().enumerate() {
        let spec = API.iter().find(|spec| spec.name == *name).unwrap();
        types.ty().function(
            spec.params.iter().map(|t| val(*t)),
            spec.results.iter().map(|t| val(*t)),
        );
        import_section.import("ic0", name, EntityType::Function(index as u32));
    }
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    for (index, f) in funcs.iter().enumerate() {
        let type_index = (imports.len() + index) as u32;
        types.ty().function(f.params.clone(), []);
        functions.function(type_index);
        let mut body = Function::new([(1, ValType::I32)]);
        for instruction in &f.body {
            body.instruction(instruction);
        }
        body.instruction(&I::End);
        code.function(&body);
        if let Some(name) = f.export {
            exports.export(name, ExportKind::Func, type_index);
        }
    }
    exports.export("memory", ExportKind::Memory, 0);
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        table64: false,
        minimum: funcs.len() as u64,
        maximum: None,
        shared: false,
    });
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut globals = GlobalSection::new();
    globals.global(
        GlobalType {
            val_type: ValType::I32,
            mutable: true,
            shared: false,
        },
        &ConstExpr::i32_const(0),
    );
    let mut elements = ElementSection::new();
    let indices: Vec<u32> = (0..funcs.len())
        .map(|i| (imports.len() + i) as u32)
        .collect();
    elements.active(
        None,
        &ConstExpr::i32_const(0),
        Elements::Functions(indices.into()),
    );
    let mut data = DataSection::new();
    data.active(0, &ConstExpr::i32_const(500), b"raw_rand".iter().copied());

    let mut module = wasm_encoder::Module::new();
    module
        .section(&types)
        .section(&import_section)
        .section(&functions)
        .section(&tables)
        .section(&memories)
        .section(&globals)
        .section(&exports)
        .section(&elements)
        .section(&code)
        .section(&data);
    module.finish()
}

const PROBE_IMPORTS: &[&str] = &[
    "msg_reply_data_append", // 0
    "msg_reply",             // 1
    "trap",                  // 2
    "stable64_grow",         // 3
    "stable64_write",        // 4
    "call_new",              // 5
    "call_perform",          // 6
    "certified_data_set",    // 7
    "global_timer_set",      // 8
    "msg_arg_data_size",     // 9
];
const N_IMPORTS: u32 = PROBE_IMPORTS.len() as u32;
/// Table index of the callback function of [`probe`].
const CALLBACK: u32 = 8;

fn store_i32(addr: i32, value: i32) -> Vec<I<'static>> {
    vec![
        I::I32Const(addr),
        I::I32Const(value),
        I::I32Store(MemArg {
            offset: 0,
            align: 2,
            memory_index: 0,
        }),
    ]
}

/// Writes memory, a global and stable memory, and grows the heap.
fn mutate() -> Vec<I<'static>> {
    let mut body = store_i32(100, 42);
    body.extend([
        I::I32Const(7),
        I::GlobalSet(0),
        I::I64Const(1),
        I::Call(3),
        I::Drop,
        I::I64Const(0),
        I::I64Const(100),
        I::I64Const(4),
        I::Call(4),
        I::I32Const(1),
        I::MemoryGrow(0),
        I::Drop,
    ]);
    body
}

fn reply(addr: i32, len: i32) -> Vec<I<'static>> {
    vec![I::I32Const(addr), I::I32Const(len), I::Call(0), I::Call(1)]
}

fn probe() -> Vec<u8> {
    let funcs = vec![
        // 0
        func("canister_update write_then_trap", {
            let mut b = mutate();
            b.push(I::Unreachable);
            b
        }),
        // 1
        func("canister_query mutate", {
            let mut b = mutate();
            b.extend(reply(100, 4));
            b
        }),
        // 2
        func(
            "canister_update oob_load",
            vec![
                I::I32Const(0x7fff_fff0),
                I::I32Load(MemArg {
                    offset: 0,
                    align: 2,
                    memory_index: 0,
                }),
                I::Drop,
            ],
        ),
        // 3
        func(
            "canister_update oob_reply",
            vec![I::I32Const(-65536), I::I32Const(100), I::Call(0)],
        ),
        // 4
        func("canister_update grow_big", {
            let mut b = vec![I::I32Const(0), I::I32Const(1000), I::MemoryGrow(0)];
            b.push(I::I32Store(MemArg {
                offset: 0,
                align: 2,
                memory_index: 0,
            }));
            b.extend(reply(0, 4));
            b
        }),
        // 5
        func(
            "canister_query call",
            vec![
                I::I32Const(400),
                I::I32Const(0),
                I::I32Const(500),
                I::I32Const(8),
                I::I32Const(CALLBACK as i32),
                I::I32Const(1),
                I::I32Const(CALLBACK as i32),
                I::I32Const(2),
                I::Call(5),
            ],
        ),
        // 6
        func("canister_update reply_twice", {
            let mut b = reply(0, 0);
            b.push(I::Call(1));
            b
        }),
        // 7
        func("canister_update commit", {
            let mut b = store_i32(200, 5);
            b.extend([
                I::I32Const(9),
                I::GlobalSet(0),
                I::I64Const(1),
                I::Call(3),
                I::Drop,
                I::I64Const(4096 * 3 + 10),
                I::I64Const(200),
                I::I64Const(4),
                I::Call(4),
                I::I32Const(200),
                I::I32Const(4),
                I::Call(7),
                I::I64Const(123),
                I::Call(8),
                I::Drop,
            ]);
            b.extend(reply(200, 4));
            b
        }),
        // 8: the callback (i32) -> ()
        TestFunc {
            export: None,
            params: vec![ValType::I32],
            body: {
                let mut b = vec![
                    I::I32Const(300),
                    I::LocalGet(0),
                    I::I32Store(MemArg {
                        offset: 0,
                        align: 2,
                        memory_index: 0,
                    }),
                ];
                b.extend(reply(300, 4));
                b
            },
        },
        // 9
        func(
            "canister_update call",
            vec![
                I::I32Const(400),
                I::I32Const(0),
                I::I32Const(500),
                I::I32Const(8),
                I::I32Const(CALLBACK as i32),
                I::I32Const(77),
                I::I32Const(CALLBACK as i32),
                I::I32Const(78),
                I::Call(5),
                I::Call(6),
                I::Drop,
            ],
        ),
        // 10
        func("canister_update recurse", vec![I::Call(N_IMPORTS + 10)]),
        // 11
        func(
            "canister_update spin",
            vec![I::Loop(wasm_encoder::BlockType::Empty), I::Br(0), I::End],
        ),
        // 12
        func(
            "canister_update explicit_trap",
            vec![I::I32Const(500), I::I32Const(8), I::Call(2)],
        ),
        // 13
        func("canister_init", vec![I::Call(9), I::Drop]),
    ];
    build(PROBE_IMPORTS, funcs)
}

fn instance_of(wasm: &[u8], heap_limit: u64) -> CanisterInstance {
    let module = CanisterModule::new(wasm).unwrap();
    CanisterInstance::new(&module, heap_limit).unwrap()
}

fn env() -> MessageEnv {
    MessageEnv {
        canister_id: crate::ids::canister_id(0),
        caller: Principal::from_slice(&[1, 2, 3]),
        cycles_balance: 100_000_000_000_000,
        instruction_limit: 50_000_000,
        ..MessageEnv::default()
    }
}

fn update(method: &str) -> Entry {
    Entry::Update(method.into())
}

struct State {
    heap: Vec<u8>,
    stable: Vec<u8>,
    globals: Vec<GlobalValue>,
}

fn state(instance: &CanisterInstance) -> State {
    State {
        heap: instance.heap().to_vec(),
        stable: instance.stable_memory().to_vec(),
        globals: instance.globals(),
    }
}

fn assert_same(before: &State, instance: &CanisterInstance) {
    assert_eq!(
        before.heap.len(),
        instance.heap().len(),
        "heap size changed"
    );
    assert!(before.heap == instance.heap(), "heap bytes changed");
    assert!(
        before.stable == instance.stable_memory(),
        "stable memory changed"
    );
    assert_eq!(before.globals, instance.globals(), "globals changed");
}

fn exports_of(wasm: &[u8]) -> Vec<(String, wasmparser::ExternalKind, u32)> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::ExportSection(reader) = payload.unwrap() {
            for export in reader {
                let export = export.unwrap();
                out.push((export.name.to_string(), export.kind, export.index));
            }
        }
    }
    out
}

/// Every section except the export section, as (id, bytes).
fn other_sections(wasm: &[u8]) -> Vec<(u8, Vec<u8>)> {
    wasmparser::Parser::new(0)
        .parse_all(wasm)
        .filter_map(|payload| payload.unwrap().as_section())
        .filter(|(id, _)| *id != 7)
        .map(|(id, range)| (id, wasm[range].to_vec()))
        .collect()
}

#[test]
fn should_export_the_table_and_mutable_globals_and_leave_other_sections_identical() {
    let wasm = probe();
    let out = instrument::instrument(&wasm).unwrap();
    let exports = exports_of(&out.wasm);
    assert!(exports.contains(&(
        "__localnet_table".into(),
        wasmparser::ExternalKind::Table,
        0
    )));
    assert!(exports.contains(&(
        "__localnet_global_0".into(),
        wasmparser::ExternalKind::Global,
        0
    )));
    // The original exports are kept, in order, before the added ones.
    let original = exports_of(&wasm);
    assert_eq!(exports[..original.len()], original[..]);
    assert_eq!(out.memory_export.as_deref(), Some("memory"));
    assert_eq!(other_sections(&wasm), other_sections(&out.wasm));
}

#[test]
fn should_insert_an_export_section_when_the_module_has_none() {
    let mut module = wasm_encoder::Module::new();
    let mut globals = GlobalSection::new();
    globals.global(
        GlobalType {
            val_type: ValType::I64,
            mutable: true,
            shared: false,
        },
        &ConstExpr::i64_const(5),
    );
    module.section(&globals);
    let wasm = module.finish();
    let out = instrument::instrument(&wasm).unwrap();
    assert_eq!(
        exports_of(&out.wasm),
        vec![(
            "__localnet_global_0".into(),
            wasmparser::ExternalKind::Global,
            0
        )]
    );
    let module = CanisterModule::new(&wasm).unwrap();
    let instance = CanisterInstance::new(&module, HEAP_LIMIT).unwrap();
    assert_eq!(instance.globals(), vec![GlobalValue::I64(5)]);
}

#[test]
fn should_name_an_unknown_import_in_the_error() {
    let mut module = wasm_encoder::Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], []);
    let mut imports = ImportSection::new();
    imports.import("env", "surprise", EntityType::Function(0));
    module.section(&types).section(&imports);
    let error = CanisterModule::new(&module.finish()).err().unwrap();
    assert_eq!(
        error,
        ModuleError::UnknownImport {
            module: "env".into(),
            name: "surprise".into()
        }
    );

    let mut module = wasm_encoder::Module::new();
    let mut imports = ImportSection::new();
    imports.import("ic0", "no_such_function", EntityType::Function(0));
    module.section(&types).section(&imports);
    let error = CanisterModule::new(&module.finish()).err().unwrap();
    assert!(
        error.to_string().contains("ic0.no_such_function"),
        "{error}"
    );
}

#[test]
fn should_reject_an_import_with_the_wrong_signature() {
    let mut module = wasm_encoder::Module::new();
    let mut types = TypeSection::new();
    types.ty().function([ValType::I64], []);
    let mut imports = ImportSection::new();
    imports.import("ic0", "msg_reply", EntityType::Function(0));
    module.section(&types).section(&imports);
    let error = CanisterModule::new(&module.finish()).err().unwrap();
    assert!(matches!(error, ModuleError::Invalid(_)), "{error}");
}

#[test]
fn should_reject_bytes_that_are_not_wasm() {
    assert!(matches!(
        CanisterModule::new(b"not wasm at all"),
        Err(ModuleError::Invalid(_))
    ));
}

#[test]
fn should_provide_every_function_of_the_system_api() {
    let names: Vec<&str> = API.iter().map(|spec| spec.name).collect();
    let wasm = build(&names, Vec::new());
    let module = CanisterModule::new(&wasm).unwrap();
    CanisterInstance::new(&module, HEAP_LIMIT).unwrap();
}

#[test]
fn should_trap_and_restore_heap_size_globals_and_stable_memory() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let before = state(&instance);
    let outcome = instance.execute(&update("write_then_trap"), &env());
    assert_eq!(outcome.result, Err("Canister trapped: unreachable".into()));
    assert_eq!(outcome.response, None);
    assert_same(&before, &instance);
    // The instance still works afterwards.
    let outcome = instance.execute(&update("commit"), &env());
    assert_eq!(outcome.result, Ok(()));
}

#[test]
fn should_leave_no_trace_of_a_query_but_keep_its_reply() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let before = state(&instance);
    let outcome = instance.execute(&Entry::Query("mutate".into()), &env());
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(
        outcome.response,
        Some(Response::Reply(42i32.to_le_bytes().to_vec()))
    );
    assert_same(&before, &instance);
    assert!(instance.take_dirty_stable_pages().is_empty());
    assert!(instance.take_dirty_heap_pages().is_empty());
}

#[test]
fn should_trap_on_out_of_bounds_memory_access_instead_of_panicking() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let outcome = instance.execute(&update("oob_load"), &env());
    assert_eq!(
        outcome.result,
        Err("Canister trapped: heap out of bounds".into())
    );
    let outcome = instance.execute(&update("oob_reply"), &env());
    let message = outcome.result.unwrap_err();
    assert!(
        message.contains("msg_reply_data_append") && message.contains("out of bounds"),
        "{message}"
    );
}

#[test]
fn should_fail_memory_grow_beyond_the_heap_limit() {
    let mut instance = instance_of(&probe(), 2 * WASM_PAGE);
    let outcome = instance.execute(&update("grow_big"), &env());
    assert_eq!(
        outcome.response,
        Some(Response::Reply((-1i32).to_le_bytes().to_vec()))
    );
    assert_eq!(instance.memory_size(), WASM_PAGE);
}

#[test]
fn should_trap_when_a_query_makes_a_call() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let message = instance
        .execute(&Entry::Query("call".into()), &env())
        .result
        .unwrap_err();
    assert!(
        message.contains("ic0.call_new") && message.contains("query"),
        "{message}"
    );
}

#[test]
fn should_trap_when_replying_twice_or_when_no_reply_is_possible() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let message = instance
        .execute(&update("reply_twice"), &env())
        .result
        .unwrap_err();
    assert!(message.contains("msg_reply"), "{message}");
    let no_reply = MessageEnv {
        can_reply: false,
        ..env()
    };
    let message = instance
        .execute(&update("commit"), &no_reply)
        .result
        .unwrap_err();
    assert!(message.contains("already replied"), "{message}");
}

#[test]
fn should_report_effects_and_dirty_pages_of_a_committed_update() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    instance.take_dirty_heap_pages();
    let outcome = instance.execute(&update("commit"), &env());
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(
        outcome.response,
        Some(Response::Reply(5i32.to_le_bytes().to_vec()))
    );
    assert_eq!(outcome.certified_data, Some(5i32.to_le_bytes().to_vec()));
    assert_eq!(outcome.global_timer, Some(123));
    assert!(outcome.instructions > 0);
    assert_eq!(instance.globals(), vec![GlobalValue::I32(9)]);
    assert_eq!(instance.stable_memory().len() as u64, WASM_PAGE);
    // Growth alone does not dirty pages; the write does.
    assert_eq!(instance.take_dirty_stable_pages(), vec![3]);
    assert!(instance.take_dirty_stable_pages().is_empty());
    assert_eq!(instance.take_dirty_heap_pages(), vec![0]);
}

#[test]
fn should_record_an_outgoing_call_and_run_its_callback_through_the_table() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let outcome = instance.execute(&update("call"), &env());
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(outcome.response, None);
    let call = &outcome.calls[0];
    assert_eq!(call.callee, Principal::management_canister());
    assert_eq!(call.method_name, "raw_rand");
    assert_eq!(
        call.on_reply,
        Callback {
            fun: CALLBACK,
            env: 77
        }
    );
    assert_eq!(
        call.on_reject,
        Callback {
            fun: CALLBACK,
            env: 78
        }
    );
    let outcome = instance.execute(
        &Entry::Reply {
            callback: call.on_reply,
            payload: Vec::new(),
        },
        &env(),
    );
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(
        outcome.response,
        Some(Response::Reply(77i32.to_le_bytes().to_vec()))
    );
    let outcome = instance.execute(
        &Entry::Reply {
            callback: Callback { fun: 999, env: 0 },
            payload: Vec::new(),
        },
        &env(),
    );
    assert!(outcome.result.unwrap_err().contains("callback 999"));
}

#[test]
fn should_trap_on_stack_overflow_and_instruction_limit() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let before = state(&instance);
    let outcome = instance.execute(&update("recurse"), &env());
    assert_eq!(
        outcome.result,
        Err("Canister trapped: stack overflow".into())
    );
    let limited = MessageEnv {
        instruction_limit: 1_000_000,
        ..env()
    };
    let outcome = instance.execute(&update("spin"), &limited);
    assert_eq!(
        outcome.result,
        Err(
            "Canister exceeded the limit of 1000000 instructions for single message execution."
                .into()
        )
    );
    assert_eq!(outcome.instructions, 1_000_000);
    assert_same(&before, &instance);
}

#[test]
fn should_use_the_explicit_trap_message() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let outcome = instance.execute(&update("explicit_trap"), &env());
    assert_eq!(outcome.result, Err("raw_rand".into()));
}

#[test]
fn should_report_missing_methods_and_skip_missing_hooks() {
    let mut instance = instance_of(&probe(), HEAP_LIMIT);
    let outcome = instance.execute(&update("nope"), &env());
    assert!(
        outcome
            .result
            .unwrap_err()
            .contains("has no update method 'nope'")
    );
    assert_eq!(instance.execute(&Entry::GlobalTimer, &env()).result, Ok(()));
    let outcome = instance.execute(&Entry::InspectMessage("x".into()), &env());
    assert!(outcome.message_accepted);
    assert_eq!(instance.execute(&Entry::Init, &env()).result, Ok(()));
}

#[test]
fn should_restore_persisted_heap_stable_memory_and_globals_into_a_fresh_instance() {
    let wasm = probe();
    let mut instance = instance_of(&wasm, HEAP_LIMIT);
    assert_eq!(instance.execute(&update("commit"), &env()).result, Ok(()));
    let saved = state(&instance);

    let mut fresh = instance_of(&wasm, HEAP_LIMIT);
    fresh
        .restore(&saved.heap, saved.stable.clone(), &saved.globals)
        .unwrap();
    assert_same(&saved, &fresh);

    // A bigger persisted heap grows the fresh instance.
    let mut bigger = saved.heap.clone();
    bigger.resize(3 * WASM_PAGE as usize, 9);
    fresh.restore(&bigger, Vec::new(), &saved.globals).unwrap();
    assert_eq!(fresh.heap(), &bigger[..]);
    assert!(fresh.stable_memory().is_empty());

    assert!(fresh.restore(&saved.heap, Vec::new(), &[]).is_err());
    assert!(
        fresh
            .restore(&saved.heap[..100], Vec::new(), &saved.globals)
            .is_err()
    );
}

#[test]
fn should_move_stable_memory_between_instances() {
    let wasm = probe();
    let mut instance = instance_of(&wasm, HEAP_LIMIT);
    assert_eq!(instance.execute(&update("commit"), &env()).result, Ok(()));
    let stable = instance.take_stable_memory();
    assert!(instance.stable_memory().is_empty());
    let mut next = instance_of(&wasm, HEAP_LIMIT);
    next.set_stable_memory(stable.clone());
    assert_eq!(next.stable_memory(), &stable[..]);
    assert_eq!(next.take_dirty_stable_pages().len(), 16);
}

// ---------------------------------------------------------------------------
// The demo canister
// ---------------------------------------------------------------------------

fn demo_wasm() -> Vec<u8> {
    let mut candidates = Vec::new();
    if let Ok(path) = std::env::var("DEMO_WASM") {
        candidates.push(std::path::PathBuf::from(path));
    }
    if let Ok(dir) = std::env::var("CARGO_TARGET_DIR") {
        candidates
            .push(std::path::Path::new(&dir).join("wasm32-unknown-unknown/release/demo.wasm"));
    }
    candidates.push(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/wasm32-unknown-unknown/release/demo.wasm"),
    );
    for path in &candidates {
        if let Ok(bytes) = std::fs::read(path) {
            return bytes;
        }
    }
    panic!(
        "demo.wasm not found (looked at {candidates:?}): build it first with \
         `cargo build -p demo --target wasm32-unknown-unknown --release` \
         (or point DEMO_WASM at it)"
    );
}

fn demo() -> CanisterInstance {
    let mut instance = instance_of(&demo_wasm(), HEAP_LIMIT);
    let init = MessageEnv {
        arg: Encode!().unwrap(),
        ..env()
    };
    assert_eq!(instance.execute(&Entry::Init, &init).result, Ok(()));
    instance
}

fn call(instance: &mut CanisterInstance, entry: Entry, arg: Vec<u8>) -> ExecutionOutcome {
    let env = MessageEnv { arg, ..env() };
    instance.execute(&entry, &env)
}

fn reply_bytes(outcome: &ExecutionOutcome) -> &[u8] {
    match &outcome.response {
        Some(Response::Reply(bytes)) => bytes,
        other => panic!("expected a reply, got {other:?} ({:?})", outcome.result),
    }
}

#[test]
fn should_instrument_the_demo_canister_and_keep_its_code_identical() {
    let wasm = demo_wasm();
    let out = instrument::instrument(&wasm).unwrap();
    assert_eq!(other_sections(&wasm), other_sections(&out.wasm));
    assert!(out.table_export.is_some());
    let module = CanisterModule::new(&wasm).unwrap();
    for name in [
        "canister_query whoami",
        "canister_update increment",
        "canister_update spin",
    ] {
        assert!(module.exports(name), "{name}");
    }
}

#[test]
fn should_answer_whoami_with_the_candid_encoded_caller() {
    let mut instance = demo();
    let outcome = call(
        &mut instance,
        Entry::Query("whoami".into()),
        Encode!().unwrap(),
    );
    assert_eq!(outcome.result, Ok(()));
    let caller = Decode!(reply_bytes(&outcome), Principal).unwrap();
    assert_eq!(caller, env().caller);
}

#[test]
fn should_count_in_stable_memory_and_certify_the_counter() {
    let mut instance = demo();
    for expected in 1..=2u64 {
        let outcome = call(&mut instance, update("increment"), Encode!().unwrap());
        assert_eq!(Decode!(reply_bytes(&outcome), u64).unwrap(), expected);
        assert_eq!(
            outcome.certified_data,
            Some(expected.to_be_bytes().to_vec())
        );
    }
    assert!(!instance.take_dirty_stable_pages().is_empty());
    let outcome = call(
        &mut instance,
        Entry::Query("counter".into()),
        Encode!().unwrap(),
    );
    assert_eq!(Decode!(reply_bytes(&outcome), u64).unwrap(), 2);
}

#[test]
fn should_trap_with_the_message_of_fail_and_keep_heap_and_stable_memory() {
    let mut instance = demo();
    call(&mut instance, update("increment"), Encode!().unwrap());
    let before = state(&instance);
    let outcome = call(&mut instance, update("fail"), Encode!(&"boom").unwrap());
    let message = outcome.result.unwrap_err();
    assert!(message.contains("boom"), "{message}");
    assert_eq!(outcome.response, None);
    assert_same(&before, &instance);
}

#[test]
fn should_trap_when_fuel_runs_out_and_keep_the_heap() {
    let mut instance = demo();
    let before = state(&instance);
    let outcome = call(&mut instance, update("spin"), Encode!().unwrap());
    assert_eq!(
        outcome.result,
        Err(
            "Canister exceeded the limit of 50000000 instructions for single message execution."
                .into()
        )
    );
    assert_same(&before, &instance);
}

#[test]
fn should_leave_no_trace_of_a_demo_query() {
    let mut instance = demo();
    let before = state(&instance);
    let outcome = call(
        &mut instance,
        Entry::Query("counter".into()),
        Encode!().unwrap(),
    );
    assert_eq!(outcome.result, Ok(()));
    assert_same(&before, &instance);
}

#[test]
fn should_call_raw_rand_and_reply_with_the_bytes_delivered_to_the_callback() {
    let mut instance = demo();
    let outcome = call(&mut instance, update("random_bytes"), Encode!().unwrap());
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(outcome.response, None);
    assert_eq!(outcome.calls.len(), 1);
    let raw_rand = &outcome.calls[0];
    assert_eq!(raw_rand.callee, Principal::management_canister());
    assert_eq!(raw_rand.method_name, "raw_rand");

    let bytes: Vec<u8> = (0..32).collect();
    let reply = Entry::Reply {
        callback: raw_rand.on_reply,
        payload: Encode!(&serde_bytes::ByteBuf::from(bytes.clone())).unwrap(),
    };
    let outcome = instance.execute(&reply, &env());
    assert_eq!(outcome.result, Ok(()));
    let answer = Decode!(reply_bytes(&outcome), serde_bytes::ByteBuf).unwrap();
    assert_eq!(answer.into_vec(), bytes);
}

#[test]
fn should_run_the_reject_callback_of_raw_rand_and_trap_with_its_message() {
    let mut instance = demo();
    let outcome = call(&mut instance, update("random_bytes"), Encode!().unwrap());
    let raw_rand = outcome.calls[0].clone();
    let reject = Entry::Reject {
        callback: raw_rand.on_reject,
        code: 5,
        message: "no randomness today".into(),
    };
    let outcome = instance.execute(&reject, &env());
    let message = outcome.result.unwrap_err();
    assert!(message.contains("no randomness today"), "{message}");
    if let Some(cleanup) = raw_rand.on_cleanup {
        let outcome = instance.execute(&Entry::Cleanup { callback: cleanup }, &env());
        assert_eq!(outcome.result, Ok(()));
    }
}

#[test]
fn should_restore_the_demo_counter_into_a_fresh_instance() {
    let wasm = demo_wasm();
    let mut instance = demo();
    call(&mut instance, update("increment"), Encode!().unwrap());
    call(&mut instance, update("increment"), Encode!().unwrap());
    let saved = state(&instance);

    let mut fresh = instance_of(&wasm, HEAP_LIMIT);
    fresh
        .restore(&saved.heap, saved.stable.clone(), &saved.globals)
        .unwrap();
    let outcome = call(
        &mut fresh,
        Entry::Query("counter".into()),
        Encode!().unwrap(),
    );
    assert_eq!(Decode!(reply_bytes(&outcome), u64).unwrap(), 2);
    let outcome = call(&mut fresh, update("increment"), Encode!().unwrap());
    assert_eq!(Decode!(reply_bytes(&outcome), u64).unwrap(), 3);
}

#[test]
fn should_attach_the_ecdsa_fee_when_signing_with_the_demo_key() {
    #[derive(candid::CandidType)]
    struct PublicKeyResult {
        public_key: serde_bytes::ByteBuf,
        chain_code: serde_bytes::ByteBuf,
    }
    #[derive(candid::CandidType)]
    struct SignResult {
        signature: serde_bytes::ByteBuf,
    }
    #[derive(candid::CandidType)]
    struct Args {
        message_hash: serde_bytes::ByteBuf,
        derivation_path: Vec<serde_bytes::ByteBuf>,
    }
    let mut instance = demo();
    let args = Args {
        message_hash: serde_bytes::ByteBuf::from(vec![1u8; 32]),
        derivation_path: Vec::new(),
    };
    let outcome = call(&mut instance, update("sign_ecdsa"), Encode!(&args).unwrap());
    assert_eq!(outcome.result, Ok(()));
    let first = outcome.calls[0].clone();
    assert_eq!(first.method_name, "ecdsa_public_key");
    let key = PublicKeyResult {
        public_key: serde_bytes::ByteBuf::from(vec![2u8; 33]),
        chain_code: serde_bytes::ByteBuf::from(vec![0u8; 32]),
    };
    let outcome = instance.execute(
        &Entry::Reply {
            callback: first.on_reply,
            payload: Encode!(&key).unwrap(),
        },
        &env(),
    );
    assert_eq!(outcome.result, Ok(()));
    let second = outcome.calls[0].clone();
    assert_eq!(second.method_name, "sign_with_ecdsa");
    assert_eq!(second.cycles, 10_000_000_000);
    let signature = SignResult {
        signature: serde_bytes::ByteBuf::from(vec![3u8; 64]),
    };
    let outcome = instance.execute(
        &Entry::Reply {
            callback: second.on_reply,
            payload: Encode!(&signature).unwrap(),
        },
        &env(),
    );
    assert_eq!(outcome.result, Ok(()));
    assert!(reply_bytes(&outcome).starts_with(b"DIDL"));
}

// ---------------------------------------------------------------------------
// Payload and call limits
// ---------------------------------------------------------------------------

const LIMIT_IMPORTS: &[&str] = &[
    "msg_reply_data_append",  // 0
    "msg_reply",              // 1
    "call_new",               // 2
    "call_data_append",       // 3
    "call_perform",           // 4
    "msg_reject",             // 5
    "trap",                   // 6
    "msg_cycles_refunded128", // 7
];

/// `body` run `times` times (local 0 counts).
fn repeat(times: i32, body: Vec<I<'static>>) -> Vec<I<'static>> {
    let mut b = vec![I::Loop(wasm_encoder::BlockType::Empty)];
    b.extend(body);
    b.extend([
        I::LocalGet(0),
        I::I32Const(1),
        I::I32Add,
        I::LocalTee(0),
        I::I32Const(times),
        I::I32LtU,
        I::BrIf(0),
        I::End,
    ]);
    b
}

/// `call_new` of `raw_rand` on the management canister.
fn call_new() -> Vec<I<'static>> {
    vec![
        I::I32Const(400),
        I::I32Const(0),
        I::I32Const(500),
        I::I32Const(8),
        I::I32Const(0),
        I::I32Const(0),
        I::I32Const(0),
        I::I32Const(0),
        I::Call(2),
    ]
}

fn limits_module() -> Vec<u8> {
    let page = 65_536;
    let append_page = vec![I::I32Const(0), I::I32Const(page), I::Call(0)];
    let funcs = vec![
        func("canister_update reply_2mib", {
            let mut b = repeat(32, append_page.clone());
            b.push(I::Call(1));
            b
        }),
        func("canister_update reply_too_big", {
            let mut b = repeat(33, append_page.clone());
            b.push(I::Call(1));
            b
        }),
        func(
            "canister_update reject_too_big",
            // The heap is one page: a 2 MiB + 1 reject message is out of
            // bounds or too big, a trap either way; grow it first.
            vec![
                I::I32Const(40),
                I::MemoryGrow(0),
                I::Drop,
                I::I32Const(0),
                I::I32Const(2 * 1024 * 1024 + 1),
                I::Call(5),
            ],
        ),
        func(
            "canister_update trap_huge",
            vec![
                I::I32Const(40),
                I::MemoryGrow(0),
                I::Drop,
                I::I32Const(0),
                I::I32Const(40 * 65_536),
                I::Call(6),
            ],
        ),
        TestFunc {
            export: None,
            params: vec![ValType::I32],
            body: vec![
                I::I32Const(700),
                I::Call(7),
                I::I32Const(700),
                I::I32Const(16),
                I::Call(0),
                I::Call(1),
            ],
        },
        func("canister_update call_arg_too_big", {
            let mut b = call_new();
            b.extend(repeat(
                33,
                vec![I::I32Const(0), I::I32Const(page), I::Call(3)],
            ));
            b.extend([I::Call(4), I::Drop]);
            b
        }),
        func("canister_update many_calls", {
            let mut body = call_new();
            body.extend([
                I::I32Const(600),
                I::I32Const(600),
                I::I32Load(MemArg {
                    offset: 0,
                    align: 2,
                    memory_index: 0,
                }),
                I::Call(4),
                I::I32Add,
                I::I32Store(MemArg {
                    offset: 0,
                    align: 2,
                    memory_index: 0,
                }),
            ]);
            let mut b = repeat(MAX_CALLS_PER_MESSAGE as i32 + 100, body);
            b.extend([I::I32Const(600), I::I32Const(4), I::Call(0), I::Call(1)]);
            b
        }),
    ];
    build(LIMIT_IMPORTS, funcs)
}

#[test]
fn should_trap_when_a_reply_reject_or_call_argument_exceeds_the_payload_limit() {
    let mut instance = instance_of(&limits_module(), HEAP_LIMIT);
    let outcome = instance.execute(&update("reply_2mib"), &env());
    assert_eq!(outcome.result, Ok(()));
    assert!(matches!(
        outcome.response,
        Some(Response::Reply(bytes)) if bytes.len() == MAX_PAYLOAD_BYTES as usize
    ));
    for method in ["reply_too_big", "reject_too_big", "call_arg_too_big"] {
        let outcome = instance.execute(&update(method), &env());
        let message = outcome.result.unwrap_err();
        assert!(message.contains("payload"), "{method}: {message}");
        assert!(outcome.calls.is_empty() && outcome.response.is_none());
    }
}

#[test]
fn should_refuse_calls_beyond_the_bound_of_one_message() {
    let mut instance = instance_of(&limits_module(), HEAP_LIMIT);
    let outcome = instance.execute(&update("many_calls"), &env());
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(outcome.calls.len(), MAX_CALLS_PER_MESSAGE);
    // Each refused `call_perform` returned SYS_TRANSIENT (2).
    assert_eq!(
        outcome.response,
        Some(Response::Reply(200i32.to_le_bytes().to_vec()))
    );
}

#[test]
fn should_cut_a_long_trap_message() {
    let mut instance = instance_of(&limits_module(), HEAP_LIMIT);
    let message = instance
        .execute(&update("trap_huge"), &env())
        .result
        .unwrap_err();
    assert!(message.len() <= 32 * 1024, "{} bytes", message.len());
}

#[test]
fn should_show_a_callback_the_cycles_refunded_with_its_response() {
    let mut instance = instance_of(&limits_module(), HEAP_LIMIT);
    let refunded = MessageEnv {
        cycles_refunded: 7,
        ..env()
    };
    let callback = Callback { fun: 4, env: 0 };
    for entry in [
        Entry::Reply {
            callback,
            payload: Vec::new(),
        },
        Entry::Reject {
            callback,
            code: 4,
            message: "no".into(),
        },
    ] {
        let outcome = instance.execute(&entry, &refunded);
        assert_eq!(outcome.result, Ok(()));
        assert_eq!(
            outcome.response,
            Some(Response::Reply(7u128.to_le_bytes().to_vec()))
        );
    }
}
