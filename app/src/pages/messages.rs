use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::messages::load_inbox;
use crate::i18n::Locale;
use crate::pages::{LoggedInBar, failure_text};
use crate::types::{Inbox, PasskeyOffer, PasskeyRow};

#[component]
pub fn MessagesPage() -> impl IntoView {
    let l = crate::locale();
    let loading = l.t("loading");
    view! {
        <Title text=l.t("messages-title")/>
        <main class="card">
            <Suspense fallback=move || view! { <p>{loading.clone()}</p> }>
                {Suspend::new(async move {
                    let l = crate::locale();
                    match load_inbox().await {
                        Ok(Some(inbox)) => list(inbox, &l).into_any(),
                        Ok(None) => view! { <p><a href="/login">{l.t("messages-log-in")}</a></p> }.into_any(),
                        Err(e) => view! { <p role="alert">{failure_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

fn list(inbox: Inbox, l: &Locale) -> impl IntoView {
    let Inbox { contact_name, now, just_logged_in, messages, passkeys, passkey_offer } = inbox;
    let empty = messages.is_empty();
    view! {
        <LoggedInBar name=contact_name next="/".to_string()/>
        {just_logged_in.then(|| remembered(l))}
        {passkey_offer.map(|o| offer(o, "/".to_string(), l))}
        <h1>{l.t("messages-title")}</h1>
        {empty.then(|| view! { <p>{l.t("messages-none")}</p> })}
        <ul class="messages">
            {messages
                .into_iter()
                .map(|m| view! {
                    <li>
                        <a href=format!("/m/{}", m.id)>{m.title}</a>
                        {m.published_at.map(|at| view! { <span class="small">{published(l, at, now)}</span> })}
                    </li>
                })
                .collect_view()}
        </ul>
        {(!passkeys.is_empty()).then(|| your_passkeys(passkeys, now, l))}
    }
}

/// "Published today at 14:05", with the moment in machine-readable form.
pub fn published(l: &Locale, at: i64, now: i64) -> impl IntoView + use<> {
    let text = l.tf("published", &[("when", l.moment(at, now).into())]);
    view! { <time datetime=iso(at)>{text}</time> }
}

/// `2026-11-28T10:49:16Z`, for `<time datetime>`.
pub fn iso(at: i64) -> String {
    jiff::Timestamp::from_second(at).map(|t| t.to_string()).unwrap_or_default()
}

/// "Log in without a code next time": one tap saves a passkey (the script does the
/// WebAuthn part); "Not now" is remembered for this browser and works without it.
pub fn offer(offer: PasskeyOffer, next: String, l: &Locale) -> impl IntoView + use<> {
    view! {
        <section class="notice notice-info passkey-offer" aria-labelledby="passkey-offer">
            <h2 id="passkey-offer">{l.t("passkey-offer-title")}</h2>
            {offer.code_login_days.map(|days| view! { <p>{l.tf("passkey-offer-reason", &[("days", days.into())])}</p> })}
            <p>{l.t("passkey-offer-what")}</p>
            <div class="actions">
                <button type="button" class="primary" data-passkey="register" hidden>{l.t("passkey-save")}</button>
                <form method="post" action="/passkeys/later">
                    <input type="hidden" name="next" value=next/>
                    <button type="submit" class="secondary">{l.t("passkey-not-now")}</button>
                </form>
            </div>
            <p data-passkey-status role="status" hidden></p>
        </section>
        <crate::pages::login::Enhance/>
    }
}

fn your_passkeys(passkeys: Vec<PasskeyRow>, now: i64, l: &Locale) -> impl IntoView + use<> {
    view! {
        <h2>{l.t("passkeys-title")}</h2>
        <ul class="passkeys">
            {passkeys
                .into_iter()
                .map(|p| {
                    let used = p.last_used_at.map_or_else(|| l.t("passkey-not-used"), |at| l.tf("passkey-last-used", &[("when", l.moment(at, now).into())]));
                    let synced = if p.synced { l.t("passkey-synced") } else { String::new() };
                    let made = l.tf("passkey-made-on", &[("browser", made_on(l, p.made_on.as_deref()).into()), ("when", l.moment(p.created_at, now).into())]);
                    view! {
                        <li>
                            <span>{format!("{made}{synced}; {used}")}</span>
                            <form method="post" action=format!("/passkeys/{}/remove", p.id)>
                                <button type="submit" class="secondary">{l.t("passkey-remove")}</button>
                            </form>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// "Chrome on Android" as the language says it; the names stay as they are.
pub fn made_on(l: &Locale, stored: Option<&str>) -> String {
    match stored.and_then(|s| s.split_once(" on ")) {
        Some((browser, platform)) => l.tf("browser-on-platform", &[("browser", browser.into()), ("platform", platform.into())]),
        None => stored.map_or_else(|| l.t("unknown-browser"), str::to_string),
    }
}

/// Told once, on the first page after logging in.
pub fn remembered(l: &Locale) -> impl IntoView + use<> {
    view! { <p class="notice notice-info" role="status">{l.t("remembered")}</p> }
}
