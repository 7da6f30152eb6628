//! Request authentication against signatures produced by ic-agent's real
//! identities, hand-built WebAuthn assertions and canister signatures, and
//! garbage.

use super::*;
use ic_agent::identity::{
    BasicIdentity, DelegatedIdentity, Identity, Prime256v1Identity, Secp256k1Identity,
};
use ic_certification::{HashTree, fork, labeled, leaf};
use ic_transport_types::EnvelopeContent;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// "Now" in the tests: 2023-11-14T22:13:20Z in nanoseconds.
const NOW: u64 = 1_700_000_000_000_000_000;
const MINUTE: u64 = 60_000_000_000;

fn canister(n: u64) -> Principal {
    let mut bytes = n.to_be_bytes().to_vec();
    bytes.extend([1, 1]);
    Principal::from_slice(&bytes)
}

fn ed25519(n: u8) -> BasicIdentity {
    BasicIdentity::from_raw_key(&[n; 32])
}

fn secp256k1(n: u8) -> Secp256k1Identity {
    Secp256k1Identity::from_private_key(k256::SecretKey::from_slice(&[n; 32]).unwrap())
}

fn p256(n: u8) -> Prime256v1Identity {
    Prime256v1Identity::from_private_key(p256::SecretKey::from_slice(&[n; 32]).unwrap())
}

/// The authentication parts of an envelope, owned.
#[derive(Clone)]
struct Envelope {
    request_id: [u8; 32],
    sender: Principal,
    pubkey: Option<Vec<u8>>,
    sig: Option<Vec<u8>>,
    delegations: Option<Vec<SignedDelegation>>,
}

impl Envelope {
    fn check_with_root(&self, root: &[u8]) -> Result<Authenticated, AuthError> {
        let request = SignedRequest {
            request_id: &self.request_id,
            sender: self.sender,
            sender_pubkey: self.pubkey.as_deref(),
            sender_sig: self.sig.as_deref(),
            sender_delegation: self.delegations.as_deref(),
        };
        authenticate(&request, NOW, root)
    }

    fn check(&self) -> Result<Authenticated, AuthError> {
        self.check_with_root(&[0; 96])
    }
}

fn content(sender: Principal, nonce: u8) -> EnvelopeContent {
    EnvelopeContent::Call {
        nonce: Some(vec![nonce; 8]),
        ingress_expiry: NOW + 4 * MINUTE,
        sender,
        canister_id: canister(7),
        method_name: "greet".into(),
        arg: b"DIDL\x00\x00".to_vec(),
        sender_info: None,
    }
}

/// An envelope for a call signed by `identity` exactly as ic-agent does it.
fn signed_by(identity: &dyn Identity) -> Envelope {
    let sender = identity.sender().unwrap();
    let content = content(sender, 1);
    let request_id = *content.to_request_id();
    let signature = identity.sign(&content).unwrap();
    Envelope {
        request_id,
        sender,
        pubkey: signature.public_key,
        sig: signature.signature,
        delegations: signature.delegations,
    }
}

fn delegation(pubkey: Vec<u8>, expiration: u64, targets: Option<Vec<Principal>>) -> Delegation {
    Delegation {
        pubkey,
        expiration,
        targets,
        permissions: None,
    }
}

fn sign_delegation(from: &dyn Identity, delegation: Delegation) -> SignedDelegation {
    let signature = from
        .sign_delegation(&delegation)
        .unwrap()
        .signature
        .unwrap();
    SignedDelegation {
        delegation,
        signature,
    }
}

/// A chain `keys[0] → keys[1] → … → keys[n-1]`, each delegation with the
/// given targets, as ic-agent's `DelegatedIdentity` presents it.
fn chain_envelope(keys: Vec<Box<dyn Identity>>, targets: &[Option<Vec<Principal>>]) -> Envelope {
    let mut chain = Vec::new();
    for (i, pair) in keys.windows(2).enumerate() {
        let to = pair[1].public_key().unwrap();
        let t = targets.get(i).cloned().flatten();
        chain.push(sign_delegation(
            pair[0].as_ref(),
            delegation(to, NOW + MINUTE, t),
        ));
    }
    let root = keys[0].public_key().unwrap();
    let last = keys.into_iter().last().unwrap();
    let identity = DelegatedIdentity::new_unchecked(root, last, chain);
    signed_by(&identity)
}

fn flip(bytes: &mut [u8], index: usize) {
    let i = index % bytes.len();
    bytes[i] ^= 0x01;
}

// ---------------------------------------------------------------------------
// Plain schemes, with signatures from ic-agent's identities.

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

// ---------------------------------------------------------------------------
// Anonymous and incomplete envelopes.

