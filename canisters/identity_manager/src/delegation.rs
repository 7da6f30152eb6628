//! Per-origin principals and client delegations.
//!
//! The user key of account `n` for `origin` is the canister-signature
//! public key (IC interface specification, "Canister signatures") of this
//! canister with
//!
//! ```text
//! seed = SHA-256(len(salt)·salt · len(n)·n · len(origin)·origin)
//! ```
//!
//! where `n` is the account number in ASCII decimal, every length is one
//! byte and `origin` is the normalised origin (`https://<x>.icp0.io` →
//! `https://<x>.ic0.app`, so both domains give one principal). The salt is
//! set once, so a principal never changes.
//!
//! Origins are compared byte for byte, as a browser serialises them
//! (`event.origin`: `scheme://host[:port]`, lowercase, no default port, no
//! path, no trailing slash); the frontend passes them on verbatim. The
//! canister does not canonicalise them: `https://dapp.example/`,
//! `https://DAPP.example` or `https://dapp.example:443` are other origins
//! with other principals, never the principal of `https://dapp.example`.
//! The only mapping is the `icp0.io` one, and only for the exact host
//! pattern `https://<label>.icp0.io` / `https://<label>.raw.icp0.io` with
//! `<label>` of ASCII letters, digits, `-` and `_` (the derivation-origin
//! pattern of DESIGN.md); anything else (`https://x.icp0.io.evil.com`,
//! `https://x.icp0.io:443`, `https://x.icp0.io/`, `http://...`) is left
//! as it is. Origins are 1 to 255 bytes.
//!
//! A delegation `{pubkey, expiration, targets?}` is signed by adding its
//! representation-independent hash (domain `ic-request-auth-delegation`)
//! to the signature map under the seed (`prepare_delegation`, an update,
//! because certified data can only change in an update) and fetching the
//! witness with the system's certificate (`get_delegation`, a query,
//! because certificates exist only in queries).

use std::borrow::Cow;

use candid::Principal;
use ic_canister_sig_creation::signature_map::CanisterSigInputs;
use ic_canister_sig_creation::{
    CanisterSigPublicKey, DELEGATION_SIG_DOMAIN, delegation_signature_msg,
};
use ic_stable_structures::Memory;
use sha2::{Digest, Sha256};
use sigil_api::identity_manager::{
    AccountNumber, DEFAULT_DELEGATION_TTL_NS, Delegation, Error, GetDelegationArgs,
    GetPrincipalArgs, MAX_DELEGATION_TARGETS, MAX_DELEGATION_TTL_NS, MAX_ORIGIN_LEN,
    PrepareDelegationArgs, PreparedDelegation, SignedDelegation, Timestamp,
};

use crate::authorization::authorize;
use crate::state::{Env, State};
use crate::storage::Storage;
use crate::validation::validate_session_key;

/// Maps `https://<x>.icp0.io` (and `https://<x>.raw.icp0.io`) to the same
/// name under `ic0.app`; other origins are unchanged.
pub fn normalize_origin(origin: &str) -> Cow<'_, str> {
    let host = origin
        .strip_prefix("https://")
        .and_then(|rest| rest.strip_suffix(".icp0.io"));
    if let Some(host) = host {
        let label = host.strip_suffix(".raw").unwrap_or(host);
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if !label.is_empty() && label.bytes().all(is_word) {
            return Cow::Owned(format!("https://{host}.ic0.app"));
        }
    }
    Cow::Borrowed(origin)
}

pub fn validate_origin(origin: &str) -> Result<(), Error> {
    if origin.is_empty() {
        return Err(Error::EmptyOrigin);
    }
    if origin.len() > MAX_ORIGIN_LEN {
        return Err(Error::OriginTooLong {
            length: origin.len() as u64,
            max: MAX_ORIGIN_LEN as u64,
        });
    }
    Ok(())
}

