//! What the network's replies say, checked without I/O (IC interface
//! specification, "HTTP query" and "Request status"): the status of a call
//! in a verified certificate, and the node signatures of a query reply.
//!
//! Invariants:
//! - a query reply counts only with at least one signature, no more
//!   signatures than the subnet has nodes, every signature by a node of the
//!   canister's subnet over `"\x0Bic-response" · hash(reply, request id,
//!   timestamp)`, and no timestamp older than [`MAX_REPLY_AGE_NANOS`];
//! - a call's reply is read only from a certificate, which the caller has
//!   verified for the call's canister (`certificate::verify`).

use candid::Principal;
use ic_certification::{Certificate, LookupResult};
use ic_transport_types::{QueryResponse, RequestId};

use super::certificate::leb128_u64;

/// How old a signed query reply may be: replies are read as they arrive,
/// so an older one is replayed.
pub const MAX_REPLY_AGE_NANOS: u64 = 3 * 60 * 1_000_000_000;

/// The DER prefix of an Ed25519 public key (RFC 8410), as node keys are.
const ED25519_DER_PREFIX: [u8; 12] = [48, 42, 48, 5, 6, 3, 43, 101, 112, 3, 33, 0];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("the reply carries no node signature")]
    MissingSignature,
    #[error("the reply carries more signatures ({had}) than the subnet has nodes ({nodes})")]
    TooManySignatures { had: usize, nodes: usize },
    #[error("a node signature is older than the reply may be")]
    Outdated,
    #[error("the reply is signed by a node that is not in the canister's subnet")]
    UnknownNode,
    #[error("a node's public key is not an Ed25519 key")]
    MalformedNodeKey,
    #[error("a node signature does not verify")]
    BadSignature,
    #[error("the certificate's tree cannot say {0}")]
    Unreadable(&'static str),
}

/// Where a call stands, as a verified certificate says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallStatus {
    /// The canister replied with these bytes.
    Replied(Vec<u8>),
    /// The canister (or the system) rejected the call.
    Rejected { code: u64, message: String },
    /// Not answered yet (unknown, received or processing).
    Pending,
    /// Answered, but the reply was dropped from the state since.
    Done,
}

fn lookup<'a>(
    certificate: &'a Certificate,
    request_id: &RequestId,
    field: &'static str,
) -> Result<Option<&'a [u8]>, ReplyError> {
    let path: [&[u8]; 3] = [b"request_status", request_id.as_slice(), field.as_bytes()];
    match certificate.tree.lookup_path(path) {
        LookupResult::Found(value) => Ok(Some(value)),
        LookupResult::Absent => Ok(None),
        LookupResult::Unknown | LookupResult::Error => Err(ReplyError::Unreadable(field)),
    }
}

fn text(bytes: &[u8], field: &'static str) -> Result<String, ReplyError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| ReplyError::Unreadable(field))
}

/// The status of the call `request_id` in `certificate` (verified by the
/// caller).
pub fn call_status(
    certificate: &Certificate,
    request_id: &RequestId,
) -> Result<CallStatus, ReplyError> {
    let Some(status) = lookup(certificate, request_id, "status")? else {
        return Ok(CallStatus::Pending);
    };
    match status {
        b"received" | b"processing" => Ok(CallStatus::Pending),
        b"done" => Ok(CallStatus::Done),
        b"replied" => {
            let reply =
                lookup(certificate, request_id, "reply")?.ok_or(ReplyError::Unreadable("reply"))?;
            Ok(CallStatus::Replied(reply.to_vec()))
        }
        b"rejected" => {
            let mut code = lookup(certificate, request_id, "reject_code")?
                .ok_or(ReplyError::Unreadable("reject_code"))?;
            let code = leb128_u64(&mut code).ok_or(ReplyError::Unreadable("reject_code"))?;
            let message = lookup(certificate, request_id, "reject_message")?
                .ok_or(ReplyError::Unreadable("reject_message"))?;
            Ok(CallStatus::Rejected {
                code,
                message: text(message, "reject_message")?,
            })
        }
        _ => Err(ReplyError::Unreadable("status")),
    }
}

/// Checks the node signatures of `response` to the query `request_id`
/// (strictly: no small-order key, no non-canonical signature),
/// received at `now_nanos`, against the keys of the canister's subnet
/// (`node_key` gives a node's DER key; `nodes` is how many the subnet has).
pub fn verify_query_signatures<'k>(
    response: &QueryResponse,
    request_id: RequestId,
    now_nanos: u64,
    nodes: usize,
    node_key: impl Fn(&Principal) -> Option<&'k [u8]>,
) -> Result<(), ReplyError> {
    let signatures = response.signatures();
    if signatures.is_empty() {
        return Err(ReplyError::MissingSignature);
    }
    if signatures.len() > nodes {
        return Err(ReplyError::TooManySignatures {
            had: signatures.len(),
            nodes,
        });
    }
    for signature in signatures {
        if now_nanos.saturating_sub(signature.timestamp) > MAX_REPLY_AGE_NANOS {
            return Err(ReplyError::Outdated);
        }
        let der = node_key(&signature.identity).ok_or(ReplyError::UnknownNode)?;
        let raw = der
            .strip_prefix(&ED25519_DER_PREFIX[..])
            .filter(|raw| raw.len() == 32)
            .ok_or(ReplyError::MalformedNodeKey)?;
        let raw: &[u8; 32] = raw.try_into().map_err(|_| ReplyError::MalformedNodeKey)?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(raw)
            .map_err(|_| ReplyError::MalformedNodeKey)?;
        let signature_bytes = ed25519_dalek::Signature::from_slice(&signature.signature)
            .map_err(|_| ReplyError::BadSignature)?;
        let signable = response.signable(request_id, signature.timestamp);
        key.verify_strict(&signable, &signature_bytes)
            .map_err(|_| ReplyError::BadSignature)?;
    }
    Ok(())
}

