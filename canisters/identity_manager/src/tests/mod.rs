//! Tests across modules: the endpoints' `_impl` functions over a state in
//! `VectorMemory`, one file per area; upgrades (reopening the same memory),
//! attacks, bad input, and the Candid interface.

#![allow(clippy::unwrap_used)] // test code

mod accounts;
mod attacks;
mod bad_input;
mod candid_interface;
mod chains;
mod connections;
mod delegations;
mod devices;
mod policies;
mod policy;
mod principals;
mod signatures;
mod two_factor;
mod upgrade;

use candid::Principal;
use ic_stable_structures::VectorMemory;
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    AccountNumber, AddDeviceArgs, ConfirmDeviceArgs, CreateAccountArgs, Device, Error,
    GetDelegationArgs, GetPrincipalArgs, InitArgs, KeyType, ListDevicesArgs, PendingDevice,
    PrepareDelegationArgs, PreparedDelegation, ProofOfWork, Purpose, RemoveDeviceArgs,
    RenameDeviceArgs, SetTwoFactorArgs, SignedDelegation, Stats, TwoFactorArgs,
};
use sigil_keys::public_key::test_keys;

use crate::accounts::{create_account_impl, set_two_factor_impl, stats_impl, two_factor_impl};
use crate::delegation::{get_delegation_impl, get_principal_impl, prepare_delegation_impl};
use crate::devices::{
    add_device_impl, confirm_device_impl, list_devices_impl, remove_device_impl, rename_device_impl,
};
use crate::state::{Env, State};

const SECOND: u64 = 1_000_000_000;
const MINUTE: u64 = 60 * SECOND;
const DAY: u64 = 24 * 60 * MINUTE;
const ORIGIN: &str = "https://dapp.example";
const CERTIFICATE: &[u8] = b"certificate of the certified data";

fn canister_id() -> Principal {
    Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 7, 1, 1])
}

fn passkey(seed: u8) -> Device {
    Device {
        public_key: ByteBuf::from(test_keys::webauthn(seed)),
        alias: format!("Passkey {seed}"),
        credential_id: Some(ByteBuf::from(vec![seed; 16])),
        purpose: Purpose::Authentication,
        key_type: KeyType::WebAuthn,
        protected: false,
    }
}

fn ed25519_device(seed: u8) -> Device {
    Device {
        public_key: ByteBuf::from(test_keys::ed25519(seed)),
        alias: format!("Phrase {seed}"),
        credential_id: None,
        purpose: Purpose::Authentication,
        key_type: KeyType::Ed25519,
        protected: false,
    }
}

/// A recovery phrase's key, protected.
fn protected_phrase(seed: u8) -> Device {
    Device {
        purpose: Purpose::Recovery,
        protected: true,
        ..ed25519_device(seed)
    }
}

fn principal_of(device: &Device) -> Principal {
    Principal::self_authenticating(&device.public_key)
}

fn session_key() -> Vec<u8> {
    test_keys::ed25519(200)
}

struct Fixture {
    memory: VectorMemory,
    state: State<VectorMemory>,
    now: u64,
}

impl Fixture {
    fn new() -> Self {
        Self::with_args(None)
    }

    fn with_args(args: Option<InitArgs>) -> Self {
        let memory = VectorMemory::default();
        let mut state = State::init(memory.clone());
        state.configure(args).unwrap();
        state.set_salt_once(&[42; 32]).unwrap();
        Fixture {
            memory,
            state,
            now: 1_700_000_000 * SECOND,
        }
    }

    /// What a canister upgrade does to the state: the heap is lost and the
    /// stable memory is opened again, with a new argument.
    fn upgrade(&mut self, args: Option<InitArgs>) {
        self.state = State::init(self.memory.clone());
        self.state.configure(args).unwrap();
    }

    fn env(&self, caller: Principal) -> Env {
        Env {
            caller,
            now: self.now,
            canister_id: canister_id(),
            caller_is_controller: false,
        }
    }

    fn create(&mut self, device: &Device) -> Result<AccountNumber, Error> {
        self.create_as(principal_of(device), device, None)
    }

    fn create_as(
        &mut self,
        caller: Principal,
        device: &Device,
        proof_of_work: Option<ProofOfWork>,
    ) -> Result<AccountNumber, Error> {
        let env = self.env(caller);
        let args = CreateAccountArgs {
            device: device.clone(),
            proof_of_work,
        };
        create_account_impl(&mut self.state.storage, &env, args)
    }

    fn propose(
        &mut self,
        caller: Principal,
        account: AccountNumber,
        device: &Device,
    ) -> Result<PendingDevice, Error> {
        let env = self.env(caller);
        let args = AddDeviceArgs {
            account,
            device: device.clone(),
        };
        add_device_impl(&self.state.storage, &mut self.state.pending, &env, args)
    }

    fn confirm(&mut self, caller: Principal, account: AccountNumber) -> Result<(), Error> {
        let env = self.env(caller);
        let state = &mut self.state;
        confirm_device_impl(
            &mut state.storage,
            &mut state.pending,
            &env,
            ConfirmDeviceArgs { account },
        )
    }

    /// Both steps of adding a device: `caller` proposes, the device confirms.
    fn add(
        &mut self,
        caller: &Device,
        account: AccountNumber,
        device: &Device,
    ) -> Result<(), Error> {
        self.propose(principal_of(caller), account, device)?;
        self.confirm(principal_of(device), account)
    }

