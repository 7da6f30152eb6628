use leptos::prelude::*;

use crate::route::Route;

/// The page frame: the Sigil name (a link to the wallet) and the content.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <header class="bar">
            <a class="brand" href=Route::Wallet.path()>"Sigil"</a>
        </header>
        <main class="content">{children()}</main>
    }
}
