//! Canister execution: one message at a time on a wasmi instance.
//!
//! Contract with the replica:
//! - [`CanisterModule::new`] validates and instruments a wasm module once
//!   (see [`instrument`]: the function table, memory and mutable globals get
//!   exported); [`CanisterInstance::new`] instantiates it. All modules share
//!   one wasmi engine, configured for fuel metering.
//! - [`CanisterInstance::execute`] runs one entry point under [`MessageEnv`].
//!   It is atomic: when the outcome is a trap, the heap (bytes and size),
//!   the globals and the stable memory are exactly as they were before, and
//!   the outcome carries no response, calls, certified data or timer.
//! - Queries ([`Entry::Query`], and [`Entry::Update`] of a method the module
//!   only exports as a query) and [`Entry::InspectMessage`] never leave a
//!   trace: `execute` itself restores the heap, globals and stable memory
//!   after them, keeping only the response (and `message_accepted`).
//! - All resource limits (instructions, heap, stable memory) are enforced
//!   here; exceeding one is a trap (or a failed `memory.grow` /
//!   `stable64_grow`, which return -1 as on the IC), never a panic. Nothing
//!   the canister does can panic the runtime.
//! - Only wasm32 modules are supported (the system API's `I` is `i32`).
//!
//! Dirty tracking for persistence: [`CanisterInstance::take_dirty_stable_pages`]
//! and [`CanisterInstance::take_dirty_heap_pages`] report the 4 KiB pages
//! that committed messages changed since the last call. Pages beyond the
//! previous length that are still zero (fresh growth) are not reported.

mod instrument;
mod system_api;

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use candid::Principal;
use wasmi::{
    Engine, Global, Instance, Linker, Memory, Module, Store, StoreLimitsBuilder, Table, Val,
};

use crate::persist::GlobalValue;
use instrument::{GlobalKind, Instrumented};
use system_api::{Context, HostState, MessageState, STABLE_PAGE, Trap, WASM_PAGE};
pub use system_api::{MAX_CALLS_PER_MESSAGE, MAX_PAYLOAD_BYTES};

/// Fuel for instantiation (a module's start function).
const START_FUEL: u64 = 5_000_000_000;
/// Largest function table a canister may grow.
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

/// Why a module cannot be installed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ModuleError {
    #[error("invalid wasm module: {0}")]
    Invalid(String),
    #[error("wasm module imports `{module}.{name}`, which this network does not provide")]
    UnknownImport { module: String, name: String },
}

/// The engine every module is compiled with (fuel metering on).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = wasmi::Config::default();
        config.consume_fuel(true);
        Engine::new(&config)
    })
}

struct ModuleInner {
    module: Module,
    linker: Linker<HostState>,
    info: Instrumented,
}

/// A validated, instrumented module.
#[derive(Clone)]
pub struct CanisterModule {
    inner: Arc<ModuleInner>,
}

impl CanisterModule {
    /// Validates and instruments a raw (uncompressed) wasm module.
    pub fn new(wasm: &[u8]) -> Result<Self, ModuleError> {
        let mut info = instrument::instrument(wasm)?;
        let module = Module::new(engine(), &info.wasm)
            .map_err(|error| ModuleError::Invalid(error.to_string()))?;
        info.wasm = Vec::new();
        let mut linker = Linker::new(engine());
        system_api::define_all(&mut linker)
            .map_err(|error| ModuleError::Invalid(format!("system API: {error}")))?;
        Ok(CanisterModule {
            inner: Arc::new(ModuleInner {
                module,
                linker,
                info,
            }),
        })
    }

    /// Whether the module exports `canister_update <name>`, `canister_query <name>`, ….
    pub fn exports(&self, entry: &str) -> bool {
        self.inner.info.function_exports.contains(entry)
    }

    /// Names of all exported functions (`canister_update whoami`, …).
    pub fn exported_functions(&self) -> impl Iterator<Item = &str> {
        self.inner.info.function_exports.iter().map(String::as_str)
    }

    /// The number of exported mutable globals ([`CanisterInstance::globals`]).
    pub fn global_count(&self) -> usize {
        self.inner.info.globals.len()
    }
}

