use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::messages::load_inbox;
use crate::pages::{LoggedInBar, failure_text};
use crate::types::Inbox;

#[component]
pub fn MessagesPage() -> impl IntoView {
    view! {
        <Title text="Your messages"/>
        <main class="card">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {Suspend::new(async move {
                    match load_inbox().await {
                        Ok(Some(inbox)) => list(inbox).into_any(),
                        Ok(None) => view! { <p><a href="/login">"Log in to see your messages"</a></p> }.into_any(),
                        Err(e) => view! { <p role="alert">{failure_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

fn list(inbox: Inbox) -> impl IntoView {
    let Inbox { contact_name, just_logged_in, messages } = inbox;
    let empty = messages.is_empty();
    view! {
        <LoggedInBar name=contact_name next="/".to_string()/>
        {just_logged_in.then(remembered)}
        <h1>"Your messages"</h1>
        {empty.then(|| view! { <p>"No messages have been published to you yet."</p> })}
        <ul class="messages">
            {messages
                .into_iter()
                .map(|m| view! {
                    <li>
                        <a href=format!("/m/{}", m.id)>{m.title}</a>
                        <span class="small">"Published " {m.published_at}</span>
                    </li>
                })
                .collect_view()}
        </ul>
    }
}

/// Told once, on the first page after logging in.
pub fn remembered() -> impl IntoView {
    view! {
        <p class="notice notice-info" role="status">
            "You are logged in. This browser will remember you, so next time you won't need a code. "
            "A private (incognito) window, clearing cookies, or another device will need a new code."
        </p>
    }
}
