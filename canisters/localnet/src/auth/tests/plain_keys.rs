//! Plain schemes (Ed25519, ECDSA P-256 and secp256k1) with signatures from
//! ic-agent's identities; unsupported, malformed, oversized and random keys
//! and signatures of every scheme.

use super::*;

#[test]
fn an_ed25519_request_signed_by_ic_agent_is_accepted_without_target_restrictions() {
    let envelope = signed_by(&ed25519(1));
    let auth = envelope.check().unwrap();
    assert_eq!(auth.sender, ed25519(1).sender().unwrap());
    assert_eq!(auth.targets, None);
    assert!(!auth.queries_only);
}

#[test]
fn a_secp256k1_request_signed_by_ic_agent_is_accepted() {
    let envelope = signed_by(&secp256k1(2));
    assert_eq!(envelope.check().unwrap().sender, envelope.sender);
}

#[test]
fn a_p256_request_signed_by_ic_agent_is_accepted() {
    let envelope = signed_by(&p256(3));
    assert_eq!(envelope.check().unwrap().sender, envelope.sender);
}

#[test]
fn the_public_key_kinds_of_agent_keys_are_recognised() {
    let kind = |id: &dyn Identity| public_key_kind(&id.public_key().unwrap());
    assert_eq!(kind(&ed25519(1)), Ok(KeyKind::Ed25519));
    assert_eq!(kind(&secp256k1(1)), Ok(KeyKind::EcdsaSecp256k1));
    assert_eq!(kind(&p256(1)), Ok(KeyKind::EcdsaP256));
}

/// Replaces `s` by `n - s` in a 64-byte P-256 `r || s` signature.
fn negate_s_p256(signature: &[u8]) -> Vec<u8> {
    let sig = p256::ecdsa::Signature::from_slice(signature).unwrap();
    let (r, s) = sig.split_scalars();
    let negated = p256::ecdsa::Signature::from_scalars(*r.as_ref(), -*s.as_ref()).unwrap();
    negated.to_bytes().to_vec()
}

/// Replaces `s` by `n - s` in a 64-byte secp256k1 `r || s` signature.
fn negate_s_k256(signature: &[u8]) -> Vec<u8> {
    let sig = k256::ecdsa::Signature::from_slice(signature).unwrap();
    let (r, s) = sig.split_scalars();
    let negated = k256::ecdsa::Signature::from_scalars(*r.as_ref(), -*s.as_ref()).unwrap();
    negated.to_bytes().to_vec()
}

#[test]
fn ecdsa_signatures_are_accepted_with_either_s_like_on_the_ic() {
    for identity in [
        Box::new(p256(4)) as Box<dyn Identity>,
        Box::new(secp256k1(4)),
    ] {
        let mut envelope = signed_by(identity.as_ref());
        let sig = envelope.sig.clone().unwrap();
        let other = if public_key_kind(envelope.pubkey.as_ref().unwrap()) == Ok(KeyKind::EcdsaP256)
        {
            negate_s_p256(&sig)
        } else {
            negate_s_k256(&sig)
        };
        assert_ne!(other, sig);
        envelope.sig = Some(other);
        assert!(envelope.check().is_ok());
    }
}

#[test]
fn a_tampered_signature_is_rejected_for_every_scheme() {
    let cases: [(Box<dyn Identity>, KeyKind); 3] = [
        (Box::new(ed25519(5)), KeyKind::Ed25519),
        (Box::new(secp256k1(5)), KeyKind::EcdsaSecp256k1),
        (Box::new(p256(5)), KeyKind::EcdsaP256),
    ];
    for (identity, kind) in cases {
        let envelope = signed_by(identity.as_ref());
        for position in [0, 17, 40, 63] {
            let mut tampered = envelope.clone();
            flip(tampered.sig.as_mut().unwrap(), position);
            match tampered.check() {
                Err(AuthError::InvalidSignature(k)) => assert_eq!(k, kind),
                // Flipping a bit may push r or s out of range.
                Err(AuthError::MalformedSignature { kind: k, .. }) => assert_eq!(k, kind),
                other => panic!("{kind}: tampered signature gave {other:?}"),
            }
        }
    }
}

#[test]
fn a_signature_over_another_request_id_is_rejected() {
    for identity in [
        Box::new(ed25519(6)) as Box<dyn Identity>,
        Box::new(secp256k1(6)),
        Box::new(p256(6)),
    ] {
        let mut envelope = signed_by(identity.as_ref());
        envelope.request_id = *content(envelope.sender, 2).to_request_id();
        assert!(matches!(
            envelope.check(),
            Err(AuthError::InvalidSignature(_))
        ));
    }
}

