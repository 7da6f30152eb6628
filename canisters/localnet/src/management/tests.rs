#![allow(clippy::unwrap_used)] // test code

use std::collections::BTreeMap;
use std::sync::OnceLock;

use candid::{Decode, Encode, Nat, Principal};
use ic_management_canister_types as ic;
use rand::{Rng, RngCore, SeedableRng};

use super::*;
use crate::ids::canister_id;
use crate::threshold::MasterKeys;

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

fn ecdsa_verifies(public_key: &[u8], hash: &[u8], signature: &[u8]) -> bool {
    use k256::ecdsa::signature::hazmat::PrehashVerifier;
    let key = k256::ecdsa::VerifyingKey::from_sec1_bytes(public_key).unwrap();
    let signature = k256::ecdsa::Signature::from_slice(signature).unwrap();
    key.verify_prehash(hash, &signature).is_ok()
}

#[test]
fn an_ecdsa_signature_verifies_against_the_public_key_for_the_same_caller_and_path_only() {
    let mut context = FakeContext::new();
    let (alice, bob) = (canister_id(1), canister_id(2));
    let path = vec![b"account".to_vec(), vec![0, 0, 0, 7]];
    let other_path = vec![b"account".to_vec(), vec![0, 0, 0, 8]];
    let hash = [42u8; 32];

    let signature = sign_with_ecdsa(&mut context, alice, &path, &hash, "dfx_test_key").unwrap();
    assert_eq!(signature.len(), 64);

    let own = ecdsa_public_key(&mut context, alice, None, &path, "dfx_test_key").unwrap();
    assert_eq!(own.public_key.len(), 33);
    assert_eq!(own.chain_code.len(), 32);
    assert!(ecdsa_verifies(&own.public_key, &hash, &signature));

    // The same key when another canister asks for alice's key.
    let asked_by_bob = ecdsa_public_key(&mut context, bob, Some(alice), &path, "dfx_test_key");
    assert_eq!(asked_by_bob.unwrap(), own);

    let other_path_key =
        ecdsa_public_key(&mut context, alice, None, &other_path, "dfx_test_key").unwrap();
    assert!(!ecdsa_verifies(
        &other_path_key.public_key,
        &hash,
        &signature
    ));
    let other_canister_key =
        ecdsa_public_key(&mut context, bob, None, &path, "dfx_test_key").unwrap();
    assert!(!ecdsa_verifies(
        &other_canister_key.public_key,
        &hash,
        &signature
    ));
}

#[test]
fn ecdsa_signatures_have_low_s() {
    let mut context = FakeContext::new();
    for i in 0..16u8 {
        let signature =
            sign_with_ecdsa(&mut context, canister_id(1), &[vec![i]], &[i; 32], "key_1").unwrap();
        let signature = k256::ecdsa::Signature::from_slice(&signature).unwrap();
        assert!(signature.normalize_s().is_none(), "high s in signature {i}");
    }
}

#[test]
fn a_bip340_signature_verifies_against_the_public_key_for_the_same_caller_and_path_only() {
    let mut context = FakeContext::new();
    let algorithm = ic::SchnorrAlgorithm::Bip340secp256k1;
    let (alice, bob) = (canister_id(1), canister_id(2));
    let path = vec![b"btc".to_vec()];
    // BIP-340 messages have arbitrary length.
    let message = b"a message that is not 32 bytes long".to_vec();

    let signature =
        sign_with_schnorr(&mut context, alice, &path, &message, algorithm, None).unwrap();
    assert_eq!(signature.len(), 64);
    let verify = |public_key: &[u8]| {
        assert_eq!(public_key.len(), 33);
        ic_secp256k1::PublicKey::deserialize_sec1(public_key)
            .unwrap()
            .verify_bip340_signature(&message, &signature)
    };
    assert!(verify(&schnorr_public_key(
        &mut context,
        alice,
        &path,
        algorithm
    )));
    assert!(!verify(&schnorr_public_key(
        &mut context,
        alice,
        &[b"eth".to_vec()],
        algorithm
    )));
    assert!(!verify(&schnorr_public_key(
        &mut context,
        bob,
        &path,
        algorithm
    )));
}

