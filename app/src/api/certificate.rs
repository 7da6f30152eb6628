//! The network's certificates, checked without I/O (IC interface
//! specification, "Certification", "Delegation" and "The system state
//! tree"), and the two facts the app reads from the network before any
//! call: the root key (`/api/v2/status`, on a local network only) and the
//! node keys of a canister's subnet (a `read_state` of `/subnet`).
//!
//! Invariants:
//! - a certificate counts only when its BLS signature over
//!   `"\x0Dic-state-root" · root hash` verifies under the root key, or under
//!   the key of a subnet that a certificate signed by the root key delegates
//!   to; a delegation's own certificate carries no further delegation;
//! - a delegated subnet speaks for a canister only when the ranges in the
//!   root-signed delegation contain it (the sharded
//!   `/canister_ranges/<subnet>` or the older `/subnet/<subnet>/canister_ranges`);
//! - a certificate's `/time` is at most [`MAX_CERTIFICATE_AGE_NANOS`] behind
//!   the browser's clock (ahead of it is allowed: clocks differ);
//! - node keys come only from a certificate that passed all of the above for
//!   the canister they will vouch for.

use std::collections::BTreeMap;

use candid::Principal;
use ic_certification::{Certificate, HashTree, LookupResult, SubtreeLookupResult};
use serde::Deserialize;

/// The mainnet root key (DER), which signs, directly or by delegation, every
/// certificate of the Internet Computer.
pub const IC_ROOT_KEY: [u8; 133] = [
    0x30, 0x81, 0x82, 0x30, 0x1d, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05,
    0x03, 0x01, 0x02, 0x01, 0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05, 0x03,
    0x02, 0x01, 0x03, 0x61, 0x00, 0x81, 0x4c, 0x0e, 0x6e, 0xc7, 0x1f, 0xab, 0x58, 0x3b, 0x08, 0xbd,
    0x81, 0x37, 0x3c, 0x25, 0x5c, 0x3c, 0x37, 0x1b, 0x2e, 0x84, 0x86, 0x3c, 0x98, 0xa4, 0xf1, 0xe0,
    0x8b, 0x74, 0x23, 0x5d, 0x14, 0xfb, 0x5d, 0x9c, 0x0c, 0xd5, 0x46, 0xd9, 0x68, 0x5f, 0x91, 0x3a,
    0x0c, 0x0b, 0x2c, 0xc5, 0x34, 0x15, 0x83, 0xbf, 0x4b, 0x43, 0x92, 0xe4, 0x67, 0xdb, 0x96, 0xd6,
    0x5b, 0x9b, 0xb4, 0xcb, 0x71, 0x71, 0x12, 0xf8, 0x47, 0x2e, 0x0d, 0x5a, 0x4d, 0x14, 0x50, 0x5f,
    0xfd, 0x74, 0x84, 0xb0, 0x12, 0x91, 0x09, 0x1c, 0x5f, 0x87, 0xb9, 0x88, 0x83, 0x46, 0x3f, 0x98,
    0x09, 0x1a, 0x0b, 0xaa, 0xae,
];

/// The domain separator of a certificate's signature.
pub const STATE_ROOT_DOMAIN_SEPARATOR: &[u8] = b"\x0Dic-state-root";

/// How far a certificate's time may be behind the browser's clock (the
/// longest expiry the IC gives a request).
pub const MAX_CERTIFICATE_AGE_NANOS: u64 = 5 * 60 * 1_000_000_000;

/// The DER prefix of a BLS12-381 G2 public key (the root key and subnet
/// keys), followed by the 96-byte compressed point.
const BLS_DER_PREFIX: [u8; 37] = [
    0x30, 0x81, 0x82, 0x30, 0x1d, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05,
    0x03, 0x01, 0x02, 0x01, 0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05, 0x03,
    0x02, 0x01, 0x03, 0x61, 0x00,
];
const BLS_KEY_LEN: usize = 96;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("the certificate's signature does not verify")]
    BadSignature,
    #[error("a key in the certificate is not a BLS12-381 public key")]
    MalformedKey,
    #[error("the certificate's delegation is itself delegated")]
    NestedDelegation,
    #[error("the certificate's subnet does not host canister {0}")]
    NotAuthorized(Principal),
    #[error("the certificate is more than five minutes old")]
    Outdated,
    #[error("the certificate cannot say {0}")]
    Unreadable(&'static str),
    #[error("the network's status names no root key")]
    NoRootKey,
}

