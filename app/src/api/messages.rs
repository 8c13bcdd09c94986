//! What a recognised browser may read.

use leptos::prelude::*;

use crate::types::{Inbox, MessageView};

use super::request::{context, finish, login_path, redirect, set_status};

/// The contact's messages; an unrecognised browser is sent to log in.
#[server(prefix = "/api", endpoint = "inbox")]
pub async fn load_inbox() -> Result<Option<Inbox>, ServerFnError> {
    let (portal, who) = context()?;
    let inbox = finish(portal.inbox(who).await)?;
    if inbox.is_none() {
        redirect(&login_path("/"));
    }
    Ok(inbox)
}

/// One message; 403 when it is not published to the contact.
#[server(prefix = "/api", endpoint = "message")]
pub async fn load_message(id: String) -> Result<Option<MessageView>, ServerFnError> {
    let (portal, who) = context()?;
    let view = finish(portal.message(who, id.clone()).await)?;
    match &view {
        None => redirect(&login_path(domain::LocalPath::or_home(&format!("/m/{id}")).as_str())),
        Some(MessageView::NotPublished { .. }) => set_status(http::StatusCode::FORBIDDEN),
        Some(MessageView::Shown { .. }) => {}
    }
    Ok(view)
}
