use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::api::set_not_found();
    view! {
        <Title text="Page not found"/>
        <main class="card">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <a href="/">"Go to your messages"</a></p>
        </main>
    }
}