#[test]
fn a_sender_that_is_not_the_principal_of_the_key_is_rejected() {
    let mut envelope = signed_by(&ed25519(7));
    envelope.sender = ed25519(8).sender().unwrap();
    assert_eq!(
        envelope.check(),
        Err(AuthError::SenderMismatch {
            sender: ed25519(8).sender().unwrap(),
            expected: ed25519(7).sender().unwrap(),
        })
    );
}

#[test]
fn a_signature_of_one_scheme_under_a_key_of_another_is_rejected() {
    let ed = signed_by(&ed25519(9));
    for (identity, kind) in [
        (Box::new(p256(9)) as Box<dyn Identity>, KeyKind::EcdsaP256),
        (Box::new(secp256k1(9)), KeyKind::EcdsaSecp256k1),
    ] {
        let key = identity.public_key().unwrap();
        let envelope = Envelope {
            request_id: ed.request_id,
            sender: Principal::self_authenticating(&key),
            pubkey: Some(key),
            sig: ed.sig.clone(),
            delegations: None,
        };
        assert!(matches!(
            envelope.check(),
            Err(AuthError::InvalidSignature(k) | AuthError::MalformedSignature { kind: k, .. }) if k == kind
        ));
    }
}

#[test]
fn keys_of_unsupported_types_are_rejected_as_such() {
    // RSA (1.2.840.113549.1.1.1) with a NULL parameter.
    let mut rsa = vec![0x30, 0x1a, 0x30, 0x0d, 0x06, 0x09];
    rsa.extend(keys::OID_RSA);
    rsa.extend([0x05, 0x00, 0x03, 0x09, 0x00]);
    rsa.extend([0x30, 0x06, 0x02, 0x01, 0x03, 0x02, 0x01, 0x03]);
    assert!(matches!(
        public_key_kind(&rsa),
        Err(AuthError::UnsupportedKeyType(_))
    ));
    // ECDSA on P-384 (1.3.132.0.34).
    let mut point = vec![4];
    point.extend([1; 96]);
    let p384 = der::encode_spki(
        keys::OID_EC_PUBLIC_KEY,
        Some(&[0x2b, 0x81, 0x04, 0x00, 0x22]),
        &point,
    );
    assert!(matches!(
        public_key_kind(&p384),
        Err(AuthError::UnsupportedKeyType(_))
    ));
    // An unknown algorithm.
    let unknown = der::encode_spki(&[0x2a, 0x03], None, &[1; 32]);
    assert_eq!(
        public_key_kind(&unknown),
        Err(AuthError::UnsupportedKeyType("algorithm 1.2.3".into()))
    );
}

#[test]
fn compressed_and_off_curve_ecdsa_points_are_rejected() {
    let der = p256(10).public_key().unwrap();
    let spki = der::parse_spki(&der).unwrap();
    let mut compressed = vec![0x02 | (spki.key[64] & 1)];
    compressed.extend(&spki.key[1..33]);
    let compressed = der::encode_spki(keys::OID_EC_PUBLIC_KEY, Some(keys::OID_P256), &compressed);
    assert!(matches!(
        public_key_kind(&compressed),
        Err(AuthError::MalformedPublicKey(_))
    ));
    let mut off_curve = spki.key.to_vec();
    off_curve[64] ^= 1;
    let off_curve = der::encode_spki(keys::OID_EC_PUBLIC_KEY, Some(keys::OID_P256), &off_curve);
    assert!(matches!(
        public_key_kind(&off_curve),
        Err(AuthError::MalformedPublicKey(_))
    ));
}

#[test]
fn every_truncation_of_a_public_key_is_rejected_as_malformed() {
    for identity in [
        Box::new(ed25519(11)) as Box<dyn Identity>,
        Box::new(secp256k1(11)),
        Box::new(p256(11)),
    ] {
        let envelope = signed_by(identity.as_ref());
        let key = envelope.pubkey.clone().unwrap();
        for cut in 0..key.len() {
            let truncated = key[..cut].to_vec();
            let mut bad = envelope.clone();
            bad.sender = Principal::self_authenticating(&truncated);
            bad.pubkey = Some(truncated);
            assert!(
                matches!(bad.check(), Err(AuthError::MalformedPublicKey(_))),
                "cut at {cut}"
            );
        }
    }
}

#[test]
fn oversized_keys_and_signatures_are_rejected_before_parsing() {
    let big_key = vec![0x30; MAX_PUBLIC_KEY_BYTES + 1];
    assert!(matches!(
        public_key_kind(&big_key),
        Err(AuthError::MalformedPublicKey(_))
    ));
    let key = ed25519(12).public_key().unwrap();
    let big_sig = vec![0; MAX_SIGNATURE_BYTES + 1];
    assert_eq!(
        verify_signature(&key, b"m", &big_sig, &[0; 96]),
        Err(AuthError::SignatureTooLarge {
            len: MAX_SIGNATURE_BYTES + 1,
            max: MAX_SIGNATURE_BYTES
        })
    );
}

