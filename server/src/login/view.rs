//! What the login answers the pages with: the view model (`domain::view`), as of now.
//! The steps decide on [`Screen`]s and [`Outcome`]s (times as instants, kept on the
//! flow for a browser without JavaScript); this puts them as the card shows them
//! (seconds left, the code's lifetime) and builds the inbox and message pages.

use domain::view::{CodeStep, Inbox, LoginStep, MessageSummary, MessageView, Notice, PasskeyOffer};
use domain::{Caller, Channel, LocalPath, SupportRef, Timestamp};

use super::rules::seconds_left;
use super::service::{LoginService, Screen, ServiceResult};
use super::session::{InboxPage, MessagePage, PasskeyHint};
use super::{Outcome, Refusal};

impl LoginService {
    /// The login card for this browser; `Done` when it is already recognised. A
    /// step-1 notice comes in the address after a form post without JavaScript.
    /// Its support reference comes in the address too (`ref=`), shown only with it.
    pub async fn login_state(
        &self,
        who: Caller,
        next: LocalPath,
        notice: Option<Notice>,
        reference: Option<SupportRef>,
    ) -> ServiceResult<LoginStep> {
        Ok(self.login_screen(who, next, notice.and_then(outcome_of), reference).await?.map(|s| self.card(s)))
    }

    /// Step 1: a code to whatever is registered for `identifier` by `channel`.
    pub async fn request_code(&self, who: Caller, identifier: String, channel: Channel) -> ServiceResult<LoginStep> {
        Ok(self.request_code_screen(who, identifier, channel).await?.map(|s| self.card(s)))
    }

    /// "Send a new code", optionally by the other channel.
    pub async fn resend_code(&self, who: Caller, channel: Channel) -> ServiceResult<LoginStep> {
        Ok(self.resend_code_screen(who, channel).await?.map(|s| self.card(s)))
    }

    /// "Use a different email or number": forget the flow in this browser.
    pub async fn restart(&self, who: Caller) -> ServiceResult<LoginStep> {
        Ok(self.restart_screen(who).await?.map(|s| self.card(s)))
    }

    /// Step 2: the code.
    pub async fn verify_code(&self, who: Caller, code: String, next: LocalPath) -> ServiceResult<LoginStep> {
        Ok(self.verify_code_screen(who, code, next).await?.map(|s| self.card(s)))
    }

    /// The messages page; `None` when the browser is not recognised.
    pub async fn inbox(&self, who: Caller) -> ServiceResult<Option<Inbox>> {
        Ok(self.inbox_page(&who).await?.map(|page| page.map(|p| self.inbox_view(p, &who))))
    }

    /// A message; `None` when the browser is not recognised.
    pub async fn message(&self, who: Caller, public_id: String) -> ServiceResult<Option<MessageView>> {
        Ok(self.message_page(&who, public_id).await?.map(|page| page.map(|p| self.message_view(p, &who))))
    }

    /// The login card for a screen, as of now.
    fn card(&self, screen: Screen) -> LoginStep {
        let now = self.now();
        match screen {
            Screen::Start { identifier, channel, outcome, reference } => {
                LoginStep::Identify { identifier, channel, notice: outcome.map(|o| self.notice(o, now)), reference }
            }
            Screen::Code { identifier, channel, resend_at, outcome, reference } => LoginStep::EnterCode(CodeStep {
                identifier,
                channel,
                cooldown_secs: seconds_left(resend_at, now),
                valid_for_secs: self.limits.code_ttl.as_secs(),
                notice: outcome.map(|o| self.notice(o, now)),
                reference,
            }),
            Screen::Done { next } => LoginStep::Done { next: next.into() },
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
                Refusal::Expired => Notice::Expired { valid_for_secs: self.limits.code_ttl.as_secs() },
                Refusal::TooManyAttempts => Notice::TooManyAttempts,
                Refusal::Wrong { attempts_left } => Notice::WrongCode { attempts_left },
                Refusal::Superseded { sent_at, channel } => {
                    Notice::Superseded { newest_sent_at: sent_at.0, sent_secs_ago: now.secs_since(sent_at).max(0), channel }
                }
                Refusal::Withdrawn => Notice::Withdrawn,
            },
        }
    }

    /// The offer to save a passkey: minutes after a code login (not a passkey's),
    /// where passkeys work, unless this browser said "Not now"; with the reason when
    /// the contact keeps needing codes.
    fn offer(&self, hint: &PasskeyHint, who: &Caller) -> Option<PasskeyOffer> {
        let fresh = self.now().secs_since(hint.logged_in_at) <= crate::passkeys::FRESH_LOGIN_SECS;
        (self.passkeys_offered && fresh && !hint.by_passkey && !who.passkey_later).then(|| PasskeyOffer {
            code_login_days: (hint.code_login_days >= 3).then(|| u32::try_from(hint.code_login_days).unwrap_or(u32::MAX)),
        })
    }

    fn message_view(&self, page: MessagePage, who: &Caller) -> MessageView {
        match page {
            MessagePage::Shown { message, contact_name, just_logged_in, hint } => MessageView::Shown {
                title: message.title,
                body_html: message.body_html,
                published_at: message.published_at.0,
                now: self.now().0,
                contact_name,
                just_logged_in,
                passkey_offer: self.offer(&hint, who),
            },
            MessagePage::NotPublished { reference } => MessageView::NotPublished { reference: Some(reference) },
        }
    }

    fn inbox_view(&self, page: InboxPage, who: &Caller) -> Inbox {
        Inbox {
            contact_name: page.contact_name,
            now: self.now().0,
            just_logged_in: page.just_logged_in,
            messages: page
                .messages
                .into_iter()
                .map(|m| MessageSummary { id: m.public_id, title: m.title, published_at: Some(m.published_at.0) })
                .collect(),
            passkeys: page.passkeys.into_iter().map(crate::passkeys::row).collect(),
            passkey_offer: self.offer(&page.hint, who),
        }
    }
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