#[test]
fn a_bip341_signature_verifies_against_the_taproot_tweaked_key() {
    let mut context = FakeContext::new();
    let algorithm = ic::SchnorrAlgorithm::Bip340secp256k1;
    let path = vec![b"taproot".to_vec()];
    let root = vec![3u8; 32];
    let aux = Some(ic::SchnorrAux::Bip341(ic::Bip341 {
        merkle_root_hash: root.clone(),
    }));
    let signature =
        sign_with_schnorr(&mut context, canister_id(1), &path, b"tx", algorithm, aux).unwrap();
    let key = schnorr_public_key(&mut context, canister_id(1), &path, algorithm);
    let key = ic_secp256k1::PublicKey::deserialize_sec1(&key).unwrap();
    assert!(key.verify_bip341_signature(b"tx", &signature, &root));

    let bad_aux = Some(ic::SchnorrAux::Bip341(ic::Bip341 {
        merkle_root_hash: vec![1; 5],
    }));
    let error = sign_with_schnorr(
        &mut context,
        canister_id(1),
        &path,
        b"tx",
        algorithm,
        bad_aux,
    )
    .unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterReject);
}

#[test]
fn an_ed25519_signature_verifies_against_the_public_key_for_the_same_caller_and_path_only() {
    let mut context = FakeContext::new();
    let algorithm = ic::SchnorrAlgorithm::Ed25519;
    let (alice, bob) = (canister_id(1), canister_id(2));
    let path = vec![b"sol".to_vec(), vec![]];
    let message = b"solana transaction".to_vec();

    let signature =
        sign_with_schnorr(&mut context, alice, &path, &message, algorithm, None).unwrap();
    assert_eq!(signature.len(), 64);
    let verify = |public_key: &[u8]| {
        assert_eq!(public_key.len(), 32);
        ic_ed25519::PublicKey::deserialize_raw(public_key)
            .unwrap()
            .verify_signature(&message, &signature)
            .is_ok()
    };
    assert!(verify(&schnorr_public_key(
        &mut context,
        alice,
        &path,
        algorithm
    )));
    assert!(!verify(&schnorr_public_key(
        &mut context,
        alice,
        &[b"sol".to_vec()],
        algorithm
    )));
    assert!(!verify(&schnorr_public_key(
        &mut context,
        bob,
        &path,
        algorithm
    )));

    let aux = Some(ic::SchnorrAux::Bip341(ic::Bip341 {
        merkle_root_hash: vec![],
    }));
    assert!(sign_with_schnorr(&mut context, alice, &path, &message, algorithm, aux).is_err());
}

#[test]
fn different_key_names_give_different_keys() {
    let mut context = FakeContext::new();
    let caller = canister_id(1);
    let keys: Vec<_> = crate::threshold::KEY_NAMES
        .iter()
        .map(|name| {
            ecdsa_public_key(&mut context, caller, None, &[], name)
                .unwrap()
                .public_key
        })
        .collect();
    assert_ne!(keys[0], keys[1]);
    assert_ne!(keys[1], keys[2]);
    assert_ne!(keys[0], keys[2]);
}

#[test]
fn an_unknown_key_name_is_rejected() {
    let mut context = FakeContext::new();
    let error =
        ecdsa_public_key(&mut context, canister_id(1), None, &[], "no_such_key").unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterReject);
    assert!(
        error
            .message
            .starts_with("Requested unknown threshold key: ecdsa:Secp256k1:no_such_key"),
        "{}",
        error.message
    );
    assert!(sign_with_ecdsa(&mut context, canister_id(1), &[], &[0; 32], "no_such_key").is_err());
    let arg = Encode!(&ic::SignWithSchnorrArgs {
        message: b"m".to_vec(),
        derivation_path: vec![],
        key_id: schnorr_key(ic::SchnorrAlgorithm::Ed25519, "no_such_key"),
        aux: None,
    })
    .unwrap();
    let error = dispatch(
        &mut context,
        CallOrigin::Canister(canister_id(1)),
        "sign_with_schnorr",
        &arg,
        FEE,
    )
    .unwrap_err();
    assert!(
        error
            .message
            .starts_with("Requested unknown threshold key: schnorr:Ed25519:no_such_key"),
        "{}",
        error.message
    );
}

