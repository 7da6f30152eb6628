//! Random, mutated and oversized arguments for every method.

use super::*;

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
