//! Request authentication against signatures produced by ic-agent's real
//! identities, hand-built WebAuthn assertions and canister signatures, and
//! garbage.
//!
//! This module holds what the test files share: envelopes signed by
//! ic-agent identities, delegations and chains of them, a WebAuthn
//! authenticator ([`WebAuthnDevice`]) and a canister signing key
//! ([`CanisterKey`]) with its BLS root key. Each file covers one part of
//! `auth`: plain key types, anonymous senders, delegation chains, WebAuthn
//! and canister signatures.

use super::*;
use ic_agent::identity::{
    BasicIdentity, DelegatedIdentity, Identity, Prime256v1Identity, Secp256k1Identity,
};
use ic_certification::{HashTree, fork, labeled, leaf};
use ic_transport_types::EnvelopeContent;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use sha2::{Digest, Sha256};

mod anonymous_senders;
mod canister_signatures;
mod delegation_chains;
mod plain_keys;
mod webauthn_signatures;

/// "Now" in the tests: 2023-11-14T22:13:20Z in nanoseconds.
const NOW: u64 = 1_700_000_000_000_000_000;
const MINUTE: u64 = 60_000_000_000;

fn canister(n: u64) -> Principal {
    let mut bytes = n.to_be_bytes().to_vec();
    bytes.extend([1, 1]);
    Principal::from_slice(&bytes)
}

fn ed25519(n: u8) -> BasicIdentity {
    BasicIdentity::from_raw_key(&[n; 32])
}

fn secp256k1(n: u8) -> Secp256k1Identity {
    Secp256k1Identity::from_private_key(k256::SecretKey::from_slice(&[n; 32]).unwrap())
}

fn p256(n: u8) -> Prime256v1Identity {
    Prime256v1Identity::from_private_key(p256::SecretKey::from_slice(&[n; 32]).unwrap())
}

/// The authentication parts of an envelope, owned.
#[derive(Clone)]
struct Envelope {
    request_id: [u8; 32],
    sender: Principal,
    pubkey: Option<Vec<u8>>,
    sig: Option<Vec<u8>>,
    delegations: Option<Vec<SignedDelegation>>,
}

impl Envelope {
    fn check_with_root(&self, root: &[u8]) -> Result<Authenticated, AuthError> {
        let request = SignedRequest {
            request_id: &self.request_id,
            sender: self.sender,
            sender_pubkey: self.pubkey.as_deref(),
            sender_sig: self.sig.as_deref(),
            sender_delegation: self.delegations.as_deref(),
        };
        authenticate(&request, NOW, root)
    }

    fn check(&self) -> Result<Authenticated, AuthError> {
        self.check_with_root(&[0; 96])
    }
}

fn content(sender: Principal, nonce: u8) -> EnvelopeContent {
    EnvelopeContent::Call {
        nonce: Some(vec![nonce; 8]),
        ingress_expiry: NOW + 4 * MINUTE,
        sender,
        canister_id: canister(7),
        method_name: "greet".into(),
        arg: b"DIDL\x00\x00".to_vec(),
        sender_info: None,
    }
}

/// An envelope for a call signed by `identity` exactly as ic-agent does it.
fn signed_by(identity: &dyn Identity) -> Envelope {
    let sender = identity.sender().unwrap();
    let content = content(sender, 1);
    let request_id = *content.to_request_id();
    let signature = identity.sign(&content).unwrap();
    Envelope {
        request_id,
        sender,
        pubkey: signature.public_key,
        sig: signature.signature,
        delegations: signature.delegations,
    }
}

fn delegation(pubkey: Vec<u8>, expiration: u64, targets: Option<Vec<Principal>>) -> Delegation {
    Delegation {
        pubkey,
        expiration,
        targets,
        permissions: None,
    }
}

fn sign_delegation(from: &dyn Identity, delegation: Delegation) -> SignedDelegation {
    let signature = from
        .sign_delegation(&delegation)
        .unwrap()
        .signature
        .unwrap();
    SignedDelegation {
        delegation,
        signature,
    }
}

/// A chain `keys[0] → keys[1] → … → keys[n-1]`, each delegation with the
/// given targets, as ic-agent's `DelegatedIdentity` presents it.
fn chain_envelope(keys: Vec<Box<dyn Identity>>, targets: &[Option<Vec<Principal>>]) -> Envelope {
    let mut chain = Vec::new();
    for (i, pair) in keys.windows(2).enumerate() {
        let to = pair[1].public_key().unwrap();
        let t = targets.get(i).cloned().flatten();
        chain.push(sign_delegation(
            pair[0].as_ref(),
            delegation(to, NOW + MINUTE, t),
        ));
    }
    let root = keys[0].public_key().unwrap();
    let last = keys.into_iter().last().unwrap();
    let identity = DelegatedIdentity::new_unchecked(root, last, chain);
    signed_by(&identity)
}

fn flip(bytes: &mut [u8], index: usize) {
    let i = index % bytes.len();
    bytes[i] ^= 0x01;
}

/// A WebAuthn authenticator with a P-256 credential.
struct WebAuthnDevice {
    key: p256::ecdsa::SigningKey,
    kind: String,
    challenge_override: Option<String>,
    client_data_as_text: bool,
}

