//! The administrator's server functions. Forms post to them; without JavaScript the
//! browser follows the redirect.

use leptos::prelude::*;

use crate::types::{ActionForm, AdminAnswer, AdminLogin, ContactAction, ContactCard, ContactList, DeliveryHealthView};

use super::request::{admin_context, finish, redirect, set_status};

#[server(prefix = "/api", endpoint = "admin/log-in")]
pub async fn admin_log_in(username: String, password: String) -> Result<AdminLogin, ServerFnError> {
    let (portal, who) = admin_context()?;
    let outcome = finish(portal.log_in(who, username, password).await)?;
    redirect(match outcome {
        AdminLogin::LoggedIn => "/admin",
        AdminLogin::Refused => "/admin/login?failed=1",
        AdminLogin::Throttled => "/admin/login?failed=throttled",
    });
    Ok(outcome)
}

#[server(prefix = "/api", endpoint = "admin/log-out")]
pub async fn admin_log_out() -> Result<(), ServerFnError> {
    let (portal, who) = admin_context()?;
    finish(portal.log_out(who).await)?;
    redirect("/admin/login");
    Ok(())
}

/// The contact list; a browser without an administrator session is sent to log in.
#[server(prefix = "/api", endpoint = "admin/contacts")]
pub async fn admin_contacts(query: String, page: u32) -> Result<Option<ContactList>, ServerFnError> {
    let (portal, who) = admin_context()?;
    let list = finish(portal.contacts(who, query, page).await)?;
    match &list {
        None => redirect("/admin/login"),
        // A support reference of one contact opens their card at that attempt.
        Some(list) => {
            if let ([only], Some(reference)) = (list.references.as_slice(), domain::SupportRef::parse(&list.query))
                && let Some(contact) = only.contact
            {
                redirect(&format!("/admin/contacts/{contact}?ref={}", reference.as_str()));
            }
        }
    }
    Ok(list)
}

/// A contact's card, its timeline from the newest event (or, with `older`, from the
/// events before that one); without a session the browser is sent to log in, and an
/// unknown contact is a 404. `watch`: the page looking again while a test message is
/// on its way.
#[server(prefix = "/api", endpoint = "admin/contact")]
pub async fn admin_contact(
    id: i64,
    older: Option<i64>,
    reference: Option<String>,
    watch: bool,
) -> Result<AdminAnswer<ContactCard>, ServerFnError> {
    let (portal, who) = admin_context()?;
    let reference = reference.as_deref().and_then(domain::SupportRef::parse);
    let answer = finish(portal.contact(who, id, older, reference, watch).await)?;
    match &answer {
        AdminAnswer::LoggedOut => redirect("/admin/login"),
        AdminAnswer::NotFound => set_status(http::StatusCode::NOT_FOUND),
        AdminAnswer::Shown(_) => {}
    }
    Ok(answer)
}

/// Delivery health per email domain and SMS country; without a session the browser is
/// sent to log in.
#[server(prefix = "/api", endpoint = "admin/delivery")]
pub async fn admin_delivery() -> Result<AdminAnswer<DeliveryHealthView>, ServerFnError> {
    let (portal, who) = admin_context()?;
    let answer = finish(portal.delivery_health(who).await)?;
    if answer == AdminAnswer::LoggedOut {
        redirect("/admin/login");
    }
    Ok(answer)
}

/// The card's buttons: `action` is `opt-out`, `opt-in`, `test` (with `channel`), `revoke` (with
/// `device`, or every browser without), `remove-passkey` (with `passkey`), or
/// `publish` (with `message`).
#[server(prefix = "/api", endpoint = "admin/act")]
pub async fn admin_act(
    id: i64,
    action: String,
    channel: Option<String>,
    device: Option<i64>,
    message: Option<String>,
    passkey: Option<i64>,
) -> Result<(), ServerFnError> {
    // Bad input goes back to the card, which says what was wrong; nothing is changed.
    let back = |problem: Option<&str>| -> Result<(), ServerFnError> {
        match problem {
            Some(p) => redirect(&format!("/admin/contacts/{id}?problem={p}")),
            None => redirect(&format!("/admin/contacts/{id}")),
        }
        Ok(())
    };
    let form = ActionForm { action, channel, device, message, passkey };
    let action = match ContactAction::from_form(&form) {
        Ok(action) => action,
        Err(missing) => return back(Some(missing)),
    };
    let form_was_test = matches!(action, ContactAction::TestMessage(_));
    let (portal, who) = admin_context()?;
    match finish(portal.act(who, id, action).await)? {
        AdminAnswer::LoggedOut => {
            redirect("/admin/login");
            Ok(())
        }
        AdminAnswer::NotFound => back(Some("not-found")),
        AdminAnswer::Shown(Some(problem)) => back(Some(&problem)),
        // A test message is followed on the card while it is on its way.
        AdminAnswer::Shown(None) if form_was_test => {
            redirect(&format!("/admin/contacts/{id}?watch=1#tests"));
            Ok(())
        }
        AdminAnswer::Shown(None) => back(None),
    }
}
