//! The subnet's canisters and the management operations on them
//! ([`ManagementContext`]).
//!
//! Invariants:
//! - A canister has a module exactly when it has an instance
//!   ([`Installed`]); `module_hash` is the SHA-256 of the wasm the controller
//!   supplied.
//! - `install_code` is all or nothing: when validation, instantiation,
//!   `canister_init`, `canister_pre_upgrade` or `canister_post_upgrade`
//!   fails, the canister keeps its previous module, instance, memories,
//!   certified data and timer.
//! - Every change to a canister adds it to `State::touched`; deletions go to
//!   `State::deleted`. Both are cleared only after a successful commit.
//! - Canisters whose running calls must be abandoned (uninstall, reinstall,
//!   delete) are listed in `State::abandoned` until the scheduler has
//!   rejected their call contexts.

use std::collections::{BTreeMap, BTreeSet};

use candid::Principal;
use sha2::{Digest, Sha256};

use super::ExecutionLimits;
use super::call_context::CallContexts;
use super::commit::CommitState;
use super::rejects;
use crate::execution::{CanisterInstance, CanisterModule, Entry, ExecutionOutcome, MessageEnv};
use crate::ids;
use crate::management::{CanisterStatusInfo, InstallMode, ManagementContext};
use crate::messages::{CanisterInfo, Reject};
use crate::persist::{CanisterMeta, GlobalValue, RunStatus};
use crate::threshold::MasterKeys;

/// An installed module and its live instance.
pub(crate) struct Installed {
    pub module: CanisterModule,
    pub instance: CanisterInstance,
    pub hash: [u8; 32],
    pub wasm_len: u64,
}

pub(crate) struct Canister {
    pub installed: Option<Installed>,
    pub controllers: Vec<Principal>,
    pub certified_data: Vec<u8>,
    /// Nanoseconds since the epoch; 0 when unset.
    pub global_timer: u64,
    pub cycles: u128,
    pub status: RunStatus,
    pub commit: CommitState,
}

impl Canister {
    pub fn new(controllers: Vec<Principal>, cycles: u128) -> Self {
        Self {
            installed: None,
            controllers,
            certified_data: Vec::new(),
            global_timer: 0,
            cycles,
            status: RunStatus::Running,
            commit: CommitState::new_canister(),
        }
    }

    pub fn meta(&self) -> CanisterMeta {
        CanisterMeta {
            controllers: self.controllers.clone(),
            certified_data: self.certified_data.clone(),
            global_timer: self.global_timer,
            cycles: self.cycles,
            status: self.status,
            module_hash: self.installed.as_ref().map(|i| i.hash),
        }
    }

    pub fn info(&self, canister_id: Principal) -> CanisterInfo {
        CanisterInfo {
            canister_id,
            module_hash: self.installed.as_ref().map(|i| i.hash),
            controllers: self.controllers.clone(),
            certified_data: self.certified_data.clone(),
        }
    }

    pub fn globals(&self) -> Vec<GlobalValue> {
        self.installed
            .as_ref()
            .map(|i| i.instance.globals())
            .unwrap_or_default()
    }

    /// The environment of a message from `caller` to this canister at
    /// `time_nanos`: the canister's own state filled in, no cycles
    /// available, no data certificate, and no reply possible (callers set
    /// what differs).
    pub fn message_env(
        &self,
        canister_id: Principal,
        caller: Principal,
        arg: Vec<u8>,
        time_nanos: u64,
        instruction_limit: u64,
        limits: &ExecutionLimits,
    ) -> MessageEnv {
        MessageEnv {
            canister_id,
            caller,
            arg,
            time_nanos,
            cycles_balance: self.cycles,
            can_reply: false,
            instruction_limit,
            stable_limit_bytes: limits.stable_bytes,
            controllers: self.controllers.clone(),
            global_timer: self.global_timer,
            ..MessageEnv::default()
        }
    }

    /// Applies the effects of a successful message on the canister's
    /// system state (not calls, responses or cycles).
    pub fn apply_system_effects(&mut self, outcome: &ExecutionOutcome) {
        if let Some(data) = &outcome.certified_data {
            self.certified_data.clone_from(data);
        }
        if let Some(timer) = outcome.global_timer {
            self.global_timer = timer;
        }
    }
}