#[test]
fn an_anonymous_request_without_credentials_is_accepted_without_restrictions() {
    let envelope = Envelope {
        request_id: [1; 32],
        sender: Principal::anonymous(),
        pubkey: None,
        sig: None,
        delegations: None,
    };
    assert_eq!(
        envelope.check(),
        Ok(Authenticated {
            sender: Principal::anonymous(),
            targets: None,
            queries_only: false,
        })
    );
}

#[test]
fn an_anonymous_sender_with_a_signature_key_or_delegation_is_rejected() {
    let signed = signed_by(&ed25519(15));
    let anonymous = Envelope {
        request_id: signed.request_id,
        sender: Principal::anonymous(),
        pubkey: None,
        sig: None,
        delegations: None,
    };
    let with_sig = Envelope {
        sig: signed.sig.clone(),
        ..anonymous.clone()
    };
    let with_key = Envelope {
        pubkey: signed.pubkey.clone(),
        ..anonymous.clone()
    };
    let with_both = Envelope {
        pubkey: signed.pubkey.clone(),
        sig: signed.sig.clone(),
        ..anonymous.clone()
    };
    let with_delegation = Envelope {
        delegations: Some(vec![]),
        ..anonymous
    };
    for envelope in [with_sig, with_key, with_both, with_delegation] {
        assert_eq!(envelope.check(), Err(AuthError::AnonymousWithCredentials));
    }
}

#[test]
fn a_non_anonymous_sender_needs_both_a_key_and_a_signature() {
    let signed = signed_by(&ed25519(16));
    let no_key = Envelope {
        pubkey: None,
        ..signed.clone()
    };
    assert_eq!(
        no_key.check(),
        Err(AuthError::MissingPublicKey(signed.sender))
    );
    let no_sig = Envelope {
        sig: None,
        ..signed.clone()
    };
    assert_eq!(
        no_sig.check(),
        Err(AuthError::MissingSignature(signed.sender))
    );
}

// ---------------------------------------------------------------------------
// Delegation chains.

#[test]
fn the_delegation_signable_is_the_one_ic_agent_signs() {
    let d = delegation(vec![1, 2, 3], 42, Some(vec![canister(1)]));
    assert_eq!(delegation_signable(&d).unwrap(), d.signable());
    let with_permissions = Delegation {
        permissions: Some(DelegationPermissions::Queries),
        ..d.clone()
    };
    assert_eq!(
        delegation_signable(&with_permissions).unwrap(),
        with_permissions.signable()
    );
    assert_ne!(with_permissions.signable(), d.signable());
}

#[test]
fn a_valid_chain_across_schemes_is_accepted_for_the_root_principal() {
    let root = ed25519(20);
    let envelope = chain_envelope(
        vec![
            Box::new(ed25519(20)),
            Box::new(p256(21)),
            Box::new(secp256k1(22)),
            Box::new(ed25519(23)),
        ],
        &[],
    );
    assert_eq!(envelope.delegations.as_ref().unwrap().len(), 3);
    let auth = envelope.check().unwrap();
    assert_eq!(auth.sender, root.sender().unwrap());
    assert_eq!(auth.targets, None);
}

fn chain_of(length: usize) -> Envelope {
    let keys: Vec<Box<dyn Identity>> = (0..=length)
        .map(|i| Box::new(ed25519(100 + i as u8)) as Box<dyn Identity>)
        .collect();
    chain_envelope(keys, &[])
}

#[test]
fn a_chain_of_twenty_delegations_is_accepted_and_twenty_one_are_rejected() {
    assert!(chain_of(20).check().is_ok());
    assert_eq!(
        chain_of(21).check(),
        Err(AuthError::TooManyDelegations { count: 21, max: 20 })
    );
}

#[test]
fn an_empty_delegation_list_is_the_same_as_none() {
    let mut envelope = signed_by(&ed25519(24));
    envelope.delegations = Some(vec![]);
    assert_eq!(envelope.check().unwrap().targets, None);
}

fn two_step_chain(expiration: u64) -> Envelope {
    let root = ed25519(25);
    let session = ed25519(26);
    let d = sign_delegation(
        &root,
        delegation(session.public_key().unwrap(), expiration, None),
    );
    let identity =
        DelegatedIdentity::new_unchecked(root.public_key().unwrap(), Box::new(session), vec![d]);
    signed_by(&identity)
}

#[test]
fn an_expired_delegation_is_rejected_and_one_expiring_now_is_not() {
    assert_eq!(
        two_step_chain(NOW - 1).check(),
        Err(AuthError::DelegationExpired {
            index: 0,
            expiration: NOW - 1,
            now: NOW
        })
    );
    assert!(two_step_chain(NOW).check().is_ok());
}

