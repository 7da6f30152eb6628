//! Certificates made by the local network's own code (its keys, state tree
//! and signer), and delegated ones built from two of its key sets: one as
//! the root, one as a subnet.

use candid::Principal;
use ic_certification::{Certificate, Delegation, HashTree};
use localnet::certification::{Keys, LabeledTree, StateView, certify, leb128, sign_tree};

use super::*;

const NOW: u64 = 1_800_000_000_000_000_000;
const MINUTE: u64 = 60 * 1_000_000_000;

fn key_set(seed: u8) -> Keys {
    let mut secret = [0; 32];
    secret[0] = seed;
    Keys::from_secrets(&secret, &[seed; 32]).expect("a valid secret")
}

fn decode(bytes: &[u8]) -> Certificate {
    serde_cbor::from_slice(bytes).expect("a certificate")
}

fn canister(index: u64) -> Principal {
    localnet::ids::canister_id(index)
}

/// What the local network answers to a `read_state` of `/subnet` at `time`.
fn root_subnet_certificate(keys: &Keys, time_nanos: u64) -> Certificate {
    let view = StateView {
        time_nanos,
        canisters: vec![],
        request_statuses: vec![],
    };
    decode(&certify(keys, &view, &[vec![b"subnet".to_vec()]]).expect("certified"))
}

fn cbor_ranges(ranges: &[(Principal, Principal)]) -> Vec<u8> {
    serde_cbor::to_vec(&ranges).expect("encoded")
}

/// Where the root-signed delegation puts a subnet's ranges.
enum Ranges {
    Sharded,
    InSubnet,
}

/// A certificate signed by `subnet`'s key at `time_nanos`, delegated to it by
/// `root` for `ranges`; it also reveals the subnet's node keys.
fn delegated_certificate(
    root: &Keys,
    subnet: &Keys,
    ranges: &[(Principal, Principal)],
    layout: Ranges,
    time_nanos: u64,
) -> Certificate {
    let id = subnet.subnet_id();
    let mut subnet_fields = vec![("public_key", LabeledTree::leaf(subnet.root_key_der()))];
    let mut top = Vec::new();
    match layout {
        Ranges::Sharded => {
            let low = ranges
                .first()
                .map(|(low, _)| *low)
                .unwrap_or(Principal::anonymous());
            top.push((
                "canister_ranges",
                LabeledTree::subtree([(
                    id.as_slice(),
                    LabeledTree::subtree([(
                        low.as_slice(),
                        LabeledTree::leaf(cbor_ranges(ranges)),
                    )]),
                )]),
            ));
        }
        Ranges::InSubnet => {
            subnet_fields.push(("canister_ranges", LabeledTree::leaf(cbor_ranges(ranges))))
        }
    }
    top.push((
        "subnet",
        LabeledTree::subtree([(id.as_slice(), LabeledTree::subtree(subnet_fields))]),
    ));
    top.push(("time", LabeledTree::leaf(leb128(time_nanos - 60 * MINUTE))));
    let parent = sign_tree(root, LabeledTree::subtree(top).full()).expect("signed");

    let mut certificate = decode(&subnet_tree_certificate(subnet, time_nanos));
    certificate.delegation = Some(Delegation {
        subnet_id: id.as_slice().to_vec(),
        certificate: parent,
    });
    certificate
}

/// `subnet`'s own certificate of `/time` and `/subnet/<id>/node`.
fn subnet_tree_certificate(subnet: &Keys, time_nanos: u64) -> Vec<u8> {
    let tree = LabeledTree::subtree([
        (
            "subnet",
            LabeledTree::subtree([(
                subnet.subnet_id().as_slice(),
                LabeledTree::subtree([(
                    "node",
                    LabeledTree::subtree([(
                        subnet.node_id().as_slice(),
                        LabeledTree::subtree([(
                            "public_key",
                            LabeledTree::leaf(subnet.node_public_key_der()),
                        )]),
                    )]),
                )]),
            )]),
        ),
        ("time", LabeledTree::leaf(leb128(time_nanos))),
    ]);
    sign_tree(subnet, tree.full()).expect("signed")
}

fn range(low: u64, high: u64) -> (Principal, Principal) {
    (canister(low), canister(high))
}

#[test]
fn should_accept_the_local_networks_certificate_and_read_its_subnet() {
    let keys = key_set(1);
    let certificate = root_subnet_certificate(&keys, NOW);
    let root = keys.root_key_der();
    verify(&certificate, root, canister(5), NOW).expect("verified");
    let subnet = Subnet::from_certificate(&certificate, root, canister(5), NOW).expect("a subnet");
    assert_eq!(subnet.id, keys.subnet_id());
    assert_eq!(subnet.nodes(), 1);
    assert_eq!(
        subnet.node_key(&keys.node_id()),
        Some(keys.node_public_key_der())
    );
    assert_eq!(subnet.node_key(&key_set(2).node_id()), None);
}

