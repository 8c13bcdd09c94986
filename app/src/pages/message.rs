use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::login::LogOut;
use crate::api::messages::load_message;
use crate::pages::{LoggedInBar, failure_text};
use crate::types::MessageView;
use leptos::server_fn::ServerFn;

#[component]
pub fn MessagePage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default();
    view! {
        <main class="card">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {Suspend::new(async move {
                    match load_message(id.clone()).await {
                        Ok(Some(view)) => shown(view, id).into_any(),
                        Ok(None) => view! { <p><a href="/login">"Log in to read this message"</a></p> }.into_any(),
                        Err(e) => view! { <p role="alert">{failure_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

fn shown(view: MessageView, id: String) -> impl IntoView {
    let here = format!("/m/{id}");
    match view {
        MessageView::Shown { title, body_html, published_at, contact_name, just_logged_in, passkey_offer } => view! {
            <Title text=title.clone()/>
            <LoggedInBar name=contact_name next=here.clone()/>
            {just_logged_in.then(crate::pages::messages::remembered)}
            {passkey_offer.map(|o| crate::pages::messages::offer(o, here.clone()))}
            <p class="small"><a href="/">"← All messages"</a></p>
            <article>
                <h1>{title}</h1>
                <p class="small">"Published " {published_at}</p>
                // Rendered from Markdown and sanitised by the server when the message was added.
                <div class="body" inner_html=body_html></div>
            </article>
        }
        .into_any(),
        MessageView::NotPublished => view! {
            <Title text="Not published to you"/>
            <h1>"This message has not been published to you"</h1>
            <p>
                "You are logged in, but this message was not sent to you. This is not a login problem: "
                "logging in again as the same person will not change it."
            </p>
            <p>
                "If you think it should have been sent to you, contact the sender. If someone else "
                "uses this browser and the message is for them, they can log in instead."
            </p>
            <form method="post" action=LogOut::url()>
                <input type="hidden" name="next" value=here/>
                <button type="submit" class="primary">"Log in as someone else"</button>
            </form>
            <p><a href="/">"Go to your messages"</a></p>
        }
        .into_any(),
    }
}
