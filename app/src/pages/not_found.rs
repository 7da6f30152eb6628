use leptos::prelude::*;

use crate::route::Route;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <section class="card" data-screen="not-found">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <a class="button" href=Route::Wallet.path()>"Go to your wallet"</a>
        </section>
    }
}