/// The reject a failed message deserves.
pub(crate) fn failure_reject(
    canister_id: &Principal,
    message: &str,
    instructions: u64,
    limit: u64,
) -> Reject {
    if instructions >= limit {
        rejects::instruction_limit(canister_id, limit)
    } else {
        rejects::trapped(canister_id, message)
    }
}

/// The replicated state the scheduler and the management canister share.
pub(crate) struct State {
    pub canisters: BTreeMap<Principal, Canister>,
    pub next_canister_index: u64,
    /// The current round's time.
    pub time: u64,
    pub limits: ExecutionLimits,
    pub keys: MasterKeys,
    pub contexts: CallContexts,
    pub touched: BTreeSet<Principal>,
    pub deleted: BTreeSet<Principal>,
    pub abandoned: Vec<Principal>,
}

impl State {
    pub fn new(limits: ExecutionLimits, keys: MasterKeys) -> Self {
        Self {
            canisters: BTreeMap::new(),
            next_canister_index: ids::FIRST_CANISTER_INDEX,
            time: 0,
            limits,
            keys,
            contexts: CallContexts::default(),
            touched: BTreeSet::new(),
            deleted: BTreeSet::new(),
            abandoned: Vec::new(),
        }
    }

    fn canister_mut(&mut self, canister_id: &Principal) -> Result<&mut Canister, Reject> {
        let canister = self
            .canisters
            .get_mut(canister_id)
            .ok_or_else(|| rejects::canister_not_found(canister_id))?;
        self.touched.insert(*canister_id);
        Ok(canister)
    }

    /// Moves a `Stopping` canister without open call contexts to `Stopped`.
    pub fn settle_stopping(&mut self, canister_id: &Principal) {
        if self.contexts.open_contexts(canister_id) > 0 {
            return;
        }
        if let Some(canister) = self.canisters.get_mut(canister_id)
            && canister.status == RunStatus::Stopping
        {
            canister.status = RunStatus::Stopped;
            self.touched.insert(*canister_id);
        }
    }

    fn allocate_id(&mut self, specified_id: Option<Principal>) -> Result<Principal, Reject> {
        if let Some(id) = specified_id {
            if ids::canister_index(&id).is_none() {
                return Err(rejects::invalid_specified_id(
                    &id,
                    "it is not in the canister id range of this subnet",
                ));
            }
            if self.canisters.contains_key(&id) {
                return Err(rejects::invalid_specified_id(
                    &id,
                    "a canister with this id exists",
                ));
            }
            return Ok(id);
        }
        while self.next_canister_index < ids::CANISTER_RANGE_END {
            let id = ids::canister_id(self.next_canister_index);
            self.next_canister_index += 1;
            if !self.canisters.contains_key(&id) {
                return Ok(id);
            }
        }
        Err(rejects::subnet_full())
    }
}

/// What every message of one install shares: who installs what, when.
struct InstallEnv<'a> {
    canister_id: Principal,
    sender: Principal,
    time_nanos: u64,
    limits: &'a ExecutionLimits,
    controllers: &'a [Principal],
}

impl InstallEnv<'_> {
    /// The environment of one install hook (`canister_init`,
    /// `canister_pre_upgrade`, `canister_post_upgrade`).
    fn message(&self, arg: Vec<u8>, instruction_limit: u64, cycles: u128) -> MessageEnv {
        MessageEnv {
            canister_id: self.canister_id,
            caller: self.sender,
            arg,
            time_nanos: self.time_nanos,
            cycles_balance: cycles,
            cycles_available: 0,
            data_certificate: None,
            can_reply: false,
            instruction_limit,
            stable_limit_bytes: self.limits.stable_bytes,
            controllers: self.controllers.to_vec(),
            ..MessageEnv::default()
        }
    }
}

/// Runs `entry` when the module exports `export`; `Ok(None)` when it does
/// not.
fn run_hook(
    canister_id: &Principal,
    module: &CanisterModule,
    instance: &mut CanisterInstance,
    export: &str,
    entry: Entry,
    env: &MessageEnv,
) -> Result<Option<ExecutionOutcome>, Reject> {
    if !module.exports(export) {
        return Ok(None);
    }
    let outcome = instance.execute(&entry, env);
    match &outcome.result {
        Ok(()) => Ok(Some(outcome)),
        Err(message) => Err(failure_reject(
            canister_id,
            message,
            outcome.instructions,
            env.instruction_limit,
        )),
    }
}

