//! Request envelopes (IC interface specification, "Authentication" and
//! "Request ids").
//!
//! The session key is a WebCrypto key that signs asynchronously, so the app
//! builds the request content here, signs [`message_to_sign`] with
//! WebCrypto, and hands the [`encode`]d envelope to the network
//! (`api::network`).
//!
//! Invariants:
//! - `ingress_expiry` is [`INGRESS_EXPIRY_NANOS`] ahead of the clock,
//!   rounded down to the minute (well inside the IC's five-minute window);
//! - calls carry a fresh nonce, so two identical calls stay two calls;
//! - a signature always signs `"\x0Aic-request" · request_id` of exactly the
//!   content that is encoded with it.

use std::borrow::Cow;

use candid::Principal;
use ic_certification::Label;
use ic_transport_types::{Envelope, EnvelopeContent, SignedDelegation};

/// Domain separator of request signatures.
pub const REQUEST_DOMAIN_SEPARATOR: &[u8] = b"\x0Aic-request";
/// How far ahead of now a request expires (before rounding to the minute).
pub const INGRESS_EXPIRY_NANOS: u64 = 4 * NANOS_PER_MINUTE;
const NANOS_PER_MINUTE: u64 = 60 * 1_000_000_000;

/// The `ingress_expiry` of a request made at `now_nanos`.
pub fn ingress_expiry(now_nanos: u64) -> u64 {
    let expiry = now_nanos.saturating_add(INGRESS_EXPIRY_NANOS);
    expiry - expiry % NANOS_PER_MINUTE
}

/// An update call's content.
pub fn call(
    sender: Principal,
    canister_id: Principal,
    method_name: &str,
    arg: Vec<u8>,
    now_nanos: u64,
    nonce: [u8; 16],
) -> EnvelopeContent {
    EnvelopeContent::Call {
        nonce: Some(nonce.to_vec()),
        ingress_expiry: ingress_expiry(now_nanos),
        sender,
        canister_id,
        method_name: method_name.to_owned(),
        arg,
        sender_info: None,
    }
}

/// A query call's content.
pub fn query(
    sender: Principal,
    canister_id: Principal,
    method_name: &str,
    arg: Vec<u8>,
    now_nanos: u64,
) -> EnvelopeContent {
    EnvelopeContent::Query {
        ingress_expiry: ingress_expiry(now_nanos),
        sender,
        canister_id,
        method_name: method_name.to_owned(),
        arg,
        nonce: None,
        sender_info: None,
    }
}

/// A `read_state` of `request_status/<request_id>`: how the status of a
/// call is polled when the network did not answer it at once. The IC
/// answers it only to the call's own sender.
pub fn request_status(sender: Principal, request_id: &[u8], now_nanos: u64) -> EnvelopeContent {
    EnvelopeContent::ReadState {
        ingress_expiry: ingress_expiry(now_nanos),
        sender,
        paths: vec![vec![
            Label::from("request_status"),
            Label::from(request_id.to_vec()),
        ]],
    }
}

/// The bytes the sender's key signs for `content`.
pub fn message_to_sign(content: &EnvelopeContent) -> Vec<u8> {
    let mut message = REQUEST_DOMAIN_SEPARATOR.to_vec();
    message.extend_from_slice(content.to_request_id().as_slice());
    message
}

/// Who signs a request: the principal's public key (the head of the
/// delegation chain), the chain, and the signature by its tail key.
#[derive(Debug, Clone, Copy)]
pub struct Signer<'a> {
    pub public_key: &'a [u8],
    pub delegations: &'a [SignedDelegation],
}

/// The CBOR envelope (self-described) of `content` signed by `signer`.
pub fn encode(content: &EnvelopeContent, signer: Signer<'_>, signature: &[u8]) -> Vec<u8> {
    Envelope {
        content: Cow::Borrowed(content),
        sender_pubkey: Some(signer.public_key.to_vec()),
        sender_sig: Some(signature.to_vec()),
        sender_delegation: if signer.delegations.is_empty() {
            None
        } else {
            Some(signer.delegations.to_vec())
        },
    }
    .encode_bytes()
}

/// The CBOR envelope (self-described) of an anonymous request: no key, no
/// signature.
pub fn encode_anonymous(content: &EnvelopeContent) -> Vec<u8> {
    Envelope {
        content: Cow::Borrowed(content),
        sender_pubkey: None,
        sender_sig: None,
        sender_delegation: None,
    }
    .encode_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000_123_456_789;

    #[test]
    fn should_expire_requests_three_to_four_minutes_ahead_on_a_whole_minute() {
        let expiry = ingress_expiry(NOW);
        assert_eq!(expiry % NANOS_PER_MINUTE, 0);
        assert!(expiry > NOW + 3 * NANOS_PER_MINUTE);
        assert!(expiry <= NOW + 4 * NANOS_PER_MINUTE);
    }

    #[test]
    fn should_sign_the_domain_separated_request_id() {
        let content = query(
            Principal::anonymous(),
            Principal::management_canister(),
            "whoami",
            vec![],
            NOW,
        );
        let message = message_to_sign(&content);
        assert_eq!(&message[..11], b"\x0Aic-request");
        assert_eq!(&message[11..], content.to_request_id().as_slice());
    }

    #[test]
    fn should_give_every_call_its_own_request_id_through_the_nonce() {
        let canister = Principal::management_canister();
        let one = call(Principal::anonymous(), canister, "m", vec![], NOW, [1; 16]);
        let two = call(Principal::anonymous(), canister, "m", vec![], NOW, [2; 16]);
        assert_ne!(one.to_request_id(), two.to_request_id());
    }

    #[test]
    fn should_encode_the_signer_and_omit_an_empty_chain() {
        let content = query(
            Principal::anonymous(),
            Principal::management_canister(),
            "m",
            vec![1],
            NOW,
        );
        let bytes = encode(
            &content,
            Signer {
                public_key: &[7; 4],
                delegations: &[],
            },
            &[9; 64],
        );
        assert_eq!(&bytes[..3], &[0xd9, 0xd9, 0xf7], "self-described CBOR");
        let envelope: Envelope<'_> = serde_cbor::from_slice(&bytes).expect("an envelope");
        assert_eq!(envelope.sender_pubkey, Some(vec![7; 4]));
        assert_eq!(envelope.sender_sig, Some(vec![9; 64]));
        assert!(envelope.sender_delegation.is_none());
        assert_eq!(envelope.content.to_request_id(), content.to_request_id());
    }
}
