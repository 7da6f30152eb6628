//! The replica: the subnet's canisters and the scheduler that runs their
//! messages (ingress, inter-canister requests and responses, timers).
//!
//! Public API used by the HTTP interface and the CLI.
//!
//! Invariants:
//! - Time: every round runs at `max(system time, previous round's time + 1)`;
//!   [`Replica::time_nanos`] is `max(system time, last round's time)`. The
//!   round's time is committed with the round and restored at open, so the
//!   replica's time does not go back across restarts.
//! - Durability: each [`Replica::execute_round`] that changed anything ends
//!   with one `Store::commit` of everything changed since the last
//!   successful commit. A request status is reported final by
//!   [`Replica::request_status`] only once the round that produced it was
//!   committed; when a commit fails the statuses keep reading `Processing`
//!   and the changes roll into the next round's commit.
//! - What is not persisted: the message queue and open call contexts. A
//!   round normally runs until its queue is empty; only a round cut short by
//!   [`MAX_MESSAGES_PER_ROUND`] leaves work in memory, and a restart then
//!   drops it (the affected ingress calls have no final status and their
//!   clients time out).
//! - Calls: every incoming call opens one call context, answered at most
//!   once (see `call_context`). Bounded-wait calls (`timeout_seconds`) are
//!   treated as unbounded: this network never times a call out.
//! - Cycles: each canister has a balance; no execution is charged. Cycles
//!   attached to a call leave the caller's balance when the call is made,
//!   the callee gains what it accepts, the rest is refunded with the
//!   response. Calls to the management canister consume the attached cycles
//!   when they succeed and refund them when rejected.
//! - System tasks: due global timers run at the start of a round (the timer
//!   is reset to 0 as it fires); `canister_heartbeat` is not run.
//! - Ingress expiry is checked by the HTTP interface on submission, not
//!   again when the call runs.
//! - Queries and `canister_inspect_message` leave no trace: their outcome's
//!   state changes are not applied here, and the execution layer discards
//!   their memory changes.

mod call_context;
mod canister;
mod commit;
mod rejects;
mod scheduler;

use std::collections::VecDeque;
use std::path::PathBuf;

use candid::Principal;
use sha2::{Digest, Sha256};

use self::canister::{Canister, Installed, State, failure_reject};
use self::commit::{CommitState, Requests};
pub use self::scheduler::MAX_MESSAGES_PER_ROUND;
use self::scheduler::Message;
use crate::execution::{CanisterInstance, CanisterModule, Entry, MessageEnv, Response};
use crate::messages::{
    CanisterInfo, IngressCall, QueryCall, Reject, RequestId, RequestOrigin, RequestStatus,
};
use crate::persist::{PersistedCanister, RunStatus, Store};
use crate::threshold::MasterKeys;

/// Per-message resource limits.
#[derive(Clone, Copy, Debug)]
pub struct ExecutionLimits {
    /// Instructions (wasmi fuel) per update, callback, timer or heartbeat.
    pub message_instructions: u64,
    /// Instructions per query (and per `canister_inspect_message`).
    pub query_instructions: u64,
    /// Instructions for `canister_init`, `canister_pre_upgrade` and
    /// `canister_post_upgrade` together.
    pub install_instructions: u64,
    /// Largest wasm heap, in bytes.
    pub heap_bytes: u64,
    /// Largest stable memory, in bytes.
    pub stable_bytes: u64,
}