impl ManagementContext for State {
    fn time_nanos(&self) -> u64 {
        self.time
    }

    fn controllers(&self, canister_id: &Principal) -> Option<Vec<Principal>> {
        self.canisters
            .get(canister_id)
            .map(|c| c.controllers.clone())
    }

    fn create_canister(
        &mut self,
        controllers: Vec<Principal>,
        cycles: u128,
        specified_id: Option<Principal>,
    ) -> Result<Principal, Reject> {
        let id = self.allocate_id(specified_id)?;
        self.canisters
            .insert(id, Canister::new(controllers, cycles));
        // A re-created id must reach the store as a new canister, after
        // any pending deletion of the old one.
        self.deleted.remove(&id);
        self.touched.insert(id);
        Ok(id)
    }

    fn install_code(
        &mut self,
        canister_id: Principal,
        mode: InstallMode,
        wasm: Vec<u8>,
        arg: Vec<u8>,
        sender: Principal,
    ) -> Result<(), Reject> {
        let limits = self.limits;
        let time = self.time;
        let canister = self
            .canisters
            .get_mut(&canister_id)
            .ok_or_else(|| rejects::canister_not_found(&canister_id))?;
        if mode == InstallMode::Install && canister.installed.is_some() {
            return Err(rejects::not_empty(&canister_id));
        }
        if matches!(mode, InstallMode::Upgrade { .. }) && canister.installed.is_none() {
            return Err(rejects::no_wasm_module(&canister_id));
        }
        let module = CanisterModule::new(&wasm)
            .map_err(|e| rejects::invalid_wasm(&canister_id, &e.to_string()))?;
        let mut instance = CanisterInstance::new(&module, limits.heap_bytes)
            .map_err(|e| rejects::invalid_wasm(&canister_id, &e.to_string()))?;
        let controllers = canister.controllers.clone();
        let install_env = InstallEnv {
            canister_id,
            sender,
            time_nanos: time,
            limits: &limits,
            controllers: &controllers,
        };
        let env = |arg: Vec<u8>, instruction_limit: u64, cycles: u128| {
            install_env.message(arg, instruction_limit, cycles)
        };
        let mut outcomes = Vec::new();
        let abandon;
        match mode {
            InstallMode::Install | InstallMode::Reinstall => {
                let init_env = env(arg, limits.install_instructions, canister.cycles);
                outcomes.extend(run_hook(
                    &canister_id,
                    &module,
                    &mut instance,
                    "canister_init",
                    Entry::Init,
                    &init_env,
                )?);
                canister.certified_data.clear();
                abandon = canister.installed.is_some();
            }
            InstallMode::Upgrade { skip_pre_upgrade } => {
                let Some(old) = canister.installed.as_mut() else {
                    return Err(rejects::no_wasm_module(&canister_id));
                };
                let mut remaining = limits.install_instructions;
                let runs_pre_upgrade =
                    !skip_pre_upgrade && old.module.exports("canister_pre_upgrade");
                // pre_upgrade changes the old instance; keep what it was, to
                // put it back should post_upgrade fail.
                let snapshot = runs_pre_upgrade.then(|| {
                    (
                        old.instance.heap().to_vec(),
                        old.instance.stable_memory().to_vec(),
                        old.instance.globals(),
                    )
                });
                if runs_pre_upgrade {
                    let pre_env = env(Vec::new(), remaining, canister.cycles);
                    let pre = run_hook(
                        &canister_id,
                        &old.module,
                        &mut old.instance,
                        "canister_pre_upgrade",
                        Entry::PreUpgrade,
                        &pre_env,
                    )?;
                    if let Some(pre) = pre {
                        remaining = remaining.saturating_sub(pre.instructions);
                        outcomes.push(pre);
                    }
                }
                instance.set_stable_memory(old.instance.take_stable_memory());
                let post_env = env(arg, remaining, canister.cycles);
                let post = run_hook(
                    &canister_id,
                    &module,
                    &mut instance,
                    "canister_post_upgrade",
                    Entry::PostUpgrade,
                    &post_env,
                );
                match post {
                    Ok(post) => outcomes.extend(post),
                    Err(reject) => {
                        let stable = instance.take_stable_memory();
                        restore_old(old, snapshot, stable, limits.heap_bytes);
                        return Err(reject);
                    }
                }
                abandon = false;
            }
        }
        // Committed from here: nothing below fails.
        canister.global_timer = 0;
        for outcome in &outcomes {
            canister.apply_system_effects(outcome);
        }
        let hash: [u8; 32] = Sha256::digest(&wasm).into();
        canister.installed = Some(Installed {
            module,
            instance,
            hash,
            wasm_len: wasm.len() as u64,
        });
        canister.commit.replaced(Some(wasm));
        self.touched.insert(canister_id);
        if abandon {
            self.abandoned.push(canister_id);
        }
        Ok(())
    }

