//! Authentication of requests: sender signatures and delegation chains, as
//! in the IC interface specification, sections "Authentication" (envelope
//! fields and delegations), "Signatures" (key types) and "Canister
//! signatures".
//!
//! [`authenticate`] checks, in this order:
//!
//! 1. **Anonymous sender** (`0x04`): `sender_pubkey`, `sender_sig` and
//!    `sender_delegation` must all be absent; the request may reach any
//!    canister.
//! 2. Otherwise `sender_pubkey` and `sender_sig` must be present and `sender`
//!    must be the self-authenticating principal of `sender_pubkey`
//!    (`SHA-224(DER) · 0x02`, section "Principals").
//! 3. **Delegation chain** (section "Authentication"): at most
//!    [`MAX_DELEGATIONS`] delegations (the IC limit); at most
//!    [`MAX_TARGETS_PER_DELEGATION`] targets each; none expired at
//!    `now_nanos` (a delegation is valid up to and including its
//!    `expiration`, like on the IC); every public key — `sender_pubkey` and
//!    each delegation's `pubkey` — appears only once (no cycles, no
//!    self-delegation). Delegation `i` must be signed by the key of
//!    delegation `i - 1` (the first by `sender_pubkey`) over
//!    `"\x1Aic-request-auth-delegation" · hash_of_map(delegation)`, the
//!    representation-independent hash of the delegation map (`pubkey`,
//!    `expiration`, and `targets`/`permissions` when present).
//! 4. **Request signature**: `sender_sig` verifies over
//!    `"\x0Aic-request" · request_id` with the key at the end of the chain
//!    (`sender_pubkey` when there is no delegation).
//!
//! Key types are recognised by their DER algorithm identifier, see
//! [`keys`](self::keys) (Ed25519, ECDSA P-256 and secp256k1),
//! [`webauthn`](self::webauthn) and [`canister_sig`](self::canister_sig).
//! Canister signatures use the same domain-separated messages as the other
//! schemes, so Internet Identity style chains (canister signature → session
//! key) verify unchanged.
//!
//! **Targets**: the result's `targets` is `None` when no delegation restricts
//! them, otherwise the intersection of all `targets` lists (sorted, without
//! duplicates; possibly empty, which allows no canister). The caller checks
//! the addressed canister of calls and queries against it; for `read_state`
//! the IC checks the canister ids named in `canister/<id>/...` paths.
//!
//! **Permissions**: a delegation whose `permissions` is `"queries"` (a later
//! addition to the specification) restricts the whole chain to query calls
//! and `read_state`; the result reports it as `queries_only`.
//!
//! The deprecated `senders` field of old delegations is not part of the
//! specification any more; the envelope type drops unknown fields, so a
//! delegation signed over a map with `senders` fails its signature check.
//!
//! Every input is untrusted: sizes are bounded, parsing is strict and
//! errors are typed ([`AuthError`]); nothing here panics on any input.

mod canister_sig;
mod der;
mod keys;
mod scheme;
mod webauthn;
#[cfg(feature = "testing")]
pub(crate) use webauthn::base64url;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

use candid::Principal;
use ic_transport_types::{Delegation, DelegationPermissions, SignedDelegation};
use std::collections::{BTreeSet, HashSet};

pub use canister_sig::IC_STATE_ROOT_DOMAIN_SEPARATOR;
pub use keys::MAX_PUBLIC_KEY_BYTES;
pub use scheme::{AuthError, KeyKind};
pub use webauthn::cose_key_es256;

/// The most delegations a request may carry (IC limit).
pub const MAX_DELEGATIONS: usize = 20;
/// The most targets one delegation may list (IC limit).
pub const MAX_TARGETS_PER_DELEGATION: usize = 1000;
/// The largest signature accepted (canister signatures carry a certificate).
pub const MAX_SIGNATURE_BYTES: usize = 64 * 1024;

/// Domain separator of request signatures ("Authentication").
pub const IC_REQUEST_DOMAIN_SEPARATOR: &[u8] = b"\x0Aic-request";
/// Domain separator of delegation signatures ("Authentication").
pub const IC_REQUEST_AUTH_DELEGATION_DOMAIN_SEPARATOR: &[u8] = b"\x1Aic-request-auth-delegation";

/// The authentication fields of a request envelope, with its request id.
pub struct SignedRequest<'a> {
    pub request_id: &'a [u8; 32],
    pub sender: Principal,
    pub sender_pubkey: Option<&'a [u8]>,
    pub sender_sig: Option<&'a [u8]>,
    pub sender_delegation: Option<&'a [SignedDelegation]>,
}

/// Who sent the request and what it may reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    pub sender: Principal,
    /// The canisters the request may address: `None` when unrestricted,
    /// otherwise the intersection of the delegations' targets (sorted).
    pub targets: Option<Vec<Principal>>,
    /// Set when a delegation in the chain has `permissions: "queries"`: the
    /// request may then only be a query call or a `read_state`.
    pub queries_only: bool,
}

