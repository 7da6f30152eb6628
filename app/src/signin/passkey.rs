//! Sign-up and sign-in with a passkey. Both make a new session key and have
//! the passkey sign one delegation to it; the session is stored before the
//! person is signed in.

use ic_transport_types::SignedDelegation;
use serde_bytes::ByteBuf;
use sigil_api::identity_manager::{Device, KeyType, Purpose};

use super::{SignInError, SignedIn, Step, stored};
use crate::api::connection::Connection;
use crate::api::session_caller::SessionCaller;
use crate::browser::webauthn::{PasskeyAssertion, PasskeyCreation, create_passkey, get_assertion};
use crate::browser::webcrypto::SessionKeyPair;
use crate::browser::{now_nanos, random_bytes};
use crate::passkey::Registration;
use crate::session::{self, PasskeyDelegation, Session, passkey_signature};

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

/// Signs in with any Sigil passkey the browser offers.
pub async fn sign_in(
    connection: &Connection,
    on_step: impl Fn(Step),
) -> Result<SignedIn, SignInError> {
    on_step(Step::WaitingForPasskey);
    let (key, assertion, delegation) = delegate(&[]).await?;
    on_step(Step::FindingAccount);
    let lookup = connection
        .public_identity_manager()
        .lookup_credential_id(&assertion.credential_id)
        .await?;
    let session = Session {
        account: lookup.account,
        passkey: PasskeyDelegation {
            passkey_public_key: lookup.public_key.into_vec(),
            delegation: signed(&assertion, delegation)?,
        },
    };
    stored::save(&key, &session).await?;
    Ok(SignedIn {
        account: session.account,
        caller: SessionCaller::new(key, session.passkey),
    })
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

/// Creates a passkey to add to an account that has the passkeys `exclude`.
pub async fn create_passkey_device(exclude: &[Vec<u8>]) -> Result<Device, SignInError> {
    Ok(passkey_device(new_passkey(exclude).await?))
}

/// Creates a passkey and an account whose first device it is.
pub async fn sign_up(
    connection: &Connection,
    on_step: impl Fn(Step),
) -> Result<SignedIn, SignInError> {
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
    let account = connection
        .identity_manager(caller.clone())
        .create_account(&passkey_device(registration))
        .await?;
    stored::save(&key, &Session { account, passkey }).await?;
    Ok(SignedIn { account, caller })
}
