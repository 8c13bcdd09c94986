use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::login::LogOut;
use crate::api::messages::load_message;
use crate::components::notice::ReferenceLine;
use crate::i18n::Locale;
use crate::pages::messages;
use crate::pages::{LoggedInBar, failure_text};
use crate::types::MessageView;
use leptos::server_fn::ServerFn;

#[component]
pub fn MessagePage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id")).unwrap_or_default();
    let loading = crate::locale().t("loading");
    view! {
        <main class="card">
            <Suspense fallback=move || view! { <p>{loading.clone()}</p> }>
                {Suspend::new(async move {
                    let l = crate::locale();
                    match load_message(id.clone()).await {
                        Ok(Some(view)) => shown(view, id, &l).into_any(),
                        Ok(None) => view! { <p><a href="/login">{l.t("message-log-in")}</a></p> }.into_any(),
                        Err(e) => view! { <p role="alert">{failure_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

fn shown(view: MessageView, id: String, l: &Locale) -> impl IntoView + use<> {
    let here = format!("/m/{id}");
    match view {
        MessageView::Shown { title, body_html, published_at, now, contact_name, just_logged_in, passkey_offer } => view! {
            <Title text=title.clone()/>
            <LoggedInBar name=contact_name next=here.clone()/>
            {just_logged_in.then(|| messages::remembered(l))}
            {passkey_offer.map(|o| messages::offer(o, here.clone(), l))}
            <p class="small"><a href="/">{l.t("all-messages")}</a></p>
            <article>
                <h1>{title}</h1>
                <p class="small">{messages::published(l, published_at, now)}</p>
                // Rendered from Markdown and sanitised by the server when the message was added.
                <div class="body" inner_html=body_html></div>
            </article>
        }
        .into_any(),
        MessageView::NotPublished { reference } => view! {
            <Title text=l.t("not-published-title")/>
            <h1>{l.t("not-published-heading")}</h1>
            <p>{l.t("not-published-why")}</p>
            <p>{l.t("not-published-what-to-do")}</p>
            {reference.map(|r| view! { <p><ReferenceLine reference=r/></p> })}
            <form method="post" action=LogOut::url()>
                <input type="hidden" name="next" value=here/>
                <button type="submit" class="primary">{l.t("log-in-as-someone-else")}</button>
            </form>
            <p><a href="/">{l.t("go-to-messages")}</a></p>
        }
        .into_any(),
    }
}
