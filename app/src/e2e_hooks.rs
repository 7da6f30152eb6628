//! Test-only entry points into the browser glue (cargo feature `e2e-hooks`,
//! never in the production build): the browser tests call them through
//! `window.wasmBindings` and check the results with WebCrypto and the CDP
//! virtual authenticator.

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::browser::storage::{delete_session_key, load_session_key, save_session_key};
use crate::browser::webauthn::{PasskeyCreation, create_passkey, get_assertion};
use crate::browser::webcrypto::SessionKeyPair;

fn error(error: impl std::fmt::Display) -> JsValue {
    JsValue::from_str(&error.to_string())
}

fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in entries {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

fn bytes(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}

/// Generates a session key, stores it in IndexedDB and returns its SPKI.
#[wasm_bindgen(js_name = e2eCreateSessionKey)]
pub async fn create_session_key() -> Result<JsValue, JsValue> {
    let pair = SessionKeyPair::generate().await.map_err(error)?;
    save_session_key(&pair).await.map_err(error)?;
    Ok(bytes(&pair.public_key_der().await.map_err(error)?))
}

/// Signs `message` with the stored session key: `{spki, signature}`.
#[wasm_bindgen(js_name = e2eSignWithStoredKey)]
pub async fn sign_with_stored_key(message: Vec<u8>) -> Result<JsValue, JsValue> {
    let pair = load_session_key()
        .await
        .map_err(error)?
        .ok_or_else(|| error("no stored session key"))?;
    let signature = pair.sign(&message).await.map_err(error)?;
    let spki = pair.public_key_der().await.map_err(error)?;
    Ok(object(&[
        ("spki", bytes(&spki)),
        ("signature", bytes(&signature)),
    ]))
}

/// Deletes the stored session key; true if none is left.
#[wasm_bindgen(js_name = e2eDeleteSessionKey)]
pub async fn delete_stored_session_key() -> Result<bool, JsValue> {
    delete_session_key().await.map_err(error)?;
    Ok(load_session_key().await.map_err(error)?.is_none())
}

/// Creates a passkey: `{credentialId, publicKeyDer, alias, aaguid}`.
#[wasm_bindgen(js_name = e2eCreatePasskey)]
pub async fn create_test_passkey(user_id: Vec<u8>, challenge: Vec<u8>) -> Result<JsValue, JsValue> {
    let created = create_passkey(&PasskeyCreation {
        rp_name: "Sigil",
        user_id: &user_id,
        user_name: "e2e",
        user_display_name: "e2e",
        challenge: &challenge,
        exclude_credentials: &[],
    })
    .await
    .map_err(error)?;
    let registration = created.registration;
    Ok(object(&[
        ("credentialId", bytes(&registration.credential_id)),
        ("publicKeyDer", bytes(&registration.public_key_der)),
        ("alias", JsValue::from_str(registration.alias)),
        (
            "aaguid",
            JsValue::from_str(&registration.aaguid.to_string()),
        ),
    ]))
}

/// Asks any discoverable passkey to sign `challenge`.
#[wasm_bindgen(js_name = e2eGetAssertion)]
pub async fn get_test_assertion(challenge: Vec<u8>) -> Result<JsValue, JsValue> {
    let assertion = get_assertion(&challenge, &[]).await.map_err(error)?;
    Ok(object(&[
        ("credentialId", bytes(&assertion.credential_id)),
        ("authenticatorData", bytes(&assertion.authenticator_data)),
        ("clientDataJson", bytes(&assertion.client_data_json)),
        ("signature", bytes(&assertion.signature)),
    ]))
}
