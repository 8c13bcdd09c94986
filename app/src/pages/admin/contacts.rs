use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::admin::{AdminLogOut, admin_contacts};
use crate::pages::failure_text;
use crate::types::{ContactList, ContactRow};

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
    let ContactList { admin, query, page, has_more, rows } = list;
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
        <form method="get" action="/admin" role="search" class="stack">
            <label for="q">"Find a contact by name, email or phone number"</label>
            <input id="q" name="q" type="search" value=query.clone() maxlength="200"/>
            <button type="submit">"Search"</button>
        </form>
        {empty.then(|| view! { <p>"No contact matches."</p> })}
        <ul class="contacts">{rows.into_iter().map(row).collect_view()}</ul>
        <nav class="actions" aria-label="Pages">{prev}{next}</nav>
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
