//! Canister execution: one message at a time on a wasmi instance.
//! (Interface stub: filled in by the execution work.)
//!
//! Contract with the replica:
//! - [`CanisterModule::new`] validates and instruments a wasm module once;
//!   [`CanisterInstance::new`] instantiates it.
//! - [`CanisterInstance::execute`] runs one entry point under [`MessageEnv`].
//!   It is atomic: when the outcome is a trap, the heap, the globals and the
//!   stable memory are exactly as they were before.
//! - All resource limits (instructions, heap, stable memory) are enforced
//!   here; exceeding one is a trap, never a panic.

use candid::Principal;

/// Why a module cannot be installed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ModuleError {
    #[error("invalid wasm module: {0}")]
    Invalid(String),
    #[error("wasm module imports `{module}.{name}`, which this network does not provide")]
    UnknownImport { module: String, name: String },
}

/// A validated, instrumented module.
#[derive(Clone)]
pub struct CanisterModule {
    _private: (),
}

impl CanisterModule {
    /// Validates and instruments a raw (uncompressed) wasm module.
    pub fn new(wasm: &[u8]) -> Result<Self, ModuleError> {
        let _ = wasm;
        Err(ModuleError::Invalid("execution is not implemented".into()))
    }

    /// Whether the module exports `canister_update <name>`, `canister_query <name>`, ….
    pub fn exports(&self, entry: &str) -> bool {
        let _ = entry;
        false
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageEnv {
    pub canister_id: Principal,
    pub caller: Principal,
    /// Argument of the method (empty for callbacks: see [`Entry`]).
    pub arg: Vec<u8>,
    pub time_nanos: u64,
    pub cycles_balance: u128,
    /// Cycles attached to the incoming call that the canister may accept.
    pub cycles_available: u128,
    /// The certificate for `ic0.data_certificate_*` (non-replicated queries).
    pub data_certificate: Option<Vec<u8>>,
    /// Whether the call context may still be replied to.
    pub can_reply: bool,
    /// Instructions this message may use.
    pub instruction_limit: u64,
    /// Largest stable memory, in bytes.
    pub stable_limit_bytes: u64,
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

/// A live instance: heap, globals and (host-side) stable memory.
pub struct CanisterInstance {
    _private: (),
}

impl CanisterInstance {
    /// Instantiates `module` with empty stable memory; `heap_limit_bytes`
    /// bounds the wasm heap.
    pub fn new(module: &CanisterModule, heap_limit_bytes: u64) -> Result<Self, ModuleError> {
        let _ = (module, heap_limit_bytes);
        Err(ModuleError::Invalid("execution is not implemented".into()))
    }

    /// Runs `entry`. Atomic: see the module documentation.
    pub fn execute(&mut self, entry: &Entry, env: &MessageEnv) -> ExecutionOutcome {
        let _ = (entry, env);
        ExecutionOutcome {
            result: Err("execution is not implemented".into()),
            response: None,
            calls: Vec::new(),
            certified_data: None,
            global_timer: None,
            cycles_accepted: 0,
            message_accepted: false,
            instructions: 0,
        }
    }

    /// The wasm heap's bytes.
    pub fn heap(&self) -> &[u8] {
        &[]
    }

    /// The stable memory's bytes.
    pub fn stable_memory(&self) -> &[u8] {
        &[]
    }

    /// Pages of stable memory written since the last call (4 KiB indices),
    /// for persistence.
    pub fn take_dirty_stable_pages(&mut self) -> Vec<u64> {
        Vec::new()
    }

    /// The exported mutable globals, in order.
    pub fn globals(&self) -> Vec<crate::persist::GlobalValue> {
        Vec::new()
    }

    /// Restores persisted memories and globals into a fresh instance.
    pub fn restore(
        &mut self,
        heap: &[u8],
        stable: Vec<u8>,
        globals: &[crate::persist::GlobalValue],
    ) -> Result<(), ModuleError> {
        let _ = (heap, stable, globals);
        Err(ModuleError::Invalid("execution is not implemented".into()))
    }

    /// Replaces the stable memory (upgrade keeps it: the replica moves it
    /// from the old instance into the new one).
    pub fn take_stable_memory(&mut self) -> Vec<u8> {
        Vec::new()
    }
    pub fn set_stable_memory(&mut self, stable: Vec<u8>) {
        let _ = stable;
    }
}
