//! Certification: the BLS12-381 root key, certificates over hash trees of
//! the replica state, and the node key that signs query responses.
//!
//! # Certificates (IC interface specification, "Certification")
//!
//! A certificate is the CBOR map `{tree, signature}` (self-describing tag
//! 55799, no `delegation`: the network is a single root subnet). `tree` is a
//! pruned hash tree of the state tree and `signature` is the 48-byte BLS
//! signature by the root key of `"\x0Dic-state-root" · root_hash(tree)`.
//!
//! # The state tree (IC interface specification, "The system state tree")
//!
//! ```text
//! /time                                        LEB128 nanoseconds
//! /canister/<canister_id>/certified_data       blob (≤ 32 bytes)
//! /canister/<canister_id>/controllers          CBOR (tag 55799) array of principal blobs
//! /canister/<canister_id>/module_hash          SHA-256 of the module, if installed
//! /canister_ranges/<subnet_id>/<lowest id>     CBOR (tag 55799) [[low, high]] principal blobs
//! /request_status/<request_id>/status          "received" | "processing" | "replied" | "rejected" | "done"
//! /request_status/<request_id>/reply           blob, when replied
//! /request_status/<request_id>/reject_code     LEB128, when rejected
//! /request_status/<request_id>/reject_message  text, when rejected
//! /request_status/<request_id>/error_code      text, when rejected with one
//! /subnet/<subnet_id>/public_key               DER root key
//! /subnet/<subnet_id>/canister_ranges          CBOR (tag 55799) [[low, high]]
//! /subnet/<subnet_id>/node/<node_id>/public_key DER Ed25519 node key
//! ```
//!
//! Only request ids that a certificate is asked about are put into the
//! `request_status` subtree, so a certificate never reveals the hashes of
//! other senders' replies. Each certificate is signed on its own; agents do
//! not compare root hashes across certificates.
//!
//! Reject code 6 (`SYS_UNKNOWN`, only used for best-effort responses, which
//! ingress never gets) is reported as 2 (`SYS_TRANSIENT`), the code agents
//! can parse.

mod keys;
mod state;
mod tree;

pub use keys::{BLS_DER_PREFIX, BLS_DST, Keys, KeysError};
pub use state::{StateView, certify, data_certificate, leb128, state_tree, wire_reject_code};
pub use tree::{LabeledTree, Path, Wanted};

/// The domain separator of the root hash signature.
pub const STATE_ROOT_DOMAIN: &[u8] = b"\x0Dic-state-root";

/// Encodes a value as CBOR with the self-describing tag 55799, as the IC
/// encodes its responses and state tree values.
pub fn to_self_describing_cbor<T: serde::Serialize + ?Sized>(
    value: &T,
) -> Result<Vec<u8>, serde_cbor::Error> {
    let mut serializer = serde_cbor::Serializer::new(Vec::new());
    serializer.self_describe()?;
    value.serialize(&mut serializer)?;
    Ok(serializer.into_inner())
}

/// Signs a (pruned) hash tree into an encoded certificate.
pub fn sign_tree(
    keys: &Keys,
    tree: ic_certification::HashTree,
) -> Result<Vec<u8>, serde_cbor::Error> {
    let mut message = STATE_ROOT_DOMAIN.to_vec();
    message.extend_from_slice(&tree.digest());
    let certificate = ic_certification::certificate::Certificate {
        tree,
        signature: keys.bls_sign(&message).to_vec(),
        delegation: None,
    };
    to_self_describing_cbor(&certificate)
}
