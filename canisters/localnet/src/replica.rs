//! The replica: the subnet's canisters and the scheduler that runs their
//! messages (ingress, inter-canister requests and responses, timers).
//!
//! Public API used by the HTTP interface and the CLI. (Stub: filled in by
//! the execution work.)

use std::path::PathBuf;

use candid::Principal;

use crate::messages::{CanisterInfo, IngressCall, QueryCall, Reject, RequestId, RequestStatus};

/// Per-message resource limits.
#[derive(Clone, Copy, Debug)]
pub struct ExecutionLimits {
    /// Instructions (wasmi fuel) per update, callback, timer or heartbeat.
    pub message_instructions: u64,
    /// Instructions per query.
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
}

pub struct Replica {
    _private: (),
}

impl Replica {
    /// Opens the replica on its state directory (restoring what is there).
    pub fn open(config: ReplicaConfig) -> Result<Self, ReplicaError> {
        let _ = config;
        todo!("Replica::open")
    }

    /// The replica's current time, nanoseconds since the epoch.
    pub fn time_nanos(&self) -> u64 {
        todo!()
    }

    /// Accepts an authenticated ingress call (after `canister_inspect_message`
    /// where the target defines it) into the queue, or rejects it.
    pub fn submit_ingress(&mut self, call: IngressCall) -> Result<(), Reject> {
        let _ = call;
        todo!()
    }

    /// Runs queued messages until none is left, then commits the round to
    /// the store. Ingress statuses are final only after this returns.
    pub fn execute_round(&mut self) {
        todo!()
    }

    /// The status of an ingress call, if the replica knows it.
    pub fn request_status(&self, request_id: &RequestId) -> Option<RequestStatus> {
        let _ = request_id;
        todo!()
    }

    /// Runs a query; its state changes are discarded.
    pub fn query(&mut self, call: QueryCall) -> Result<Vec<u8>, Reject> {
        let _ = call;
        todo!()
    }

    /// What certification needs to know of a canister.
    pub fn canister_info(&self, canister_id: &Principal) -> Option<CanisterInfo> {
        let _ = canister_id;
        todo!()
    }

    /// The ids of all canisters, in order.
    pub fn canister_ids(&self) -> Vec<Principal> {
        todo!()
    }
}