#[test]
fn should_refuse_a_certificate_signed_by_another_root_key() {
    let certificate = root_subnet_certificate(&key_set(1), NOW);
    let other_root = key_set(2);
    assert_eq!(
        verify(&certificate, other_root.root_key_der(), canister(5), NOW),
        Err(CertificateError::BadSignature)
    );
}

#[test]
fn should_refuse_a_tree_changed_after_signing() {
    let keys = key_set(1);
    let mut certificate = root_subnet_certificate(&keys, NOW);
    let forged = LabeledTree::subtree([("time", LabeledTree::leaf(leb128(NOW)))]);
    certificate.tree = forged.full();
    assert_eq!(
        verify(&certificate, keys.root_key_der(), canister(5), NOW),
        Err(CertificateError::BadSignature)
    );
}

#[test]
fn should_refuse_a_certificate_older_than_five_minutes_and_allow_one_from_ahead() {
    let keys = key_set(1);
    let root = keys.root_key_der();
    let certificate = root_subnet_certificate(&keys, NOW);
    verify(&certificate, root, canister(5), NOW + 5 * MINUTE).expect("five minutes old");
    assert_eq!(
        verify(&certificate, root, canister(5), NOW + 5 * MINUTE + 1),
        Err(CertificateError::Outdated)
    );
    verify(&certificate, root, canister(5), NOW - 10 * MINUTE).expect("ahead of the clock");
}

#[test]
fn should_refuse_a_key_that_is_not_bls() {
    let certificate = root_subnet_certificate(&key_set(1), NOW);
    let node_key = key_set(1).node_public_key_der().to_vec();
    assert_eq!(
        verify(&certificate, &node_key, canister(5), NOW),
        Err(CertificateError::MalformedKey)
    );
}

#[test]
fn should_refuse_the_root_subnets_nodes_for_a_canister_outside_its_ranges() {
    let keys = key_set(1);
    let certificate = root_subnet_certificate(&keys, NOW);
    let (_, high) = localnet::ids::canister_range();
    let outside = canister(localnet::ids::canister_index(&high).expect("in range") + 1);
    assert_eq!(
        Subnet::from_certificate(&certificate, keys.root_key_der(), outside, NOW),
        Err(CertificateError::NotAuthorized(outside))
    );
}

#[test]
fn should_accept_a_subnet_delegated_for_the_canister_in_either_layout() {
    let (root, subnet) = (key_set(1), key_set(2));
    for layout in [Ranges::Sharded, Ranges::InSubnet] {
        let certificate = delegated_certificate(&root, &subnet, &[range(10, 20)], layout, NOW);
        verify(&certificate, root.root_key_der(), canister(15), NOW).expect("delegated");
        let read = Subnet::from_certificate(&certificate, root.root_key_der(), canister(20), NOW)
            .expect("the subnet");
        assert_eq!(read.id, subnet.subnet_id());
        assert_eq!(
            read.node_key(&subnet.node_id()),
            Some(subnet.node_public_key_der())
        );
    }
}

#[test]
fn should_refuse_a_delegated_subnet_for_a_canister_outside_its_ranges() {
    let (root, subnet) = (key_set(1), key_set(2));
    for layout in [Ranges::Sharded, Ranges::InSubnet] {
        let certificate = delegated_certificate(&root, &subnet, &[range(10, 20)], layout, NOW);
        for outside in [canister(9), canister(21)] {
            assert_eq!(
                verify(&certificate, root.root_key_der(), outside, NOW),
                Err(CertificateError::NotAuthorized(outside))
            );
        }
    }
}

#[test]
fn should_refuse_a_delegation_not_signed_by_the_root_key() {
    let (root, subnet, impostor) = (key_set(1), key_set(2), key_set(3));
    let certificate =
        delegated_certificate(&impostor, &subnet, &[range(10, 20)], Ranges::Sharded, NOW);
    assert_eq!(
        verify(&certificate, root.root_key_der(), canister(15), NOW),
        Err(CertificateError::BadSignature)
    );
}

#[test]
fn should_refuse_a_certificate_signed_by_a_key_other_than_the_delegated_one() {
    let (root, subnet, impostor) = (key_set(1), key_set(2), key_set(3));
    let mut certificate =
        delegated_certificate(&root, &subnet, &[range(10, 20)], Ranges::Sharded, NOW);
    let own = decode(&subnet_tree_certificate(&impostor, NOW));
    certificate.tree = own.tree;
    certificate.signature = own.signature;
    assert_eq!(
        verify(&certificate, root.root_key_der(), canister(15), NOW),
        Err(CertificateError::BadSignature)
    );
}

