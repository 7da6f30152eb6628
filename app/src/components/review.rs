//! What the identity manager says a signature request signs, as it says
//! it: a title, labelled fields and warnings. Nothing is decoded here.

use leptos::prelude::*;
use sigil_api::identity_manager::Review;

#[component]
pub fn ReviewView(review: Review) -> impl IntoView {
    let fields = review
        .fields
        .into_iter()
        .map(|field| {
            view! {
                <dt>{field.label}</dt>
                <dd><code>{field.value}</code></dd>
            }
        })
        .collect_view();
    let warnings = review
        .warnings
        .into_iter()
        .map(|warning| view! { <li>{warning}</li> })
        .collect_view();
    view! {
        <h3 data-review-title>{review.title}</h3>
        <dl class="facts review-fields">{fields}</dl>
        <ul class="warnings" role="list">{warnings}</ul>
    }
}
