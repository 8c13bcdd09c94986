use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::admin::AdminLogIn;

#[component]
pub fn AdminLoginPage() -> impl IntoView {
    let failed = use_query_map().with_untracked(|q| q.get("failed"));
    let notice = failed.map(|f| {
        let text = if f == "throttled" {
            "Too many attempts for this username or from this network. Please wait an hour and try again."
        } else {
            "The username or the password is not right."
        };
        view! { <p id="login-notice" class="notice notice-alert" role="alert">{text}</p> }
    });
    view! {
        <Title text="Administrator log-in"/>
        <main class="card">
            <h1>"Administrator log-in"</h1>
            <form method="post" action=AdminLogIn::url() class="stack">
                <label for="username">"Username"</label>
                <input id="username" name="username" type="text" autocomplete="username" required maxlength="64" autofocus/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256" aria-describedby="login-notice"/>
                {notice}
                <button type="submit" class="primary">"Log in"</button>
            </form>
        </main>
    }
}
