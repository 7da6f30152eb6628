//! Validating, instrumenting and linking modules: exports added by
//! instrumentation, unknown or mistyped imports, and the whole system API.

use super::*;

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
