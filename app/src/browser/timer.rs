//! Yielding to the browser's event loop, so that a long computation (the
//! registration's proof of work) lets the page show its progress, and
//! waiting between polls of a call's status.

use js_sys::Promise;
use wasm_bindgen_futures::JsFuture;

/// Resolves on the next turn of the event loop (`setTimeout(…, 0)`). Where
/// there is no window, it resolves at once.
pub async fn next_turn() {
    sleep_millis(0).await;
}

/// Resolves after `millis` milliseconds (`setTimeout`). Where there is no
/// window, it resolves at once.
pub async fn sleep_millis(millis: u32) {
    let millis = i32::try_from(millis).unwrap_or(i32::MAX);
    let promise = Promise::new(&mut |resolve, _reject| {
        let scheduled = web_sys::window().map(|window| {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis)
        });
        if !matches!(scheduled, Some(Ok(_))) {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(promise).await;
}
