//! Building the state tree (layout in the parent module's docs) from what
//! the replica reports, and certificates over it.

use candid::Principal;

use super::tree::{LabeledTree, Path, Wanted};
use super::{Keys, sign_tree, to_self_describing_cbor};
use crate::ids;
use crate::messages::{CanisterInfo, RejectCode, RequestId, RequestStatus};

/// The part of the replica state a certificate is built from.
#[derive(Clone, Debug, Default)]
pub struct StateView {
    pub time_nanos: u64,
    /// The canisters to put under `/canister` (all of them, when canister
    /// paths are certified; absence is proven against this list).
    pub canisters: Vec<CanisterInfo>,
    /// The statuses of the request ids the certificate is about.
    pub request_statuses: Vec<(RequestId, RequestStatus)>,
}

/// The reject code as agents understand it (see the parent module's docs).
pub fn wire_reject_code(code: RejectCode) -> u8 {
    match code {
        RejectCode::SysUnknown => RejectCode::SysTransient as u8,
        code => code as u8,
    }
}

/// Unsigned LEB128, as the state tree writes numbers (`/time`, reject codes).
pub fn leb128(value: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(10);
    let mut value = value;
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn cbor(value: &impl serde::Serialize) -> Vec<u8> {
    // Principals and vectors of them always encode; an empty value is never
    // certified in practice.
    to_self_describing_cbor(value).unwrap_or_default()
}

fn request_status_tree(status: &RequestStatus) -> LabeledTree {
    let status_leaf = |s: &str| ("status", LabeledTree::leaf(s));
    match status {
        RequestStatus::Received => LabeledTree::subtree([status_leaf("received")]),
        RequestStatus::Processing => LabeledTree::subtree([status_leaf("processing")]),
        RequestStatus::Done => LabeledTree::subtree([status_leaf("done")]),
        RequestStatus::Replied(reply) => LabeledTree::subtree([
            status_leaf("replied"),
            ("reply", LabeledTree::leaf(reply.clone())),
        ]),
        RequestStatus::Rejected(reject) => {
            let mut children = vec![
                status_leaf("rejected"),
                (
                    "reject_code",
                    LabeledTree::leaf(leb128(u64::from(wire_reject_code(reject.code)))),
                ),
                (
                    "reject_message",
                    LabeledTree::leaf(reject.message.as_bytes()),
                ),
            ];
            if let Some(error_code) = &reject.error_code {
                children.push(("error_code", LabeledTree::leaf(error_code.as_bytes())));
            }
            LabeledTree::subtree(children)
        }
    }
}

fn canister_tree(info: &CanisterInfo) -> LabeledTree {
    let mut children = vec![
        (
            "certified_data",
            LabeledTree::leaf(info.certified_data.clone()),
        ),
        ("controllers", LabeledTree::leaf(cbor(&info.controllers))),
    ];
    if let Some(hash) = info.module_hash {
        children.push(("module_hash", LabeledTree::leaf(hash.to_vec())));
    }
    LabeledTree::subtree(children)
}

/// The state tree for `view`, including the subnet's fixed parts.
pub fn state_tree(keys: &Keys, view: &StateView) -> LabeledTree {
    let subnet_id = keys.subnet_id();
    let (low, high) = ids::canister_range();
    let ranges: Vec<(Principal, Principal)> = vec![(low, high)];
    let ranges_cbor = cbor(&ranges);

    let subnet = LabeledTree::subtree([(
        subnet_id.as_slice(),
        LabeledTree::subtree([
            ("canister_ranges", LabeledTree::leaf(ranges_cbor.clone())),
            (
                "node",
                LabeledTree::subtree([(
                    keys.node_id().as_slice(),
                    LabeledTree::subtree([(
                        "public_key",
                        LabeledTree::leaf(keys.node_public_key_der()),
                    )]),
                )]),
            ),
            ("public_key", LabeledTree::leaf(keys.root_key_der())),
        ]),
    )]);
    let canister_ranges = LabeledTree::subtree([(
        subnet_id.as_slice(),
        LabeledTree::subtree([(low.as_slice(), LabeledTree::leaf(ranges_cbor))]),
    )]);
    let canisters = LabeledTree::subtree(
        view.canisters
            .iter()
            .map(|info| (info.canister_id.as_slice(), canister_tree(info))),
    );
    let request_status = LabeledTree::subtree(
        view.request_statuses
            .iter()
            .map(|(id, status)| (id.as_slice(), request_status_tree(status))),
    );

    LabeledTree::subtree([
        ("canister", canisters),
        ("canister_ranges", canister_ranges),
        ("request_status", request_status),
        ("subnet", subnet),
        ("time", LabeledTree::leaf(leb128(view.time_nanos))),
    ])
}

/// An encoded certificate revealing `paths` (and `/time`) of the state.
pub fn certify(
    keys: &Keys,
    view: &StateView,
    paths: &[Path],
) -> Result<Vec<u8>, serde_cbor::Error> {
    let mut wanted = Wanted::from_paths(paths);
    wanted.insert(&[b"time"]);
    sign_tree(keys, state_tree(keys, view).witness(&wanted))
}

/// The certificate a query may read through `ic0.data_certificate_*`: it
/// reveals `/time` and `/canister/<id>/certified_data` (IC interface
/// specification, "Certified data").
pub fn data_certificate(
    keys: &Keys,
    time_nanos: u64,
    canister: &CanisterInfo,
) -> Result<Vec<u8>, serde_cbor::Error> {
    let view = StateView {
        time_nanos,
        canisters: vec![canister.clone()],
        request_statuses: Vec::new(),
    };
    let path = vec![
        b"canister".to_vec(),
        canister.canister_id.as_slice().to_vec(),
        b"certified_data".to_vec(),
    ];
    certify(keys, &view, &[path])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::messages::Reject;
    use ic_certification::LookupResult;
    use ic_certification::certificate::Certificate;

    fn decode(bytes: &[u8]) -> Certificate<Vec<u8>> {
        serde_cbor::from_slice(bytes).unwrap()
    }

    fn verify(keys: &Keys, certificate: &Certificate<Vec<u8>>) {
        let mut message = b"\x0Dic-state-root".to_vec();
        message.extend_from_slice(&certificate.tree.digest());
        ic_verify_bls_signature::verify_bls_signature(
            &certificate.signature,
            &message,
            keys.root_public_key(),
        )
        .unwrap();
        assert!(certificate.delegation.is_none());
    }

    fn canister(index: u64) -> CanisterInfo {
        CanisterInfo {
            canister_id: ids::canister_id(index),
            module_hash: Some([7; 32]),
            controllers: vec![Principal::anonymous()],
            certified_data: vec![index as u8; 32],
        }
    }

    #[test]
    fn leb128_matches_the_spec_examples() {
        assert_eq!(leb128(0), vec![0]);
        assert_eq!(leb128(624_485), vec![0xE5, 0x8E, 0x26]);
    }

    #[test]
    fn a_request_status_certificate_verifies_and_reveals_the_reply() {
        let keys = Keys::generate();
        let id = [1u8; 32];
        let view = StateView {
            time_nanos: 1_700_000_000_000_000_000,
            canisters: vec![],
            request_statuses: vec![(id, RequestStatus::Replied(b"DIDL\0\0".to_vec()))],
        };
        let path = vec![b"request_status".to_vec(), id.to_vec()];
        let certificate = decode(&certify(&keys, &view, &[path]).unwrap());
        verify(&keys, &certificate);
        let tree = &certificate.tree;
        assert_eq!(
            tree.lookup_path([&b"request_status"[..], &id, b"status"]),
            LookupResult::Found(b"replied")
        );
        assert_eq!(
            tree.lookup_path([&b"request_status"[..], &id, b"reply"]),
            LookupResult::Found(b"DIDL\0\0")
        );
        assert_eq!(
            tree.lookup_path([b"time"]),
            LookupResult::Found(&leb128(1_700_000_000_000_000_000)[..])
        );
        assert_eq!(
            tree.lookup_path([&b"subnet"[..], keys.subnet_id().as_slice(), b"public_key"]),
            LookupResult::Unknown
        );
    }

    #[test]
    fn an_unknown_request_id_is_proven_absent() {
        let keys = Keys::generate();
        let view = StateView {
            time_nanos: 5,
            canisters: vec![],
            request_statuses: vec![],
        };
        let id = [9u8; 32];
        let path = vec![b"request_status".to_vec(), id.to_vec()];
        let certificate = decode(&certify(&keys, &view, &[path]).unwrap());
        verify(&keys, &certificate);
        assert_eq!(
            certificate
                .tree
                .lookup_path([&b"request_status"[..], &id, b"status"]),
            LookupResult::Absent
        );
    }

    #[test]
    fn a_rejected_request_reveals_code_message_and_error_code() {
        let keys = Keys::generate();
        let id = [3u8; 32];
        let reject = Reject::canister("no");
        let view = StateView {
            time_nanos: 5,
            canisters: vec![],
            request_statuses: vec![(id, RequestStatus::Rejected(reject))],
        };
        let path = vec![b"request_status".to_vec(), id.to_vec()];
        let certificate = decode(&certify(&keys, &view, &[path]).unwrap());
        let tree = &certificate.tree;
        assert_eq!(
            tree.lookup_path([&b"request_status"[..], &id, b"reject_code"]),
            LookupResult::Found(&[4])
        );
        assert_eq!(
            tree.lookup_path([&b"request_status"[..], &id, b"reject_message"]),
            LookupResult::Found(b"no")
        );
        assert_eq!(
            tree.lookup_path([&b"request_status"[..], &id, b"error_code"]),
            LookupResult::Found(b"IC0406")
        );
    }

    #[test]
    fn the_subnet_subtree_lists_keys_and_ranges() {
        let keys = Keys::generate();
        let view = StateView::default();
        let certificate = decode(&certify(&keys, &view, &[vec![b"subnet".to_vec()]]).unwrap());
        verify(&keys, &certificate);
        let tree = &certificate.tree;
        let sid = keys.subnet_id();
        assert_eq!(
            tree.lookup_path([&b"subnet"[..], sid.as_slice(), b"public_key"]),
            LookupResult::Found(keys.root_key_der())
        );
        assert_eq!(
            tree.lookup_path([
                &b"subnet"[..],
                sid.as_slice(),
                b"node",
                keys.node_id().as_slice(),
                b"public_key"
            ]),
            LookupResult::Found(keys.node_public_key_der())
        );
        let LookupResult::Found(ranges) =
            tree.lookup_path([&b"subnet"[..], sid.as_slice(), b"canister_ranges"])
        else {
            panic!("no canister ranges");
        };
        let ranges: Vec<(Principal, Principal)> = serde_cbor::from_slice(ranges).unwrap();
        assert_eq!(ranges, vec![ids::canister_range()]);
    }

    #[test]
    fn the_data_certificate_reveals_certified_data_and_time_only() {
        let keys = Keys::generate();
        let info = canister(3);
        let certificate = decode(&data_certificate(&keys, 42, &info).unwrap());
        verify(&keys, &certificate);
        let tree = &certificate.tree;
        let id = info.canister_id;
        assert_eq!(
            tree.lookup_path([&b"canister"[..], id.as_slice(), b"certified_data"]),
            LookupResult::Found(&[3; 32])
        );
        assert_eq!(tree.lookup_path([b"time"]), LookupResult::Found(&[42]));
        assert_eq!(
            tree.lookup_path([&b"canister"[..], id.as_slice(), b"module_hash"]),
            LookupResult::Unknown
        );
    }

    #[test]
    fn controllers_decode_as_principals_and_missing_canisters_are_absent() {
        let keys = Keys::generate();
        let view = StateView {
            time_nanos: 1,
            canisters: vec![canister(1), canister(5)],
            request_statuses: vec![],
        };
        let present = ids::canister_id(5);
        let missing = ids::canister_id(3);
        let paths = vec![
            vec![
                b"canister".to_vec(),
                present.as_slice().to_vec(),
                b"controllers".to_vec(),
            ],
            vec![
                b"canister".to_vec(),
                missing.as_slice().to_vec(),
                b"module_hash".to_vec(),
            ],
        ];
        let certificate = decode(&certify(&keys, &view, &paths).unwrap());
        verify(&keys, &certificate);
        let tree = &certificate.tree;
        let LookupResult::Found(controllers) =
            tree.lookup_path([&b"canister"[..], present.as_slice(), b"controllers"])
        else {
            panic!("no controllers");
        };
        let controllers: Vec<Principal> = serde_cbor::from_slice(controllers).unwrap();
        assert_eq!(controllers, vec![Principal::anonymous()]);
        assert_eq!(
            tree.lookup_path([&b"canister"[..], missing.as_slice(), b"module_hash"]),
            LookupResult::Absent
        );
    }
}
