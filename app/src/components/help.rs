//! "Didn't get a code?": always on the code step, from the help article.

use leptos::prelude::*;

#[component]
pub fn CodeHelp() -> impl IntoView {
    let l = crate::locale();
    view! {
        <details class="help">
            <summary>{l.t("code-help-summary")}</summary>
            <ul>
                <li>{l.t("code-help-spam")}</li>
                <li>{l.t("code-help-signal")}</li>
                <li>{l.t("code-help-other-channel")}</li>
                <li>{l.t("code-help-registered")}</li>
                <li>{l.t("code-help-opted-out")}</li>
                <li>{l.t("code-help-newest")}</li>
            </ul>
            <p><a href="/help">{l.t("code-help-more")}</a></p>
        </details>
    }
}