#[test]
fn sign_with_ecdsa_rejects_a_31_byte_hash() {
    let mut context = FakeContext::new();
    let error = sign_with_ecdsa(&mut context, canister_id(1), &[], &[7; 31], "key_1").unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterReject);
    assert_eq!(error.message, "message_hash must be 32 bytes");
}

#[test]
fn signing_without_the_fee_attached_is_rejected() {
    let mut context = FakeContext::new();
    let arg = Encode!(&ic::SignWithEcdsaArgs {
        message_hash: vec![0; 32],
        derivation_path: vec![],
        key_id: ecdsa_key("key_1"),
    })
    .unwrap();
    let error = dispatch(
        &mut context,
        CallOrigin::Canister(canister_id(1)),
        "sign_with_ecdsa",
        &arg,
        FEE - 1,
    )
    .unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterReject);
    assert!(
        error.message.contains("cycles are required"),
        "{}",
        error.message
    );
    assert_eq!(cycles_consumed("sign_with_ecdsa", FEE + 5), FEE);
}

#[test]
fn threshold_methods_and_raw_rand_are_rejected_from_ingress() {
    let mut context = FakeContext::new();
    let unit = Encode!().unwrap();
    for method in [
        "raw_rand",
        "ecdsa_public_key",
        "sign_with_ecdsa",
        "schnorr_public_key",
        "sign_with_schnorr",
        "create_canister",
        "deposit_cycles",
        "canister_info",
    ] {
        let error = dispatch(&mut context, ingress(), method, &unit, 0).unwrap_err();
        assert_eq!(error.code, RejectCode::CanisterReject, "{method}");
        assert_eq!(error.error_code.as_deref(), Some("IC0406"));
        assert_eq!(
            error.message,
            format!("Only canisters can call ic00 method {method}")
        );
    }
}

#[test]
fn raw_rand_from_a_canister_returns_32_random_bytes() {
    let mut context = FakeContext::new();
    let reply = dispatch(
        &mut context,
        CallOrigin::Canister(canister_id(1)),
        "raw_rand",
        &Encode!().unwrap(),
        0,
    )
    .unwrap();
    let bytes = Decode!(&reply, serde_bytes::ByteBuf).unwrap();
    assert_eq!(bytes.as_slice(), &[1u8; 32]);
}

#[test]
fn an_unknown_method_is_rejected_with_the_ic_error() {
    let mut context = FakeContext::new();
    let error = dispatch(&mut context, ingress(), "start", &Encode!().unwrap(), 0).unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterError);
    assert_eq!(error.error_code.as_deref(), Some("IC0536"));
    assert_eq!(error.message, "Management canister has no method 'start'");
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

#[test]
fn a_non_controller_cannot_install_code() {
    let (mut context, canister) = FakeContext::with_canister(vec![canister_id(99)]);
    let arg = install_arg(canister, ic::CanisterInstallMode::Install, WASM);

    let error = dispatch(&mut context, ingress(), "install_code", &arg, 0).unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterError);
    assert_eq!(error.error_code.as_deref(), Some("IC0512"));
    assert_eq!(
        error.message,
        format!("Only controllers of canister {canister} can call ic00 method install_code")
    );
    let error = dispatch(
        &mut context,
        CallOrigin::Canister(canister_id(5)),
        "install_code",
        &arg,
        0,
    )
    .unwrap_err();
    assert_eq!(error.error_code.as_deref(), Some("IC0512"));
    assert!(context.installs.is_empty());
    assert_eq!(
        check_ingress(&context, &user(), "install_code", &arg)
            .unwrap_err()
            .error_code
            .as_deref(),
        Some("IC0512")
    );

    // The controller may.
    dispatch(
        &mut context,
        CallOrigin::Canister(canister_id(99)),
        "install_code",
        &arg,
        0,
    )
    .unwrap();
    assert_eq!(context.installs.len(), 1);
}

