//! Sigil's own session: one passkey assertion per sign-in delegates the
//! passkey's principal to a WebCrypto key of this frontend, so that every
//! later call to a canister happens without a passkey prompt.
//!
//! 1. [`delegation_to`] names the session key (its DER SPKI) and an
//!    expiration [`SESSION_LIFETIME_NANOS`] ahead;
//! 2. the passkey signs [`challenge`] (`"\x1Aic-request-auth-delegation" ·
//!    hash(delegation)`) in one WebAuthn assertion;
//! 3. [`passkey_signature::encode`] wraps that assertion the way the IC
//!    verifies WebAuthn signatures;
//! 4. a [`PasskeyDelegation`] keeps the passkey's DER key and the signed
//!    delegation, and a [`Session`] adds the account. Calls go out as the passkey's principal: `sender_pubkey`
//!    is the passkey's key, `sender_delegation` the one delegation, and
//!    `sender_sig` the session key's signature.
//!
//! Nothing in a [`Session`] is secret (the private key never leaves
//! WebCrypto); it is stored next to the key, in IndexedDB, as JSON.

pub mod passkey_signature;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod verification_tests;

use candid::Principal;
use ic_transport_types::{Delegation, SignedDelegation};
use serde::{Deserialize, Serialize};
use sigil_api::identity_manager::AccountNumber;
use thiserror::Error;

/// How long a sign-in lasts on this device: 7 days.
pub const SESSION_LIFETIME_NANOS: u64 = 7 * 24 * 60 * 60 * NANOS_PER_SECOND;
/// A session this close to its end is treated as over, so a flow that
/// starts with it can finish.
pub const EXPIRY_MARGIN_NANOS: u64 = 10 * 60 * NANOS_PER_SECOND;
/// Largest stored session read back.
pub const MAX_STORED_SESSION_BYTES: usize = 4 * 1024;
const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// The delegation from the passkey to the session key `session_public_key`
/// (DER), made at `now_nanos`.
pub fn delegation_to(session_public_key: &[u8], now_nanos: u64) -> Delegation {
    Delegation {
        pubkey: session_public_key.to_vec(),
        expiration: now_nanos.saturating_add(SESSION_LIFETIME_NANOS),
        targets: None,
        permissions: None,
    }
}

/// What the passkey signs: the WebAuthn challenge of the sign-in.
pub fn challenge(delegation: &Delegation) -> Vec<u8> {
    delegation.signable()
}

/// The passkey's delegation to the session key: enough to call canisters
/// as the passkey's principal (with the session key's signatures).
#[derive(Debug, Clone)]
pub struct PasskeyDelegation {
    /// The passkey's public key in the IC's DER form: the head of the chain.
    pub passkey_public_key: Vec<u8>,
    pub delegation: SignedDelegation,
}

impl PasskeyDelegation {
    /// The principal the canisters see: the passkey's.
    pub fn principal(&self) -> Principal {
        Principal::self_authenticating(&self.passkey_public_key)
    }

    /// The session key the delegation is to (DER).
    pub fn session_public_key(&self) -> &[u8] {
        &self.delegation.delegation.pubkey
    }

    pub fn expiration(&self) -> u64 {
        self.delegation.delegation.expiration
    }

    /// Whether the delegation can still be used for a whole flow.
    pub fn is_live(&self, now_nanos: u64) -> bool {
        self.expiration() > now_nanos.saturating_add(EXPIRY_MARGIN_NANOS)
    }
}

/// A signed-in person on this device: an account and the delegation of one
/// of its passkeys.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: AccountNumber,
    pub passkey: PasskeyDelegation,
}

/// Why a stored session cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoredSessionError {
    #[error("the stored session is larger than {MAX_STORED_SESSION_BYTES} bytes")]
    TooLarge,
    #[error("the stored session is not readable: {0}")]
    Invalid(String),
}

/// The JSON form of a [`Session`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    account: AccountNumber,
    passkey_public_key: String,
    session_public_key: String,
    expiration: u64,
    signature: String,
}

impl Session {
    pub fn to_json(&self) -> String {
        let stored = Stored {
            account: self.account,
            passkey_public_key: hex::encode(&self.passkey.passkey_public_key),
            session_public_key: hex::encode(self.passkey.session_public_key()),
            expiration: self.passkey.expiration(),
            signature: hex::encode(&self.passkey.delegation.signature),
        };
        serde_json::to_string(&stored).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Self, StoredSessionError> {
        if text.len() > MAX_STORED_SESSION_BYTES {
            return Err(StoredSessionError::TooLarge);
        }
        let invalid =
            |error: &dyn std::fmt::Display| StoredSessionError::Invalid(error.to_string());
        let stored: Stored = serde_json::from_str(text).map_err(|e| invalid(&e))?;
        let bytes = |text: &str| hex::decode(text).map_err(|e| invalid(&e));
        Ok(Self {
            account: stored.account,
            passkey: PasskeyDelegation {
                passkey_public_key: bytes(&stored.passkey_public_key)?,
                delegation: SignedDelegation {
                    delegation: Delegation {
                        pubkey: bytes(&stored.session_public_key)?,
                        expiration: stored.expiration,
                        targets: None,
                        permissions: None,
                    },
                    signature: bytes(&stored.signature)?,
                },
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000_000_000_000;

    fn session() -> Session {
        let delegation = delegation_to(&[4; 91], NOW);
        Session {
            account: 10_000,
            passkey: PasskeyDelegation {
                passkey_public_key: vec![0x30, 1, 2],
                delegation: SignedDelegation {
                    delegation,
                    signature: vec![0xa1; 40],
                },
            },
        }
    }

    #[test]
    fn should_sign_the_domain_separated_hash_of_the_delegation() {
        let delegation = delegation_to(&[4; 91], NOW);
        let challenge = challenge(&delegation);
        assert_eq!(&challenge[..27], b"\x1Aic-request-auth-delegation");
        assert_eq!(challenge.len(), 27 + 32);
        assert_eq!(delegation.expiration, NOW + SESSION_LIFETIME_NANOS);
    }

    #[test]
    fn should_round_trip_through_its_stored_form() {
        let json = session().to_json();
        let read = Session::from_json(&json).expect("readable");
        assert_eq!(read.to_json(), json);
        assert_eq!(read.account, 10_000);
        assert_eq!(read.passkey.session_public_key(), &[4; 91][..]);
    }

    #[test]
    fn should_end_a_margin_before_its_expiration() {
        let session = session().passkey;
        assert!(session.is_live(NOW));
        let end = NOW + SESSION_LIFETIME_NANOS;
        assert!(session.is_live(end - EXPIRY_MARGIN_NANOS - 1));
        assert!(!session.is_live(end - EXPIRY_MARGIN_NANOS));
        assert!(!session.is_live(u64::MAX));
    }

    #[test]
    fn should_call_as_the_passkeys_principal() {
        let session = session();
        assert_eq!(
            session.passkey.principal(),
            Principal::self_authenticating([0x30, 1, 2])
        );
    }

    #[test]
    fn should_refuse_damaged_or_oversized_stored_sessions() {
        let json = session().to_json();
        for damaged in [
            &json[..json.len() / 2],
            &json.replace("\"account\"", "\"acount\""),
            &json.replace("a1a1", "zz"),
        ] {
            assert!(matches!(
                Session::from_json(damaged),
                Err(StoredSessionError::Invalid(_))
            ));
        }
        assert!(matches!(
            Session::from_json(&" ".repeat(5000)),
            Err(StoredSessionError::TooLarge)
        ));
    }
}
