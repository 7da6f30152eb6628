//! Module inspection and instrumentation, before compilation.
//!
//! Invariants of [`instrument`]'s output:
//! - Every section other than the export section is byte-identical to the
//!   input (the export section is rewritten, or inserted at its canonical
//!   position when the input has none).
//! - The original exports are kept, in order, and followed by exports of
//!   memory 0 and table 0 when they were not exported yet, and by one export
//!   per mutable global defined by the module, in global index order (the
//!   order [`Instrumented::globals`] lists them and persistence stores them).
//! - Every import is a function of module `ic0` whose name and signature
//!   the system API provides; anything else is rejected.

use std::collections::BTreeSet;

use wasm_encoder::{ExportKind, ExportSection, Section};
use wasmparser::{Encoding, ExternalKind, Parser, Payload, TypeRef, ValType};

use super::ModuleError;
use super::system_api::{self, Ty};

/// Prefix of the export names the instrumentation adds.
pub(super) const EXPORT_PREFIX: &str = "__localnet_";

/// The type of an exported mutable global.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum GlobalKind {
    I32,
    I64,
    F32,
    F64,
}

/// What instrumentation produced and learnt about a module.
#[derive(Clone, Debug)]
pub(super) struct Instrumented {
    pub wasm: Vec<u8>,
    /// Export name of memory 0, if the module has a memory.
    pub memory_export: Option<String>,
    /// Export name of table 0, if the module has a table.
    pub table_export: Option<String>,
    /// Export names and types of the module's mutable globals, in index order.
    pub globals: Vec<(String, GlobalKind)>,
    /// Names of the exported functions.
    pub function_exports: BTreeSet<String>,
}

fn invalid(error: impl std::fmt::Display) -> ModuleError {
    ModuleError::Invalid(error.to_string())
}

fn ty_matches(expected: &[Ty], actual: &[ValType]) -> bool {
    expected.len() == actual.len()
        && expected
            .iter()
            .zip(actual)
            .all(|(e, a)| matches!((e, a), (Ty::I32, ValType::I32) | (Ty::I64, ValType::I64)))
}

/// Section ids that must come after the export section.
fn follows_exports(id: u8) -> bool {
    // start (8), element (9), code (10), data (11), data count (12)
    (8..=12).contains(&id)
}

