use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::messages::load_inbox;
use crate::pages::{LoggedInBar, failure_text};
use crate::types::{Inbox, PasskeyOffer, PasskeyRow};

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
    let Inbox { contact_name, just_logged_in, messages, passkeys, passkey_offer } = inbox;
    let empty = messages.is_empty();
    view! {
        <LoggedInBar name=contact_name next="/".to_string()/>
        {just_logged_in.then(remembered)}
        {passkey_offer.map(|o| offer(o, "/".to_string()))}
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
        {(!passkeys.is_empty()).then(|| your_passkeys(passkeys))}
    }
}

/// "Log in without a code next time": one tap saves a passkey (the script does the
/// WebAuthn part); "Not now" is remembered for this browser and works without it.
pub fn offer(offer: PasskeyOffer, next: String) -> impl IntoView {
    view! {
        <section class="notice notice-info passkey-offer" aria-labelledby="passkey-offer">
            <h2 id="passkey-offer">"Log in without a code next time"</h2>
            {offer.reason.map(|r| view! { <p>{r}</p> })}
            <p>"Save a passkey on this device. It stays when cookies are cleared and works in private windows; your phone or password manager keeps it."</p>
            <div class="actions">
                <button type="button" class="primary" data-passkey="register" hidden>"Save a passkey"</button>
                <form method="post" action="/passkeys/later">
                    <input type="hidden" name="next" value=next/>
                    <button type="submit" class="secondary">"Not now"</button>
                </form>
            </div>
            <p data-passkey-status role="status" hidden></p>
        </section>
        <crate::pages::login::Enhance/>
    }
}

fn your_passkeys(passkeys: Vec<PasskeyRow>) -> impl IntoView {
    view! {
        <h2>"Your passkeys"</h2>
        <ul class="passkeys">
            {passkeys
                .into_iter()
                .map(|p| {
                    let used = p.last_used_at.map_or_else(|| "not used yet".to_string(), |at| format!("last used {at}"));
                    let synced = if p.synced { ", synced to your other devices" } else { "" };
                    view! {
                        <li>
                            <span>{format!("Made on {} {}{synced}; {used}", p.made_on, p.created_at)}</span>
                            <form method="post" action=format!("/passkeys/{}/remove", p.id)>
                                <button type="submit" class="secondary">"Remove"</button>
                            </form>
                        </li>
                    }
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
