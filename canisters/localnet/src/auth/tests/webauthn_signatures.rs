//! WebAuthn signatures: assertions of a software authenticator and of a
//! hardware one, broken parts, and unsupported COSE keys.

use super::*;

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
