//! Threshold ECDSA and Schnorr: public keys and signatures that verify for
//! the same caller and path only, key names, hashes and fees.

use super::*;

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
