use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    crate::api::set_not_found();
    let l = crate::locale();
    view! {
        <Title text=l.t("not-found-title")/>
        <main class="card">
            <h1>{l.t("not-found-title")}</h1>
            <p>{l.t("not-found-text")} " " <a href="/">{l.t("go-to-messages")}</a></p>
        </main>
    }
}
