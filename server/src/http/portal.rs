//! The adapter between the port the browser API calls and the login service: domain
//! answers become wire types (what the login card shows, in words) and cookies.
//! Unexpected errors are logged with a reference; only the reference goes to the browser.

use app::port::{BoxFuture, CookieChange, Failure, PortResult, Portal, Reply};
use app::types::{Channel, CodeStep, Inbox, LoginStep, MessageSummary, MessageView, Notice, PasskeyOffer};
use domain::Caller;

use crate::login::rules::seconds_left;
use crate::login::{Answer, Cookie, InboxPage, LoginService, MessagePage, Outcome, PasskeyHint, Refusal, Screen};
use domain::{Timestamp, Token};

pub struct PortalAdapter {
    service: LoginService,
    /// Whether passkeys can be saved here (the public address is a domain name).
    passkeys: bool,
}

impl PortalAdapter {
    pub fn new(service: LoginService) -> Self {
        PortalAdapter { service, passkeys: false }
    }

    pub fn with_passkeys(mut self, offered: bool) -> Self {
        self.passkeys = offered;
        self
    }

    /// The messages page: the list, the contact's passkeys, and the offer to save
    /// one while this browser's code login is fresh (unless it said "Not now").
    /// The offer to save a passkey: minutes after a code login (not a passkey's),
    /// where passkeys work, unless this browser said "Not now"; with the reason when
    /// the contact keeps needing codes.
    fn offer(&self, hint: &PasskeyHint, who: &Caller) -> Option<PasskeyOffer> {
        let now = self.service.clock().now();
        let fresh = now.secs_since(hint.logged_in_at) <= crate::passkeys::FRESH_LOGIN_SECS;
        (self.passkeys && fresh && !hint.by_passkey && !who.passkey_later).then(|| PasskeyOffer {
            code_login_days: (hint.code_login_days >= 3).then(|| u32::try_from(hint.code_login_days).unwrap_or(u32::MAX)),
        })
    }

    fn message(&self, page: MessagePage, who: &Caller) -> MessageView {
        match page {
            MessagePage::Shown { message, contact_name, just_logged_in, hint } => MessageView::Shown {
                title: message.title,
                body_html: message.body_html,
                published_at: message.published_at.0,
                now: self.service.clock().now().0,
                contact_name,
                just_logged_in,
                passkey_offer: self.offer(&hint, who),
            },
            MessagePage::NotPublished => MessageView::NotPublished,
        }
    }

    fn inbox(&self, page: InboxPage, who: &Caller) -> Inbox {
        let offer = self.offer(&page.hint, who);
        Inbox {
            contact_name: page.contact_name,
            now: self.service.clock().now().0,
            just_logged_in: page.just_logged_in,
            messages: page
                .messages
                .into_iter()
                .map(|m| MessageSummary { id: m.public_id, title: m.title, published_at: Some(m.published_at.0) })
                .collect(),
            passkeys: page.passkeys.into_iter().map(crate::admin::card::passkey_row).collect(),
            passkey_offer: offer,
        }
    }