/// Checks that `certificate` is signed for `canister` under `root_key` and
/// is recent at `now_nanos`.
pub fn verify(
    certificate: &Certificate,
    root_key: &[u8],
    canister: Principal,
    now_nanos: u64,
) -> Result<(), CertificateError> {
    let key = signing_key(certificate, root_key, canister)?;
    verify_signature(certificate, &key)?;
    let time = certified_time(certificate)?;
    if now_nanos.saturating_sub(time) > MAX_CERTIFICATE_AGE_NANOS {
        return Err(CertificateError::Outdated);
    }
    Ok(())
}

/// The key that must have signed `certificate` for it to speak for
/// `canister`: the root key, or the delegated subnet's key.
fn signing_key(
    certificate: &Certificate,
    root_key: &[u8],
    canister: Principal,
) -> Result<Vec<u8>, CertificateError> {
    let Some(delegation) = &certificate.delegation else {
        return Ok(root_key.to_vec());
    };
    let parent: Certificate = serde_cbor::from_slice(&delegation.certificate)
        .map_err(|_| CertificateError::Unreadable("its delegation"))?;
    if parent.delegation.is_some() {
        return Err(CertificateError::NestedDelegation);
    }
    verify_signature(&parent, root_key)?;
    let subnet = Principal::try_from_slice(&delegation.subnet_id)
        .map_err(|_| CertificateError::Unreadable("the delegated subnet"))?;
    if !hosts(&parent, subnet, canister)? {
        return Err(CertificateError::NotAuthorized(canister));
    }
    lookup(&parent.tree, &[b"subnet", subnet.as_slice(), b"public_key"])?
        .map(<[u8]>::to_vec)
        .ok_or(CertificateError::Unreadable("the delegated subnet's key"))
}

fn verify_signature(certificate: &Certificate, der_key: &[u8]) -> Result<(), CertificateError> {
    let key = der_key
        .strip_prefix(&BLS_DER_PREFIX[..])
        .filter(|key| key.len() == BLS_KEY_LEN)
        .ok_or(CertificateError::MalformedKey)?;
    let mut message = STATE_ROOT_DOMAIN_SEPARATOR.to_vec();
    message.extend_from_slice(&certificate.tree.digest());
    ic_verify_bls_signature::verify_bls_signature(&certificate.signature, &message, key)
        .map_err(|()| CertificateError::BadSignature)
}

/// Whether `certificate` (signed by the root key) says that `subnet` hosts
/// `canister`. Every range it reveals for the subnet is a fact signed by the
/// root key, so one range that contains the canister suffices; pruning can
/// only hide ranges, never add one.
fn hosts(
    certificate: &Certificate,
    subnet: Principal,
    canister: Principal,
) -> Result<bool, CertificateError> {
    let shards: &[&[u8]] = &[b"canister_ranges", subnet.as_slice()];
    let mut ranges = Vec::new();
    match certificate.tree.lookup_subtree(shards) {
        SubtreeLookupResult::Found(tree) => {
            for path in tree.list_paths() {
                let [shard] = path.as_slice() else { continue };
                if let Some(value) = lookup(&tree, &[shard.as_bytes()])? {
                    ranges.extend(decode_ranges(value)?);
                }
            }
        }
        SubtreeLookupResult::Absent | SubtreeLookupResult::Unknown => {
            let path: &[&[u8]] = &[b"subnet", subnet.as_slice(), b"canister_ranges"];
            if let Some(value) = lookup(&certificate.tree, path)? {
                ranges.extend(decode_ranges(value)?);
            }
        }
    }
    Ok(ranges.iter().any(|(low, high)| {
        low.as_slice() <= canister.as_slice() && canister.as_slice() <= high.as_slice()
    }))
}

fn decode_ranges(value: &[u8]) -> Result<Vec<(Principal, Principal)>, CertificateError> {
    serde_cbor::from_slice(value).map_err(|_| CertificateError::Unreadable("the canister ranges"))
}

