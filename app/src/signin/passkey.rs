//! Sign-up and sign-in with a passkey. Both make a new session key and have
//! the passkey sign one delegation to it; the session is kept (see
//! [`stored::keep`]) before the person is signed in, and only for the
//! account the passkey belongs to.
//!
//! The passkey prompt comes before anything that waits for the network:
//! browsers allow creating a passkey in a cross-origin frame only shortly
//! after the person's click.

use candid::Principal;
use ic_transport_types::SignedDelegation;
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{
    AccountNumber, Device, Error as IdentityManagerError, KeyType, Purpose,
};

use super::proof_of_work::prove;
use super::{Passkeys, SignInError, SignedIn, Step, stored};
use crate::api::error::ApiError;
use crate::api::identity_manager::{IdentityManager, PublicIdentityManager};
use crate::api::session_caller::SessionCaller;
use crate::browser::webauthn::{PasskeyAssertion, PasskeyCreation, create_passkey, get_assertion};
use crate::browser::webcrypto::SessionKeyPair;
use crate::browser::{now_nanos, random_bytes};
use crate::passkey::Registration;
use crate::session::{self, PasskeyDelegation, Session, passkey_signature};
use crate::state::AppState;

/// The name the browser shows for Sigil in its passkey prompts.
const RELYING_PARTY_NAME: &str = "Sigil";
/// The name of a new passkey in the person's passkey manager.
const PASSKEY_USER_NAME: &str = "Sigil identity";

/// A new session key and the passkey's signature of the delegation to it.
async fn delegate(
    allow_credentials: &[Vec<u8>],
) -> Result<
    (
        SessionKeyPair,
        PasskeyAssertion,
        ic_transport_types::Delegation,
    ),
    SignInError,
> {
    let key = SessionKeyPair::generate().await?;
    let delegation = session::delegation_to(&key.public_key_der().await?, now_nanos());
    let assertion = get_assertion(&session::challenge(&delegation), allow_credentials).await?;
    Ok((key, assertion, delegation))
}

fn signed(
    assertion: &PasskeyAssertion,
    delegation: ic_transport_types::Delegation,
) -> Result<SignedDelegation, SignInError> {
    let signature = passkey_signature::encode(
        &assertion.authenticator_data,
        &assertion.client_data_json,
        &assertion.signature,
    )?;
    Ok(SignedDelegation {
        delegation,
        signature,
    })
}

/// Signs in with one of `passkeys`. The session is stored only once the
/// passkey's account is known (and, for [`Passkeys::OfAccount`], is the
/// account the person typed).
pub async fn sign_in(
    state: AppState,
    passkeys: Passkeys,
    on_step: impl Fn(Step),
) -> Result<SignedIn, SignInError> {
    let allow_credentials = match passkeys {
        Passkeys::Discoverable => Vec::new(),
        Passkeys::OfAccount(account) => {
            on_step(Step::FindingPasskeys);
            let identity_manager = state.connection().await?.public_identity_manager();
            credential_ids(&identity_manager, account).await?
        }
    };
    on_step(Step::WaitingForPasskey);
    let (key, assertion, delegation) = delegate(&allow_credentials).await?;
    on_step(Step::FindingAccount);
    let lookup = state
        .connection()
        .await?
        .public_identity_manager()
        .lookup_credential_id(&assertion.credential_id)
        .await?;
    if let Passkeys::OfAccount(typed) = passkeys
        && lookup.account != typed
    {
        return Err(SignInError::OtherAccount {
            typed,
            found: lookup.account,
        });
    }
    let session = Session {
        account: lookup.account,
        passkey: PasskeyDelegation {
            passkey_public_key: lookup.public_key.into_vec(),
            delegation: signed(&assertion, delegation)?,
        },
    };
    stored::keep(&key, &session).await;
    Ok(SignedIn {
        account: session.account,
        caller: SessionCaller::new(key, session.passkey),
    })
}

/// The credential ids of `account`'s passkeys; an unknown account, or one
/// without passkeys, is a mistake the person can correct.
async fn credential_ids(
    identity_manager: &PublicIdentityManager,
    account: AccountNumber,
) -> Result<Vec<Vec<u8>>, SignInError> {
    let ids = identity_manager
        .credential_ids(account)
        .await
        .map_err(|error| match error {
            ApiError::IdentityManager(IdentityManagerError::AccountNotFound { .. }) => {
                SignInError::UnknownAccount { account }
            }
            other => other.into(),
        })?;
    if ids.is_empty() {
        return Err(SignInError::NoPasskeys { account });
    }
    Ok(ids.into_iter().map(ByteBuf::into_vec).collect())
}

