//! A passkey confirming one prepared signature, where the account's policy
//! asks for it (the "step-up").
//!
//! The challenge is SHA-256 of a domain separator, this canister's id, the
//! account, the prepared request's id and expiry and what the key will
//! sign; so an
//! assertion confirms exactly one request of one account here, is fresh
//! (a prepared request lasts ten minutes) and cannot be replayed (a
//! request is approved once, and ids are never reused). The assertion is
//! checked as the IC checks a WebAuthn signature, and more: made by one of
//! the account's passkeys (by its credential id), ES256 over the
//! authenticator data and the hash of the client data, the client data a
//! `webauthn.get` for this challenge at Sigil's origin, the authenticator
//! data for Sigil's relying party with the person present and verified.

use candid::Principal;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sigil_api::identity_manager::{AccountNumber, Error, KeyType, StepUpAssertion};
use sigil_keys::cbor::{self, Cbor};

use crate::storage::StoredAccount;

const DOMAIN: &[u8] = b"\x0dsigil-step-up";
/// The tag that marks self-described CBOR, which the IC's encoding uses.
const SELF_DESCRIBED: u64 = 55_799;
const USER_PRESENT: u8 = 0x01;
const USER_VERIFIED: u8 = 0x04;
/// The relying party's hash (32), the flags (1) and the counter (4).
const MIN_AUTHENTICATOR_DATA_LEN: usize = 37;

/// The challenge of the prepared request `id` of `account`, expiring at
/// `expires_at` (ids restart after an upgrade; expiries do not repeat),
/// which signs `to_sign`.
pub fn challenge(
    canister: Principal,
    account: AccountNumber,
    (id, expires_at): (u64, u64),
    to_sign: &[u8],
) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(DOMAIN);
    hash.update([canister.as_slice().len() as u8]);
    hash.update(canister.as_slice());
    hash.update(account.to_be_bytes());
    hash.update(id.to_be_bytes());
    hash.update(expires_at.to_be_bytes());
    hash.update(Sha256::digest(to_sign));
    hash.finalize().into()
}

fn rejected(reason: impl Into<String>) -> Error {
    Error::StepUpRejected {
        reason: reason.into(),
    }
}

#[derive(Deserialize)]
struct ClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    origin: String,
}

/// The host of `origin` (`scheme://host[:port]`), the relying party id.
fn host(origin: &str) -> &str {
    let rest = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    rest.rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(rest, |(host, _)| host)
}

pub(crate) fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, byte)| n | u32::from(*byte) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Checks that `assertion` is one of `account`'s passkeys confirming
/// `challenge` at `origin` (Sigil's).
pub fn verify(
    account: &StoredAccount,
    assertion: &StepUpAssertion,
    challenge: &[u8; 32],
    origin: &str,
) -> Result<(), Error> {
    let device = account
        .devices
        .iter()
        .find(|device| {
            device.key_type == KeyType::WebAuthn
                && device.credential_id.as_deref().map(Vec::as_slice)
                    == Some(assertion.credential_id.as_slice())
        })
        .ok_or_else(|| rejected("it is not from one of your passkeys"))?;
    let key = sigil_keys::webauthn_cose_key(&device.public_key)
        .map_err(|error| rejected(format!("the passkey's key cannot be read: {error}")))?;
    let key = VerifyingKey::from_sec1_bytes(&key.sec1_point())
        .map_err(|_| rejected("the passkey's key is not a P-256 point"))?;

    let decoded =
        cbor::decode(&assertion.signature).map_err(|error| rejected(error.to_string()))?;
    let map = match &decoded {
        Cbor::Tag(SELF_DESCRIBED, inner) => inner.as_ref(),
        other => other,
    };
    let field = |name: &str| {
        map.get_text(name)
            .ok_or_else(|| rejected(format!("it has no {name}")))
    };
    let authenticator_data = field("authenticator_data")?
        .as_bytes()
        .ok_or_else(|| rejected("its authenticator data is not bytes"))?;
    let client_data_json = match field("client_data_json")? {
        Cbor::Text(text) => text.as_bytes(),
        Cbor::Bytes(bytes) => bytes,
        _ => return Err(rejected("its client data is not text")),
    };
    let signature = field("signature")?
        .as_bytes()
        .ok_or_else(|| rejected("its signature is not bytes"))?;

    let client_data: ClientData = serde_json::from_slice(client_data_json)
        .map_err(|_| rejected("its client data is not the JSON WebAuthn writes"))?;
    if client_data.kind != "webauthn.get" {
        return Err(rejected("it is not an assertion"));
    }
    if client_data.challenge != base64url(challenge) {
        return Err(rejected("it confirms another request"));
    }
    if client_data.origin != origin {
        return Err(rejected(format!("it was made at {}", client_data.origin)));
    }
    if authenticator_data.len() < MIN_AUTHENTICATOR_DATA_LEN {
        return Err(rejected("its authenticator data is too short"));
    }
    if authenticator_data[..32] != Sha256::digest(host(origin).as_bytes())[..] {
        return Err(rejected("it was made for another site"));
    }
    let flags = authenticator_data[32];
    if flags & (USER_PRESENT | USER_VERIFIED) != USER_PRESENT | USER_VERIFIED {
        return Err(rejected("the passkey did not verify you"));
    }

    let signature =
        Signature::from_der(signature).map_err(|_| rejected("its signature is not DER"))?;
    let mut signed = authenticator_data.to_vec();
    signed.extend_from_slice(&Sha256::digest(client_data_json));
    key.verify(&signed, &signature)
        .map_err(|_| rejected("its signature does not verify"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_write_base64url_without_padding_as_webauthn_clients_do() {
        for (bytes, text) in [
            (&b""[..], ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
            (&[0xfb, 0xff], "-_8"),
        ] {
            assert_eq!(base64url(bytes), text);
        }
    }

    #[test]
    fn should_take_the_relying_party_from_the_origins_host() {
        assert_eq!(host("https://sigil.example"), "sigil.example");
        assert_eq!(host("http://localhost:8080"), "localhost");
    }
}
