//! The administrator's server functions. Forms post to them; without JavaScript the
//! browser follows the redirect.

use leptos::prelude::*;

use crate::types::{AdminLogin, ContactList};

#[cfg(feature = "ssr")]
use super::request::{admin_context, finish, redirect};

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
    if list.is_none() {
        redirect("/admin/login");
    }
    Ok(list)
}
