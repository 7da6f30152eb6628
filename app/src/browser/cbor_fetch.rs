//! `fetch` of the network's HTTP interface: a CBOR request body, the
//! status and the body of the answer. No credentials, no redirects.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCredentials, RequestInit, RequestRedirect, Response};

use super::{JsFailure, buffer_bytes, window};

/// POSTs `body` (`application/cbor`) to `url`; the HTTP status and the body
/// of the answer.
pub async fn post_cbor(url: &str, body: Vec<u8>) -> Result<(u16, Vec<u8>), JsFailure> {
    let headers = Headers::new()?;
    headers.set("content-type", "application/cbor")?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_credentials(RequestCredentials::Omit);
    init.set_redirect(RequestRedirect::Error);
    init.set_headers(&headers);
    init.set_body(&Uint8Array::from(body.as_slice()));
    let response: Response = JsFuture::from(window()?.fetch_with_str_and_init(url, &init))
        .await?
        .dyn_into()
        .map_err(|_| JsFailure {
            name: "TypeError".into(),
            message: "fetch did not return a Response".into(),
        })?;
    let buffer: ArrayBuffer = JsFuture::from(response.array_buffer()?)
        .await?
        .dyn_into()
        .map_err(|_| JsFailure {
            name: "TypeError".into(),
            message: "the body is not an ArrayBuffer".into(),
        })?;
    Ok((response.status(), buffer_bytes(&buffer)))
}
