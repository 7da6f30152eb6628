//! Entry point of the `/#authorize` bundle: the same app with only the
//! dapp sign-in route (see `AuthorizeApp`), so that what a dapp's sign-in
//! loads carries neither the wallet nor its canister calls.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::AuthorizeApp);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Sigil's app runs in a browser: build it with `trunk build`.");
}
