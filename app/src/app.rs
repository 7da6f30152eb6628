//! The root components: each provides [`AppState`] and shows the page of
//! the route in `location.hash`, following hash changes.
//!
//! Sigil ships two bundles of this crate (see `index.html`): [`App`] (the
//! `app` binary) serves every route; [`AuthorizeApp`] (the `authorize`
//! binary) serves only `/#authorize`, so that a dapp's sign-in loads
//! neither the wallet nor its canister calls. When the hash leaves
//! `/#authorize`, [`AuthorizeApp`] loads the page again, and the page's
//! script then picks the full bundle.

use leptos::logging::warn;
use leptos::prelude::*;

use crate::browser::{location_hash, reload};
use crate::components::layout::Layout;
use crate::pages::authorize::AuthorizePage;
use crate::pages::evm::EvmPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::wallet::WalletPage;
use crate::route::Route;
use crate::state::AppState;

fn current_route() -> Option<Route> {
    location_hash()
        .ok()
        .and_then(|hash| Route::from_hash(&hash))
}

/// The route in `location.hash`, kept up to date.
fn route_signal() -> RwSignal<Option<Route>> {
    let route = RwSignal::new(current_route());
    // The root lives as long as the page, and so does this listener.
    let _ = window_event_listener(leptos::ev::hashchange, move |_| {
        let next = current_route();
        if route.get_untracked() != next {
            route.set(next);
        }
    });
    route
}

/// Every route (the `app` binary).
#[component]
pub fn App() -> impl IntoView {
    provide_context(AppState::new());
    let route = route_signal();
    let page = move || match route.get() {
        Some(Route::Authorize) => view! { <AuthorizePage/> }.into_any(),
        Some(Route::Wallet) => view! { <WalletPage/> }.into_any(),
        Some(Route::Evm) => view! { <EvmPage/> }.into_any(),
        None => view! { <NotFoundPage/> }.into_any(),
    };
    view! { <Layout>{page}</Layout> }
}

/// `/#authorize` only (the `authorize` binary); any other route loads the
/// page again, which then runs the `app` binary.
#[component]
pub fn AuthorizeApp() -> impl IntoView {
    provide_context(AppState::new());
    let route = route_signal();
    let page = move || match route.get() {
        Some(Route::Authorize) => view! { <AuthorizePage/> }.into_any(),
        _ => {
            if let Err(error) = reload() {
                warn!("the page could not be loaded again: {error}");
            }
            view! { <NotFoundPage/> }.into_any()
        }
    };
    view! { <Layout>{page}</Layout> }
}