#[derive(Serialize)]
struct WebAuthnSig {
    #[serde(with = "serde_bytes")]
    authenticator_data: Vec<u8>,
    client_data_json: ClientDataField,
    #[serde(with = "serde_bytes")]
    signature: Vec<u8>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ClientDataField {
    Bytes(#[serde(with = "serde_bytes")] Vec<u8>),
    Text(String),
}

impl WebAuthnDevice {
    fn new(n: u8) -> Self {
        Self {
            key: p256::ecdsa::SigningKey::from_slice(&[n; 32]).unwrap(),
            kind: "webauthn.get".into(),
            challenge_override: None,
            client_data_as_text: false,
        }
    }

    fn der(&self) -> Vec<u8> {
        webauthn_public_key_der(self.key.verifying_key())
    }

    fn principal(&self) -> Principal {
        Principal::self_authenticating(self.der())
    }

    /// An assertion over `message`, as a browser returns it (tagged CBOR).
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        use p256::ecdsa::signature::Signer;
        // rpIdHash, flags (UP | UV), signature counter.
        let mut authenticator_data = Sha256::digest(b"sigil.example").to_vec();
        authenticator_data.push(0x05);
        authenticator_data.extend(7u32.to_be_bytes());
        let challenge = self
            .challenge_override
            .clone()
            .unwrap_or_else(|| webauthn::base64url(message));
        let client_data = format!(
            r#"{{"type":"{}","challenge":"{}","origin":"https://sigil.example","crossOrigin":false}}"#,
            self.kind, challenge
        );
        let mut signed = authenticator_data.clone();
        signed.extend(Sha256::digest(client_data.as_bytes()));
        let signature: p256::ecdsa::Signature = self.key.sign(&signed);
        let sig = WebAuthnSig {
            authenticator_data,
            client_data_json: if self.client_data_as_text {
                ClientDataField::Text(client_data)
            } else {
                ClientDataField::Bytes(client_data.into_bytes())
            },
            signature: signature.to_der().as_bytes().to_vec(),
        };
        let mut out = vec![0xd9, 0xd9, 0xf7];
        out.extend(serde_cbor::to_vec(&sig).unwrap());
        out
    }
}

/// A BLS12-381 root key pair (signatures in G1, keys in G2, as the IC).
struct RootKey {
    secret: ic_bls12_381::Scalar,
    public: [u8; 96],
}

impl RootKey {
    fn new(n: u8) -> Self {
        let secret = ic_bls12_381::Scalar::from_bytes_wide(&[n; 64]);
        let public = ic_bls12_381::G2Affine::from(ic_bls12_381::G2Affine::generator() * secret)
            .to_compressed();
        Self { secret, public }
    }

    fn sign(&self, message: &[u8]) -> [u8; 48] {
        use ic_bls12_381::hash_to_curve::{ExpandMsgXmd, HashToCurve};
        let point =
            <ic_bls12_381::G1Projective as HashToCurve<ExpandMsgXmd<Sha256>>>::hash_to_curve(
                message,
                b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_",
            );
        ic_bls12_381::G1Affine::from(point * self.secret).to_compressed()
    }
}

#[derive(Serialize)]
struct CanisterSig {
    #[serde(with = "serde_bytes")]
    certificate: Vec<u8>,
    tree: HashTree,
}

/// A canister signing key and the knobs to break its signatures.
struct CanisterKey {
    canister_id: Principal,
    seed: Vec<u8>,
    root: RootKey,
}

impl CanisterKey {
    fn new(seed: &[u8]) -> Self {
        Self {
            canister_id: canister(9),
            seed: seed.to_vec(),
            root: RootKey::new(1),
        }
    }

    fn der(&self) -> Vec<u8> {
        canister_sig_public_key_der(&self.canister_id, &self.seed)
    }

    fn sig_tree(&self, message: &[u8]) -> HashTree {
        labeled(
            b"sig".to_vec(),
            labeled(
                Sha256::digest(&self.seed).to_vec(),
                labeled(Sha256::digest(message).to_vec(), leaf(b"".to_vec())),
            ),
        )
    }

    fn certificate(
        &self,
        certified_data: &[u8],
        certifying: Principal,
        signer: &RootKey,
    ) -> Vec<u8> {
        let mut time = Vec::new();
        leb128::write::unsigned(&mut time, NOW).unwrap();
        let tree = fork(
            labeled(
                b"canister".to_vec(),
                labeled(
                    certifying.as_slice().to_vec(),
                    labeled(b"certified_data".to_vec(), leaf(certified_data.to_vec())),
                ),
            ),
            labeled(b"time".to_vec(), leaf(time)),
        );
        let mut signed = IC_STATE_ROOT_DOMAIN_SEPARATOR.to_vec();
        signed.extend(tree.digest());
        let certificate = ic_certification::Certificate {
            tree,
            signature: signer.sign(&signed).to_vec(),
            delegation: None,
        };
        let mut out = vec![0xd9, 0xd9, 0xf7];
        out.extend(serde_cbor::to_vec(&certificate).unwrap());
        out
    }

    fn encode(certificate: Vec<u8>, tree: HashTree) -> Vec<u8> {
        let mut out = vec![0xd9, 0xd9, 0xf7];
        out.extend(serde_cbor::to_vec(&CanisterSig { certificate, tree }).unwrap());
        out
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        let tree = self.sig_tree(message);
        let certificate = self.certificate(&tree.digest(), self.canister_id, &self.root);
        Self::encode(certificate, tree)
    }
}