    fn uninstall_code(&mut self, canister_id: Principal) -> Result<(), Reject> {
        let canister = self.canister_mut(&canister_id)?;
        canister.installed = None;
        canister.certified_data.clear();
        canister.global_timer = 0;
        canister.commit.replaced(None);
        self.abandoned.push(canister_id);
        Ok(())
    }

    fn set_controllers(
        &mut self,
        canister_id: Principal,
        controllers: Vec<Principal>,
    ) -> Result<(), Reject> {
        self.canister_mut(&canister_id)?.controllers = controllers;
        Ok(())
    }

    fn set_status(&mut self, canister_id: Principal, status: RunStatus) -> Result<(), Reject> {
        self.canister_mut(&canister_id)?.status = match status {
            RunStatus::Running => RunStatus::Running,
            RunStatus::Stopping | RunStatus::Stopped => RunStatus::Stopping,
        };
        self.settle_stopping(&canister_id);
        Ok(())
    }

    fn delete_canister(&mut self, canister_id: Principal) -> Result<(), Reject> {
        let canister = self
            .canisters
            .get(&canister_id)
            .ok_or_else(|| rejects::canister_not_found(&canister_id))?;
        if canister.status != RunStatus::Stopped {
            return Err(rejects::not_stopped(&canister_id));
        }
        self.canisters.remove(&canister_id);
        self.touched.remove(&canister_id);
        self.deleted.insert(canister_id);
        self.abandoned.push(canister_id);
        Ok(())
    }

    fn canister_status(&self, canister_id: &Principal) -> Option<CanisterStatusInfo> {
        let canister = self.canisters.get(canister_id)?;
        let memory_size = canister.installed.as_ref().map_or(0, |i| {
            (i.instance.heap().len() as u64)
                .saturating_add(i.instance.stable_memory().len() as u64)
                .saturating_add(i.wasm_len)
        });
        Some(CanisterStatusInfo {
            status: canister.status,
            controllers: canister.controllers.clone(),
            module_hash: canister.installed.as_ref().map(|i| i.hash),
            memory_size,
            cycles: canister.cycles,
        })
    }

    fn deposit_cycles(&mut self, canister_id: Principal, cycles: u128) -> Result<(), Reject> {
        let canister = self.canister_mut(&canister_id)?;
        canister.cycles = canister.cycles.saturating_add(cycles);
        Ok(())
    }

    fn random_bytes(&mut self) -> [u8; 32] {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        if rand::rngs::OsRng.try_fill_bytes(&mut bytes).is_err() {
            rand::thread_rng().fill_bytes(&mut bytes);
        }
        bytes
    }

    fn threshold_keys(&self) -> &MasterKeys {
        &self.keys
    }
}

