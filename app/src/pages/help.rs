//! The help article, written for contacts.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HelpPage() -> impl IntoView {
    let l = crate::locale();
    let items = |ids: &[&str]| ids.iter().map(|id| view! { <li>{l.t(id)}</li> }).collect_view();
    view! {
        <Title text=l.t("help-title")/>
        <main class="card prose">
            <h1>{l.t("help-title")}</h1>
            <p>{l.t("help-intro")}</p>

            <h2>{l.t("help-no-code")}</h2>
            <ul>
                {items(&["help-no-code-registered", "help-no-code-opted-out", "help-no-code-both", "help-no-code-spam", "help-no-code-signal"])}
            </ul>

            <h2>{l.t("help-often")}</h2>
            <ul>
                {items(&["help-often-private", "help-often-cookies", "help-often-device"])}
                {crate::passkeys_offered().then(|| view! { <li>{l.t("help-often-passkey")}</li> })}
            </ul>

            <h2>{l.t("help-cannot")}</h2>
            <ul>
                {items(&["help-cannot-newest", "help-cannot-same-browser", "help-cannot-limits", "help-cannot-vpn", "help-cannot-not-published"])}
            </ul>

            <p><a href="/login">{l.t("help-back")}</a></p>
        </main>
    }
}