    fn rename(
        &mut self,
        caller: Principal,
        account: AccountNumber,
        public_key: &[u8],
        alias: &str,
    ) -> Result<(), Error> {
        let env = self.env(caller);
        let args = RenameDeviceArgs {
            account,
            public_key: ByteBuf::from(public_key),
            alias: alias.to_string(),
        };
        rename_device_impl(&mut self.state.storage, &env, args)
    }

    fn remove(
        &mut self,
        caller: Principal,
        account: AccountNumber,
        public_key: &[u8],
    ) -> Result<(), Error> {
        let env = self.env(caller);
        let args = RemoveDeviceArgs {
            account,
            public_key: ByteBuf::from(public_key),
        };
        let state = &mut self.state;
        remove_device_impl(&mut state.storage, &mut state.pending, &env, args)
    }

    fn list(&self, caller: Principal, account: AccountNumber) -> Result<Vec<Device>, Error> {
        list_devices_impl(
            &self.state.storage,
            &self.env(caller),
            ListDevicesArgs { account },
        )
    }

    fn set_two_factor(
        &mut self,
        caller: Principal,
        account: AccountNumber,
        enabled: bool,
    ) -> Result<(), Error> {
        let env = self.env(caller);
        let args = SetTwoFactorArgs { account, enabled };
        set_two_factor_impl(&mut self.state.storage, &env, args)
    }

    fn two_factor(&self, caller: Principal, account: AccountNumber) -> Result<bool, Error> {
        two_factor_impl(
            &self.state.storage,
            &self.env(caller),
            TwoFactorArgs { account },
        )
    }

    fn principal(
        &self,
        caller: &Device,
        account: AccountNumber,
        origin: &str,
    ) -> Result<Principal, Error> {
        self.principal_as(principal_of(caller), account, origin)
    }

    fn principal_as(
        &self,
        caller: Principal,
        account: AccountNumber,
        origin: &str,
    ) -> Result<Principal, Error> {
        let args = GetPrincipalArgs {
            account,
            origin: origin.to_string(),
        };
        get_principal_impl(&self.state.storage, &self.env(caller), args)
    }

    fn prepare(
        &mut self,
        caller: &Device,
        account: AccountNumber,
        max_time_to_live: Option<u64>,
        targets: Option<Vec<Principal>>,
    ) -> Result<PreparedDelegation, Error> {
        let args = PrepareDelegationArgs {
            account,
            origin: ORIGIN.to_string(),
            session_key: ByteBuf::from(session_key()),
            max_time_to_live,
            targets,
        };
        self.prepare_with(principal_of(caller), &args)
    }

    fn prepare_with(
        &mut self,
        caller: Principal,
        args: &PrepareDelegationArgs,
    ) -> Result<PreparedDelegation, Error> {
        let env = self.env(caller);
        prepare_delegation_impl(&mut self.state, &env, args)
    }

    fn get(
        &self,
        caller: &Device,
        account: AccountNumber,
        expiration: u64,
        targets: Option<Vec<Principal>>,
    ) -> Result<SignedDelegation, Error> {
        self.get_as(principal_of(caller), account, expiration, targets)
    }

    fn get_as(
        &self,
        caller: Principal,
        account: AccountNumber,
        expiration: u64,
        targets: Option<Vec<Principal>>,
    ) -> Result<SignedDelegation, Error> {
        let args = GetDelegationArgs {
            account,
            origin: ORIGIN.to_string(),
            session_key: ByteBuf::from(session_key()),
            expiration,
            targets,
        };
        get_delegation_impl(&self.state, &self.env(caller), args, Some(CERTIFICATE))
    }

    /// The figures, asked by a controller.
    fn stats(&self) -> Stats {
        let env = Env {
            caller_is_controller: true,
            ..self.env(Principal::anonymous())
        };
        stats_impl(&self.state.storage, &env).unwrap()
    }

    /// Every account operation as `caller` on `account` (whose first device
    /// is `passkey(1)`), with what each returned.
    fn every_operation(
        &mut self,
        caller: Principal,
        account: AccountNumber,
    ) -> Vec<(&'static str, Result<(), Error>)> {
        let key = passkey(1).public_key;
        let prepare = PrepareDelegationArgs {
            account,
            origin: ORIGIN.to_string(),
            session_key: ByteBuf::from(session_key()),
            max_time_to_live: None,
            targets: None,
        };
        vec![
            (
                "add_device",
                self.propose(caller, account, &passkey(2)).map(drop),
            ),
            ("rename_device", self.rename(caller, account, &key, "x")),
            ("remove_device", self.remove(caller, account, &key)),
            ("list_devices", self.list(caller, account).map(drop)),
            ("set_two_factor", self.set_two_factor(caller, account, true)),
            ("two_factor", self.two_factor(caller, account).map(drop)),
            (
                "get_principal",
                self.principal_as(caller, account, ORIGIN).map(drop),
            ),
            (
                "prepare_delegation",
                self.prepare_with(caller, &prepare).map(drop),
            ),
            (
                "get_delegation",
                self.get_as(caller, account, 0, None).map(drop),
            ),
        ]
    }
}

/// Asserts that every operation in `results` failed with `expected`.
fn assert_all_refused(results: Vec<(&str, Result<(), Error>)>, expected: &Error) {
    for (name, result) in results {
        assert_eq!(result.as_ref(), Err(expected), "{name}");
    }
}