/// The values passed to a callback when a response arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Callback {
    /// Index into the module's function table.
    pub fun: u32,
    pub env: u64,
}

/// An inter-canister call made by `ic0.call_perform`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingCall {
    pub callee: Principal,
    pub method_name: String,
    pub arg: Vec<u8>,
    pub cycles: u128,
    pub on_reply: Callback,
    pub on_reject: Callback,
    pub on_cleanup: Option<Callback>,
    /// `Some` for best-effort (bounded-wait) calls.
    pub timeout_seconds: Option<u32>,
}

/// What canister code answered to the call context, if it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    Reply(Vec<u8>),
    Reject(String),
}

/// Which entry point runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Init,
    PreUpgrade,
    PostUpgrade,
    Update(String),
    Query(String),
    InspectMessage(String),
    GlobalTimer,
    Heartbeat,
    /// The reply callback of an outgoing call, with the reply's bytes.
    Reply {
        callback: Callback,
        payload: Vec<u8>,
    },
    /// The reject callback, with the reject code and message.
    Reject {
        callback: Callback,
        code: u32,
        message: String,
    },
    /// The cleanup callback, after a reply or reject callback trapped.
    Cleanup {
        callback: Callback,
    },
}

/// What the system API shows the canister during one message.
///
/// [`Entry::Query`] runs as a non-replicated query (`data_certificate` is
/// what `ic0.data_certificate_*` shows); a query method called through
/// [`Entry::Update`] runs as a replicated query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageEnv {
    pub canister_id: Principal,
    pub caller: Principal,
    /// Argument of the method (empty for callbacks: see [`Entry`]).
    pub arg: Vec<u8>,
    pub time_nanos: u64,
    /// The balance before the message. Execution does not change it: the
    /// new balance is `cycles_balance + cycles_accepted - Σ calls[i].cycles`.
    pub cycles_balance: u128,
    /// Cycles attached to the incoming call that the canister may accept.
    pub cycles_available: u128,
    /// Cycles the callee returned with the response a callback runs for
    /// (`ic0.msg_cycles_refunded128`); 0 in other messages.
    pub cycles_refunded: u128,
    /// The certificate for `ic0.data_certificate_*` (non-replicated queries).
    pub data_certificate: Option<Vec<u8>>,
    /// Whether the call context may still be replied to.
    pub can_reply: bool,
    /// Instructions this message may use.
    pub instruction_limit: u64,
    /// Largest stable memory, in bytes.
    pub stable_limit_bytes: u64,
    /// The canister's controllers (`ic0.is_controller`).
    pub controllers: Vec<Principal>,
    /// The global timer before the message (0: unset), which
    /// `ic0.global_timer_set` returns.
    pub global_timer: u64,
    /// The canister's version (`ic0.canister_version`).
    pub canister_version: u64,
}

impl Default for MessageEnv {
    /// An anonymous call to the management canister's id with no argument,
    /// no cycles, a reply possible, 5 billion instructions and 4 GiB of
    /// stable memory: fill in the fields that matter.
    fn default() -> Self {
        MessageEnv {
            canister_id: Principal::management_canister(),
            caller: Principal::anonymous(),
            arg: Vec::new(),
            time_nanos: 0,
            cycles_balance: 0,
            cycles_available: 0,
            cycles_refunded: 0,
            data_certificate: None,
            can_reply: true,
            instruction_limit: 5_000_000_000,
            stable_limit_bytes: 4 << 30,
            controllers: Vec::new(),
            global_timer: 0,
            canister_version: 0,
        }
    }
}

/// The result of running one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutionOutcome {
    /// `Err` with the trap message when the message trapped (then nothing
    /// below took effect and all state is as before).
    pub result: Result<(), String>,
    pub response: Option<Response>,
    pub calls: Vec<OutgoingCall>,
    pub certified_data: Option<Vec<u8>>,
    /// `Some(t)` when the canister set its global timer (0 disables it).
    pub global_timer: Option<u64>,
    /// Cycles the canister accepted from the incoming call.
    pub cycles_accepted: u128,
    /// Whether `ic0.accept_message` was called (inspect message).
    pub message_accepted: bool,
    pub instructions: u64,
}