#[test]
fn a_delegation_changed_after_signing_is_rejected() {
    let envelope = two_step_chain(NOW + MINUTE);
    let mut later = envelope.clone();
    later.delegations.as_mut().unwrap()[0].delegation.expiration += 1;
    let mut targeted = envelope.clone();
    targeted.delegations.as_mut().unwrap()[0].delegation.targets = Some(vec![canister(7)]);
    let mut resigned = envelope.clone();
    flip(&mut resigned.delegations.as_mut().unwrap()[0].signature, 3);
    for bad in [later, targeted, resigned] {
        assert_eq!(
            bad.check(),
            Err(AuthError::InvalidDelegation {
                index: 0,
                error: Box::new(AuthError::InvalidSignature(KeyKind::Ed25519)),
            })
        );
    }
}

#[test]
fn a_delegation_signed_by_a_key_outside_the_chain_is_rejected() {
    // sender_pubkey A, but the delegation to the session key is signed by B.
    let a = ed25519(27);
    let b = ed25519(28);
    let session = ed25519(29);
    let d = sign_delegation(
        &b,
        delegation(session.public_key().unwrap(), NOW + MINUTE, None),
    );
    let identity =
        DelegatedIdentity::new_unchecked(a.public_key().unwrap(), Box::new(session), vec![d]);
    assert!(matches!(
        signed_by(&identity).check(),
        Err(AuthError::InvalidDelegation { index: 0, .. })
    ));
}

#[test]
fn a_request_signed_by_the_root_key_instead_of_the_delegated_key_is_rejected() {
    let mut envelope = two_step_chain(NOW + MINUTE);
    let direct = signed_by(&ed25519(25));
    assert_eq!(direct.request_id, envelope.request_id);
    envelope.sig = direct.sig;
    assert_eq!(
        envelope.check(),
        Err(AuthError::InvalidSignature(KeyKind::Ed25519))
    );
}

#[test]
fn targets_intersect_along_the_chain() {
    let keys = || -> Vec<Box<dyn Identity>> {
        vec![
            Box::new(ed25519(30)),
            Box::new(ed25519(31)),
            Box::new(ed25519(32)),
        ]
    };
    let (a, b, c, d) = (canister(1), canister(2), canister(3), canister(4));
    let targets = |t: &[Option<Vec<Principal>>]| chain_envelope(keys(), t).check().unwrap().targets;

    assert_eq!(targets(&[None, None]), None);
    assert_eq!(targets(&[Some(vec![c, a, b]), None]), Some(vec![a, b, c]));
    assert_eq!(targets(&[None, Some(vec![b, d])]), Some(vec![b, d]));
    assert_eq!(
        targets(&[Some(vec![a, b, c]), Some(vec![b, c, d, c])]),
        Some(vec![b, c])
    );
    assert_eq!(targets(&[Some(vec![a]), Some(vec![b])]), Some(vec![]));
    assert_eq!(targets(&[Some(vec![]), None]), Some(vec![]));
}

#[test]
fn a_delegation_with_more_than_a_thousand_targets_is_rejected() {
    let many: Vec<Principal> = (0..1001).map(canister).collect();
    let envelope = chain_envelope(
        vec![Box::new(ed25519(33)), Box::new(ed25519(34))],
        &[Some(many)],
    );
    assert_eq!(
        envelope.check(),
        Err(AuthError::TooManyTargets {
            index: 0,
            count: 1001,
            max: 1000
        })
    );
    let thousand: Vec<Principal> = (0..1000).map(canister).collect();
    let envelope = chain_envelope(
        vec![Box::new(ed25519(33)), Box::new(ed25519(34))],
        &[Some(thousand)],
    );
    assert_eq!(envelope.check().unwrap().targets.unwrap().len(), 1000);
}

#[test]
fn a_chain_that_repeats_a_key_is_rejected() {
    // A → B → A
    let cycle = chain_envelope(
        vec![
            Box::new(ed25519(35)),
            Box::new(ed25519(36)),
            Box::new(ed25519(35)),
        ],
        &[],
    );
    assert_eq!(cycle.check(), Err(AuthError::DelegationCycle { index: 1 }));
    // A → A
    let own = chain_envelope(vec![Box::new(ed25519(37)), Box::new(ed25519(37))], &[]);
    assert_eq!(own.check(), Err(AuthError::DelegationCycle { index: 0 }));
}

#[test]
fn a_queries_only_delegation_is_reported() {
    let root = ed25519(38);
    let session = ed25519(39);
    let d = sign_delegation(
        &root,
        Delegation {
            permissions: Some(DelegationPermissions::Queries),
            ..delegation(session.public_key().unwrap(), NOW + MINUTE, None)
        },
    );
    let identity =
        DelegatedIdentity::new_unchecked(root.public_key().unwrap(), Box::new(session), vec![d]);
    let auth = signed_by(&identity).check().unwrap();
    assert!(auth.queries_only);
}

// ---------------------------------------------------------------------------
// WebAuthn.

/// A WebAuthn authenticator with a P-256 credential.
struct WebAuthnDevice {
    key: p256::ecdsa::SigningKey,
    kind: String,
    challenge_override: Option<String>,
    client_data_as_text: bool,
}

