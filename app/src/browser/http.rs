//! `fetch` with the rules Sigil needs: no credentials, no redirects, a size
//! bound on the body.

use js_sys::ArrayBuffer;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, RequestRedirect, Response};

use super::{JsFailure, buffer_bytes, window};

/// Why a fetch produced no usable body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("the network request failed ({0})")]
    Network(String),
    #[error("the server answered with HTTP status {0}")]
    Status(u16),
    #[error("the response is larger than {0} bytes")]
    TooLarge(usize),
}

impl From<JsFailure> for FetchError {
    fn from(failure: JsFailure) -> Self {
        FetchError::Network(failure.to_string())
    }
}

/// GETs `url` without cookies, refusing redirects, and returns a body of
/// at most `max_bytes`.
pub async fn get_bytes(url: &str, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_credentials(RequestCredentials::Omit);
    init.set_redirect(RequestRedirect::Error);
    let promise = window()?.fetch_with_str_and_init(url, &init);
    let response: Response = JsFuture::from(promise)
        .await
        .map_err(JsFailure::from)?
        .dyn_into()
        .map_err(|_| FetchError::Network("fetch did not return a Response".into()))?;
    if !response.ok() {
        return Err(FetchError::Status(response.status()));
    }
    let declared = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|len| len.parse::<usize>().ok());
    if declared.is_some_and(|len| len > max_bytes) {
        return Err(FetchError::TooLarge(max_bytes));
    }
    let buffer: ArrayBuffer = JsFuture::from(response.array_buffer().map_err(JsFailure::from)?)
        .await
        .map_err(JsFailure::from)?
        .dyn_into()
        .map_err(|_| FetchError::Network("the body is not an ArrayBuffer".into()))?;
    if buffer.byte_length() as usize > max_bytes {
        return Err(FetchError::TooLarge(max_bytes));
    }
    Ok(buffer_bytes(&buffer))
}
