//! Anonymous and incomplete envelopes.

use super::*;

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
