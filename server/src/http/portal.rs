//! The port the browser API calls, on the login service: the service answers with
//! what the pages render (`domain::view`) and the cookies that go with it; this only
//! turns an unexpected error into a reference the browser can quote.

use app::port::{BoxFuture, Failure, PortResult, Portal, Reply};
use app::types::{Channel, Inbox, LoginStep, MessageView, Notice};
use domain::{Caller, LocalPath, SupportRef, Token};

use crate::login::LoginService;

pub struct PortalAdapter {
    service: LoginService,
}

impl PortalAdapter {
    pub fn new(service: LoginService) -> Self {
        PortalAdapter { service }
    }
}

/// An unexpected error is logged with a reference; only the reference goes out.
/// A database that cannot be reached is said as such (and logged as a warning): the
/// contact is asked to try again in a moment.
pub(super) fn failure<T, E: std::error::Error + 'static>(result: Result<Reply<T>, E>) -> PortResult<T> {
    result.map_err(|e| logged(&e))
}

/// Logs an unexpected error under a fresh reference, which is all the browser gets.
pub(super) fn logged(e: &(dyn std::error::Error + 'static)) -> Failure {
    let reference = Token::generate().map(|t| t.expose()[..12].to_string()).unwrap_or_else(|_| "unknown".into());
    let unavailable = crate::store::is_outage(e);
    if unavailable {
        tracing::warn!(reference = %reference, error = %e, "database unavailable");
    } else {
        tracing::error!(reference = %reference, error = %e, "request failed");
    }
    Failure { reference, unavailable }
}

impl Portal for PortalAdapter {
    fn login_state(
        &self,
        who: Caller,
        next: LocalPath,
        notice: Option<Notice>,
        reference: Option<SupportRef>,
    ) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { failure(self.service.login_state(who, next, notice, reference).await) })
    }
    fn request_code(&self, who: Caller, identifier: String, channel: Channel) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { failure(self.service.request_code(who, identifier, channel).await) })
    }
    fn resend_code(&self, who: Caller, channel: Channel) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { failure(self.service.resend_code(who, channel).await) })
    }
    fn restart(&self, who: Caller) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { failure(self.service.restart(who).await) })
    }
    fn verify_code(&self, who: Caller, code: String, next: LocalPath) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { failure(self.service.verify_code(who, code, next).await) })
    }
    fn inbox(&self, who: Caller) -> BoxFuture<'_, PortResult<Option<Inbox>>> {
        Box::pin(async move { failure(self.service.inbox(who).await) })
    }
    fn message(&self, who: Caller, public_id: String) -> BoxFuture<'_, PortResult<Option<MessageView>>> {
        Box::pin(async move { failure(self.service.message(who, public_id).await) })
    }
    fn log_out(&self, who: Caller) -> BoxFuture<'_, PortResult<()>> {
        Box::pin(async move { failure(self.service.log_out(who).await) })
    }
}
