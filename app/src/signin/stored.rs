//! The session kept on this device (IndexedDB), so a returning person
//! signs in without a passkey prompt while it is live.

use leptos::logging::warn;

use super::{SignInError, SignedIn};
use crate::api::session_caller::SessionCaller;
use crate::browser::now_nanos;
use crate::browser::storage::{delete_session, load_session, save_session};
use crate::browser::webcrypto::SessionKeyPair;
use crate::session::Session;

/// Keeps the session for the next visit. A browser that refuses storage
/// here (a frame under another site with third-party storage blocked, a
/// private window) does not stop the sign-in: the session then lasts as
/// long as the page, and the next visit asks for the passkey again.
pub(super) async fn keep(key: &SessionKeyPair, session: &Session) {
    if let Err(error) = save_session(key, &session.to_json()).await {
        warn!("the session cannot be kept on this device: {error}");
    }
}

/// The stored session, if there is one that is still live and whose key
/// is the one its delegation names; anything else is deleted.
pub async fn resume() -> Result<Option<SignedIn>, SignInError> {
    let Some((key, details)) = load_session().await? else {
        return Ok(None);
    };
    let usable = match Session::from_json(&details) {
        Ok(session) if session.passkey.is_live(now_nanos()) => {
            let key_der = key.public_key_der().await?;
            (key_der == session.passkey.session_public_key()).then_some(session)
        }
        _ => None,
    };
    match usable {
        Some(session) => Ok(Some(SignedIn {
            account: session.account,
            caller: SessionCaller::new(key, session.passkey),
        })),
        None => {
            sign_out().await?;
            Ok(None)
        }
    }
}

/// Forgets the session on this device.
pub async fn sign_out() -> Result<(), SignInError> {
    Ok(delete_session().await?)
}