/// Puts the old instance back as it was before a failed upgrade: from the
/// snapshot taken before `canister_pre_upgrade` when that ran, else by
/// returning its stable memory (it was not otherwise changed).
fn restore_old(
    old: &mut Installed,
    snapshot: Option<(Vec<u8>, Vec<u8>, Vec<GlobalValue>)>,
    stable: Vec<u8>,
    heap_limit: u64,
) {
    let Some((heap, snapshot_stable, globals)) = snapshot else {
        old.instance.set_stable_memory(stable);
        return;
    };
    if let Ok(mut fresh) = CanisterInstance::new(&old.module, heap_limit)
        && fresh
            .restore(&heap, snapshot_stable.clone(), &globals)
            .is_ok()
    {
        old.instance = fresh;
    } else {
        old.instance.set_stable_memory(snapshot_stable);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::messages::RejectCode;

    fn state() -> State {
        // One directory per state: tests run in parallel, and key files
        // written at the same time by two of them would collide.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("localnet-replica-keys-{}-{n}", std::process::id()));
        State::new(
            ExecutionLimits::default(),
            MasterKeys::load_or_create(&dir).unwrap(),
        )
    }

    #[test]
    fn should_allocate_canister_ids_in_order_and_skip_specified_ones() {
        let mut state = state();
        let a = state.create_canister(vec![], 1, None).unwrap();
        assert_eq!(a, ids::canister_id(0));
        let specified = state
            .create_canister(vec![], 1, Some(ids::canister_id(1)))
            .unwrap();
        assert_eq!(specified, ids::canister_id(1));
        let b = state.create_canister(vec![], 1, None).unwrap();
        assert_eq!(b, ids::canister_id(2));
        assert_eq!(state.next_canister_index, 3);
        assert!(state.touched.contains(&b));
    }

    #[test]
    fn should_refuse_a_specified_id_that_is_taken_or_out_of_range() {
        let mut state = state();
        let a = state.create_canister(vec![], 1, None).unwrap();
        assert!(state.create_canister(vec![], 1, Some(a)).is_err());
        let outside = ids::canister_id(ids::CANISTER_RANGE_END);
        assert!(state.create_canister(vec![], 1, Some(outside)).is_err());
        assert!(
            state
                .create_canister(vec![], 1, Some(Principal::anonymous()))
                .is_err()
        );
    }

    #[test]
    fn should_report_the_subnet_full_when_the_range_is_used_up() {
        let mut state = state();
        state.next_canister_index = ids::CANISTER_RANGE_END;
        let reject = state.create_canister(vec![], 1, None).unwrap_err();
        assert_eq!(reject.code, RejectCode::SysTransient);
    }

    #[test]
    fn should_stop_only_when_no_call_context_is_open() {
        let mut state = state();
        let a = state.create_canister(vec![], 1, None).unwrap();
        let context = state.contexts.open(
            a,
            Principal::anonymous(),
            super::super::call_context::Origin::System,
            0,
        );
        state.set_status(a, RunStatus::Stopped).unwrap();
        assert_eq!(state.canisters[&a].status, RunStatus::Stopping);
        assert!(state.delete_canister(a).is_err());
        state.contexts.finish(context, None);
        state.settle_stopping(&a);
        assert_eq!(state.canisters[&a].status, RunStatus::Stopped);
        state.delete_canister(a).unwrap();
        assert!(state.deleted.contains(&a));
        assert!(!state.touched.contains(&a));
        assert_eq!(state.abandoned, vec![a]);
    }

    #[test]
    fn should_refuse_to_upgrade_or_install_over_what_is_not_there() {
        let mut state = state();
        let missing = ids::canister_id(9);
        let reject = state
            .install_code(
                missing,
                InstallMode::Install,
                vec![],
                vec![],
                Principal::anonymous(),
            )
            .unwrap_err();
        assert_eq!(reject.error_code.as_deref(), Some("IC0301"));
        let a = state.create_canister(vec![], 1, None).unwrap();
        let reject = state
            .install_code(
                a,
                InstallMode::Upgrade {
                    skip_pre_upgrade: false,
                },
                vec![],
                vec![],
                Principal::anonymous(),
            )
            .unwrap_err();
        assert_eq!(reject.error_code.as_deref(), Some("IC0537"));
    }

    #[test]
    fn should_change_cycles_and_controllers_of_existing_canisters_only() {
        let mut state = state();
        let a = state.create_canister(vec![], 10, None).unwrap();
        state.deposit_cycles(a, 5).unwrap();
        state
            .set_controllers(a, vec![Principal::anonymous()])
            .unwrap();
        assert_eq!(state.canisters[&a].cycles, 15);
        assert_eq!(state.controllers(&a), Some(vec![Principal::anonymous()]));
        assert!(state.deposit_cycles(ids::canister_id(7), 1).is_err());
        assert!(!state.touched.contains(&ids::canister_id(7)));
        assert_ne!(state.random_bytes(), state.random_bytes());
    }
}