/// Creates a Sigil passkey in the browser's prompt. `exclude` names the
/// account's passkeys, so that the same authenticator is not registered
/// twice.
async fn new_passkey(exclude: &[Vec<u8>]) -> Result<Registration, SignInError> {
    let user_id = random_bytes::<16>().map_err(|e| SignInError::Crypto(e.into()))?;
    let challenge = random_bytes::<32>().map_err(|e| SignInError::Crypto(e.into()))?;
    let created = create_passkey(&PasskeyCreation {
        rp_name: RELYING_PARTY_NAME,
        user_id: &user_id,
        user_name: PASSKEY_USER_NAME,
        user_display_name: PASSKEY_USER_NAME,
        challenge: &challenge,
        exclude_credentials: exclude,
    })
    .await?;
    Ok(created.registration)
}

/// The device a new passkey becomes: one to sign in with.
fn passkey_device(registration: Registration) -> Device {
    Device {
        public_key: ByteBuf::from(registration.public_key_der),
        alias: registration.alias.to_owned(),
        credential_id: Some(ByteBuf::from(registration.credential_id)),
        purpose: Purpose::Authentication,
        key_type: KeyType::WebAuthn,
        protected: false,
    }
}

/// Adds a new passkey to the account of `identity_manager`'s caller: the
/// browser creates it, the current session proposes it, and the new
/// passkey itself confirms (a second prompt), which proves to the identity
/// manager that this person holds it. `exclude` names the account's
/// passkeys, so that the same authenticator is not registered twice.
pub async fn add_passkey(
    identity_manager: &IdentityManager,
    account: AccountNumber,
    exclude: &[Vec<u8>],
    on_step: impl Fn(Step),
) -> Result<Device, SignInError> {
    on_step(Step::CreatingPasskey);
    let registration = new_passkey(exclude).await?;
    let credential_id = registration.credential_id.clone();
    let device = passkey_device(registration);
    identity_manager.add_device(account, &device).await?;
    on_step(Step::ConfirmingPasskey);
    let (key, assertion, delegation) = delegate(std::slice::from_ref(&credential_id)).await?;
    let passkey = PasskeyDelegation {
        passkey_public_key: device.public_key.to_vec(),
        delegation: signed(&assertion, delegation)?,
    };
    identity_manager
        .as_caller(SessionCaller::new(key, passkey))
        .confirm_device(account)
        .await?;
    Ok(device)
}

/// Creates the account of `device`, whose session `identity_manager`
/// calls as; does the proof of work first when the identity manager asks
/// for it, and once more if registrations became busy in between (the
/// call is then dropped before it runs, and asking again says so).
async fn register(
    public: &PublicIdentityManager,
    identity_manager: &IdentityManager,
    device: &Device,
    on_step: &impl Fn(Step),
) -> Result<AccountNumber, SignInError> {
    let caller = Principal::self_authenticating(&device.public_key);
    let work = |difficulty, time| async move {
        on_step(Step::ProvingWork);
        let proof = prove(public.canister(), caller, time, difficulty).await;
        on_step(Step::CreatingAccount);
        Some(proof)
    };
    let requirement = public.registration_requirement().await?;
    let proof = match requirement.proof_of_work_difficulty {
        Some(difficulty) => work(difficulty, requirement.time).await,
        None => None,
    };
    let first = identity_manager.create_account(device, proof).await;
    if first.is_ok() || proof.is_some() {
        return Ok(first?);
    }
    let requirement = public.registration_requirement().await?;
    match requirement.proof_of_work_difficulty {
        Some(difficulty) => {
            let proof = work(difficulty, requirement.time).await;
            Ok(identity_manager.create_account(device, proof).await?)
        }
        None => Ok(first?),
    }
}

/// Creates a passkey and an account whose first device it is.
pub async fn sign_up(state: AppState, on_step: impl Fn(Step)) -> Result<SignedIn, SignInError> {
    on_step(Step::CreatingPasskey);
    let registration = new_passkey(&[]).await?;
    on_step(Step::WaitingForPasskey);
    let (key, assertion, delegation) =
        delegate(std::slice::from_ref(&registration.credential_id)).await?;
    let passkey = PasskeyDelegation {
        passkey_public_key: registration.public_key_der.clone(),
        delegation: signed(&assertion, delegation)?,
    };
    on_step(Step::CreatingAccount);
    let caller = SessionCaller::new(key.clone(), passkey.clone());
    let connection = state.connection().await?;
    let account = register(
        &connection.public_identity_manager(),
        &connection.identity_manager(caller.clone()),
        &passkey_device(registration),
        &on_step,
    )
    .await?;
    stored::keep(&key, &Session { account, passkey }).await;
    Ok(SignedIn { account, caller })
}
