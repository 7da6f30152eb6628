//! The canister's state (stable storage plus the heap signature map) and
//! the environment a call runs in. Every `_impl` function takes these
//! explicitly, so the logic runs natively in tests.

use candid::Principal;
use ic_stable_structures::Memory;
use sigil_api::identity_manager::{
    Error, InitArgs, MAX_POLICY_LOOSENING_DELAY_NS, MAX_PROOF_OF_WORK_DIFFICULTY,
    MIN_POLICY_LOOSENING_DELAY_NS,
};

use crate::pending::PendingDevices;
use crate::prepared::PreparedSignatures;
use crate::signature_map::SignatureMap;
use crate::signatures::SignatureLimits;
use crate::storage::Storage;

/// Who calls, when, and which canister answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Env {
    pub caller: Principal,
    /// Nanoseconds since the Unix epoch.
    pub now: u64,
    pub canister_id: Principal,
    /// Whether the caller controls this canister.
    pub caller_is_controller: bool,
}

pub struct State<M: Memory> {
    pub storage: Storage<M>,
    /// Heap only: rebuilt by calling `prepare_delegation` again.
    pub signatures: SignatureMap,
    /// Heap only: proposed devices waiting for their confirmation.
    pub pending: PendingDevices,
    /// Heap only: each account's allowance of signatures.
    pub signature_limits: SignatureLimits,
    /// Heap only: signatures prepared and waiting for their approval.
    pub prepared: PreparedSignatures,
}

impl<M: Memory + Clone> State<M> {
    pub fn init(memory: M) -> Self {
        State {
            storage: Storage::init(memory),
            signatures: SignatureMap::default(),
            pending: PendingDevices::default(),
            signature_limits: SignatureLimits::default(),
            prepared: PreparedSignatures::default(),
        }
    }

    /// Applies the install/upgrade argument. Numbers already handed out are
    /// never handed out again: the next account number only grows.
    pub fn configure(&mut self, args: Option<InitArgs>) -> Result<(), String> {
        let Some(args) = args else { return Ok(()) };
        let mut header = self.storage.header().clone();
        if let Some(base) = args.base_account_number {
            header.base_account_number = base;
            header.next_account_number = if self.storage.account_count() == 0 {
                base
            } else {
                header.next_account_number.max(base)
            };
        }
        if let Some(limit) = args.registration_rate_limit {
            if limit.capacity == 0 || limit.refill_period_ns == 0 {
                return Err(
                    "registration_rate_limit needs a capacity and a refill period above zero"
                        .to_string(),
                );
            }
            header
                .registrations
                .reconfigure(limit.capacity, limit.refill_period_ns);
        }
        if let Some(difficulty) = args.registration_proof_of_work_difficulty {
            if !(1..=MAX_PROOF_OF_WORK_DIFFICULTY).contains(&difficulty) {
                return Err(format!(
                    "registration_proof_of_work_difficulty must be 1 to {MAX_PROOF_OF_WORK_DIFFICULTY}"
                ));
            }
            header.proof_of_work_difficulty = Some(difficulty);
        }
        if let Some(delay) = args.policy_loosening_delay_ns {
            if !(MIN_POLICY_LOOSENING_DELAY_NS..=MAX_POLICY_LOOSENING_DELAY_NS).contains(&delay) {
                return Err("policy_loosening_delay_ns must be 1 second to 30 days".to_string());
            }
            header.policy_loosening_delay_ns = Some(delay);
        }
        if let Some(chains) = args.chains {
            crate::chains::check_config(self.storage.chains(), &chains)?;
            self.storage.set_chains(chains);
        }
        if let Some(evm_chains) = args.evm_chains {
            crate::chains::check_evm_chains(&evm_chains)?;
            self.storage.set_evm_chains(evm_chains);
        }
        self.storage.set_header(header);
        Ok(())
    }

    /// Sets the salt if it is not set yet; a salt once set never changes.
    pub fn set_salt_once(&mut self, random: &[u8]) -> Result<(), Error> {
        if self.storage.header().salt().is_some() {
            return Ok(());
        }
        let salt = random
            .get(..32)
            .ok_or_else(|| Error::RandomnessUnavailable {
                message: format!("raw_rand returned {} bytes, not 32", random.len()),
            })?;
        let mut header = self.storage.header().clone();
        header.salt = Some(serde_bytes::ByteBuf::from(salt));
        self.storage.set_header(header);
        Ok(())
    }
}