// The tests sign replies with node keys, natively.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::collections::HashMap;

    use ic_certification::{HashTree, fork, label, leaf};
    use ic_transport_types::{NodeSignature, ReplyResponse};

    use super::*;

    const NOW: u64 = 1_800_000_000_000_000_000;

    fn request_id() -> RequestId {
        RequestId::new(&[7; 32])
    }

    fn node_key(seed: u8) -> (Principal, ic_ed25519::PrivateKey) {
        let key = ic_ed25519::PrivateKey::generate_from_seed(&[seed; 32]);
        let node = Principal::self_authenticating(key.public_key().serialize_rfc8410_der());
        (node, key)
    }

    fn signed_reply(
        arg: &[u8],
        signers: &[(Principal, &ic_ed25519::PrivateKey)],
        timestamp: u64,
    ) -> QueryResponse {
        let unsigned = QueryResponse::Replied {
            reply: ReplyResponse { arg: arg.to_vec() },
            signatures: vec![],
        };
        let signable = unsigned.signable(request_id(), timestamp);
        let signatures = signers
            .iter()
            .map(|(node, key)| NodeSignature {
                timestamp,
                signature: key.sign_message(&signable).to_vec(),
                identity: *node,
            })
            .collect();
        QueryResponse::Replied {
            reply: ReplyResponse { arg: arg.to_vec() },
            signatures,
        }
    }

    fn check(
        response: &QueryResponse,
        keys: &HashMap<Principal, Vec<u8>>,
    ) -> Result<(), ReplyError> {
        verify_query_signatures(response, request_id(), NOW, keys.len(), |node| {
            keys.get(node).map(Vec::as_slice)
        })
    }

    fn subnet(nodes: &[(Principal, &ic_ed25519::PrivateKey)]) -> HashMap<Principal, Vec<u8>> {
        nodes
            .iter()
            .map(|(node, key)| (*node, key.public_key().serialize_rfc8410_der()))
            .collect()
    }

    #[test]
    fn should_accept_a_reply_signed_by_the_subnets_nodes() {
        let (node, key) = node_key(1);
        let response = signed_reply(b"ok", &[(node, &key)], NOW - 1);
        assert_eq!(check(&response, &subnet(&[(node, &key)])), Ok(()));
    }

    #[test]
    fn should_refuse_a_reply_whose_bytes_differ_from_what_was_signed() {
        let (node, key) = node_key(1);
        let QueryResponse::Replied { signatures, .. } = signed_reply(b"ok", &[(node, &key)], NOW)
        else {
            unreachable!()
        };
        let forged = QueryResponse::Replied {
            reply: ReplyResponse {
                arg: b"forged".to_vec(),
            },
            signatures,
        };
        assert_eq!(
            check(&forged, &subnet(&[(node, &key)])),
            Err(ReplyError::BadSignature)
        );
    }

    #[test]
    fn should_refuse_unsigned_outdated_and_foreign_replies() {
        let (node, key) = node_key(1);
        let (stranger, stranger_key) = node_key(2);
        let keys = subnet(&[(node, &key)]);
        assert_eq!(
            check(&signed_reply(b"ok", &[], NOW), &keys),
            Err(ReplyError::MissingSignature)
        );
        let old = NOW - MAX_REPLY_AGE_NANOS - 1;
        assert_eq!(
            check(&signed_reply(b"ok", &[(node, &key)], old), &keys),
            Err(ReplyError::Outdated)
        );
        let foreign = signed_reply(b"ok", &[(stranger, &stranger_key)], NOW);
        assert_eq!(check(&foreign, &keys), Err(ReplyError::UnknownNode));
        let twice = signed_reply(b"ok", &[(node, &key), (node, &key)], NOW);
        assert_eq!(
            check(&twice, &keys),
            Err(ReplyError::TooManySignatures { had: 2, nodes: 1 })
        );
    }

    /// A certificate whose tree holds `fields` (sorted by name, as labels
    /// are) under this request's status.
    fn certificate(fields: &[(&str, &[u8])]) -> Certificate {
        let mut fields = fields.to_vec();
        fields.sort();
        let status = fields
            .iter()
            .map(|(name, value)| label(*name, leaf(value.to_vec())))
            .reduce(fork)
            .expect("at least one field");
        let tree: HashTree = label(
            "request_status",
            label(request_id().as_slice().to_vec(), status),
        );
        Certificate {
            tree,
            signature: vec![],
            delegation: None,
        }
    }

    #[test]
    fn should_read_a_reply_a_rejection_and_a_pending_call() {
        let replied = certificate(&[("status", b"replied"), ("reply", b"bytes")]);
        assert_eq!(
            call_status(&replied, &request_id()),
            Ok(CallStatus::Replied(b"bytes".to_vec()))
        );
        let rejected = certificate(&[
            ("status", b"rejected"),
            ("reject_code", &[4]),
            ("reject_message", b"no"),
        ]);
        assert_eq!(
            call_status(&rejected, &request_id()),
            Ok(CallStatus::Rejected {
                code: 4,
                message: "no".into()
            })
        );
        let processing = certificate(&[("status", b"processing")]);
        assert_eq!(
            call_status(&processing, &request_id()),
            Ok(CallStatus::Pending)
        );
        let other = certificate(&[("time", b"0")]);
        assert_eq!(call_status(&other, &request_id()), Ok(CallStatus::Pending));
    }
}
