//! IndexedDB storage of the session: the key pair and what Sigil knows
//! about the signed-in person. The `CryptoKey` objects are stored
//! themselves (IndexedDB keeps them by structured clone), never their
//! bytes, so a non-extractable private key stays non-extractable.
//!
//! Layout: database `sigil` (version 1), object store `keys`; the session
//! key pair under the key `session`, the session's details (JSON, nothing
//! secret: account, public keys, the passkey's delegation) under
//! `session-details`. Both are written and deleted in one transaction.

use js_sys::{Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

use super::webcrypto::{CryptoError, SessionKeyPair};
use super::{JsFailure, window};

const DATABASE: &str = "sigil";
const VERSION: u32 = 1;
const STORE: &str = "keys";
const SESSION_KEY: &str = "session";
const SESSION_DETAILS: &str = "session-details";

/// Why storage failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("the browser's storage is unavailable: {0}")]
    Unavailable(JsFailure),
    #[error("the stored session key is unusable: {0}")]
    Corrupt(CryptoError),
}

impl From<JsValue> for StorageError {
    fn from(value: JsValue) -> Self {
        StorageError::Unavailable(JsFailure::from(value))
    }
}

impl From<JsFailure> for StorageError {
    fn from(failure: JsFailure) -> Self {
        StorageError::Unavailable(failure)
    }
}

/// Stores `pair` as the session key, replacing any previous one.
pub async fn save_session_key(pair: &SessionKeyPair) -> Result<(), StorageError> {
    let db = open().await?;
    let store = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?
        .object_store(STORE)?;
    done(&store.put_with_key(&pair.to_stored(), &JsValue::from_str(SESSION_KEY))?).await?;
    Ok(())
}

/// The stored session key, if any.
pub async fn load_session_key() -> Result<Option<SessionKeyPair>, StorageError> {
    let db = open().await?;
    let store = db.transaction_with_str(STORE)?.object_store(STORE)?;
    let value = done(&store.get(&JsValue::from_str(SESSION_KEY))?).await?;
    if value.is_undefined() {
        return Ok(None);
    }
    SessionKeyPair::try_from(value)
        .map(Some)
        .map_err(StorageError::Corrupt)
}

/// Deletes the stored session key (sign out).
pub async fn delete_session_key() -> Result<(), StorageError> {
    let db = open().await?;
    let store = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?
        .object_store(STORE)?;
    done(&store.delete(&JsValue::from_str(SESSION_KEY))?).await?;
    Ok(())
}

/// Stores a session: its key pair and its details, replacing any previous
/// session.
pub async fn save_session(pair: &SessionKeyPair, details: &str) -> Result<(), StorageError> {
    let db = open().await?;
    let store = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?
        .object_store(STORE)?;
    store.put_with_key(
        &JsValue::from_str(details),
        &JsValue::from_str(SESSION_DETAILS),
    )?;
    done(&store.put_with_key(&pair.to_stored(), &JsValue::from_str(SESSION_KEY))?).await?;
    Ok(())
}

/// The stored session's key pair and details, if both are there.
pub async fn load_session() -> Result<Option<(SessionKeyPair, String)>, StorageError> {
    let db = open().await?;
    // One request at a time: `done` must attach its handlers before the
    // request can settle.
    let get = |key: &str| -> Result<IdbRequest, StorageError> {
        Ok(db
            .transaction_with_str(STORE)?
            .object_store(STORE)?
            .get(&JsValue::from_str(key))?)
    };
    let details = done(&get(SESSION_DETAILS)?).await?;
    let pair = done(&get(SESSION_KEY)?).await?;
    let Some(details) = details.as_string() else {
        return Ok(None);
    };
    if pair.is_undefined() {
        return Ok(None);
    }
    let pair = SessionKeyPair::try_from(pair).map_err(StorageError::Corrupt)?;
    Ok(Some((pair, details)))
}

/// Deletes the session (sign out).
pub async fn delete_session() -> Result<(), StorageError> {
    let db = open().await?;
    let store = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?
        .object_store(STORE)?;
    store.delete(&JsValue::from_str(SESSION_DETAILS))?;
    done(&store.delete(&JsValue::from_str(SESSION_KEY))?).await?;
    Ok(())
}

async fn open() -> Result<IdbDatabase, StorageError> {
    let factory = window()?.indexed_db()?.ok_or_else(|| {
        StorageError::Unavailable(JsFailure {
            name: "NoIndexedDb".into(),
            message: "IndexedDB is not available in this browser".into(),
        })
    })?;
    let request: IdbOpenDbRequest = factory.open_with_u32(DATABASE, VERSION)?;
    let upgrade_request = request.clone();
    let on_upgrade = Closure::<dyn FnMut(JsValue)>::new(move |_event: JsValue| {
        if let Ok(db) = upgrade_request
            .result()
            .and_then(|db| db.dyn_into::<IdbDatabase>())
            && !db.object_store_names().contains(STORE)
        {
            let _ = db.create_object_store(STORE);
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let db = done(&request).await;
    request.set_onupgradeneeded(None);
    drop(on_upgrade);
    db?.dyn_into::<IdbDatabase>().map_err(|_| {
        StorageError::Unavailable(JsFailure {
            name: "NotADatabase".into(),
            message: "IndexedDB returned something other than a database".into(),
        })
    })
}

type Callback = Closure<dyn FnMut(JsValue)>;

/// Waits for an IndexedDB request and returns its result.
async fn done(request: &IdbRequest) -> Result<JsValue, StorageError> {
    // The handlers live until the request settles.
    let mut callbacks: Vec<Callback> = Vec::new();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let success_request = request.clone();
        let on_success = Closure::<dyn FnMut(JsValue)>::new(move |_event: JsValue| {
            let result = success_request.result().unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::UNDEFINED, &result);
        });
        let error_request = request.clone();
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_event: JsValue| {
            let error = error_request
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::UNDEFINED, JsValue::from);
            let _ = reject.call1(&JsValue::UNDEFINED, &error);
        });
        request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
        request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        callbacks = vec![on_success, on_error];
    });
    let result = JsFuture::from(promise).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    drop(callbacks);
    Ok(result?)
}