#[derive(Serialize)]
struct WebAuthnSig {
    #[serde(with = "serde_bytes")]
    authenticator_data: Vec<u8>,
    client_data_json: ClientDataField,
    #[serde(with = "serde_bytes")]
    signature: Vec<u8>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ClientDataField {
    Bytes(#[serde(with = "serde_bytes")] Vec<u8>),
    Text(String),
}

impl WebAuthnDevice {
    fn new(n: u8) -> Self {
        Self {
            key: p256::ecdsa::SigningKey::from_slice(&[n; 32]).unwrap(),
            kind: "webauthn.get".into(),
            challenge_override: None,
            client_data_as_text: false,
        }
    }

    fn der(&self) -> Vec<u8> {
        webauthn_public_key_der(self.key.verifying_key())
    }

    fn principal(&self) -> Principal {
        Principal::self_authenticating(self.der())
    }

    /// An assertion over `message`, as a browser returns it (tagged CBOR).
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        use p256::ecdsa::signature::Signer;
        // rpIdHash, flags (UP | UV), signature counter.
        let mut authenticator_data = Sha256::digest(b"sigil.example").to_vec();
        authenticator_data.push(0x05);
        authenticator_data.extend(7u32.to_be_bytes());
        let challenge = self
            .challenge_override
            .clone()
            .unwrap_or_else(|| webauthn::base64url(message));
        let client_data = format!(
            r#"{{"type":"{}","challenge":"{}","origin":"https://sigil.example","crossOrigin":false}}"#,
            self.kind, challenge
        );
        let mut signed = authenticator_data.clone();
        signed.extend(Sha256::digest(client_data.as_bytes()));
        let signature: p256::ecdsa::Signature = self.key.sign(&signed);
        let sig = WebAuthnSig {
            authenticator_data,
            client_data_json: if self.client_data_as_text {
                ClientDataField::Text(client_data)
            } else {
                ClientDataField::Bytes(client_data.into_bytes())
            },
            signature: signature.to_der().as_bytes().to_vec(),
        };
        let mut out = vec![0xd9, 0xd9, 0xf7];
        out.extend(serde_cbor::to_vec(&sig).unwrap());
        out
    }
}

/// An ic-agent identity whose signatures are WebAuthn assertions.
struct WebAuthnIdentity(WebAuthnDevice);

impl Identity for WebAuthnIdentity {
    fn sender(&self) -> Result<Principal, String> {
        Ok(self.0.principal())
    }
    fn public_key(&self) -> Option<Vec<u8>> {
        Some(self.0.der())
    }
    fn sign(&self, content: &EnvelopeContent) -> Result<ic_agent::Signature, String> {
        self.sign_arbitrary(&content.to_request_id().signable())
    }
    fn sign_delegation(&self, content: &Delegation) -> Result<ic_agent::Signature, String> {
        self.sign_arbitrary(&content.signable())
    }
    fn sign_arbitrary(&self, content: &[u8]) -> Result<ic_agent::Signature, String> {
        Ok(ic_agent::Signature {
            public_key: self.public_key(),
            signature: Some(self.0.sign(content)),
            delegations: None,
        })
    }
}

#[test]
fn a_webauthn_signed_request_is_accepted() {
    let envelope = signed_by(&WebAuthnIdentity(WebAuthnDevice::new(40)));
    assert_eq!(
        public_key_kind(envelope.pubkey.as_ref().unwrap()),
        Ok(KeyKind::WebAuthnEcdsaP256)
    );
    assert_eq!(
        envelope.check().unwrap().sender,
        WebAuthnDevice::new(40).principal()
    );
}

#[test]
fn a_webauthn_client_data_json_given_as_text_is_accepted() {
    let device = WebAuthnDevice {
        client_data_as_text: true,
        ..WebAuthnDevice::new(41)
    };
    assert!(signed_by(&WebAuthnIdentity(device)).check().is_ok());
}

#[test]
fn a_webauthn_assertion_for_another_challenge_is_rejected() {
    let device = WebAuthnDevice {
        challenge_override: Some(webauthn::base64url(b"another message")),
        ..WebAuthnDevice::new(42)
    };
    assert_eq!(
        signed_by(&WebAuthnIdentity(device)).check(),
        Err(AuthError::WebAuthnChallengeMismatch)
    );
}

#[test]
fn a_webauthn_credential_creation_is_not_an_assertion() {
    let device = WebAuthnDevice {
        kind: "webauthn.create".into(),
        ..WebAuthnDevice::new(43)
    };
    assert_eq!(
        signed_by(&WebAuthnIdentity(device)).check(),
        Err(AuthError::WebAuthnWrongType("webauthn.create".into()))
    );
}

#[test]
fn a_webauthn_signature_by_another_credential_is_rejected() {
    let mut envelope = signed_by(&WebAuthnIdentity(WebAuthnDevice::new(44)));
    let mut message = IC_REQUEST_DOMAIN_SEPARATOR.to_vec();
    message.extend(envelope.request_id);
    envelope.sig = Some(WebAuthnDevice::new(45).sign(&message));
    assert_eq!(
        envelope.check(),
        Err(AuthError::InvalidSignature(KeyKind::WebAuthnEcdsaP256))
    );
}

#[test]
fn webauthn_signatures_with_broken_parts_are_rejected() {
    let device = WebAuthnDevice::new(46);
    let message = b"\x0Aic-request webauthn";
    let der = device.der();
    let check = |sig: &[u8]| verify_signature(&der, message, sig, &[0; 96]);
    let encode = |sig: &WebAuthnSig| serde_cbor::to_vec(sig).unwrap();
    let good = device.sign(message);
    assert!(check(&good).is_ok());
    assert!(check(&good[3..]).is_ok(), "the CBOR tag is optional");

    let client_data = |json: &str| WebAuthnSig {
        authenticator_data: vec![0; 37],
        client_data_json: ClientDataField::Text(json.into()),
        signature: vec![0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01],
    };
    assert!(matches!(
        check(&encode(&client_data("not json"))),
        Err(AuthError::MalformedClientData(_))
    ));
    assert!(matches!(
        check(&encode(&client_data(r#"{"type":"webauthn.get"}"#))),
        Err(AuthError::MalformedClientData(_))
    ));
    let challenge = webauthn::base64url(message);
    let json = format!(r#"{{"type":"webauthn.get","challenge":"{challenge}","origin":"o"}}"#);
    let mut not_der = client_data(&json);
    not_der.signature = vec![1; 64];
    assert!(matches!(
        check(&encode(&not_der)),
        Err(AuthError::MalformedSignature {
            kind: KeyKind::WebAuthnEcdsaP256,
            ..
        })
    ));
    assert!(matches!(
        check(&encode(&client_data(&json))),
        Err(AuthError::InvalidSignature(KeyKind::WebAuthnEcdsaP256))
    ));
    assert!(matches!(
        check(b"\xa0"),
        Err(AuthError::MalformedSignature { .. })
    ));
}

#[test]
fn a_webauthn_device_can_delegate_to_a_session_key() {
    let device = WebAuthnIdentity(WebAuthnDevice::new(47));
    let envelope = chain_envelope(vec![Box::new(device), Box::new(ed25519(48))], &[]);
    assert_eq!(
        envelope.check().unwrap().sender,
        WebAuthnDevice::new(47).principal()
    );
}

#[test]
fn webauthn_rsa_and_other_cose_keys_are_unsupported() {
    let cose = |entries: Vec<(i128, serde_cbor::Value)>| {
        let map = entries
            .into_iter()
            .map(|(k, v)| (serde_cbor::Value::Integer(k), v))
            .collect();
        let cbor = serde_cbor::to_vec(&serde_cbor::Value::Map(map)).unwrap();
        der::encode_spki(keys::OID_COSE, None, &cbor)
    };
    use serde_cbor::Value::{Bytes, Integer};
    let rsa = cose(vec![
        (1, Integer(3)),
        (3, Integer(-257)),
        (-1, Bytes(vec![0xc5; 256])),
        (-2, Bytes(vec![1, 0, 1])),
    ]);
    assert_eq!(
        public_key_kind(&rsa),
        Err(AuthError::UnsupportedKeyType(
            "WebAuthn RSA (COSE RS256) keys are not supported".into()
        ))
    );
    let ed25519_cose = cose(vec![(1, Integer(1)), (3, Integer(-8)), (-1, Integer(6))]);
    assert!(matches!(
        public_key_kind(&ed25519_cose),
        Err(AuthError::UnsupportedKeyType(_))
    ));
    let short_x = cose(vec![
        (1, Integer(2)),
        (3, Integer(-7)),
        (-1, Integer(1)),
        (-2, Bytes(vec![1; 31])),
        (-3, Bytes(vec![1; 32])),
    ]);
    assert!(matches!(
        public_key_kind(&short_x),
        Err(AuthError::MalformedPublicKey(_))
    ));
}

/// Vectors from a YubiKey (ES256), published with the IC replica's
/// request validator tests: a COSE key wrapped in DER and assertions over
/// `b"hello"` and over the delegation `{pubkey: 010203, expiration: 0}`.
const YUBIKEY_COSE_DER: &str = "305e300c060a2b0601040183b8430101034e00a5010203262001215820b487d183dc4806058eb31a29bedefd7bcca987b77a381a3684871d8449c183942258202a122cc711a80453678c3032de4b6fff2c86342e82d1e7adb617c4165c43ce5e";
const YUBIKEY_SIG_HELLO: &str = "d9d9f7a37261757468656e74696361746f725f646174615825bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b5010000000170636c69656e745f646174615f6a736f6e58517b2274797065223a2022776562617574686e2e676574222c20226368616c6c656e6765223a202261475673624738222c20226f726967696e223a202268747470733a2f2f6578616d706c652e6f7267227d697369676e617475726558463044022063627c69661048fb111b13dec2f3675010493c1c276c6a144f44e1fabab01d300220517d3cbd70658933dab63fd23cf05f7274aea6afad206be04d4ec5e268b471d2";
const YUBIKEY_SIG_DELEGATION: &str = "d9d9f7a37261757468656e74696361746f725f646174615825bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b5010000000170636c69656e745f646174615f6a736f6e58997b2274797065223a2022776562617574686e2e676574222c20226368616c6c656e6765223a2022476d6c6a4c584a6c6358566c63335174595856306143316b5a57786c5a32463061573975624d7952313366786f7246576730775069346566504e774b562d7a76486467504868716649536d77677141222c20226f726967696e223a202268747470733a2f2f6578616d706c652e6f7267227d697369676e617475726558483046022100d4b7541f3b1b61dd9c6f818f20f54f8b938fe222d88cca6700fabd82a522f13b022100c636b52dfd679b1f86eeb5fcaff360e70b57caa9fe186e1e77c42228eca49037";

#[test]
fn webauthn_assertions_from_a_hardware_authenticator_verify() {
    let key = hex::decode(YUBIKEY_COSE_DER).unwrap();
    assert_eq!(public_key_kind(&key), Ok(KeyKind::WebAuthnEcdsaP256));
    let hello = hex::decode(YUBIKEY_SIG_HELLO).unwrap();
    assert_eq!(verify_signature(&key, b"hello", &hello, &[]), Ok(()));
    assert_eq!(
        verify_signature(&key, b"hellO", &hello, &[]),
        Err(AuthError::WebAuthnChallengeMismatch)
    );
    let d = delegation(vec![1, 2, 3], 0, None);
    let signed = hex::decode(YUBIKEY_SIG_DELEGATION).unwrap();
    assert_eq!(
        verify_signature(&key, &delegation_signable(&d).unwrap(), &signed, &[]),
        Ok(())
    );
}

// ---------------------------------------------------------------------------
// Canister signatures.

/// A BLS12-381 root key pair (signatures in G1, keys in G2, as the IC).
struct RootKey {
    secret: ic_bls12_381::Scalar,
    public: [u8; 96],
}

impl RootKey {
    fn new(n: u8) -> Self {
        let secret = ic_bls12_381::Scalar::from_bytes_wide(&[n; 64]);
        let public = ic_bls12_381::G2Affine::from(ic_bls12_381::G2Affine::generator() * secret)
            .to_compressed();
        Self { secret, public }
    }

    fn sign(&self, message: &[u8]) -> [u8; 48] {
        use ic_bls12_381::hash_to_curve::{ExpandMsgXmd, HashToCurve};
        let point =
            <ic_bls12_381::G1Projective as HashToCurve<ExpandMsgXmd<Sha256>>>::hash_to_curve(
                message,
                b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_",
            );
        ic_bls12_381::G1Affine::from(point * self.secret).to_compressed()
    }
}

#[derive(Serialize)]
struct CanisterSig {
    #[serde(with = "serde_bytes")]
    certificate: Vec<u8>,
    tree: HashTree,
}

/// A canister signing key and the knobs to break its signatures.
struct CanisterKey {
    canister_id: Principal,
    seed: Vec<u8>,
    root: RootKey,
}

impl CanisterKey {
    fn new(seed: &[u8]) -> Self {
        Self {
            canister_id: canister(9),
            seed: seed.to_vec(),
            root: RootKey::new(1),
        }
    }

    fn der(&self) -> Vec<u8> {
        canister_sig_public_key_der(&self.canister_id, &self.seed)
    }

    fn sig_tree(&self, message: &[u8]) -> HashTree {
        labeled(
            b"sig".to_vec(),
            labeled(
                Sha256::digest(&self.seed).to_vec(),
                labeled(Sha256::digest(message).to_vec(), leaf(b"".to_vec())),
            ),
        )
    }

    fn certificate(
        &self,
        certified_data: &[u8],
        certifying: Principal,
        signer: &RootKey,
    ) -> Vec<u8> {
        let mut time = Vec::new();
        leb128::write::unsigned(&mut time, NOW).unwrap();
        let tree = fork(
            labeled(
                b"canister".to_vec(),
                labeled(
                    certifying.as_slice().to_vec(),
                    labeled(b"certified_data".to_vec(), leaf(certified_data.to_vec())),
                ),
            ),
            labeled(b"time".to_vec(), leaf(time)),
        );
        let mut signed = IC_STATE_ROOT_DOMAIN_SEPARATOR.to_vec();
        signed.extend(tree.digest());
        let certificate = ic_certification::Certificate {
            tree,
            signature: signer.sign(&signed).to_vec(),
            delegation: None,
        };
        let mut out = vec![0xd9, 0xd9, 0xf7];
        out.extend(serde_cbor::to_vec(&certificate).unwrap());
        out
    }

    fn encode(certificate: Vec<u8>, tree: HashTree) -> Vec<u8> {
        let mut out = vec![0xd9, 0xd9, 0xf7];
        out.extend(serde_cbor::to_vec(&CanisterSig { certificate, tree }).unwrap());
        out
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        let tree = self.sig_tree(message);
        let certificate = self.certificate(&tree.digest(), self.canister_id, &self.root);
        Self::encode(certificate, tree)
    }
}

/// An ic-agent identity whose signatures are canister signatures.
struct CanisterIdentity(CanisterKey);

impl Identity for CanisterIdentity {
    fn sender(&self) -> Result<Principal, String> {
        Ok(Principal::self_authenticating(self.0.der()))
    }
    fn public_key(&self) -> Option<Vec<u8>> {
        Some(self.0.der())
    }
    fn sign(&self, content: &EnvelopeContent) -> Result<ic_agent::Signature, String> {
        self.sign_arbitrary(&content.to_request_id().signable())
    }
    fn sign_delegation(&self, content: &Delegation) -> Result<ic_agent::Signature, String> {
        self.sign_arbitrary(&content.signable())
    }
    fn sign_arbitrary(&self, content: &[u8]) -> Result<ic_agent::Signature, String> {
        Ok(ic_agent::Signature {
            public_key: self.public_key(),
            signature: Some(self.0.sign(content)),
            delegations: None,
        })
    }
}

const MESSAGE: &[u8] = b"\x1Aic-request-auth-delegation canister";

#[test]
fn a_valid_canister_signature_verifies() {
    let key = CanisterKey::new(b"origin seed");
    assert_eq!(public_key_kind(&key.der()), Ok(KeyKind::CanisterSignature));
    let sig = key.sign(MESSAGE);
    assert_eq!(
        verify_signature(&key.der(), MESSAGE, &sig, &key.root.public),
        Ok(())
    );
}

#[test]
fn the_root_key_may_also_be_given_in_der_form() {
    let key = CanisterKey::new(b"origin seed");
    let mut der = canister_sig::BLS_DER_PREFIX.to_vec();
    der.extend(key.root.public);
    assert_eq!(
        verify_signature(&key.der(), MESSAGE, &key.sign(MESSAGE), &der),
        Ok(())
    );
    assert!(matches!(
        verify_signature(&key.der(), MESSAGE, &key.sign(MESSAGE), &der[1..]),
        Err(AuthError::InvalidRootKey(_))
    ));
}

#[test]
fn a_canister_signature_for_another_seed_is_rejected() {
    let key = CanisterKey::new(b"origin seed");
    let other = CanisterKey::new(b"other seed");
    assert_eq!(
        verify_signature(&other.der(), MESSAGE, &key.sign(MESSAGE), &key.root.public),
        Err(AuthError::CanisterSigNotInTree)
    );
}

#[test]
fn a_canister_signature_for_another_message_is_rejected() {
    let key = CanisterKey::new(b"origin seed");
    assert_eq!(
        verify_signature(
            &key.der(),
            b"other message",
            &key.sign(MESSAGE),
            &key.root.public
        ),
        Err(AuthError::CanisterSigNotInTree)
    );
}

#[test]
fn a_canister_signature_under_another_root_key_is_rejected() {
    let key = CanisterKey::new(b"origin seed");
    let sig = key.sign(MESSAGE);
    assert_eq!(
        verify_signature(&key.der(), MESSAGE, &sig, &RootKey::new(2).public),
        Err(AuthError::CanisterSigCertificateInvalid)
    );
    // A certificate signed by another key, checked against the real root.
    let tree = key.sig_tree(MESSAGE);
    let forged = CanisterKey::encode(
        key.certificate(&tree.digest(), key.canister_id, &RootKey::new(3)),
        tree,
    );
    assert_eq!(
        verify_signature(&key.der(), MESSAGE, &forged, &key.root.public),
        Err(AuthError::CanisterSigCertificateInvalid)
    );
}

#[test]
fn a_canister_signature_whose_certified_data_does_not_match_is_rejected() {
    let key = CanisterKey::new(b"origin seed");
    let tree = key.sig_tree(MESSAGE);
    let wrong_data = CanisterKey::encode(
        key.certificate(&[7; 32], key.canister_id, &key.root),
        tree.clone(),
    );
    assert_eq!(
        verify_signature(&key.der(), MESSAGE, &wrong_data, &key.root.public),
        Err(AuthError::CanisterSigCertifiedDataMismatch(key.canister_id))
    );
    // Certified data of another canister.
    let other_canister = CanisterKey::encode(
        key.certificate(&tree.digest(), canister(10), &key.root),
        tree,
    );
    assert_eq!(
        verify_signature(&key.der(), MESSAGE, &other_canister, &key.root.public),
        Err(AuthError::CanisterSigCertifiedDataMismatch(key.canister_id))
    );
}

#[test]
fn canister_signatures_without_tag_or_with_a_subnet_delegation_are_rejected() {
    let key = CanisterKey::new(b"origin seed");
    let sig = key.sign(MESSAGE);
    assert!(matches!(
        verify_signature(&key.der(), MESSAGE, &sig[3..], &key.root.public),
        Err(AuthError::MalformedSignature {
            kind: KeyKind::CanisterSignature,
            ..
        })
    ));
    let tree = key.sig_tree(MESSAGE);
    let certificate: ic_certification::Certificate =
        serde_cbor::from_slice(&key.certificate(&tree.digest(), key.canister_id, &key.root))
            .unwrap();
    let delegated = ic_certification::Certificate {
        delegation: Some(ic_certification::Delegation {
            subnet_id: canister(11).as_slice().to_vec(),
            certificate: vec![0xa0],
        }),
        ..certificate
    };
    let sig = CanisterKey::encode(serde_cbor::to_vec(&delegated).unwrap(), tree);
    assert_eq!(
        verify_signature(&key.der(), MESSAGE, &sig, &key.root.public),
        Err(AuthError::CanisterSigDelegationNotSupported)
    );
}

#[test]
fn every_truncation_of_a_canister_signature_is_rejected_without_panicking() {
    let key = CanisterKey::new(b"origin seed");
    let sig = key.sign(MESSAGE);
    for cut in 0..sig.len() {
        assert!(verify_signature(&key.der(), MESSAGE, &sig[..cut], &key.root.public).is_err());
    }
}

#[test]
fn a_canister_signature_key_can_delegate_to_a_session_key_like_internet_identity() {
    let user = CanisterIdentity(CanisterKey::new(b"per-origin seed"));
    let user_principal = user.sender().unwrap();
    let root_public = user.0.root.public;
    let envelope = chain_envelope(
        vec![Box::new(user), Box::new(ed25519(50))],
        &[Some(vec![canister(7)])],
    );
    let auth = envelope.check_with_root(&root_public).unwrap();
    assert_eq!(auth.sender, user_principal);
    assert_eq!(auth.targets, Some(vec![canister(7)]));
    // The same chain fails under another root key.
    assert!(matches!(
        envelope.check_with_root(&RootKey::new(5).public),
        Err(AuthError::InvalidDelegation { index: 0, .. })
    ));
}

#[test]
fn malformed_canister_signature_keys_are_rejected() {
    for raw in [vec![], vec![30], vec![10, 1, 2, 3]] {
        let der = der::encode_spki(keys::OID_CANISTER_SIG, None, &raw);
        assert!(matches!(
            public_key_kind(&der),
            Err(AuthError::MalformedPublicKey(_))
        ));
    }
    // Parameters are not allowed.
    let der = der::encode_spki(keys::OID_CANISTER_SIG, Some(&[1]), &[0]);
    assert!(matches!(
        public_key_kind(&der),
        Err(AuthError::MalformedPublicKey(_))
    ));
}

#[test]
fn error_messages_are_readable() {
    let error = AuthError::InvalidDelegation {
        index: 2,
        error: Box::new(AuthError::InvalidSignature(KeyKind::WebAuthnEcdsaP256)),
    };
    assert_eq!(
        error.to_string(),
        "delegation 2: WebAuthn (ECDSA P-256) signature does not verify"
    );
    assert_eq!(
        AuthError::TooManyDelegations { count: 21, max: 20 }.to_string(),
        "chain of 21 delegations is too long (at most 20 allowed)"
    );
}

#[test]
fn deeply_nested_canister_signature_trees_are_rejected_without_overflowing_the_stack() {
    let key = CanisterKey::new(b"origin seed");
    let depth = 10_000;
    let mut sig = vec![0xd9, 0xd9, 0xf7, 0xa2];
    sig.push(0x6b);
    sig.extend(b"certificate");
    sig.push(0x40);
    sig.push(0x64);
    sig.extend(b"tree");
    for _ in 0..depth {
        // fork [1, <nested>, empty]
        sig.extend([0x83, 0x01]);
    }
    sig.extend([0x81, 0x00]);
    for _ in 0..depth {
        sig.extend([0x81, 0x00]);
    }
    let result = verify_signature(&key.der(), MESSAGE, &sig, &key.root.public);
    assert!(
        matches!(result, Err(AuthError::MalformedSignature { .. })),
        "{result:?}"
    );
}