#[test]
fn install_modes_reach_the_replica_and_are_checked_against_the_module() {
    let (mut context, canister) = FakeContext::with_canister(vec![user()]);
    let upgrade = |skip| {
        ic::CanisterInstallMode::Upgrade(Some(ic::UpgradeFlags {
            skip_pre_upgrade: skip,
            wasm_memory_persistence: None,
        }))
    };
    // Upgrading an empty canister fails.
    let error = dispatch(
        &mut context,
        ingress(),
        "install_code",
        &install_arg(canister, upgrade(None), WASM),
        0,
    )
    .unwrap_err();
    assert_eq!(error.error_code.as_deref(), Some("IC0537"));

    let reply = dispatch(
        &mut context,
        ingress(),
        "install_code",
        &install_arg(canister, ic::CanisterInstallMode::Install, WASM),
        0,
    )
    .unwrap();
    assert_eq!(reply, Encode!().unwrap());
    // A second install fails: the canister is not empty.
    let error = dispatch(
        &mut context,
        ingress(),
        "install_code",
        &install_arg(canister, ic::CanisterInstallMode::Install, WASM),
        0,
    )
    .unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterError);

    for (mode, expected) in [
        (
            upgrade(Some(true)),
            InstallMode::Upgrade {
                skip_pre_upgrade: true,
            },
        ),
        (
            upgrade(None),
            InstallMode::Upgrade {
                skip_pre_upgrade: false,
            },
        ),
        (
            ic::CanisterInstallMode::Upgrade(None),
            InstallMode::Upgrade {
                skip_pre_upgrade: false,
            },
        ),
        (ic::CanisterInstallMode::Reinstall, InstallMode::Reinstall),
    ] {
        dispatch(
            &mut context,
            ingress(),
            "install_code",
            &install_arg(canister, mode, WASM),
            0,
        )
        .unwrap();
        let last = context.installs.last().unwrap();
        assert_eq!(last.1, expected);
        assert_eq!(last.2, WASM);
        assert_eq!(last.3, vec![1, 2, 3]);
        assert_eq!(last.4, user());
    }
    assert_eq!(context.installs[0].1, InstallMode::Install);
}

#[test]
fn a_gzipped_module_is_rejected_with_a_clear_message() {
    let (mut context, canister) = FakeContext::with_canister(vec![user()]);
    let error = dispatch(
        &mut context,
        ingress(),
        "install_code",
        &install_arg(
            canister,
            ic::CanisterInstallMode::Install,
            &[0x1f, 0x8b, 8, 0],
        ),
        0,
    )
    .unwrap_err();
    assert!(error.message.contains("gzip"), "{}", error.message);
    assert!(context.installs.is_empty());
}

