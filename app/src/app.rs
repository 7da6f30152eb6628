//! The root component: provides [`AppState`] and shows the page of the
//! route in `location.hash`, following hash changes.

use leptos::prelude::*;

use crate::browser::location_hash;
use crate::components::layout::Layout;
use crate::pages::authorize::AuthorizePage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::wallet::WalletPage;
use crate::route::Route;
use crate::state::AppState;

fn current_route() -> Option<Route> {
    location_hash()
        .ok()
        .and_then(|hash| Route::from_hash(&hash))
}

#[component]
pub fn App() -> impl IntoView {
    provide_context(AppState::new());
    let route = RwSignal::new(current_route());
    // The root lives as long as the page, and so does this listener.
    let _ = window_event_listener(leptos::ev::hashchange, move |_| {
        let next = current_route();
        if route.get_untracked() != next {
            route.set(next);
        }
    });
    let page = move || match route.get() {
        Some(Route::Authorize) => view! { <AuthorizePage/> }.into_any(),
        Some(Route::Wallet) => view! { <WalletPage/> }.into_any(),
        None => view! { <NotFoundPage/> }.into_any(),
    };
    view! { <Layout>{page}</Layout> }
}
