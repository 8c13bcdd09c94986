//! The security review of issue 20, finding by finding, from outside: each test fails
//! on the code before its fix (SECURITY.md lists them).

use app::types::Channel;
use server::clock::Clock;

use crate::admin_web::{card_of, log_in, with_admin};
use crate::helpers::{Browser, Page, TestApp};

/// A contact name and a message title an attacker controls (through the API or the
/// command line): each tries to end `<title>` and add markup of its own.
const HOSTILE: &str = r#"Eve</title><meta http-equiv=refresh content="0;url=https://evil.example/"><form action=/api/admin/act>"#;

/// The one `<title>` of a page, checked to carry `text` as text, and nothing injected.
fn title_of(page: &Page) -> String {
    let body = &page.body;
    assert_eq!(body.matches("<title>").count(), 1, "exactly one <title>: {body}");
    assert_eq!(body.matches("</title>").count(), 1, "exactly one </title>: {body}");
    assert!(!body.contains("<meta http-equiv"), "no injected <meta>: {body}");
    assert!(!body.contains("<form action=/api/admin/act>"), "no injected <form>: {body}");
    let start = body.find("<title>").unwrap() + "<title>".len();
    let end = body.find("</title>").unwrap();
    body[start..end].to_string()
}

async fn contact_logged_in(app: &TestApp, name: &str, email: &str) -> (server::store::Contact, Browser) {
    let contact = app.add_contact(name, Some(email), None, &[]).await;
    let browser = app.browser();
    browser.log_in(app, email, Channel::Email, email).await;
    (contact, browser)
}

#[tokio::test]
async fn h1_a_hostile_contact_name_or_message_title_stays_text_in_the_page_title() {
    let app = with_admin().await;
    let (contact, reader) = contact_logged_in(&app, HOSTILE, "eve@example.com").await;
    let id = server::demo::add_message(&app.store, HOSTILE, "Hello", app.clock.now()).await.unwrap();
    app.store.publish(&id, contact.id, app.clock.now()).await.unwrap();

    let admin = app.browser();
    log_in(&admin, "ops", crate::admin_web::RIGHT).await;
    let (_, card) = card_of(&app, &admin, "eve@example.com").await;
    assert_eq!(card.status, 200);
    let escaped = "Eve&lt;/title&gt;&lt;meta http-equiv=refresh content=&quot;0;url=https://evil.example/&quot;&gt;&lt;form action=/api/admin/act&gt;";
    assert_eq!(title_of(&card), format!("{escaped} · Aarhus Roklub"), "the administrator's card");

    let message = reader.get(&format!("/m/{id}")).await;
    assert_eq!(message.status, 200);
    assert_eq!(title_of(&message), format!("{escaped} · Aarhus Roklub"), "the message page");

    // Pages that title with fixed words keep them, escaped alike ('&' and the
    // organisation's own characters).
    let org = crate::helpers::spawn_app_with(&[("PORTAL_ORGANISATION", "Smith & Sons <Rowing>")]).await;
    assert_eq!(title_of(&org.browser().get("/login").await), "Log in · Smith &amp; Sons &lt;Rowing&gt;");
    for path in ["/help", "/admin/login", "/nowhere"] {
        let title = title_of(&org.browser().get(path).await);
        assert!(title.ends_with(" · Smith &amp; Sons &lt;Rowing&gt;"), "{path}: {title}");
    }
}