#[test]
fn a_canister_lifecycle_runs_from_provisional_creation_to_deletion() {
    let mut context = FakeContext::new();
    let specified = canister_id(500);
    let arg = Encode!(&ic::ProvisionalCreateCanisterWithCyclesArgs {
        amount: Some(Nat::from(7_000u32)),
        settings: None,
        specified_id: Some(specified),
        sender_canister_version: None,
    })
    .unwrap();
    let reply = dispatch(
        &mut context,
        ingress(),
        "provisional_create_canister_with_cycles",
        &arg,
        0,
    )
    .unwrap();
    let created = Decode!(&reply, ic::CanisterIdRecord).unwrap().canister_id;
    assert_eq!(created, specified);
    assert_eq!(context.controllers(&created), Some(vec![user()]));
    assert_eq!(
        effective_canister_id("provisional_create_canister_with_cycles", &arg),
        Some(specified)
    );
    // The same id again is refused.
    let error = dispatch(
        &mut context,
        ingress(),
        "provisional_create_canister_with_cycles",
        &arg,
        0,
    )
    .unwrap_err();
    assert_eq!(error.error_code.as_deref(), Some("IC0205"));

    let record = Encode!(&ic::CanisterIdRecord {
        canister_id: created
    })
    .unwrap();
    let top_up = Encode!(&ic::ProvisionalTopUpCanisterArgs {
        canister_id: created,
        amount: Nat::from(3_000u32),
    })
    .unwrap();
    dispatch(
        &mut context,
        ingress(),
        "provisional_top_up_canister",
        &top_up,
        0,
    )
    .unwrap();

    let reply = dispatch(&mut context, ingress(), "canister_status", &record, 0).unwrap();
    let status = Decode!(&reply, ic::CanisterStatusResult).unwrap();
    assert_eq!(status.status, ic::CanisterStatusType::Running);
    assert_eq!(status.cycles, Nat::from(10_000u32));
    assert_eq!(status.settings.controllers, vec![user()]);
    assert_eq!(status.module_hash, None);
    assert_eq!(status.memory_size, Nat::from(4096u32));

    // The canister may ask for its own status; others may not.
    dispatch(
        &mut context,
        CallOrigin::Canister(created),
        "canister_status",
        &record,
        0,
    )
    .unwrap();
    assert!(
        dispatch(
            &mut context,
            CallOrigin::Canister(canister_id(1)),
            "canister_status",
            &record,
            0
        )
        .is_err()
    );

    // Deleting a running canister fails.
    let error = dispatch(&mut context, ingress(), "delete_canister", &record, 0).unwrap_err();
    assert_eq!(error.error_code.as_deref(), Some("IC0510"));
    assert_eq!(
        error.message,
        format!("Canister {created} must be stopped before it is deleted.")
    );

    dispatch(&mut context, ingress(), "stop_canister", &record, 0).unwrap();
    let reply = dispatch(&mut context, ingress(), "canister_status", &record, 0).unwrap();
    assert_eq!(
        Decode!(&reply, ic::CanisterStatusResult).unwrap().status,
        ic::CanisterStatusType::Stopped
    );
    dispatch(&mut context, ingress(), "start_canister", &record, 0).unwrap();
    dispatch(&mut context, ingress(), "stop_canister", &record, 0).unwrap();
    dispatch(&mut context, ingress(), "delete_canister", &record, 0).unwrap();
    let error = dispatch(&mut context, ingress(), "canister_status", &record, 0).unwrap_err();
    assert_eq!(error.code, RejectCode::DestinationInvalid);
    assert_eq!(error.error_code.as_deref(), Some("IC0301"));
}

#[test]
fn update_settings_changes_controllers_and_enforces_the_limit() {
    let (mut context, canister) = FakeContext::with_canister(vec![user()]);
    let settings = |controllers: Vec<Principal>| {
        Encode!(&ic::UpdateSettingsArgs {
            canister_id: canister,
            settings: ic::CanisterSettings {
                controllers: Some(controllers),
                freezing_threshold: Some(Nat::from(1u8)),
                ..Default::default()
            },
            sender_canister_version: None,
        })
        .unwrap()
    };
    let error = dispatch(
        &mut context,
        ingress(),
        "update_settings",
        &settings(vec![canister_id(1); 11]),
        0,
    )
    .unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterError);

    dispatch(
        &mut context,
        ingress(),
        "update_settings",
        &settings(vec![canister_id(1)]),
        0,
    )
    .unwrap();
    assert_eq!(context.controllers(&canister), Some(vec![canister_id(1)]));
    // The user no longer controls it.
    assert!(
        dispatch(
            &mut context,
            ingress(),
            "update_settings",
            &settings(vec![user()]),
            0
        )
        .is_err()
    );
}

