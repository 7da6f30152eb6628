//! Entry point: installs the panic hook and mounts the app. Logging goes to
//! the browser console through `leptos::logging`.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Sigil's app runs in a browser: build it with `trunk build`.");
}