#[test]
fn should_refuse_a_delegation_that_is_itself_delegated() {
    let (root, middle, subnet) = (key_set(1), key_set(2), key_set(3));
    let inner = delegated_certificate(&root, &middle, &[range(0, 100)], Ranges::Sharded, NOW);
    let mut certificate =
        delegated_certificate(&middle, &subnet, &[range(10, 20)], Ranges::Sharded, NOW);
    let mut parent = decode(
        &certificate
            .delegation
            .as_ref()
            .expect("delegated")
            .certificate,
    );
    parent.delegation = inner.delegation;
    certificate.delegation = Some(Delegation {
        subnet_id: subnet.subnet_id().as_slice().to_vec(),
        certificate: serde_cbor::to_vec(&parent).expect("encoded"),
    });
    assert_eq!(
        verify(&certificate, root.root_key_der(), canister(15), NOW),
        Err(CertificateError::NestedDelegation)
    );
}

#[test]
fn should_read_ranges_only_from_the_root_signed_delegation() {
    // The subnet claims every canister in its own tree; only the root's
    // word counts.
    let (root, subnet) = (key_set(1), key_set(2));
    let mut certificate =
        delegated_certificate(&root, &subnet, &[range(10, 20)], Ranges::Sharded, NOW);
    let claim = LabeledTree::subtree([
        (
            "subnet",
            LabeledTree::subtree([(
                subnet.subnet_id().as_slice(),
                LabeledTree::subtree([(
                    "canister_ranges",
                    LabeledTree::leaf(cbor_ranges(&[range(0, 1_000)])),
                )]),
            )]),
        ),
        ("time", LabeledTree::leaf(leb128(NOW))),
    ]);
    let own = decode(&sign_tree(&subnet, claim.full()).expect("signed"));
    certificate.tree = own.tree;
    certificate.signature = own.signature;
    assert_eq!(
        verify(&certificate, root.root_key_der(), canister(500), NOW),
        Err(CertificateError::NotAuthorized(canister(500)))
    );
}

#[test]
fn should_refuse_a_certificate_without_a_time() {
    let keys = key_set(1);
    let tree: HashTree = LabeledTree::subtree([("subnet", LabeledTree::empty())]).full();
    let certificate = decode(&sign_tree(&keys, tree).expect("signed"));
    assert_eq!(
        verify(&certificate, keys.root_key_der(), canister(5), NOW),
        Err(CertificateError::Unreadable("its time"))
    );
}

#[test]
fn should_take_only_a_bls_root_key_from_the_status() {
    fn status(fields: &[(&str, serde_cbor::Value)]) -> Vec<u8> {
        let map = fields
            .iter()
            .map(|(name, value)| (serde_cbor::Value::Text((*name).into()), value.clone()))
            .collect::<std::collections::BTreeMap<_, _>>();
        serde_cbor::to_vec(&serde_cbor::Value::Map(map)).expect("encoded")
    }
    let keys = key_set(1);
    let root = keys.root_key_der().to_vec();
    let version = ("impl_version", serde_cbor::Value::Text("0.1".into()));
    assert_eq!(
        root_key_from_status(&status(&[
            version.clone(),
            ("root_key", serde_cbor::Value::Bytes(root.clone()))
        ])),
        Ok(root)
    );
    assert_eq!(
        root_key_from_status(&status(std::slice::from_ref(&version))),
        Err(CertificateError::NoRootKey)
    );
    let node_key = keys.node_public_key_der().to_vec();
    assert_eq!(
        root_key_from_status(&status(&[("root_key", serde_cbor::Value::Bytes(node_key))])),
        Err(CertificateError::MalformedKey)
    );
    assert_eq!(
        root_key_from_status(b"<html>not cbor</html>"),
        Err(CertificateError::Unreadable("the network's status"))
    );
}

#[test]
fn should_never_panic_on_arbitrary_certificate_bytes() {
    let keys = key_set(1);
    let good = certify(
        &keys,
        &StateView {
            time_nanos: NOW,
            canisters: vec![],
            request_statuses: vec![],
        },
        &[vec![b"subnet".to_vec()]],
    )
    .expect("certified");
    let mut rng = crate::test_support::Rng::new(7);
    for _ in 0..300 {
        let mut bytes = good.clone();
        for _ in 0..=rng.below(4) {
            let at = rng.below(bytes.len());
            bytes[at] = rng.next_u64() as u8;
        }
        if let Ok(certificate) = serde_cbor::from_slice::<Certificate>(&bytes) {
            let _ = Subnet::from_certificate(&certificate, keys.root_key_der(), canister(5), NOW);
        }
    }
}

#[test]
fn should_build_in_the_mainnet_root_key_of_the_deployment_configuration() {
    let config: serde_json::Value =
        serde_json::from_str(include_str!("../../../canisters/deploy/sigil.json")).expect("JSON");
    let configured = config["root_key"].as_str().expect("a root key");
    assert_eq!(hex::decode(configured).expect("hex"), IC_ROOT_KEY);
}
