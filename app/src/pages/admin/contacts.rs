use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::admin::{AdminLogOut, admin_contacts};
use crate::pages::failure_text;
use crate::types::{ContactList, ContactRow, ReferenceView};

#[component]
pub fn AdminContactsPage() -> impl IntoView {
    let (query, page) =
        use_query_map().with_untracked(|q| (q.get("q").unwrap_or_default(), q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0)));
    view! {
        <Title text="Contacts"/>
        <main class="card wide">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {Suspend::new(async move {
                    match admin_contacts(query.clone(), page).await {
                        Ok(Some(list)) => contacts(list).into_any(),
                        Ok(None) => view! { <p><a href="/admin/login">"Log in as an administrator"</a></p> }.into_any(),
                        Err(e) => view! { <p role="alert">{failure_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

fn contacts(list: ContactList) -> impl IntoView {
    let ContactList { admin, query, page, has_more, rows, references } = list;
    let is_reference = domain::SupportRef::parse(&query).is_some();
    let no_reference = references.is_empty();
    let link = |page: u32| format!("/admin?q={}&page={page}", encode(&query));
    let prev = (page > 0).then(|| view! { <a href=link(page - 1)>"← Previous"</a> });
    let next = has_more.then(|| view! { <a href=link(page + 1)>"Next →"</a> });
    let empty = rows.is_empty();
    view! {
        <div class="bar">
            <span>"Administrator " <strong>{admin}</strong></span>
            <form method="post" action=AdminLogOut::url()>
                <button type="submit" class="link">"Log out"</button>
            </form>
        </div>
        <h1>"Contacts"</h1>
        <p class="small"><a href="/admin/delivery">"Delivery health"</a>": is mail to a domain, or texts to a country, being deferred or late?"</p>
        <form method="get" action="/admin" role="search" class="stack">
            <label for="q">"Find a contact by name, email, phone number or support reference"</label>
            <input id="q" name="q" type="search" value=query.clone() maxlength="200"/>
            <button type="submit">"Search"</button>
        </form>
        {(is_reference && no_reference).then(|| view! {
            <p role="status">"No attempt has this support reference. References are kept as long as the events; check it with the contact (0 and O, 1, I and L are read alike)."</p>
        })}
        {(!no_reference).then(|| view! {
            <section aria-labelledby="references">
                <h2 id="references">"Support reference"</h2>
                {references.into_iter().map(|r| reference(r, false)).collect_view()}
            </section>
        })}
        {(empty && no_reference).then(|| view! { <p>"No contact matches."</p> })}
        <ul class="contacts">{rows.into_iter().map(row).collect_view()}</ul>
        <nav class="actions" aria-label="Pages">{prev}{next}</nav>
    }
}

/// What a support reference names: the attempt, and (off the contact's own card)
/// whose it was.
pub fn reference(r: ReferenceView, on_card: bool) -> impl IntoView {
    let whose = match (r.contact, on_card) {
        (_, true) => None,
        (Some(id), false) => Some(view! { <p><a href=format!("/admin/contacts/{id}")>"Open the contact's card"</a></p> }.into_any()),
        (None, false) => Some(
            view! { <p>"No contact has this address (or the contact was removed): check how they spell it, or add them."</p> }.into_any(),
        ),
    };
    view! {
        <div class="reference-view" role="group" aria-label=format!("Reference {}", r.reference)>
            <p><strong>{r.reference.clone()}</strong> {format!(", {}: at {}, they were told {}.", r.at, r.step, r.told)}</p>
            <ul class="small">
                {r.typed.clone().map(|t| view! { <li>"Typed: " <strong>{t}</strong></li> })}
                <li>{format!("Network: {}", r.network)}</li>
                <li>{format!("Browser: {}", r.browser.clone().unwrap_or_else(|| "not told".to_string()))}</li>
            </ul>
            {whose}
        </div>
    }
}

fn row(c: ContactRow) -> impl IntoView {
    let address = |a: Option<String>, out: bool| match (a, out) {
        (None, _) => "–".to_string(),
        (Some(a), true) => format!("{a} (opted out)"),
        (Some(a), false) => a,
    };
    view! {
        <li>
            <a href=format!("/admin/contacts/{}", c.id)><strong>{c.name}</strong></a>
            <span class="small">"Email: " {address(c.email, c.email_opt_out)}</span>
            <span class="small">"Phone: " {address(c.phone, c.sms_opt_out)}</span>
        </li>
    }
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}