/// Checks imports and adds the exports the runtime needs; see the module
/// documentation.
pub(super) fn instrument(wasm: &[u8]) -> Result<Instrumented, ModuleError> {
    let mut func_types: Vec<Option<(Vec<ValType>, Vec<ValType>)>> = Vec::new();
    let mut tables: u32 = 0;
    let mut memories: u32 = 0;
    let mut globals: Vec<(u32, GlobalKind)> = Vec::new();
    let mut global_count: u32 = 0;
    let mut exports: Vec<(String, ExternalKind, u32)> = Vec::new();
    // Byte range of the existing export section (header included), or the
    // insertion point for a new one.
    let mut export_span: Option<(usize, usize)> = None;
    let mut insert_at: Option<usize> = None;
    let mut prev_end: usize = 0;

    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(invalid)?;
        if let Payload::Version {
            encoding, range, ..
        } = &payload
        {
            if *encoding != Encoding::Module {
                return Err(invalid("components are not supported"));
            }
            prev_end = range.end;
            continue;
        }
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        let section_start = prev_end;
        prev_end = range.end;
        if insert_at.is_none() && follows_exports(id) {
            insert_at = Some(section_start);
        }
        match payload {
            Payload::TypeSection(reader) => {
                for group in reader {
                    let group = group.map_err(invalid)?;
                    for sub in group.into_types() {
                        func_types.push(match sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => {
                                Some((f.params().to_vec(), f.results().to_vec()))
                            }
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader {
                    let import = import.map_err(invalid)?;
                    let unknown = || ModuleError::UnknownImport {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                    };
                    let TypeRef::Func(type_index) = import.ty else {
                        return Err(unknown());
                    };
                    if import.module != "ic0" {
                        return Err(unknown());
                    }
                    let Some((params, results)) = system_api::signature(import.name) else {
                        return Err(unknown());
                    };
                    let Some(Some((actual_params, actual_results))) =
                        func_types.get(type_index as usize)
                    else {
                        return Err(invalid(format!(
                            "import ic0.{} has an invalid type",
                            import.name
                        )));
                    };
                    if !ty_matches(params, actual_params) || !ty_matches(results, actual_results) {
                        return Err(invalid(format!(
                            "import ic0.{} has the wrong signature (only wasm32 canisters are supported)",
                            import.name
                        )));
                    }
                }
            }
            Payload::TableSection(reader) => {
                tables = tables.saturating_add(reader.count());
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory.map_err(invalid)?;
                    if memory.memory64 {
                        return Err(invalid("64-bit memories are not supported"));
                    }
                    memories += 1;
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global.map_err(invalid)?;
                    let index = global_count;
                    global_count += 1;
                    if !global.ty.mutable {
                        continue;
                    }
                    let kind = match global.ty.content_type {
                        ValType::I32 => GlobalKind::I32,
                        ValType::I64 => GlobalKind::I64,
                        ValType::F32 => GlobalKind::F32,
                        ValType::F64 => GlobalKind::F64,
                        other => {
                            return Err(invalid(format!(
                                "mutable global {index} has type {other}, which cannot be persisted"
                            )));
                        }
                    };
                    globals.push((index, kind));
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(invalid)?;
                    exports.push((export.name.to_string(), export.kind, export.index));
                }
                export_span = Some((section_start, range.end));
            }
            _ => {}
        }
    }

    let mut names: BTreeSet<String> = exports.iter().map(|(name, _, _)| name.clone()).collect();
    let mut fresh = |wanted: String| -> String {
        let mut name = wanted.clone();
        let mut n = 0u32;
        while names.contains(&name) {
            n += 1;
            name = format!("{wanted}_{n}");
        }
        names.insert(name.clone());
        name
    };
    let existing = |kind: ExternalKind, index: u32| {
        exports
            .iter()
            .find(|(_, k, i)| *k == kind && *i == index)
            .map(|(name, _, _)| name.clone())
    };

    let mut section = ExportSection::new();
    for (name, kind, index) in &exports {
        let kind = match kind {
            ExternalKind::Func => ExportKind::Func,
            ExternalKind::Table => ExportKind::Table,
            ExternalKind::Memory => ExportKind::Memory,
            ExternalKind::Global => ExportKind::Global,
            ExternalKind::Tag => ExportKind::Tag,
        };
        section.export(name, kind, *index);
    }
    let memory_export = if memories > 0 {
        Some(match existing(ExternalKind::Memory, 0) {
            Some(name) => name,
            None => {
                let name = fresh(format!("{EXPORT_PREFIX}memory"));
                section.export(&name, ExportKind::Memory, 0);
                name
            }
        })
    } else {
        None
    };
    let table_export = if tables > 0 {
        Some(match existing(ExternalKind::Table, 0) {
            Some(name) => name,
            None => {
                let name = fresh(format!("{EXPORT_PREFIX}table"));
                section.export(&name, ExportKind::Table, 0);
                name
            }
        })
    } else {
        None
    };
    let mut global_exports = Vec::with_capacity(globals.len());
    for (index, kind) in globals {
        let name = fresh(format!("{EXPORT_PREFIX}global_{index}"));
        section.export(&name, ExportKind::Global, index);
        global_exports.push((name, kind));
    }

    let function_exports = exports
        .iter()
        .filter(|(_, kind, _)| *kind == ExternalKind::Func)
        .map(|(name, _, _)| name.clone())
        .collect();

    let mut encoded = Vec::new();
    section.append_to(&mut encoded);
    let (start, end) = export_span.unwrap_or_else(|| {
        let at = insert_at.unwrap_or(wasm.len());
        (at, at)
    });
    let mut out = Vec::with_capacity(wasm.len() + encoded.len());
    out.extend_from_slice(
        wasm.get(..start)
            .ok_or_else(|| invalid("truncated module"))?,
    );
    out.extend_from_slice(&encoded);
    out.extend_from_slice(wasm.get(end..).ok_or_else(|| invalid("truncated module"))?);

    Ok(Instrumented {
        wasm: out,
        memory_export,
        table_export,
        globals: global_exports,
        function_exports,
    })
}