#[test]
fn create_canister_from_a_canister_defaults_controllers_to_the_caller_and_keeps_the_cycles() {
    let mut context = FakeContext::new();
    let parent = canister_id(9);
    let arg = Encode!(&ic::CreateCanisterArgs::default()).unwrap();
    let reply = dispatch(
        &mut context,
        CallOrigin::Canister(parent),
        "create_canister",
        &arg,
        123,
    )
    .unwrap();
    let child = Decode!(&reply, ic::CanisterIdRecord).unwrap().canister_id;
    assert_eq!(context.controllers(&child), Some(vec![parent]));
    assert_eq!(context.canisters[&child].cycles, 123);
    assert_eq!(cycles_consumed("create_canister", 123), 123);

    let deposit = Encode!(&ic::CanisterIdRecord { canister_id: child }).unwrap();
    dispatch(
        &mut context,
        CallOrigin::Canister(parent),
        "deposit_cycles",
        &deposit,
        7,
    )
    .unwrap();
    assert_eq!(context.canisters[&child].cycles, 130);
}

#[test]
fn a_canister_cannot_delete_itself() {
    let (mut context, canister) = FakeContext::with_canister(vec![]);
    context.canisters.get_mut(&canister).unwrap().controllers = vec![canister];
    context.canisters.get_mut(&canister).unwrap().status = RunStatus::Stopped;
    let record = Encode!(&ic::CanisterIdRecord {
        canister_id: canister
    })
    .unwrap();
    let error = dispatch(
        &mut context,
        CallOrigin::Canister(canister),
        "delete_canister",
        &record,
        0,
    )
    .unwrap_err();
    assert_eq!(
        error.message,
        format!("Canister {canister} cannot delete itself.")
    );
}

#[test]
fn check_ingress_filters_like_the_ic() {
    let (context, canister) = FakeContext::with_canister(vec![user()]);
    let record = Encode!(&ic::CanisterIdRecord {
        canister_id: canister
    })
    .unwrap();
    check_ingress(&context, &user(), "canister_status", &record).unwrap();
    check_ingress(
        &context,
        &user(),
        "provisional_create_canister_with_cycles",
        &[],
    )
    .unwrap();
    let stranger = Principal::anonymous();
    assert!(check_ingress(&context, &stranger, "stop_canister", &record).is_err());
    assert_eq!(
        check_ingress(&context, &user(), "raw_rand", &[])
            .unwrap_err()
            .message,
        "Only canisters can call ic00 method raw_rand"
    );
    assert!(check_ingress(&context, &user(), "nope", &[]).is_err());
    assert!(check_ingress(&context, &user(), "install_code", b"junk").is_err());
    assert_eq!(
        effective_canister_id("canister_status", &record),
        Some(canister)
    );
    assert_eq!(effective_canister_id("raw_rand", &record), None);
}

#[test]
fn malformed_candid_is_rejected_as_an_invalid_payload() {
    let (mut context, _) = FakeContext::with_canister(vec![user()]);
    let error = dispatch(&mut context, ingress(), "install_code", &[1, 2, 3], 0).unwrap_err();
    assert_eq!(error.code, RejectCode::CanisterReject);
    assert_eq!(error.error_code.as_deref(), Some("IC0408"));
    assert!(
        error.message.starts_with("Error decoding candid"),
        "{}",
        error.message
    );
    // A well-formed argument of the wrong type, too.
    let error = dispatch(
        &mut context,
        CallOrigin::Canister(canister_id(1)),
        "sign_with_ecdsa",
        &Encode!(&42u64).unwrap(),
        FEE,
    )
    .unwrap_err();
    assert_eq!(error.error_code.as_deref(), Some("IC0408"));
}

const METHODS: [&str; 18] = [
    "create_canister",
    "provisional_create_canister_with_cycles",
    "install_code",
    "uninstall_code",
    "update_settings",
    "start_canister",
    "stop_canister",
    "canister_status",
    "delete_canister",
    "deposit_cycles",
    "provisional_top_up_canister",
    "raw_rand",
    "ecdsa_public_key",
    "sign_with_ecdsa",
    "schnorr_public_key",
    "sign_with_schnorr",
    "canister_info",
    "no_such_method",
];