/// The value at `path`: `None` when the tree proves it absent, an error
/// when the tree was pruned there.
fn lookup<'a>(tree: &'a HashTree, path: &[&[u8]]) -> Result<Option<&'a [u8]>, CertificateError> {
    match tree.lookup_path(path) {
        LookupResult::Found(value) => Ok(Some(value)),
        LookupResult::Absent => Ok(None),
        LookupResult::Unknown | LookupResult::Error => {
            Err(CertificateError::Unreadable("a path it was asked for"))
        }
    }
}

fn certified_time(certificate: &Certificate) -> Result<u64, CertificateError> {
    let mut bytes =
        lookup(&certificate.tree, &[b"time"])?.ok_or(CertificateError::Unreadable("its time"))?;
    leb128_u64(&mut bytes).ok_or(CertificateError::Unreadable("its time"))
}

/// An unsigned LEB128 number at the start of `bytes`, which advance past it.
pub fn leb128_u64(bytes: &mut &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// A canister's subnet as a verified certificate tells it: its id and the
/// Ed25519 keys (DER) of its nodes, which sign query replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub id: Principal,
    node_keys: BTreeMap<Principal, Vec<u8>>,
}

impl Subnet {
    /// Reads the subnet of `canister` from `certificate`, the reply to a
    /// `read_state` of `/subnet` at that canister, once the certificate is
    /// verified for it.
    pub fn from_certificate(
        certificate: &Certificate,
        root_key: &[u8],
        canister: Principal,
        now_nanos: u64,
    ) -> Result<Self, CertificateError> {
        verify(certificate, root_key, canister, now_nanos)?;
        let id = match &certificate.delegation {
            Some(delegation) => Principal::try_from_slice(&delegation.subnet_id)
                .map_err(|_| CertificateError::Unreadable("the delegated subnet"))?,
            // The root subnet: verify() checked no range, so check it here.
            None => {
                let id = Principal::self_authenticating(root_key);
                if !hosts(certificate, id, canister)? {
                    return Err(CertificateError::NotAuthorized(canister));
                }
                id
            }
        };
        let nodes: &[&[u8]] = &[b"subnet", id.as_slice(), b"node"];
        let SubtreeLookupResult::Found(tree) = certificate.tree.lookup_subtree(nodes) else {
            return Err(CertificateError::Unreadable("the subnet's nodes"));
        };
        let mut node_keys = BTreeMap::new();
        for path in tree.list_paths() {
            let [node, field] = path.as_slice() else {
                continue;
            };
            if field.as_bytes() != b"public_key" {
                continue;
            }
            let node = Principal::try_from_slice(node.as_bytes())
                .map_err(|_| CertificateError::Unreadable("a node id"))?;
            if let Some(key) = lookup(&tree, &[node.as_slice(), b"public_key"])? {
                node_keys.insert(node, key.to_vec());
            }
        }
        if node_keys.is_empty() {
            return Err(CertificateError::Unreadable("the subnet's nodes"));
        }
        Ok(Self { id, node_keys })
    }

    /// The DER key of `node`, if it belongs to the subnet.
    pub fn node_key(&self, node: &Principal) -> Option<&[u8]> {
        self.node_keys.get(node).map(Vec::as_slice)
    }

    /// How many nodes the subnet has.
    pub fn nodes(&self) -> usize {
        self.node_keys.len()
    }
}

/// The root key in the network's `/api/v2/status` reply (CBOR), which a
/// local network gives out; only a BLS12-381 key is taken.
pub fn root_key_from_status(body: &[u8]) -> Result<Vec<u8>, CertificateError> {
    #[derive(Deserialize)]
    struct Status {
        #[serde(default, with = "serde_bytes")]
        root_key: Option<Vec<u8>>,
    }
    let status: Status = serde_cbor::from_slice(body)
        .map_err(|_| CertificateError::Unreadable("the network's status"))?;
    let key = status.root_key.ok_or(CertificateError::NoRootKey)?;
    let is_bls = key
        .strip_prefix(&BLS_DER_PREFIX[..])
        .is_some_and(|point| point.len() == BLS_KEY_LEN);
    if is_bls {
        Ok(key)
    } else {
        Err(CertificateError::MalformedKey)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "certificate_tests.rs"]
mod tests;