/// The seed of the user key (see the module documentation). `origin` must
/// be normalised and at most 255 bytes.
pub fn seed(salt: &[u8; 32], account: AccountNumber, origin: &str) -> [u8; 32] {
    let number = account.to_string();
    let mut hasher = Sha256::new();
    for part in [&salt[..], number.as_bytes(), origin.as_bytes()] {
        hasher.update([part.len() as u8]);
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// The DER user key (canister-signature public key) for `seed`.
pub fn user_key(canister_id: Principal, seed: &[u8; 32]) -> Vec<u8> {
    CanisterSigPublicKey::new(canister_id, seed.to_vec()).to_der()
}

/// The principal of the user key for `seed`.
pub fn principal_of_seed(canister_id: Principal, seed: &[u8; 32]) -> Principal {
    Principal::self_authenticating(user_key(canister_id, seed))
}

fn validate_targets(targets: Option<&Vec<Principal>>) -> Result<(), Error> {
    match targets {
        Some(targets) if targets.len() > MAX_DELEGATION_TARGETS => Err(Error::TooManyTargets {
            count: targets.len() as u64,
            max: MAX_DELEGATION_TARGETS as u64,
        }),
        _ => Ok(()),
    }
}

/// The lifetime of a delegation: 30 minutes unless asked, at most 30 days.
pub fn delegation_ttl(max_ttl: Option<u64>) -> u64 {
    max_ttl
        .unwrap_or(DEFAULT_DELEGATION_TTL_NS)
        .min(MAX_DELEGATION_TTL_NS)
}

/// The message the canister signs for a delegation.
pub fn delegation_message(
    session_key: &[u8],
    expiration: Timestamp,
    targets: Option<&Vec<Principal>>,
) -> Vec<u8> {
    let targets: Option<Vec<Vec<u8>>> =
        targets.map(|targets| targets.iter().map(|t| t.as_slice().to_vec()).collect());
    delegation_signature_msg(session_key, expiration, targets.as_ref())
}

/// Checks the caller and the origin and returns the seed for them.
fn authorized_seed<M: Memory + Clone>(
    storage: &Storage<M>,
    env: &Env,
    account: AccountNumber,
    origin: &str,
) -> Result<[u8; 32], Error> {
    authorize(storage, env.caller, account)?;
    validate_origin(origin)?;
    let salt = storage.header().salt().ok_or(Error::SaltNotSet)?;
    Ok(seed(&salt, account, &normalize_origin(origin)))
}

/// The account's principal for `origin`.
pub fn get_principal_impl<M: Memory + Clone>(
    storage: &Storage<M>,
    env: &Env,
    args: GetPrincipalArgs,
) -> Result<Principal, Error> {
    let seed = authorized_seed(storage, env, args.account, &args.origin)?;
    Ok(principal_of_seed(env.canister_id, &seed))
}

/// Signs (by adding to the signature map) a delegation from the account's
/// key for `origin` to `session_key`. The caller then sets the certified
/// data to `state.signatures.certified_data()`.
pub fn prepare_delegation_impl<M: Memory + Clone>(
    state: &mut State<M>,
    env: &Env,
    args: &PrepareDelegationArgs,
) -> Result<PreparedDelegation, Error> {
    let seed = authorized_seed(&state.storage, env, args.account, &args.origin)?;
    validate_session_key(&args.session_key)?;
    let targets = args.targets.as_ref();
    validate_targets(targets)?;
    let expiration = env
        .now
        .saturating_add(delegation_ttl(args.max_time_to_live));
    let message = delegation_message(&args.session_key, expiration, targets);
    state.signatures.add(
        &CanisterSigInputs {
            domain: DELEGATION_SIG_DOMAIN,
            seed: &seed,
            message: &message,
        },
        env.now,
    );
    Ok(PreparedDelegation {
        user_key: user_key(env.canister_id, &seed).into(),
        expiration,
    })
}

/// The delegation prepared with the same arguments, with its canister
/// signature built from `certificate` (the system's certificate of this
/// canister's certified data, present in non-replicated queries only).
pub fn get_delegation_impl<M: Memory + Clone>(
    state: &State<M>,
    env: &Env,
    args: GetDelegationArgs,
    certificate: Option<&[u8]>,
) -> Result<SignedDelegation, Error> {
    let GetDelegationArgs {
        account,
        origin,
        session_key,
        expiration,
        targets,
    } = args;
    let seed = authorized_seed(&state.storage, env, account, &origin)?;
    validate_session_key(&session_key)?;
    validate_targets(targets.as_ref())?;
    let message = delegation_message(&session_key, expiration, targets.as_ref());
    let inputs = CanisterSigInputs {
        domain: DELEGATION_SIG_DOMAIN,
        seed: &seed,
        message: &message,
    };
    if !state.signatures.contains(&inputs, env.now) {
        return Err(Error::NoSuchDelegation);
    }
    let certificate = certificate.ok_or(Error::NoCertificate)?;
    let signature = state
        .signatures
        .signature(&inputs, certificate)
        .ok_or(Error::NoSuchDelegation)?;
    Ok(SignedDelegation {
        delegation: Delegation {
            pubkey: session_key,
            expiration,
            targets,
        },
        signature,
    })
}
