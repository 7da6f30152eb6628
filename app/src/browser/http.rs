//! `fetch` with the rules Sigil needs: no credentials, no redirects, a size
//! bound on the body and a deadline.
//!
//! Invariants: the body is read chunk by chunk from its `ReadableStream`
//! and the read stops (and the stream is cancelled) as soon as it passes
//! the bound, whatever `Content-Length` says or omits; one
//! `AbortController` aborts both the request and the body read when the
//! deadline passes.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, ReadableStreamDefaultReader, ReadableStreamReadResult, RequestCredentials,
    RequestInit, RequestRedirect, Response, Window,
};

use super::{JsFailure, window};

/// Why a fetch produced no usable body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("the network request failed ({0})")]
    Network(String),
    #[error("the server answered with HTTP status {0}")]
    Status(u16),
    #[error("the response is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the server did not answer within {} seconds", .0 / 1000)]
    TimedOut(u32),
}

impl From<JsFailure> for FetchError {
    fn from(failure: JsFailure) -> Self {
        FetchError::Network(failure.to_string())
    }
}

/// Aborts `controller` after a while, unless dropped first.
struct Deadline {
    window: Window,
    handle: i32,
    _abort: Closure<dyn FnMut()>,
}

impl Deadline {
    fn start(
        window: &Window,
        controller: &AbortController,
        millis: u32,
    ) -> Result<Self, JsFailure> {
        let controller = controller.clone();
        let abort = Closure::<dyn FnMut()>::new(move || controller.abort());
        let handle = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            abort.as_ref().unchecked_ref(),
            i32::try_from(millis).unwrap_or(i32::MAX),
        )?;
        Ok(Self {
            window: window.clone(),
            handle,
            _abort: abort,
        })
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        self.window.clear_timeout_with_handle(self.handle);
    }
}

/// GETs `url` without cookies, refusing redirects, and returns a body of
/// at most `max_bytes`, all within `timeout_millis`.
pub async fn get_bytes(
    url: &str,
    max_bytes: usize,
    timeout_millis: u32,
) -> Result<Vec<u8>, FetchError> {
    fetch_bytes(url, None, max_bytes, timeout_millis).await
}

/// POSTs the JSON text `body` to `url`, with the rules of [`get_bytes`].
pub async fn post_json(
    url: &str,
    body: &str,
    max_bytes: usize,
    timeout_millis: u32,
) -> Result<Vec<u8>, FetchError> {
    fetch_bytes(url, Some(body), max_bytes, timeout_millis).await
}

async fn fetch_bytes(
    url: &str,
    json_body: Option<&str>,
    max_bytes: usize,
    timeout_millis: u32,
) -> Result<Vec<u8>, FetchError> {
    let window = window()?;
    let controller = AbortController::new().map_err(JsFailure::from)?;
    let _deadline = Deadline::start(&window, &controller, timeout_millis)?;
    let signal = controller.signal();
    let timed_out = |error: FetchError| {
        if signal.aborted() {
            FetchError::TimedOut(timeout_millis)
        } else {
            error
        }
    };
    let init = RequestInit::new();
    init.set_credentials(RequestCredentials::Omit);
    init.set_redirect(RequestRedirect::Error);
    init.set_signal(Some(&signal));
    match json_body {
        None => init.set_method("GET"),
        Some(body) => {
            init.set_method("POST");
            let headers = web_sys::Headers::new().map_err(JsFailure::from)?;
            headers
                .set("content-type", "application/json")
                .map_err(JsFailure::from)?;
            init.set_headers(&headers);
            init.set_body(&wasm_bindgen::JsValue::from_str(body));
        }
    }
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|error| timed_out(JsFailure::from(error).into()))?
        .dyn_into()
        .map_err(|_| FetchError::Network("fetch did not return a Response".into()))?;
    if !response.ok() {
        return Err(FetchError::Status(response.status()));
    }
    read_body(&response, max_bytes).await.map_err(timed_out)
}

/// Reads the body of `response` until its end, or until it passes
/// `max_bytes` (then cancels it).
async fn read_body(response: &Response, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
    let Some(stream) = response.body() else {
        return Ok(Vec::new());
    };
    let reader = ReadableStreamDefaultReader::new(&stream).map_err(JsFailure::from)?;
    let mut body = Vec::new();
    loop {
        let result: ReadableStreamReadResult = JsFuture::from(reader.read())
            .await
            .map_err(JsFailure::from)?
            .unchecked_into();
        if result.get_done().unwrap_or(true) {
            return Ok(body);
        }
        let chunk = result
            .get_value()
            .dyn_into::<Uint8Array>()
            .map_err(|_| FetchError::Network("the body is not made of bytes".into()))?;
        if body.len().saturating_add(chunk.length() as usize) > max_bytes {
            // The promise only reports how the cancelling went; nothing waits for it.
            let _ = reader.cancel();
            return Err(FetchError::TooLarge(max_bytes));
        }
        body.extend_from_slice(&chunk.to_vec());
    }
}