impl Default for ExecutionLimits {
    fn default() -> Self {
        Self {
            message_instructions: 5_000_000_000,
            query_instructions: 5_000_000_000,
            install_instructions: 20_000_000_000,
            heap_bytes: 1 << 30,
            stable_bytes: 1 << 30,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ReplicaConfig {
    pub state_dir: PathBuf,
    pub limits: ExecutionLimits,
}

#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    #[error(transparent)]
    Persist(#[from] crate::persist::PersistError),
    #[error("canister {canister_id} cannot be restored: {reason}")]
    Restore {
        canister_id: Principal,
        reason: String,
    },
    #[error("the threshold master keys cannot be loaded: {0}")]
    Keys(std::io::Error),
}

/// What the last [`Replica::execute_round`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundStats {
    /// Messages processed.
    pub messages: u64,
    /// Instructions executed by all of them.
    pub instructions: u64,
    /// Instructions of the last message executed (benchmarks).
    pub last_message_instructions: u64,
    /// Whether the round's commit succeeded (`false` also when nothing
    /// needed committing).
    pub committed: bool,
}

pub struct Replica {
    state: State,
    store: Store,
    queue: VecDeque<Message>,
    requests: Requests,
    log: bool,
    stats: RoundStats,
}

/// The system clock, nanoseconds since the epoch (0 if before it).
fn system_time_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn restore_canister(
    canister_id: Principal,
    persisted: PersistedCanister,
    limits: &ExecutionLimits,
) -> Result<Canister, ReplicaError> {
    let restore_error = |reason: String| ReplicaError::Restore {
        canister_id,
        reason,
    };
    let meta = persisted.meta;
    let stable_len = persisted.stable.len() as u64;
    let installed = match persisted.wasm {
        None => None,
        Some(wasm) => {
            let module = CanisterModule::new(&wasm).map_err(|e| restore_error(e.to_string()))?;
            let mut instance = CanisterInstance::new(&module, limits.heap_bytes)
                .map_err(|e| restore_error(e.to_string()))?;
            instance
                .restore(&persisted.heap, persisted.stable, &persisted.globals)
                .map_err(|e| restore_error(e.to_string()))?;
            Some(Installed {
                module,
                instance,
                hash: Sha256::digest(&wasm).into(),
                wasm_len: wasm.len() as u64,
            })
        }
    };
    Ok(Canister {
        installed,
        controllers: meta.controllers,
        certified_data: meta.certified_data,
        global_timer: meta.global_timer,
        cycles: meta.cycles,
        status: meta.status,
        commit: CommitState::restored(persisted.heap, stable_len),
    })
}

impl Replica {
    /// Opens the replica on its state directory (restoring what is there).
    pub fn open(config: ReplicaConfig) -> Result<Self, ReplicaError> {
        let (store, persisted) = Store::open(&config.state_dir)?;
        let keys = MasterKeys::load_or_create(&config.state_dir).map_err(ReplicaError::Keys)?;
        let mut state = State::new(config.limits, keys);
        state.time = persisted.time_nanos;
        state.next_canister_index = state.next_canister_index.max(persisted.next_canister_index);
        for (id, canister) in persisted.canisters {
            state
                .canisters
                .insert(id, restore_canister(id, canister, &config.limits)?);
        }
        Ok(Self {
            state,
            store,
            queue: VecDeque::new(),
            requests: Requests::restored(persisted.requests),
            log: std::env::var("LOCALNET_LOG").is_ok_and(|v| v == "1"),
            stats: RoundStats::default(),
        })
    }

    /// The replica's current time, nanoseconds since the epoch.
    pub fn time_nanos(&self) -> u64 {
        system_time_nanos().max(self.state.time)
    }

    /// Accepts an authenticated ingress call (after `canister_inspect_message`
    /// where the target defines it) into the queue, or rejects it.
    ///
    /// A request id seen before is accepted again without effect. Whether
    /// the method exists is checked when the call runs (as the IC does: the
    /// reject is then the call's certified status).
    pub fn submit_ingress(&mut self, call: IngressCall) -> Result<(), Reject> {
        if self.requests.knows(&call.request_id) {
            return Ok(());
        }
        if call.canister_id != Principal::management_canister() {
            self.check_ingress(&call)?;
        }
        self.requests
            .received(call.request_id, call.ingress_expiry, call.origin());
        self.queue.push_back(Message::Ingress(call));
        Ok(())
    }

    fn check_ingress(&mut self, call: &IngressCall) -> Result<(), Reject> {
        let canister_id = call.canister_id;
        let time_nanos = self.time_nanos();
        let limits = self.state.limits;
        let canister = self
            .state
            .canisters
            .get_mut(&canister_id)
            .ok_or_else(|| rejects::canister_not_found(&canister_id))?;
        match canister.status {
            RunStatus::Running => {}
            RunStatus::Stopping => return Err(rejects::stopping(&canister_id)),
            RunStatus::Stopped => return Err(rejects::stopped(&canister_id)),
        }
        let inspects = canister
            .installed
            .as_ref()
            .ok_or_else(|| rejects::no_wasm_module(&canister_id))?
            .module
            .exports("canister_inspect_message");
        if !inspects {
            return Ok(());
        }
        let env = canister.message_env(
            canister_id,
            call.sender,
            call.arg.clone(),
            time_nanos,
            limits.query_instructions,
            &limits,
        );
        let installed = canister
            .installed
            .as_mut()
            .ok_or_else(|| rejects::no_wasm_module(&canister_id))?;
        let entry = Entry::InspectMessage(call.method_name.clone());
        let outcome = installed.instance.execute(&entry, &env);
        match &outcome.result {
            Err(message) => Err(failure_reject(
                &canister_id,
                message,
                outcome.instructions,
                env.instruction_limit,
            )),
            Ok(()) if !outcome.message_accepted => {
                Err(rejects::inspect_message_rejected(&canister_id))
            }
            Ok(()) => Ok(()),
        }
    }

    /// The status of an ingress call, if the replica knows it.
    pub fn request_status(&self, request_id: &RequestId) -> Option<RequestStatus> {
        self.requests.status(request_id)
    }

    /// Who sent an ingress call and where, if the replica knows.
    pub fn request_origin(&self, request_id: &RequestId) -> Option<RequestOrigin> {
        self.requests.origin(request_id)
    }

    /// Runs a query; its state changes are discarded.
    pub fn query(&mut self, call: QueryCall) -> Result<Vec<u8>, Reject> {
        let canister_id = call.canister_id;
        let time_nanos = self.time_nanos();
        let limits = self.state.limits;
        let canister = self
            .state
            .canisters
            .get_mut(&canister_id)
            .ok_or_else(|| rejects::canister_not_found(&canister_id))?;
        if canister.status == RunStatus::Stopped {
            return Err(rejects::stopped_query(&canister_id));
        }
        let env = MessageEnv {
            data_certificate: call.data_certificate,
            can_reply: true,
            ..canister.message_env(
                canister_id,
                call.sender,
                call.arg,
                time_nanos,
                limits.query_instructions,
                &limits,
            )
        };
        let installed = canister
            .installed
            .as_mut()
            .ok_or_else(|| rejects::no_wasm_module(&canister_id))?;
        let method = &call.method_name;
        if !installed
            .module
            .exports(&format!("canister_query {method}"))
            && !installed
                .module
                .exports(&format!("canister_composite_query {method}"))
        {
            return Err(rejects::no_query_method(&canister_id, method));
        }
        let outcome = installed
            .instance
            .execute(&Entry::Query(call.method_name), &env);
        self.stats.last_message_instructions = outcome.instructions;
        if let Err(message) = &outcome.result {
            return Err(failure_reject(
                &canister_id,
                message,
                outcome.instructions,
                env.instruction_limit,
            ));
        }
        match outcome.response {
            Some(Response::Reply(bytes)) => Ok(bytes),
            Some(Response::Reject(message)) => Err(Reject::canister(message)),
            None if !outcome.calls.is_empty() => Err(rejects::composite_query_calls()),
            None => Err(rejects::did_not_reply(&canister_id)),
        }
    }

    /// What certification needs to know of a canister.
    pub fn canister_info(&self, canister_id: &Principal) -> Option<CanisterInfo> {
        self.state
            .canisters
            .get(canister_id)
            .map(|c| c.info(*canister_id))
    }

    /// The ids of all canisters, in order.
    pub fn canister_ids(&self) -> Vec<Principal> {
        self.state.canisters.keys().copied().collect()
    }

    /// Whether messages wait for a round (a round stops after
    /// [`MAX_MESSAGES_PER_ROUND`] messages).
    pub fn has_pending_messages(&self) -> bool {
        !self.queue.is_empty()
    }

    /// What the last round (or, for `last_message_instructions`, the last
    /// query) did.
    pub fn last_round(&self) -> RoundStats {
        self.stats
    }

    fn log(&self, line: std::fmt::Arguments<'_>) {
        if self.log {
            eprintln!("localnet: {line}");
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod wasm_tests;
