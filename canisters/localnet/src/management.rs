//! The management canister (`aaaaa-aa`). (Stub: filled in by the management
//! canister work.)

use candid::Principal;

use crate::messages::Reject;

/// How `install_code` treats the canister's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallMode {
    Install,
    Reinstall,
    /// Keeps stable memory; runs `canister_pre_upgrade` on the old module and
    /// `canister_post_upgrade` on the new one. `skip_pre_upgrade` skips the former.
    Upgrade {
        skip_pre_upgrade: bool,
    },
}

/// The canister status the management canister reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanisterStatusInfo {
    pub status: crate::persist::RunStatus,
    pub controllers: Vec<Principal>,
    pub module_hash: Option<[u8; 32]>,
    pub memory_size: u64,
    pub cycles: u128,
}

/// Where a management call came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallOrigin {
    /// An ingress message from a user.
    Ingress,
    /// A call from a canister on this subnet.
    Canister(Principal),
}

/// What the management canister needs from the replica. The replica
/// implements it; `dispatch` does argument decoding, authorization and the
/// replies.
pub trait ManagementContext {
    fn time_nanos(&self) -> u64;
    fn controllers(&self, canister_id: &Principal) -> Option<Vec<Principal>>;
    fn create_canister(
        &mut self,
        controllers: Vec<Principal>,
        cycles: u128,
        specified_id: Option<Principal>,
    ) -> Result<Principal, Reject>;
    /// Installs a module and runs `canister_init` / the upgrade hooks.
    fn install_code(
        &mut self,
        canister_id: Principal,
        mode: InstallMode,
        wasm: Vec<u8>,
        arg: Vec<u8>,
        sender: Principal,
    ) -> Result<(), Reject>;
    fn uninstall_code(&mut self, canister_id: Principal) -> Result<(), Reject>;
    fn set_controllers(
        &mut self,
        canister_id: Principal,
        controllers: Vec<Principal>,
    ) -> Result<(), Reject>;
    fn set_status(
        &mut self,
        canister_id: Principal,
        status: crate::persist::RunStatus,
    ) -> Result<(), Reject>;
    fn delete_canister(&mut self, canister_id: Principal) -> Result<(), Reject>;
    fn canister_status(&self, canister_id: &Principal) -> Option<CanisterStatusInfo>;
    fn deposit_cycles(&mut self, canister_id: Principal, cycles: u128) -> Result<(), Reject>;
    /// 32 fresh random bytes.
    fn random_bytes(&mut self) -> [u8; 32];
    fn threshold_keys(&self) -> &crate::threshold::MasterKeys;
}

/// Executes one management canister method for `origin`. `cycles` are those
/// attached to the call. Returns the Candid-encoded reply.
pub fn dispatch(
    context: &mut dyn ManagementContext,
    origin: CallOrigin,
    method: &str,
    arg: &[u8],
    cycles: u128,
) -> Result<Vec<u8>, Reject> {
    // Interface stub.
    let _ = (context, origin, arg, cycles);
    Err(Reject::system(
        crate::messages::RejectCode::DestinationInvalid,
        "IC0302",
        format!("management canister method {method} is not implemented"),
    ))
}