#[test]
fn garbage_signatures_of_any_length_are_rejected_for_every_scheme() {
    let mut rng = StdRng::seed_from_u64(1);
    for identity in [
        Box::new(ed25519(13)) as Box<dyn Identity>,
        Box::new(secp256k1(13)),
        Box::new(p256(13)),
    ] {
        let envelope = signed_by(identity.as_ref());
        for len in [0, 1, 32, 63, 64, 65, 72, 128, 1000] {
            let mut bad = envelope.clone();
            bad.sig = Some((0..len).map(|_| rng.r#gen()).collect());
            assert!(matches!(
                bad.check(),
                Err(AuthError::InvalidSignature(_) | AuthError::MalformedSignature { .. })
            ));
        }
    }
}

#[test]
fn random_inputs_never_verify_and_mutated_inputs_never_panic() {
    let mut rng = StdRng::seed_from_u64(2);
    let webauthn = WebAuthnDevice::new(1);
    let canister_key = CanisterKey::new(b"seed");
    let message = b"\x0Aic-request fuzz";
    let valid: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (
            ed25519(14).public_key().unwrap(),
            ed25519(14)
                .sign_arbitrary(message)
                .unwrap()
                .signature
                .unwrap(),
        ),
        (
            secp256k1(14).public_key().unwrap(),
            secp256k1(14)
                .sign_arbitrary(message)
                .unwrap()
                .signature
                .unwrap(),
        ),
        (
            p256(14).public_key().unwrap(),
            p256(14).sign_arbitrary(message).unwrap().signature.unwrap(),
        ),
        (webauthn.der(), webauthn.sign(message)),
        (canister_key.der(), canister_key.sign(message)),
    ];
    for (key, sig) in &valid {
        verify_signature(key, message, sig, &canister_key.root.public).unwrap();
    }
    for _ in 0..3000 {
        // Pure noise.
        let len = rng.gen_range(0..200);
        let noise: Vec<u8> = (0..len).map(|_| rng.r#gen()).collect();
        let _ = public_key_kind(&noise);
        let (key, sig) = &valid[rng.gen_range(0..valid.len())];
        assert!(verify_signature(&noise, message, sig, &canister_key.root.public).is_err());
        assert!(verify_signature(key, message, &noise, &canister_key.root.public).is_err());

        // A valid key or signature, truncated or with a few bytes changed.
        let mut key = key.clone();
        let mut sig = sig.clone();
        match rng.gen_range(0..4) {
            0 => key.truncate(rng.gen_range(0..key.len())),
            1 => sig.truncate(rng.gen_range(0..sig.len())),
            2 => {
                for _ in 0..rng.gen_range(1..4) {
                    let i = rng.gen_range(0..key.len());
                    key[i] = rng.r#gen();
                }
            }
            _ => {
                for _ in 0..rng.gen_range(1..4) {
                    let i = rng.gen_range(0..sig.len());
                    sig[i] = rng.r#gen();
                }
            }
        }
        // Some mutations keep a signature valid (a CBOR tag number, for
        // instance, carries no meaning); what matters here is that none
        // panics.
        let _ = verify_signature(&key, message, &sig, &canister_key.root.public);
        let _ = public_key_kind(&key);
    }
}

#[test]
fn random_envelopes_never_panic() {
    let mut rng = StdRng::seed_from_u64(3);
    for _ in 0..500 {
        let key: Vec<u8> = (0..rng.gen_range(0..100)).map(|_| rng.r#gen()).collect();
        let sig: Vec<u8> = (0..rng.gen_range(0..100)).map(|_| rng.r#gen()).collect();
        let delegations = (0..rng.gen_range(0..3))
            .map(|_| SignedDelegation {
                delegation: delegation(
                    (0..rng.gen_range(0..50)).map(|_| rng.r#gen()).collect(),
                    rng.r#gen(),
                    None,
                ),
                signature: (0..rng.gen_range(0..80)).map(|_| rng.r#gen()).collect(),
            })
            .collect();
        let envelope = Envelope {
            request_id: rng.r#gen(),
            sender: if rng.gen_bool(0.5) {
                Principal::self_authenticating(&key)
            } else {
                Principal::anonymous()
            },
            pubkey: Some(key),
            sig: Some(sig),
            delegations: Some(delegations),
        };
        assert!(envelope.check().is_err());
    }
}
