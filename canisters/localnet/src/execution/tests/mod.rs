//! Canister execution on hand-made wasm modules (built here with
//! `wasm-encoder`) and on the demo canister.
//!
//! This module holds what the test files share: the module builder, the
//! probe module, and the fixtures that run a message and compare an
//! instance's state before and after.

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

mod demo;
mod limits;
mod messages;
mod modules;

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

/// Every section except the export section, as (id, bytes).
fn other_sections(wasm: &[u8]) -> Vec<(u8, Vec<u8>)> {
    wasmparser::Parser::new(0)
        .parse_all(wasm)
        .filter_map(|payload| payload.unwrap().as_section())
        .filter(|(id, _)| *id != 7)
        .map(|(id, range)| (id, wasm[range].to_vec()))
        .collect()
}