impl ExecutionOutcome {
    fn empty(result: Result<(), String>, instructions: u64) -> Self {
        ExecutionOutcome {
            result,
            response: None,
            calls: Vec::new(),
            certified_data: None,
            global_timer: None,
            cycles_accepted: 0,
            message_accepted: false,
            instructions,
        }
    }
}

/// The wasmi side of an instance: recreated whole when a trap must undo
/// heap growth (wasm memories cannot shrink).
struct Live {
    store: Store<HostState>,
    instance: Instance,
    memory: Option<Memory>,
    table: Option<Table>,
    globals: Vec<Global>,
}

/// The state to go back to when a message traps or is a query.
struct Snapshot {
    heap: Vec<u8>,
    globals: Vec<Val>,
}

/// A live instance: heap, globals and (host-side) stable memory.
pub struct CanisterInstance {
    module: CanisterModule,
    heap_limit_bytes: u64,
    live: Live,
    dirty_stable: BTreeSet<u64>,
    dirty_heap: BTreeSet<u64>,
}

fn instantiate(
    module: &CanisterModule,
    heap_limit_bytes: u64,
    stable: Vec<u8>,
    label: String,
) -> Result<Live, ModuleError> {
    let invalid = |error: wasmi::Error| ModuleError::Invalid(error.to_string());
    let limits = StoreLimitsBuilder::new()
        .memory_size(usize::try_from(heap_limit_bytes).unwrap_or(usize::MAX))
        .table_elements(MAX_TABLE_ELEMENTS)
        .instances(1)
        .memories(1)
        .tables(1)
        .trap_on_grow_failure(false)
        .build();
    let mut store = Store::new(
        engine(),
        HostState {
            memory: None,
            limits,
            stable,
            msg: None,
            canister_label: label,
        },
    );
    store.limiter(|state| &mut state.limits);
    store.set_fuel(START_FUEL).map_err(invalid)?;
    let inner = &module.inner;
    let instance = inner
        .linker
        .instantiate_and_start(&mut store, &inner.module)
        .map_err(|error| ModuleError::Invalid(format!("instantiation failed: {error}")))?;
    let memory = match &inner.info.memory_export {
        Some(name) => Some(
            instance
                .get_memory(&store, name)
                .ok_or_else(|| ModuleError::Invalid("memory export is missing".into()))?,
        ),
        None => None,
    };
    let table = match &inner.info.table_export {
        Some(name) => Some(
            instance
                .get_table(&store, name)
                .ok_or_else(|| ModuleError::Invalid("table export is missing".into()))?,
        ),
        None => None,
    };
    let globals = inner
        .info
        .globals
        .iter()
        .map(|(name, _)| {
            instance
                .get_global(&store, name)
                .ok_or_else(|| ModuleError::Invalid(format!("global export {name} is missing")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    store.data_mut().memory = memory;
    Ok(Live {
        store,
        instance,
        memory,
        table,
        globals,
    })
}

/// How an entry point runs.
struct Plan {
    context: Context,
    target: Target,
    method_name: String,
    arg: Vec<u8>,
    reject: Option<(u32, String)>,
    /// Whether the message's state changes are kept.
    persistent: bool,
}

enum Target {
    Export(String),
    Callback(Callback),
}

/// What happens when the entry point is not exported.
enum Missing {
    /// Nothing to run: success.
    NoOp,
    /// Inspect message without an export: every message is accepted.
    Accept,
    Trap(String),
}

fn trap_message(error: &wasmi::Error, limit: u64) -> String {
    if let Some(Trap(message)) = error.downcast_ref::<Trap>() {
        return message.clone();
    }
    use wasmi::TrapCode;
    match error.as_trap_code() {
        Some(TrapCode::OutOfFuel) => system_api::instruction_limit_message(limit),
        Some(TrapCode::UnreachableCodeReached) => "Canister trapped: unreachable".into(),
        Some(TrapCode::MemoryOutOfBounds) => "Canister trapped: heap out of bounds".into(),
        Some(TrapCode::TableOutOfBounds) => "Canister trapped: table out of bounds".into(),
        Some(TrapCode::IndirectCallToNull) => {
            "Canister trapped: indirect call to an uninitialized table element".into()
        }
        Some(TrapCode::IntegerDivisionByZero) => "Canister trapped: integer division by 0".into(),
        Some(TrapCode::StackOverflow) => "Canister trapped: stack overflow".into(),
        Some(code) => format!("Canister trapped: {code}"),
        None => format!("Canister trapped: {error}"),
    }
}

fn global_value(value: &Val) -> Option<GlobalValue> {
    Some(match value {
        Val::I32(v) => GlobalValue::I32(*v),
        Val::I64(v) => GlobalValue::I64(*v),
        Val::F32(v) => GlobalValue::F32(v.to_bits()),
        Val::F64(v) => GlobalValue::F64(v.to_bits()),
        _ => return None,
    })
}

fn val_of(value: GlobalValue, kind: GlobalKind) -> Option<Val> {
    Some(match (value, kind) {
        (GlobalValue::I32(v), GlobalKind::I32) => Val::I32(v),
        (GlobalValue::I64(v), GlobalKind::I64) => Val::I64(v),
        (GlobalValue::F32(v), GlobalKind::F32) => Val::F32(wasmi::F32::from_bits(v)),
        (GlobalValue::F64(v), GlobalKind::F64) => Val::F64(wasmi::F64::from_bits(v)),
        _ => return None,
    })
}

/// Pages of `new` that differ from `old` (zero past its end).
fn changed_pages(old: &[u8], new: &[u8], into: &mut BTreeSet<u64>) {
    for (index, page) in new.chunks(STABLE_PAGE).enumerate() {
        let start = index * STABLE_PAGE;
        let differs = match old.get(start..start + page.len()) {
            Some(before) => before != page,
            None => {
                let before = old.get(start..).unwrap_or(&[]);
                page[..before.len()] != *before || page[before.len()..].iter().any(|b| *b != 0)
            }
        };
        if differs {
            into.insert(index as u64);
        }
    }
}

impl CanisterInstance {
    /// Instantiates `module` with empty stable memory; `heap_limit_bytes`
    /// bounds the wasm heap.
    pub fn new(module: &CanisterModule, heap_limit_bytes: u64) -> Result<Self, ModuleError> {
        let live = instantiate(module, heap_limit_bytes, Vec::new(), String::new())?;
        Ok(CanisterInstance {
            module: module.clone(),
            heap_limit_bytes,
            live,
            dirty_stable: BTreeSet::new(),
            dirty_heap: BTreeSet::new(),
        })
    }

    fn plan(&self, entry: &Entry, env: &MessageEnv) -> Result<Plan, Missing> {
        let module = &self.module;
        let export = |name: String| Target::Export(name);
        let plan = |context, target, arg: Vec<u8>, persistent| Plan {
            context,
            target,
            method_name: String::new(),
            arg,
            reject: None,
            persistent,
        };
        Ok(match entry {
            Entry::Init | Entry::PostUpgrade => {
                let name = if *entry == Entry::Init {
                    "canister_init"
                } else {
                    "canister_post_upgrade"
                };
                if !module.exports(name) {
                    return Err(Missing::NoOp);
                }
                plan(Context::Init, export(name.into()), env.arg.clone(), true)
            }
            Entry::PreUpgrade => {
                if !module.exports("canister_pre_upgrade") {
                    return Err(Missing::NoOp);
                }
                plan(
                    Context::PreUpgrade,
                    export("canister_pre_upgrade".into()),
                    Vec::new(),
                    true,
                )
            }
            Entry::GlobalTimer | Entry::Heartbeat => {
                let name = if *entry == Entry::GlobalTimer {
                    "canister_global_timer"
                } else {
                    "canister_heartbeat"
                };
                if !module.exports(name) {
                    return Err(Missing::NoOp);
                }
                plan(Context::SystemTask, export(name.into()), Vec::new(), true)
            }
            Entry::Update(method) => {
                let update = format!("canister_update {method}");
                let query = format!("canister_query {method}");
                if module.exports(&update) {
                    plan(Context::Update, export(update), env.arg.clone(), true)
                } else if module.exports(&query) {
                    plan(
                        Context::ReplicatedQuery,
                        export(query),
                        env.arg.clone(),
                        false,
                    )
                } else {
                    return Err(Missing::Trap(format!(
                        "Canister {} has no update method '{method}'",
                        env.canister_id
                    )));
                }
            }
            Entry::Query(method) => {
                let query = format!("canister_query {method}");
                let composite = format!("canister_composite_query {method}");
                if module.exports(&query) {
                    plan(
                        Context::NonReplicatedQuery,
                        export(query),
                        env.arg.clone(),
                        false,
                    )
                } else if module.exports(&composite) {
                    plan(
                        Context::CompositeQuery,
                        export(composite),
                        env.arg.clone(),
                        false,
                    )
                } else {
                    return Err(Missing::Trap(format!(
                        "Canister {} has no query method '{method}'",
                        env.canister_id
                    )));
                }
            }
            Entry::InspectMessage(method) => {
                if !module.exports("canister_inspect_message") {
                    return Err(Missing::Accept);
                }
                let mut plan = plan(
                    Context::InspectMessage,
                    export("canister_inspect_message".into()),
                    env.arg.clone(),
                    false,
                );
                plan.method_name = method.clone();
                plan
            }
            Entry::Reply { callback, payload } => plan(
                Context::ReplyCallback,
                Target::Callback(*callback),
                payload.clone(),
                true,
            ),
            Entry::Reject {
                callback,
                code,
                message,
            } => {
                let mut plan = plan(
                    Context::RejectCallback,
                    Target::Callback(*callback),
                    Vec::new(),
                    true,
                );
                plan.reject = Some((*code, message.clone()));
                plan
            }
            Entry::Cleanup { callback } => plan(
                Context::Cleanup,
                Target::Callback(*callback),
                Vec::new(),
                true,
            ),
        })
    }

    /// Runs `entry`. Atomic: see the module documentation.
    pub fn execute(&mut self, entry: &Entry, env: &MessageEnv) -> ExecutionOutcome {
        let plan = match self.plan(entry, env) {
            Ok(plan) => plan,
            Err(Missing::NoOp) => return ExecutionOutcome::empty(Ok(()), 0),
            Err(Missing::Accept) => {
                let mut outcome = ExecutionOutcome::empty(Ok(()), 0);
                outcome.message_accepted = true;
                return outcome;
            }
            Err(Missing::Trap(message)) => return ExecutionOutcome::empty(Err(message), 0),
        };
        self.live.store.data_mut().canister_label = env.canister_id.to_text();

        let snapshot = self.snapshot();
        let stable_len_before = self.live.store.data().stable.len();
        let limit = env.instruction_limit;
        let mut env = env.clone();
        env.arg = Vec::new();
        let state = MessageState::new(
            plan.context,
            env,
            plan.method_name,
            plan.arg,
            plan.reject,
            stable_len_before,
        );
        self.live.store.data_mut().msg = Some(Box::new(state));

        let result = self.run(&plan.target, limit);
        let instructions = limit.saturating_sub(self.live.store.get_fuel().unwrap_or(0));
        let state = self.live.store.data_mut().msg.take();
        let Some(state) = state else {
            // Unreachable: the state was installed above. Undo conservatively.
            self.rollback(snapshot, Default::default(), stable_len_before);
            return ExecutionOutcome::empty(
                Err("internal error: message state lost".into()),
                instructions,
            );
        };
        let state = *state;

        if let Err(message) = result {
            self.rollback(snapshot, state.stable_undo, stable_len_before);
            return ExecutionOutcome::empty(Err(message), instructions);
        }
        let outcome = ExecutionOutcome {
            result: Ok(()),
            response: state.response,
            calls: state.calls,
            certified_data: state.certified_data,
            global_timer: state.global_timer,
            cycles_accepted: state.cycles_accepted,
            message_accepted: state.message_accepted,
            instructions,
        };
        if plan.persistent {
            self.dirty_stable
                .extend(state.stable_written.iter().copied());
            let mut dirty = std::mem::take(&mut self.dirty_heap);
            changed_pages(&snapshot.heap, self.heap(), &mut dirty);
            self.dirty_heap = dirty;
        } else {
            self.rollback(snapshot, state.stable_undo, stable_len_before);
        }
        outcome
    }

    /// Calls the target with the message state installed; `Err` is the trap message.
    fn run(&mut self, target: &Target, limit: u64) -> Result<(), String> {
        let live = &mut self.live;
        live.store
            .set_fuel(limit)
            .map_err(|error| format!("internal error: {error}"))?;
        match target {
            Target::Export(name) => {
                let func = live
                    .instance
                    .get_typed_func::<(), ()>(&live.store, name)
                    .map_err(|_| format!("Canister export '{name}' has the wrong type"))?;
                func.call(&mut live.store, ())
                    .map_err(|error| trap_message(&error, limit))
            }
            Target::Callback(callback) => {
                let table = live.table.ok_or_else(|| {
                    "Canister trapped: the module has no function table".to_string()
                })?;
                let func = table
                    .get(&live.store, u64::from(callback.fun))
                    .and_then(|entry| match entry {
                        wasmi::Ref::Func(wasmi::Nullable::Val(func)) => Some(func),
                        _ => None,
                    })
                    .ok_or_else(|| {
                        format!(
                            "Canister trapped: callback {} is not a function of the table",
                            callback.fun
                        )
                    })?;
                let func = func.typed::<i32, ()>(&live.store).map_err(|_| {
                    format!(
                        "Canister trapped: callback {} does not have type (i32) -> ()",
                        callback.fun
                    )
                })?;
                // wasm32: the environment is an i32 that `call_new` widened.
                func.call(&mut live.store, callback.env as u32 as i32)
                    .map_err(|error| trap_message(&error, limit))
            }
        }
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            heap: self.heap().to_vec(),
            globals: self
                .live
                .globals
                .iter()
                .map(|global| global.get(&self.live.store))
                .collect(),
        }
    }

    /// Puts heap, globals and stable memory back to `snapshot`, undoing the
    /// stable writes in `undo`.
    fn rollback(
        &mut self,
        snapshot: Snapshot,
        undo: std::collections::BTreeMap<u64, Vec<u8>>,
        stable_len_before: usize,
    ) {
        // Stable memory: drop growth, restore overwritten pages.
        {
            let stable = &mut self.live.store.data_mut().stable;
            stable.truncate(stable_len_before);
            for (page, bytes) in undo {
                let start = page as usize * STABLE_PAGE;
                if let Some(target) = stable.get_mut(start..start + bytes.len()) {
                    target.copy_from_slice(&bytes);
                }
            }
        }
        // Heap: same size → copy back; grown → a fresh instance.
        if self.heap().len() != snapshot.heap.len() {
            let stable = std::mem::take(&mut self.live.store.data_mut().stable);
            let label = self.live.store.data().canister_label.clone();
            match instantiate(&self.module, self.heap_limit_bytes, stable, label) {
                Ok(live) => {
                    self.live = live;
                    if let Err(error) = self.grow_heap_to(snapshot.heap.len()) {
                        eprintln!("localnet: cannot restore the heap after a trap: {error}");
                    }
                }
                Err(error) => {
                    eprintln!("localnet: cannot re-instantiate after a trap: {error}");
                }
            }
        }
        if let Some(memory) = self.live.memory {
            let data = memory.data_mut(&mut self.live.store);
            let n = data.len().min(snapshot.heap.len());
            data[..n].copy_from_slice(&snapshot.heap[..n]);
            data[n..].fill(0);
        }
        for (global, value) in self.live.globals.iter().zip(snapshot.globals) {
            if let Err(error) = global.set(&mut self.live.store, value) {
                eprintln!("localnet: cannot restore a global after a trap: {error}");
            }
        }
    }

    /// Grows memory 0 to `len` bytes (a multiple of the wasm page size).
    fn grow_heap_to(&mut self, len: usize) -> Result<(), ModuleError> {
        let Some(memory) = self.live.memory else {
            return if len == 0 {
                Ok(())
            } else {
                Err(ModuleError::Invalid("the module has no memory".into()))
            };
        };
        if !(len as u64).is_multiple_of(WASM_PAGE) {
            return Err(ModuleError::Invalid(format!(
                "heap length {len} is not a multiple of the wasm page size"
            )));
        }
        let current = memory.size(&self.live.store);
        let wanted = len as u64 / WASM_PAGE;
        if wanted < current {
            return Err(ModuleError::Invalid(format!(
                "heap of {wanted} pages is smaller than the module's initial {current}"
            )));
        }
        if wanted > current {
            memory
                .grow(&mut self.live.store, wanted - current)
                .map_err(|error| ModuleError::Invalid(format!("cannot grow the heap: {error}")))?;
        }
        Ok(())
    }

    /// The wasm heap's bytes.
    pub fn heap(&self) -> &[u8] {
        match self.live.memory {
            Some(memory) => memory.data(&self.live.store),
            None => &[],
        }
    }

    /// The heap's size in bytes.
    pub fn memory_size(&self) -> u64 {
        self.heap().len() as u64
    }

    /// The stable memory's bytes.
    pub fn stable_memory(&self) -> &[u8] {
        &self.live.store.data().stable
    }

    /// Pages of stable memory written since the last call (4 KiB indices),
    /// for persistence.
    pub fn take_dirty_stable_pages(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.dirty_stable).into_iter().collect()
    }

    /// Pages of the heap (4 KiB indices) that committed messages changed
    /// since the last call, for persistence.
    pub fn take_dirty_heap_pages(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.dirty_heap).into_iter().collect()
    }

    /// The exported mutable globals, in order.
    pub fn globals(&self) -> Vec<GlobalValue> {
        self.live
            .globals
            .iter()
            .filter_map(|global| global_value(&global.get(&self.live.store)))
            .collect()
    }

    /// Restores persisted memories and globals into a fresh instance.
    pub fn restore(
        &mut self,
        heap: &[u8],
        stable: Vec<u8>,
        globals: &[GlobalValue],
    ) -> Result<(), ModuleError> {
        let kinds = &self.module.inner.info.globals;
        if globals.len() != kinds.len() {
            return Err(ModuleError::Invalid(format!(
                "{} persisted globals for a module with {}",
                globals.len(),
                kinds.len()
            )));
        }
        let values = globals
            .iter()
            .zip(kinds)
            .map(|(value, (name, kind))| {
                val_of(*value, *kind).ok_or_else(|| {
                    ModuleError::Invalid(format!("persisted global {name} has the wrong type"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let label = self.live.store.data().canister_label.clone();
        let live = instantiate(&self.module, self.heap_limit_bytes, stable, label)?;
        let previous = std::mem::replace(&mut self.live, live);
        if let Err(error) = self.grow_heap_to(heap.len()) {
            self.live = previous;
            return Err(error);
        }
        if let Some(memory) = self.live.memory {
            let data = memory.data_mut(&mut self.live.store);
            if data.len() != heap.len() {
                return Err(ModuleError::Invalid(format!(
                    "heap of {} bytes cannot be restored into a memory of {}",
                    heap.len(),
                    data.len()
                )));
            }
            data.copy_from_slice(heap);
        }
        for (global, value) in self.live.globals.iter().zip(values) {
            global.set(&mut self.live.store, value).map_err(|error| {
                ModuleError::Invalid(format!("cannot restore a global: {error}"))
            })?;
        }
        self.dirty_stable.clear();
        self.dirty_heap.clear();
        Ok(())
    }

    /// Replaces the stable memory (upgrade keeps it: the replica moves it
    /// from the old instance into the new one).
    pub fn take_stable_memory(&mut self) -> Vec<u8> {
        self.dirty_stable.clear();
        std::mem::take(&mut self.live.store.data_mut().stable)
    }

    /// Installs `stable` as the stable memory; all its pages count as dirty.
    pub fn set_stable_memory(&mut self, stable: Vec<u8>) {
        let pages = stable.len().div_ceil(STABLE_PAGE) as u64;
        self.dirty_stable = (0..pages).collect();
        self.live.store.data_mut().stable = stable;
    }
}

#[cfg(test)]
mod tests;
