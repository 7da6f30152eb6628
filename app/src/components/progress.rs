use leptos::prelude::*;

/// Something the person waits for, announced to screen readers.
#[component]
pub fn Progress(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <p class="progress" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {label}
        </p>
    }
}
