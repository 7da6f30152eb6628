//! Stable memory per account at scale: the canister's own storage code
//! (compiled natively, on `VectorMemory`, the same layout the canister
//! writes) filled with accounts of three Ed25519 devices each, at 1,000,
//! 10,000 and 100,000 accounts. It measures bytes, not instructions: see
//! `benches/scale.rs` for the instructions of the real wasm.
//!
//! `cargo bench --profile dev -p identity_manager --bench storage`

#![allow(clippy::unwrap_used)]

use candid::Principal;
use ic_stable_structures::VectorMemory;
use identity_manager::accounts::create_account_impl;
use identity_manager::devices::{add_device_impl, confirm_device_impl};
use identity_manager::pending::PendingDevices;
use identity_manager::state::Env;
use identity_manager::storage::Storage;
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    AddDeviceArgs, ConfirmDeviceArgs, CreateAccountArgs, Device, KeyType, Purpose,
};

const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

fn key(n: u64, device: u8) -> Vec<u8> {
    let mut key = ED25519_SPKI_PREFIX.to_vec();
    let mut raw = [0u8; 32];
    raw[..8].copy_from_slice(&n.to_be_bytes());
    raw[8] = device;
    key.extend_from_slice(&raw);
    key
}

fn device(public_key: Vec<u8>, n: u64) -> Device {
    Device {
        public_key: ByteBuf::from(public_key),
        alias: format!("device of account {n}"),
        credential_id: None,
        purpose: Purpose::Authentication,
        key_type: KeyType::Ed25519,
        protected: false,
    }
}

fn main() {
    let mut storage = Storage::init(VectorMemory::default());
    let mut pending = PendingDevices::default();
    let canister_id = Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    // Registrations are free while the bucket refills (by default one every
    // ten seconds): let ten seconds pass per account.
    let mut now: u64 = 1_700_000_000_000_000_000;
    let empty = storage.stable_memory_bytes();
    println!(
        "| accounts | devices | stable memory (bytes) | bytes per account, growth since the row above |"
    );
    println!("| ---: | ---: | ---: | ---: |");
    println!("| 0 | 0 | {empty} | — |");
    let mut previous = (0u64, empty);
    let mut n = 0u64;
    for target in [1_000u64, 10_000, 100_000] {
        while n < target {
            now += 10_000_000_000;
            let as_device = |public_key: &[u8]| Env {
                caller: Principal::self_authenticating(public_key),
                now,
                canister_id,
                caller_is_controller: false,
            };
            let first = key(n, 0);
            let env = as_device(&first);
            let registration = CreateAccountArgs {
                device: device(first, n),
                proof_of_work: None,
            };
            let account = create_account_impl(&mut storage, &env, registration).unwrap();
            // Each new device is proposed by the first and confirms itself.
            for extra in 1..=2 {
                let new = key(n, extra);
                let new_env = as_device(&new);
                let proposal = AddDeviceArgs {
                    account,
                    device: device(new, n),
                };
                add_device_impl(&storage, &mut pending, &env, proposal).unwrap();
                let confirmation = ConfirmDeviceArgs { account };
                confirm_device_impl(&mut storage, &mut pending, &new_env, confirmation).unwrap();
            }
            n += 1;
        }
        let bytes = storage.stable_memory_bytes();
        println!(
            "| {} | {} | {bytes} | {:.0} |",
            storage.account_count(),
            storage.device_count(),
            (bytes - previous.1) as f64 / (n - previous.0) as f64
        );
        previous = (n, bytes);
    }
}