    fn done<T, U, E: std::error::Error + 'static>(&self, result: Result<Answer<T>, E>, show: impl FnOnce(T) -> U) -> PortResult<U> {
        failure(
            result.map(|Answer { value, cookies }| Reply {
                value: show(value),
                cookies: cookies.into_iter().map(|c| self.cookie(c)).collect(),
            }),
        )
    }

    fn cookie(&self, cookie: Cookie) -> CookieChange {
        cookie_change(&self.service, cookie)
    }

    /// The login card for a screen, as of now.
    fn step(&self, screen: Screen) -> LoginStep {
        let now = self.service.clock().now();
        match screen {
            Screen::Start { identifier, channel, outcome } => {
                LoginStep::Identify { identifier, channel, notice: outcome.map(|o| self.notice(o, now)) }
            }
            Screen::Code { identifier, channel, resend_at, outcome } => LoginStep::EnterCode(CodeStep {
                identifier,
                channel,
                cooldown_secs: seconds_left(resend_at, now),
                valid_for_secs: self.service.limits().code_ttl.as_secs(),
                notice: outcome.map(|o| self.notice(o, now)),
            }),
            Screen::Done { next } => LoginStep::Done { next },
        }
    }

    fn notice(&self, outcome: Outcome, now: Timestamp) -> Notice {
        match outcome {
            Outcome::CodeSent => Notice::CodeSent,
            Outcome::CooldownActive { until } => Notice::CooldownActive { seconds_left: seconds_left(until, now) },
            Outcome::NetworkLimited | Outcome::Refused(Refusal::NetworkLimited) => Notice::NetworkLimited,
            Outcome::MalformedIdentifier => Notice::MalformedIdentifier,
            Outcome::Refused(refusal) => match refusal {
                Refusal::NoFlow => Notice::NoFlow,
                Refusal::Malformed => Notice::MalformedCode,
                Refusal::NetworkLimited => Notice::NetworkLimited,
                Refusal::Locked { until } => Notice::Locked { until: until.0, secs_left: until.secs_since(now).max(0) },
                Refusal::Expired => Notice::Expired { valid_for_secs: self.service.limits().code_ttl.as_secs() },
                Refusal::TooManyAttempts => Notice::TooManyAttempts,
                Refusal::Wrong { attempts_left } => Notice::WrongCode { attempts_left },
                Refusal::Superseded { sent_at, channel, here } => {
                    Notice::Superseded { newest_sent_at: sent_at.0, sent_secs_ago: now.secs_since(sent_at).max(0), channel, here }
                }
                Refusal::Withdrawn => Notice::Withdrawn,
            },
        }
    }
}

/// How a cookie the service asks for is spelled to the browser.
pub(super) fn cookie_change(service: &LoginService, cookie: Cookie) -> CookieChange {
    match cookie {
        Cookie::Flow(token) => CookieChange::SetFlow(token.expose().to_string()),
        Cookie::ForgetFlow => CookieChange::ClearFlow,
        Cookie::Device(token) => CookieChange::SetDevice {
            token: token.expose().to_string(),
            max_age_secs: i64::try_from(service.limits().device_max_age.as_secs()).unwrap_or(i64::MAX),
        },
        Cookie::ForgetDevice => CookieChange::ClearDevice,
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

/// Step-1 notices carried in the address after a form post without JavaScript.
fn outcome_of(notice: Notice) -> Option<Outcome> {
    match notice {
        Notice::NoFlow => Some(Outcome::Refused(Refusal::NoFlow)),
        Notice::NetworkLimited => Some(Outcome::NetworkLimited),
        Notice::MalformedIdentifier => Some(Outcome::MalformedIdentifier),
        _ => None,
    }
}

impl Portal for PortalAdapter {
    fn login_state(&self, who: Caller, next: String, notice: Option<Notice>) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { self.done(self.service.login_state(who, next, notice.and_then(outcome_of)).await, |s| self.step(s)) })
    }
    fn request_code(&self, who: Caller, identifier: String, channel: Channel) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { self.done(self.service.request_code(who, identifier, channel).await, |s| self.step(s)) })
    }
    fn resend_code(&self, who: Caller, channel: Channel) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { self.done(self.service.resend_code(who, channel).await, |s| self.step(s)) })
    }
    fn restart(&self, who: Caller) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { self.done(self.service.restart(who).await, |s| self.step(s)) })
    }
    fn verify_code(&self, who: Caller, code: String, next: String) -> BoxFuture<'_, PortResult<LoginStep>> {
        Box::pin(async move { self.done(self.service.verify_code(who, code, next).await, |s| self.step(s)) })
    }
    fn inbox(&self, who: Caller) -> BoxFuture<'_, PortResult<Option<Inbox>>> {
        Box::pin(async move {
            let page = self.service.inbox(who.clone()).await;
            self.done(page, |v| v.map(|page| self.inbox(page, &who)))
        })
    }
    fn message(&self, who: Caller, public_id: String) -> BoxFuture<'_, PortResult<Option<MessageView>>> {
        Box::pin(async move {
            let page = self.service.message(who.clone(), public_id).await;
            self.done(page, |v| v.map(|page| self.message(page, &who)))
        })
    }
    fn log_out(&self, who: Caller) -> BoxFuture<'_, PortResult<()>> {
        Box::pin(async move { self.done(self.service.log_out(who).await, |v| v) })
    }
}
