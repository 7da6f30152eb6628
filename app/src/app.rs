//! The root component: provides [`AppState`] and shows the page of the
//! route in `location.hash`.

use leptos::prelude::*;

use crate::browser::location_hash;
use crate::components::layout::Layout;
use crate::pages::authorize::AuthorizePage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::wallet::WalletPage;
use crate::route::Route;
use crate::state::AppState;

#[component]
pub fn App() -> impl IntoView {
    provide_context(AppState::new());
    let route = location_hash()
        .ok()
        .and_then(|hash| Route::from_hash(&hash));
    let page = match route {
        Some(Route::Authorize) => view! { <AuthorizePage/> }.into_any(),
        Some(Route::Wallet) => view! { <WalletPage/> }.into_any(),
        None => view! { <NotFoundPage/> }.into_any(),
    };
    view! { <Layout>{page}</Layout> }
}
