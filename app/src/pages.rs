//! One page per file. Pages render on the server only; the login card inside the
//! login page is enhanced by the browser's small script (the `frontend` crate).

pub mod admin;
pub mod help;
pub mod login;
pub mod message;
pub mod messages;
pub mod not_found;

use leptos::prelude::*;

/// The words for a failed server call: only what the server chose to say.
pub fn failure_text(error: &ServerFnError) -> String {
    match error {
        ServerFnError::ServerError(message) => message.clone(),
        _ => crate::locale().t("something-went-wrong"),
    }
}

/// The header of a logged-in page: who is logged in, and "Log out".
#[component]
pub fn LoggedInBar(name: String, next: String) -> impl IntoView {
    use crate::api::login::LogOut;
    use leptos::server_fn::ServerFn;
    let l = crate::locale();
    view! {
        <div class="bar">
            <span>{l.t("logged-in-as")} " " <strong>{name}</strong></span>
            <form method="post" action=LogOut::url()>
                <input type="hidden" name="next" value=next/>
                <button type="submit" class="link">{l.t("log-out")}</button>
            </form>
        </div>
    }
}