/// Checks the request's signature and delegations at `now_nanos`;
/// `root_public_key` is the network's BLS root key (96 bytes) for canister
/// signatures. See the module documentation for the rules.
pub fn authenticate(
    request: &SignedRequest<'_>,
    now_nanos: u64,
    root_public_key: &[u8],
) -> Result<Authenticated, AuthError> {
    if request.sender == Principal::anonymous() {
        if request.sender_pubkey.is_some()
            || request.sender_sig.is_some()
            || request.sender_delegation.is_some()
        {
            return Err(AuthError::AnonymousWithCredentials);
        }
        return Ok(Authenticated {
            sender: request.sender,
            targets: None,
            queries_only: false,
        });
    }
    let pubkey = request
        .sender_pubkey
        .ok_or(AuthError::MissingPublicKey(request.sender))?;
    let signature = request
        .sender_sig
        .ok_or(AuthError::MissingSignature(request.sender))?;
    let expected = Principal::self_authenticating(pubkey);
    if request.sender != expected {
        return Err(AuthError::SenderMismatch {
            sender: request.sender,
            expected,
        });
    }

    let delegations = request.sender_delegation.unwrap_or_default();
    check_chain_shape(pubkey, delegations, now_nanos)?;

    let mut targets: Option<BTreeSet<Principal>> = None;
    let mut queries_only = false;
    let mut signer = pubkey;
    for (index, signed) in delegations.iter().enumerate() {
        let delegation = &signed.delegation;
        let message = delegation_signable(delegation)
            .map_err(|reason| AuthError::UnhashableDelegation { index, reason })?;
        verify_signature(signer, &message, &signed.signature, root_public_key).map_err(
            |error| AuthError::InvalidDelegation {
                index,
                error: Box::new(error),
            },
        )?;
        if let Some(list) = &delegation.targets {
            let list: BTreeSet<Principal> = list.iter().copied().collect();
            targets = Some(match targets {
                None => list,
                Some(previous) => previous.intersection(&list).copied().collect(),
            });
        }
        if delegation.permissions == Some(DelegationPermissions::Queries) {
            queries_only = true;
        }
        signer = &delegation.pubkey;
    }

    let mut message = IC_REQUEST_DOMAIN_SEPARATOR.to_vec();
    message.extend_from_slice(request.request_id);
    verify_signature(signer, &message, signature, root_public_key)?;

    Ok(Authenticated {
        sender: request.sender,
        targets: targets.map(|set| set.into_iter().collect()),
        queries_only,
    })
}

/// The checks on a delegation chain that need no cryptography: length,
/// target counts, expiry and repeated keys.
fn check_chain_shape(
    sender_pubkey: &[u8],
    delegations: &[SignedDelegation],
    now_nanos: u64,
) -> Result<(), AuthError> {
    if delegations.len() > MAX_DELEGATIONS {
        return Err(AuthError::TooManyDelegations {
            count: delegations.len(),
            max: MAX_DELEGATIONS,
        });
    }
    let mut seen: HashSet<&[u8]> = HashSet::with_capacity(delegations.len() + 1);
    seen.insert(sender_pubkey);
    for (index, signed) in delegations.iter().enumerate() {
        let delegation = &signed.delegation;
        if let Some(targets) = &delegation.targets
            && targets.len() > MAX_TARGETS_PER_DELEGATION
        {
            return Err(AuthError::TooManyTargets {
                index,
                count: targets.len(),
                max: MAX_TARGETS_PER_DELEGATION,
            });
        }
        if delegation.expiration < now_nanos {
            return Err(AuthError::DelegationExpired {
                index,
                expiration: delegation.expiration,
                now: now_nanos,
            });
        }
        if !seen.insert(&delegation.pubkey) {
            return Err(AuthError::DelegationCycle { index });
        }
    }
    Ok(())
}

/// The bytes a delegation's signature covers:
/// `"\x1Aic-request-auth-delegation" · hash_of_map(delegation)`.
pub fn delegation_signable(delegation: &Delegation) -> Result<Vec<u8>, String> {
    let hash = ic_transport_types::to_request_id(delegation).map_err(|e| e.to_string())?;
    let mut bytes = IC_REQUEST_AUTH_DELEGATION_DOMAIN_SEPARATOR.to_vec();
    bytes.extend_from_slice(hash.as_slice());
    Ok(bytes)
}

/// Verifies `signature` on `message` (the full, domain-separated bytes) with
/// the DER public key `der_public_key` of any supported scheme.
/// `root_public_key` (raw 96 bytes, or its DER form) is used for canister
/// signatures only.
pub fn verify_signature(
    der_public_key: &[u8],
    message: &[u8],
    signature: &[u8],
    root_public_key: &[u8],
) -> Result<(), AuthError> {
    let key = keys::PublicKey::from_der(der_public_key)?;
    if signature.len() > MAX_SIGNATURE_BYTES {
        return Err(AuthError::SignatureTooLarge {
            len: signature.len(),
            max: MAX_SIGNATURE_BYTES,
        });
    }
    key.verify(message, signature, root_public_key)
}

/// The scheme of a DER public key, after checking that the key is well
/// formed (valid point, supported curve, parsable COSE / canister key).
pub fn public_key_kind(der: &[u8]) -> Result<KeyKind, AuthError> {
    keys::PublicKey::from_der(der).map(|key| key.kind())
}

/// Encodes a canister signature public key (DER) for `canister_id` and
/// `seed`.
pub fn canister_sig_public_key_der(canister_id: &Principal, seed: &[u8]) -> Vec<u8> {
    let id = canister_id.as_slice();
    let mut raw = Vec::with_capacity(1 + id.len() + seed.len());
    raw.push(id.len() as u8);
    raw.extend_from_slice(id);
    raw.extend_from_slice(seed);
    der::encode_spki(keys::OID_CANISTER_SIG, None, &raw)
}

/// Encodes a WebAuthn public key (DER wrapping the COSE ES256 key).
pub fn webauthn_public_key_der(key: &p256::ecdsa::VerifyingKey) -> Vec<u8> {
    der::encode_spki(keys::OID_COSE, None, &cose_key_es256(key))
}