/// Valid arguments for each method, as seeds for mutation.
fn valid_arguments(canister: Principal) -> Vec<Vec<u8>> {
    vec![
        Encode!(&ic::CreateCanisterArgs::default()).unwrap(),
        Encode!(&ic::ProvisionalCreateCanisterWithCyclesArgs::default()).unwrap(),
        install_arg(canister, ic::CanisterInstallMode::Reinstall, WASM),
        Encode!(&ic::CanisterIdRecord {
            canister_id: canister
        })
        .unwrap(),
        Encode!(&ic::SignWithEcdsaArgs {
            message_hash: vec![1; 32],
            derivation_path: vec![vec![2; 3]],
            key_id: ecdsa_key("key_1"),
        })
        .unwrap(),
        Encode!(&ic::SignWithSchnorrArgs {
            message: vec![1; 40],
            derivation_path: vec![vec![2; 3]],
            key_id: schnorr_key(ic::SchnorrAlgorithm::Bip340secp256k1, "key_1"),
            aux: Some(ic::SchnorrAux::Bip341(ic::Bip341 {
                merkle_root_hash: vec![4; 32],
            })),
        })
        .unwrap(),
        Encode!(&ic::SchnorrPublicKeyArgs::default()).unwrap(),
        Encode!(&ic::ProvisionalTopUpCanisterArgs {
            canister_id: canister,
            amount: Nat::from(5u8),
        })
        .unwrap(),
        Encode!().unwrap(),
    ]
}

#[test]
fn random_and_mutated_arguments_never_panic_any_method() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let (mut context, canister) = FakeContext::with_canister(vec![user(), canister_id(1)]);
    let seeds = valid_arguments(canister);
    let origins = [ingress(), CallOrigin::Canister(canister_id(1))];
    for method in METHODS {
        for round in 0..300 {
            let arg: Vec<u8> = match round % 3 {
                // Pure noise.
                0 => {
                    let mut bytes = vec![0u8; rng.gen_range(0..64)];
                    rng.fill_bytes(&mut bytes);
                    bytes
                }
                // A Candid header followed by noise.
                1 => {
                    let mut bytes = b"DIDL".to_vec();
                    let mut tail = vec![0u8; rng.gen_range(0..48)];
                    rng.fill_bytes(&mut tail);
                    bytes.extend(tail);
                    bytes
                }
                // A valid argument with a few bytes flipped or cut.
                _ => {
                    let mut bytes = seeds[rng.gen_range(0..seeds.len())].clone();
                    for _ in 0..rng.gen_range(1..4) {
                        let index = rng.gen_range(0..bytes.len());
                        bytes[index] = rng.r#gen();
                    }
                    if rng.gen_bool(0.3) {
                        bytes.truncate(rng.gen_range(0..bytes.len()));
                    }
                    bytes
                }
            };
            let origin = origins[round % 2];
            let cycles = if round % 5 == 0 { 0 } else { FEE };
            let _ = dispatch(&mut context, origin, method, &arg, cycles);
            let _ = check_ingress(&context, &user(), method, &arg);
            let _ = effective_canister_id(method, &arg);
            // The canister may have been deleted or its controllers changed:
            // put it back so that later rounds reach deeper code.
            context.canisters.entry(canister).or_insert(FakeCanister {
                controllers: vec![],
                status: RunStatus::Running,
                module_hash: None,
                cycles: 0,
            });
            let entry = context.canisters.get_mut(&canister).unwrap();
            entry.controllers = vec![user(), canister_id(1)];
        }
    }
}

#[test]
fn a_huge_declared_vector_length_is_rejected_without_allocating_it() {
    let mut context = FakeContext::new();
    // `vec nat8` with a declared length of 2^40 elements and no data.
    let mut arg = b"DIDL\x01\x6d\x7b\x01\x00".to_vec();
    arg.extend([0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    let error = dispatch(
        &mut context,
        CallOrigin::Canister(canister_id(1)),
        "sign_with_schnorr",
        &arg,
        FEE,
    )
    .unwrap_err();
    assert_eq!(error.error_code.as_deref(), Some("IC0408"));
}
