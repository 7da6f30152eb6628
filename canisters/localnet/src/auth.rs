//! Authentication of requests: sender signatures and delegation chains.
//! (Stub.)

use candid::Principal;
use ic_transport_types::SignedDelegation;

/// The authentication fields of a request envelope, with its request id.
pub struct SignedRequest<'a> {
    pub request_id: &'a [u8; 32],
    pub sender: Principal,
    pub sender_pubkey: Option<&'a [u8]>,
    pub sender_sig: Option<&'a [u8]>,
    pub sender_delegation: Option<&'a [SignedDelegation]>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("{0}")]
    Invalid(String),
}

/// The canisters a request may reach: `None` when unrestricted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    pub sender: Principal,
    pub targets: Option<Vec<Principal>>,
}

/// Checks the request's signature and delegations at `now_nanos`;
/// `root_public_key` is the network's BLS root key (96 bytes) for canister
/// signatures.
pub fn authenticate(
    request: &SignedRequest<'_>,
    now_nanos: u64,
    root_public_key: &[u8],
) -> Result<Authenticated, AuthError> {
    // Interface stub: accepts the anonymous sender only.
    let _ = (now_nanos, root_public_key);
    if request.sender == Principal::anonymous() {
        Ok(Authenticated {
            sender: request.sender,
            targets: None,
        })
    } else {
        Err(AuthError::Invalid(
            "authentication is not implemented".into(),
        ))
    }
}
