//! The port the browser API calls, implemented by the login service. Unexpected
//! errors are logged with a reference; only the reference goes to the browser.

use app::port::{BoxFuture, Failure, Portal, PortResult, Visitor};
use app::types::{Channel, Inbox, LoginStep, MessageView, Notice};

use crate::domain::Token;
use crate::login::LoginService;

pub struct PortalAdapter {
    service: LoginService,
}

impl PortalAdapter {
    pub fn new(service: LoginService) -> Self {
        PortalAdapter { service }
    }
}

fn done<T, E: std::fmt::Display>(result: Result<app::port::Reply<T>, E>) -> PortResult<T> {
    result.map_err(|e| {
        let reference = Token::generate().map(|t| t.expose()[..12].to_string()).unwrap_or_else(|_| "unknown".into());
        tracing::error!(reference = %reference, error = %e, "request failed");
        Failure { reference }
    })
}

impl Portal for PortalAdapter {
    fn login_state(&self, who: Visitor, next: String, notice: Option<Notice>) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { done(self.service.login_state(who, next, notice).await) })
    }
    fn request_code(&self, who: Visitor, identifier: String, channel: Channel) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { done(self.service.request_code(who, identifier, channel).await) })
    }
    fn resend_code(&self, who: Visitor, channel: Channel) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { done(self.service.resend_code(who, channel).await) })
    }
    fn restart(&self, who: Visitor) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { done(self.service.restart(who).await) })
    }
    fn verify_code(&self, who: Visitor, code: String, next: String) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { done(self.service.verify_code(who, code, next).await) })
    }
    fn inbox(&self, who: Visitor) -> BoxFuture<'_, PortResult<Option<Inbox>>> {
        Box::pin(async move { done(self.service.inbox(who).await) })
    }
    fn message(&self, who: Visitor, public_id: String) -> BoxFuture<'_, PortResult<Option<MessageView>>> {
        Box::pin(async move { done(self.service.message(who, public_id).await) })
    }
    fn log_out(&self, who: Visitor) -> BoxFuture<'_, PortResult<()>> {
        Box::pin(async move { done(self.service.log_out(who).await) })
    }
}
