//! The login flow's server functions. Plain HTML forms post to the same endpoints,
//! so every step also works without JavaScript.

use leptos::prelude::*;

use crate::types::{Channel, LoginStep};

use super::request::{context, finish, login_path, redirect};

/// Where a browser without JavaScript goes after a form post.
fn after(step: LoginStep, next: &domain::LocalPath) -> LoginStep {
    match &step {
        LoginStep::Done { next } => redirect(next),
        LoginStep::Identify { notice: Some(notice), reference, .. } => {
            let path = login_path(next.as_str());
            let joiner = if path.contains('?') { '&' } else { '?' };
            // The reference goes as stored: six letters and digits, nothing to encode.
            let reference = reference.as_ref().map(|r| format!("&ref={}", r.as_str())).unwrap_or_default();
            match notice.slug() {
                Some(slug) => redirect(&format!("{path}{joiner}notice={slug}{reference}")),
                None => redirect(&path),
            }
        }
        _ => redirect(&login_path(next.as_str())),
    }
    step
}

/// The login card for this browser.
#[server(prefix = "/api", endpoint = "login/state")]
pub async fn login_state(next: String, notice: Option<String>, reference: Option<String>) -> Result<LoginStep, ServerFnError> {
    let next = domain::LocalPath::or_home(&next);
    let notice = notice.as_deref().and_then(crate::types::Notice::from_slug);
    let reference = reference.as_deref().and_then(domain::SupportRef::parse);
    let (portal, who) = context()?;
    let step = finish(portal.login_state(who, next, notice, reference).await)?;
    if let LoginStep::Done { next } = &step {
        redirect(next);
    }
    Ok(step)
}

#[server(prefix = "/api", endpoint = "login/request-code")]
pub async fn request_code(identifier: String, channel: Channel, next: String) -> Result<LoginStep, ServerFnError> {
    let next = domain::LocalPath::or_home(&next);
    let (portal, who) = context()?;
    Ok(after(finish(portal.request_code(who, identifier, channel).await)?, &next))
}

#[server(prefix = "/api", endpoint = "login/resend-code")]
pub async fn resend_code(channel: Channel, next: String) -> Result<LoginStep, ServerFnError> {
    let next = domain::LocalPath::or_home(&next);
    let (portal, who) = context()?;
    Ok(after(finish(portal.resend_code(who, channel).await)?, &next))
}

#[server(prefix = "/api", endpoint = "login/restart")]
pub async fn restart_login(next: String) -> Result<LoginStep, ServerFnError> {
    let next = domain::LocalPath::or_home(&next);
    let (portal, who) = context()?;
    Ok(after(finish(portal.restart(who).await)?, &next))
}

#[server(prefix = "/api", endpoint = "login/verify-code")]
pub async fn verify_code(code: String, next: String) -> Result<LoginStep, ServerFnError> {
    let next = domain::LocalPath::or_home(&next);
    let (portal, who) = context()?;
    Ok(after(finish(portal.verify_code(who, code, next.clone()).await)?, &next))
}

/// "Log out" forgets this browser; the contact then needs a code again.
#[server(prefix = "/api", endpoint = "log-out")]
pub async fn log_out(next: String) -> Result<(), ServerFnError> {
    let next = domain::LocalPath::or_home(&next);
    let (portal, who) = context()?;
    finish(portal.log_out(who).await)?;
    redirect(&login_path(next.as_str()));
    Ok(())
}
