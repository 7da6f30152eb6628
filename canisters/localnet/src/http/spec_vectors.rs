//! Request ids from the IC interface specification ("Request ids"), computed
//! the way this network computes them: from the envelope as it arrives, in
//! CBOR.

use std::borrow::Cow;

use candid::Principal;
use ic_transport_types::{Envelope, EnvelopeContent};

/// The specification's example call (canister 1234, method `hello`).
fn spec_example_call() -> EnvelopeContent {
    EnvelopeContent::Call {
        nonce: None,
        ingress_expiry: 1_685_570_400_000_000_000,
        sender: Principal::anonymous(),
        canister_id: Principal::from_slice(b"\x00\x00\x00\x00\x00\x00\x04\xD2"),
        method_name: "hello".into(),
        arg: b"DIDL\x00\xFD*".to_vec(),
        sender_info: None,
    }
}

#[test]
fn should_give_the_specification_request_id_for_its_example_call() {
    let body = Envelope {
        content: Cow::Owned(spec_example_call()),
        sender_pubkey: None,
        sender_sig: None,
        sender_delegation: None,
    }
    .encode_bytes();
    let decoded: Envelope<'static> = match serde_cbor::from_slice(&body) {
        Ok(envelope) => envelope,
        Err(error) => panic!("the example envelope does not decode: {error}"),
    };
    let request_id = match ic_transport_types::to_request_id(decoded.content.as_ref()) {
        Ok(id) => id,
        Err(error) => panic!("no request id: {error}"),
    };
    assert_eq!(
        hex::encode(*request_id),
        "1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101"
    );
}

#[test]
fn should_change_the_request_id_when_any_field_changes() {
    let base = ic_transport_types::to_request_id(&spec_example_call()).map(|id| *id);
    let mut variants = Vec::new();
    for change in 0..4 {
        let mut content = spec_example_call();
        if let EnvelopeContent::Call {
            ingress_expiry,
            method_name,
            arg,
            nonce,
            ..
        } = &mut content
        {
            match change {
                0 => *ingress_expiry += 1,
                1 => method_name.push('!'),
                2 => arg.push(0),
                _ => *nonce = Some(vec![0]),
            }
        }
        variants.push(ic_transport_types::to_request_id(&content).map(|id| *id));
    }
    for variant in variants {
        assert_ne!(variant, base);
    }
}
