//! The session's requests as the network sees them: a software P-256 key
//! stands in for the passkey (signing assertions the way an authenticator
//! does) and for the WebCrypto session key; the local network's request
//! authentication must accept what the app builds.

use candid::Principal;
use ic_transport_types::{Envelope, SignedDelegation};
use localnet::auth::{SignedRequest, authenticate, webauthn_public_key_der};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256};

use super::{PasskeyDelegation, challenge, delegation_to, passkey_signature};
use crate::api::envelope::{self, Signer};

const NOW: u64 = 1_800_000_000_000_000_000;
const P256_SPKI_PREFIX: &str = "3059301306072a8648ce3d020106082a8648ce3d030107034200";

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// What an authenticator returns for `challenge`, as the IC's signature.
fn assert_with(passkey: &SigningKey, challenge: &[u8]) -> Vec<u8> {
    let client_data = format!(
        r#"{{"type":"webauthn.get","challenge":"{}","origin":"http://localhost:8080","crossOrigin":false}}"#,
        base64url(challenge)
    );
    let mut authenticator_data = Sha256::digest(b"localhost").to_vec();
    authenticator_data.push(0x05);
    authenticator_data.extend(7u32.to_be_bytes());
    let mut signed = authenticator_data.clone();
    signed.extend(Sha256::digest(client_data.as_bytes()));
    let signature: Signature = passkey.sign(&signed);
    passkey_signature::encode(
        &authenticator_data,
        client_data.as_bytes(),
        signature.to_der().as_bytes(),
    )
    .expect("UTF-8 client data")
}

struct Keys {
    passkey: SigningKey,
    session: SigningKey,
}

impl Keys {
    fn new() -> Self {
        Self {
            passkey: SigningKey::from_slice(&[7; 32]).expect("a scalar"),
            session: SigningKey::from_slice(&[9; 32]).expect("a scalar"),
        }
    }

    fn session_spki(&self) -> Vec<u8> {
        let mut spki = hex::decode(P256_SPKI_PREFIX).expect("hex");
        spki.extend_from_slice(
            self.session
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes(),
        );
        spki
    }

    fn session(&self, signed_for: &[u8]) -> PasskeyDelegation {
        let delegation = delegation_to(&self.session_spki(), NOW);
        let signature = assert_with(&self.passkey, &challenge(&delegation_to(signed_for, NOW)));
        PasskeyDelegation {
            passkey_public_key: webauthn_public_key_der(self.passkey.verifying_key()),
            delegation: SignedDelegation {
                delegation,
                signature,
            },
        }
    }

    /// A call signed the way `api::session_caller` signs it.
    fn call(&self, session: &PasskeyDelegation) -> Vec<u8> {
        let content = envelope::call(
            session.principal(),
            Principal::management_canister(),
            "whoami",
            vec![],
            NOW,
            [5; 16],
        );
        let signature: Signature = self.session.sign(&envelope::message_to_sign(&content));
        envelope::encode(
            &content,
            Signer {
                public_key: &session.passkey_public_key,
                delegations: std::slice::from_ref(&session.delegation),
            },
            &signature.to_bytes(),
        )
    }
}

fn authenticate_envelope(bytes: &[u8]) -> Result<Principal, localnet::auth::AuthError> {
    let envelope: Envelope<'_> = serde_cbor::from_slice(bytes).expect("an envelope");
    let request_id = envelope.content.to_request_id();
    let request_id: &[u8; 32] = request_id.as_slice().try_into().expect("32 bytes");
    authenticate(
        &SignedRequest {
            request_id,
            sender: *envelope.content.sender(),
            sender_pubkey: envelope.sender_pubkey.as_deref(),
            sender_sig: envelope.sender_sig.as_deref(),
            sender_delegation: envelope.sender_delegation.as_deref(),
        },
        NOW + 1,
        &[],
    )
    .map(|authenticated| authenticated.sender)
}

#[test]
fn should_make_calls_the_network_accepts_as_the_passkeys_principal() {
    let keys = Keys::new();
    let session = keys.session(&keys.session_spki());
    assert_eq!(
        authenticate_envelope(&keys.call(&session)),
        Ok(session.principal())
    );
}

#[test]
fn should_be_refused_when_the_passkey_signed_another_session_key() {
    let keys = Keys::new();
    let session = keys.session(&[0x30; 91]);
    assert!(authenticate_envelope(&keys.call(&session)).is_err());
}
