//! The management canister against a fake replica ([`FakeContext`]).
//!
//! This module holds what the test files share: the fake replica, callers,
//! key ids, the threshold calls, and an `install_code` argument.

#![allow(clippy::unwrap_used)] // test code

use std::collections::BTreeMap;
use std::sync::OnceLock;

use candid::{Decode, Encode, Nat, Principal};
use ic_management_canister_types as ic;
use rand::{Rng, RngCore, SeedableRng};

use super::*;
use crate::ids::canister_id;
use crate::threshold::MasterKeys;

mod dispatch;
mod install;
mod lifecycle;
mod random_arguments;
mod threshold_signatures;

/// An `install_code` the fake replica saw: canister, mode, module, argument, sender.
type Install = (Principal, InstallMode, Vec<u8>, Vec<u8>, Principal);

struct FakeCanister {
    controllers: Vec<Principal>,
    status: RunStatus,
    module_hash: Option<[u8; 32]>,
    cycles: u128,
}

/// An in-memory stand-in for the replica.
struct FakeContext {
    canisters: BTreeMap<Principal, FakeCanister>,
    next_index: u64,
    installs: Vec<Install>,
    random_counter: u8,
}

fn shared_keys() -> &'static MasterKeys {
    static KEYS: OnceLock<MasterKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!(
            "localnet-management-tests-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        let keys = MasterKeys::load_or_create(&dir).unwrap();
        // The keys are in memory now; the files are not needed.
        std::fs::remove_dir_all(&dir).unwrap();
        keys
    })
}

impl FakeContext {
    fn new() -> Self {
        Self {
            canisters: BTreeMap::new(),
            next_index: 0,
            installs: Vec::new(),
            random_counter: 0,
        }
    }

    fn with_canister(controllers: Vec<Principal>) -> (Self, Principal) {
        let mut context = Self::new();
        let id = context.create_canister(controllers, 1_000, None).unwrap();
        (context, id)
    }
}

impl ManagementContext for FakeContext {
    fn time_nanos(&self) -> u64 {
        1_700_000_000_000_000_000
    }

    fn controllers(&self, canister_id: &Principal) -> Option<Vec<Principal>> {
        self.canisters
            .get(canister_id)
            .map(|canister| canister.controllers.clone())
    }

    fn create_canister(
        &mut self,
        controllers: Vec<Principal>,
        cycles: u128,
        specified_id: Option<Principal>,
    ) -> Result<Principal, Reject> {
        let id = match specified_id {
            Some(id) => id,
            None => {
                self.next_index += 1;
                canister_id(self.next_index - 1)
            }
        };
        self.canisters.insert(
            id,
            FakeCanister {
                controllers,
                status: RunStatus::Running,
                module_hash: None,
                cycles,
            },
        );
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
        let canister = self.canisters.get_mut(&canister_id).unwrap();
        canister.module_hash = Some([wasm.len() as u8; 32]);
        self.installs.push((canister_id, mode, wasm, arg, sender));
        Ok(())
    }

    fn uninstall_code(&mut self, canister_id: Principal) -> Result<(), Reject> {
        self.canisters.get_mut(&canister_id).unwrap().module_hash = None;
        Ok(())
    }

    fn set_controllers(
        &mut self,
        canister_id: Principal,
        controllers: Vec<Principal>,
    ) -> Result<(), Reject> {
        self.canisters.get_mut(&canister_id).unwrap().controllers = controllers;
        Ok(())
    }

    fn set_status(&mut self, canister_id: Principal, status: RunStatus) -> Result<(), Reject> {
        self.canisters.get_mut(&canister_id).unwrap().status = status;
        Ok(())
    }

    fn delete_canister(&mut self, canister_id: Principal) -> Result<(), Reject> {
        self.canisters.remove(&canister_id);
        Ok(())
    }

    fn canister_status(&self, canister_id: &Principal) -> Option<CanisterStatusInfo> {
        self.canisters
            .get(canister_id)
            .map(|canister| CanisterStatusInfo {
                status: canister.status,
                controllers: canister.controllers.clone(),
                module_hash: canister.module_hash,
                memory_size: 4096,
                cycles: canister.cycles,
            })
    }

    fn deposit_cycles(&mut self, canister_id: Principal, cycles: u128) -> Result<(), Reject> {
        self.canisters.get_mut(&canister_id).unwrap().cycles += cycles;
        Ok(())
    }

