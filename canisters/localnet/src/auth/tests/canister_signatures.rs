//! Canister signatures: certificates, signature trees, root keys, and
//! chains from a canister signature to a session key.

use super::*;

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
