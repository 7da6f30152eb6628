use leptos::prelude::*;

/// An error in words a person understands, with optional technical detail.
#[component]
pub fn ErrorPanel(
    #[prop(into)] title: String,
    #[prop(into)] advice: String,
    #[prop(optional, into)] detail: Option<String>,
) -> impl IntoView {
    view! {
        <div class="error" role="alert">
            <h2>{title}</h2>
            <p>{advice}</p>
            {detail.map(|detail| view! { <p class="detail"><code>{detail}</code></p> })}
        </div>
    }
}