    fn random_bytes(&mut self) -> [u8; 32] {
        self.random_counter = self.random_counter.wrapping_add(1);
        [self.random_counter; 32]
    }

    fn threshold_keys(&self) -> &MasterKeys {
        shared_keys()
    }
}

fn user() -> Principal {
    Principal::self_authenticating(b"user public key")
}

fn ingress() -> CallOrigin {
    CallOrigin::Ingress { sender: user() }
}

const FEE: u128 = crate::threshold::SIGNATURE_FEE;

fn ecdsa_key(name: &str) -> ic::EcdsaKeyId {
    ic::EcdsaKeyId {
        curve: ic::EcdsaCurve::Secp256k1,
        name: name.to_string(),
    }
}

fn schnorr_key(algorithm: ic::SchnorrAlgorithm, name: &str) -> ic::SchnorrKeyId {
    ic::SchnorrKeyId {
        algorithm,
        name: name.to_string(),
    }
}

fn ecdsa_public_key(
    context: &mut FakeContext,
    caller: Principal,
    canister: Option<Principal>,
    path: &[Vec<u8>],
    name: &str,
) -> Result<ic::EcdsaPublicKeyResult, Reject> {
    let arg = Encode!(&ic::EcdsaPublicKeyArgs {
        canister_id: canister,
        derivation_path: path.to_vec(),
        key_id: ecdsa_key(name),
    })
    .unwrap();
    dispatch(
        context,
        CallOrigin::Canister(caller),
        "ecdsa_public_key",
        &arg,
        0,
    )
    .map(|reply| Decode!(&reply, ic::EcdsaPublicKeyResult).unwrap())
}

fn sign_with_ecdsa(
    context: &mut FakeContext,
    caller: Principal,
    path: &[Vec<u8>],
    hash: &[u8],
    name: &str,
) -> Result<Vec<u8>, Reject> {
    let arg = Encode!(&ic::SignWithEcdsaArgs {
        message_hash: hash.to_vec(),
        derivation_path: path.to_vec(),
        key_id: ecdsa_key(name),
    })
    .unwrap();
    dispatch(
        context,
        CallOrigin::Canister(caller),
        "sign_with_ecdsa",
        &arg,
        FEE,
    )
    .map(|reply| Decode!(&reply, ic::SignWithEcdsaResult).unwrap().signature)
}

fn schnorr_public_key(
    context: &mut FakeContext,
    caller: Principal,
    path: &[Vec<u8>],
    algorithm: ic::SchnorrAlgorithm,
) -> Vec<u8> {
    let arg = Encode!(&ic::SchnorrPublicKeyArgs {
        canister_id: None,
        derivation_path: path.to_vec(),
        key_id: schnorr_key(algorithm, "test_key_1"),
    })
    .unwrap();
    let reply = dispatch(
        context,
        CallOrigin::Canister(caller),
        "schnorr_public_key",
        &arg,
        0,
    )
    .unwrap();
    let result = Decode!(&reply, ic::SchnorrPublicKeyResult).unwrap();
    assert_eq!(result.chain_code.len(), 32);
    result.public_key
}

fn sign_with_schnorr(
    context: &mut FakeContext,
    caller: Principal,
    path: &[Vec<u8>],
    message: &[u8],
    algorithm: ic::SchnorrAlgorithm,
    aux: Option<ic::SchnorrAux>,
) -> Result<Vec<u8>, Reject> {
    let arg = Encode!(&ic::SignWithSchnorrArgs {
        message: message.to_vec(),
        derivation_path: path.to_vec(),
        key_id: schnorr_key(algorithm, "test_key_1"),
        aux,
    })
    .unwrap();
    dispatch(
        context,
        CallOrigin::Canister(caller),
        "sign_with_schnorr",
        &arg,
        FEE,
    )
    .map(|reply| {
        Decode!(&reply, ic::SignWithSchnorrResult)
            .unwrap()
            .signature
    })
}

fn install_arg(canister: Principal, mode: ic::CanisterInstallMode, wasm: &[u8]) -> Vec<u8> {
    Encode!(&ic::InstallCodeArgs {
        mode,
        canister_id: canister,
        wasm_module: wasm.to_vec(),
        arg: vec![1, 2, 3],
        sender_canister_version: None,
    })
    .unwrap()
}

const WASM: &[u8] = b"\0asm\x01\0\0\0";
