use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::admin::{AdminAct, AdminLogOut, admin_contact};
use crate::pages::failure_text;
use crate::types::{AdminAnswer, Channel, ContactAction, ContactCard, DeviceRow, FindingView, TestMessageRow, TimelineRow};

#[component]
pub fn AdminContactPage() -> impl IntoView {
    let id: i64 = use_params_map().with_untracked(|p| p.get("id")).and_then(|id| id.parse().ok()).unwrap_or(-1);
    let older: Option<i64> = use_query_map().with_untracked(|q| q.get("older")).and_then(|o| o.parse().ok());
    let reference: Option<String> = use_query_map().with_untracked(|q| q.get("ref"));
    let watching = use_query_map().with_untracked(|q| q.get("watch"));
    let watch = watching.is_some();
    // The next look goes to the other of two addresses: a refresh to the address the
    // page is at, fragment and all, would only scroll to the fragment.
    let next_look = if watching.as_deref() == Some("1") { 2 } else { 1 };
    let problem = use_query_map().with_untracked(|q| q.get("problem")).map(|p| match p.as_str() {
        "channel" => "Choose a channel: email or text message. Nothing was changed.",
        "message" => "Choose a message to publish. Nothing was changed.",
        "not-found" => "That browser or message does not exist (any more). Nothing was changed.",
        "test-limit" => "No test was sent: at most 3 test messages an hour go to one contact. Try again later.",
        "test-opted-out" => "No test was sent: they opted out of that channel. Opt them back in only if they ask to be.",
        "test-no-address" => "No test was sent: they have no address for that channel.",
        "test-sms-country" => "No test was sent: text messages to their country are not allowed here (PORTAL_SMS_COUNTRIES).",
        "test-admin-limit" => "No test was sent: you have sent 20 test messages in the last hour, the most one administrator may.",
        "test-sms-limit" => "No test was sent: text messages are at an hourly limit (codes to their number block or in all, or 20 tests). Codes still go first.",
        _ => "That is not something this page can do. Nothing was changed.",
    });
    view! {
        <main class="card wide">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {Suspend::new(async move {
                    match admin_contact(id, older, reference, watch).await {
                        Ok(AdminAnswer::Shown(card)) => view! {
                            {problem.map(|p| view! { <p class="notice notice-alert" role="alert">{p}</p> })}
                            {shown(card, next_look)}
                        }.into_any(),
                        Ok(AdminAnswer::NotFound) => view! { <Title text="No such contact"/><h1>"No such contact"</h1><p><a href="/admin">"← All contacts"</a></p> }.into_any(),
                        Ok(AdminAnswer::LoggedOut) => view! { <p><a href="/admin/login">"Log in as an administrator"</a></p> }.into_any(),
                        Err(e) => view! { <p role="alert">{failure_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// A form posting one action about this contact.
fn action_form(id: i64, fields: Vec<(&'static str, String)>, label: String, class: &'static str) -> impl IntoView {
    view! {
        <form method="post" action=AdminAct::url() class="inline">
            <input type="hidden" name="id" value=id.to_string()/>
            {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
            <button type="submit" class=class>{label}</button>
        </form>
    }
}

fn shown(card: ContactCard, next_look: u8) -> impl IntoView {
    let ContactCard {
        admin,
        contact,
        language,
        findings,
        devices,
        passkeys,
        messages,
        publishable,
        timeline,
        older,
        reference,
        tests,
        watching,
        delivery,
    } = card;
    let id = contact.id;
    // Administrator pages are English; times are the organisation's, with its zone.
    let l = crate::locale();
    let channel_name = |channel: Channel| channel.by().trim_start_matches("by ");
    let address = |channel: Channel, address: Option<String>, out: bool| {
        let what = if channel == Channel::Email { "Email" } else { "Phone" };
        match address {
            None => view! { <li>{format!("{what}: none registered")}</li> }.into_any(),
            Some(a) => {
                let (state, action, label) = if out {
                    ("opted out", "opt-in", format!("Opt back in to {}", channel_name(channel)))
                } else {
                    ("receives codes", "opt-out", format!("Opt out of {}", channel_name(channel)))
                };
                let fields = vec![("action", action.to_string()), ("channel", channel.as_str().to_string())];
                let line = format!("{what}: {a} ({state}) ");
                view! { <li>{line} {action_form(id, fields, label, "")}</li> }.into_any()
            }
        }
    };
    let no_findings = findings.is_empty();
    let active = devices.iter().filter(|d| d.active).count();
    let has_passkeys = !passkeys.is_empty();
    let no_messages = messages.is_empty();
    let can_publish = !publishable.is_empty();
    // The channels a test can go by: an address they did not opt out of.
    let testable: Vec<Channel> = [
        (Channel::Email, contact.email.is_some() && !contact.email_opt_out),
        (Channel::Sms, contact.phone.is_some() && !contact.sms_opt_out),
    ]
    .into_iter()
    .filter_map(|(channel, ok)| ok.then_some(channel))
    .collect();
    let no_tests = tests.is_empty();
    view! {
        <Title text=contact.name.clone()/>
        // While a test message is on its way, the card looks again every 3 seconds
        // (no script needed), at the test messages.
        {watching.then(|| view! { <Meta http_equiv="refresh" content=format!("3;url=/admin/contacts/{id}?watch={next_look}#tests")/> })}
        <div class="bar">
            <span>"Administrator " <strong>{admin}</strong></span>
            <form method="post" action=AdminLogOut::url()><button type="submit" class="link">"Log out"</button></form>
        </div>
        <p class="small"><a href="/admin">"← All contacts"</a></p>
        <h1>{contact.name.clone()}</h1>
        {reference.map(|r| view! {
            <section aria-labelledby="attempt" class="attempt">
                <h2 id="attempt">{format!("The attempt of reference {}", r.reference)}</h2>
                {super::contacts::reference(r, true)}
                <p class="small">"The timeline below starts at that moment."</p>
            </section>
        })}
        <section aria-labelledby="diagnosis">
            <h2 id="diagnosis">"Login diagnosis"</h2>
            {delivery.into_iter().map(|line| view! {
                <p class="notice notice-alert">{line} " " <a href="/admin/delivery">"Delivery health"</a></p>
            }).collect_view()}
            {no_findings.then(|| view! { <p>"Nothing in the last 30 days explains a failed login."</p> })}
            <ol class="findings">{findings.into_iter().map(|f| finding(id, f)).collect_view()}</ol>
        </section>
        <section aria-labelledby="addresses">
            <h2 id="addresses">"Addresses"</h2>
            <ul>
                {address(Channel::Email, contact.email, contact.email_opt_out)}
                {address(Channel::Sms, contact.phone, contact.sms_opt_out)}
                <li>{match language {
                    Some(lang) => format!("Language of codes: {} (their last login's)", lang.english_name()),
                    None => "Language of codes: the browser's, until their first login".to_string(),
                }}</li>
            </ul>
        </section>
        <section aria-labelledby="tests">
            <h2 id="tests">"Test messages"</h2>
            <p class="small">"A message with no code, to see whether messages reach them while they are on the phone. At most 3 an hour; it does not count against their codes."</p>
            {testable.is_empty().then(|| view! { <p>"No channel to test: they have no address they did not opt out of."</p> })}
            <p>{testable.into_iter().map(|channel| {
                let label = if channel == Channel::Email { "Send a test email" } else { "Send a test text message" };
                action_form(id, vec![("action", "test".to_string()), ("channel", channel.as_str().to_string())], label.to_string(), "")
            }).collect_view()}</p>
            {no_tests.then(|| view! { <p>"None sent in the last day."</p> })}
            <ul aria-live="polite">{tests.into_iter().map(test_row).collect_view()}</ul>
        </section>
        <section aria-labelledby="browsers">
            <h2 id="browsers">"Trusted browsers"</h2>
            {(active == 0).then(|| view! { <p>"No browser is remembered: the next visit needs a code."</p> })}
            <ul>{devices.into_iter().map(|d| device(id, d)).collect_view()}</ul>
            {(active > 0).then(|| action_form(id, vec![("action", "revoke".to_string())], "Forget every browser".to_string(), ""))}
            {(active > 0 && has_passkeys).then(|| view! { <p class="small">"Forgetting every browser removes their passkeys too: either would log them in without a code."</p> })}
        </section>
        <section aria-labelledby="passkeys">
            <h2 id="passkeys">"Passkeys"</h2>
            {passkeys.is_empty().then(|| view! { <p>"None: they log in with codes."</p> })}
            <ul>{passkeys.into_iter().map(|p| {
                let used = p.last_used_at.map_or_else(|| "never used".to_string(), |at| format!("last used {}", l.stamp(at)));
                let synced = if p.synced { ", synced" } else { "" };
                let made_on = p.made_on.unwrap_or_else(|| "an unknown browser".into());
                let line = format!("Passkey {}, made on {made_on} {}{synced}; {used} ", p.id, l.stamp(p.created_at));
                let remove = action_form(id, vec![("action", "remove-passkey".to_string()), ("passkey", p.id.to_string())], format!("Remove passkey {}", p.id), "link");
                view! { <li>{line} {remove}</li> }
            }).collect_view()}</ul>
        </section>
        <section aria-labelledby="messages">
            <h2 id="messages">"Messages published to them"</h2>
            {no_messages.then(|| view! { <p>"None yet."</p> })}
            <ul>{messages.into_iter().map(|m| {
                let published = m.published_at.map(|at| l.stamp(at)).unwrap_or_default();
                let line = format!("{} ({}, published {published})", m.title, m.id);
                view! { <li>{line}</li> }
            }).collect_view()}</ul>
            {can_publish.then(|| view! {
                <form method="post" action=AdminAct::url() class="stack">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="action" value="publish"/>
                    <label for="message">"Publish a message to them"</label>
                    <select id="message" name="message">
                        {publishable.into_iter().map(|m| {
                            let label = format!("{} ({})", m.title, m.id);
                            view! { <option value=m.id>{label}</option> }
                        }).collect_view()}
                    </select>
                    <button type="submit">"Publish"</button>
                </form>
            })}
        </section>
        <section aria-labelledby="timeline">
            <h2 id="timeline">"Timeline, last 30 days"</h2>
            <ul class="timeline">{timeline.into_iter().map(row).collect_view()}</ul>
            {older.map(|before| view! { <p><a href=format!("/admin/contacts/{id}?older={before}")>"Older events"</a></p> })}
        </section>
    }
}

fn finding(contact: i64, f: FindingView) -> impl IntoView {
    let remedy = f.remedy.and_then(|r| match r {
        ContactAction::OptIn(channel) => Some((
            vec![("action", "opt-in".to_string()), ("channel", channel.as_str().to_string())],
            format!("Opt back in to {}", channel.by().trim_start_matches("by ")),
        )),
        ContactAction::Publish(message) => {
            f.remedy_label.clone().map(|label| (vec![("action", "publish".to_string()), ("message", message)], label))
        }
        ContactAction::OptOut(_) | ContactAction::Revoke(_) | ContactAction::RemovePasskey(_) | ContactAction::TestMessage(_) => None,
    });
    view! {
        <li>
            <p><strong>{f.cause}</strong></p>
            <p>"What to do: " {f.advice}</p>
            {remedy.map(|(fields, label)| action_form(contact, fields, label, ""))}
            <ul class="small">{f.evidence.into_iter().map(row).collect_view()}</ul>
        </li>
    }
}

fn device(contact: i64, d: DeviceRow) -> impl IntoView {
    let state = if d.active { "remembered" } else { "forgotten" };
    let revoke = d.active.then(|| {
        action_form(
            contact,
            vec![("action", "revoke".to_string()), ("device", d.id.to_string())],
            format!("Forget browser {}", d.id),
            "link",
        )
    });
    let line = format!("Browser {}, {}: first seen {}, last seen {} ({state}) ", d.id, d.browser, d.first_seen, d.last_seen);
    view! { <li>{line} {revoke}</li> }
}

fn test_row(t: TestMessageRow) -> impl IntoView {
    let line = format!("{}: test {} to {}, sent by {}. ", t.at, t.channel.by(), t.to, t.by);
    view! {
        <li>
            {line} <strong>{t.status}</strong>
            {t.said.map(|said| view! { " " <code>{said}</code> })}
        </li>
    }
}

fn row(r: TimelineRow) -> impl IntoView {
    view! { <li><span class="small">{r.at}</span> <span>{r.what}</span></li> }
}
