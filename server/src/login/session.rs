//! After the code: remembered browsers, what they may read, and logging out.

use app::port::{CookieChange, Reply, Visitor};
use app::types::{Inbox, LoginStep, MessageSummary, MessageView, Notice};
use serde_json::json;

use super::rules;
use super::service::{ServiceError, ServiceResult};
use super::LoginService;
use crate::domain::Token;
use crate::store::{Contact, ContactId, Device, EventKind, Flow};

/// A recognised browser: its device and contact, and cookies to clear if it was not.
struct Recognised {
    found: Option<(Device, Contact)>,
    cookies: Vec<CookieChange>,
}

/// A visit counts as new (and is logged as "device recognised") after this much quiet.
const VISIT_GAP_SECS: i64 = 30 * 60;

impl LoginService {
    /// The code was right: remember this browser with a new device token. A device
    /// cookie the browser already had stops working (a fresh token at every login).
    pub(super) async fn log_in(&self, who: &Visitor, flow: &Flow, contact: ContactId, next: String) -> ServiceResult<LoginStep> {
        let token = Token::generate()?;
        let now = self.now();
        if let Some(old) = who.device_token.as_deref().and_then(Token::from_cookie)
            && let Some(device) = self.store.device_by_token(&old.hash()).await? {
                self.store.revoke_device(device.id, now).await?;
            }
        let device = self.store.add_device(contact, &token.hash(), now).await?;
        self.store.complete_flow(flow.id, now).await?;
        self.event(EventKind::LoginSucceeded, Some(contact), json!({ "device": device, "channel": flow.channel.as_str() })).await?;
        let max_age = i64::try_from(self.limits.device_max_age.as_secs()).unwrap_or(i64::MAX);
        Ok(Reply {
            value: LoginStep::Done { next },
            cookies: vec![CookieChange::SetDevice { token: token.expose().to_string(), max_age_secs: max_age }, CookieChange::ClearFlow],
        })
    }

    async fn recognise(&self, who: &Visitor) -> Result<Recognised, ServiceError> {
        let Some(token) = who.device_token.as_deref().and_then(Token::from_cookie) else {
            return Ok(Recognised { found: None, cookies: vec![] });
        };
        let forget = || Ok(Recognised { found: None, cookies: vec![CookieChange::ClearDevice] });
        let Some(device) = self.store.device_by_token(&token.hash()).await? else {
            return forget();
        };
        let now = self.now();
        if !rules::device_is_valid(&device, now, self.limits.device_idle, self.limits.device_max_age) {
            if !device.revoked {
                self.event(EventKind::DeviceExpired, Some(device.contact), json!({ "device": device.id })).await?;
            }
            return forget();
        }
        let Some(contact) = self.store.contact(device.contact).await? else {
            return forget();
        };
        if now.secs_since(device.last_seen_at) >= VISIT_GAP_SECS {
            self.event(EventKind::DeviceRecognised, Some(contact.id), json!({ "device": device.id })).await?;
        }
        // Idle expiry counts in days: one write a minute per browser is plenty.
        if now.secs_since(device.last_seen_at) >= 60 {
            self.store.touch_device(device.id, now).await?;
        }
        Ok(Recognised { found: Some((device, contact)), cookies: vec![] })
    }

    /// What `/login` shows: done when recognised, the code step while a flow runs,
    /// otherwise step 1 (with a notice carried in the address, see the API).
    pub async fn login_state(&self, who: Visitor, next: String, notice: Option<Notice>) -> ServiceResult<LoginStep> {
        let recognised = self.recognise(&who).await?;
        if recognised.found.is_some() {
            return Ok(Reply { value: LoginStep::Done { next }, cookies: recognised.cookies });
        }
        let value = match self.active_flow(&who).await? {
            Some(flow) => {
                let notice = flow.notice.as_deref().and_then(|n| serde_json::from_str::<Notice>(n).ok());
                // Clears the stored notice: it is shown once, and a reload starts clean.
                match self.code_step(&flow, None).await? {
                    LoginStep::EnterCode(mut step) => {
                        step.notice = notice;
                        LoginStep::EnterCode(step)
                    }
                    other => other,
                }
            }
            None => LoginStep::Identify { identifier: String::new(), channel: Default::default(), notice },
        };
        Ok(Reply { value, cookies: recognised.cookies })
    }

    /// "Use a different email or number".
    pub async fn restart(&self, who: Visitor) -> ServiceResult<LoginStep> {
        if let Some(flow) = self.flow(&who).await? {
            self.store.delete_flow(flow.id).await?;
        }
        Ok(Reply { value: LoginStep::start(), cookies: vec![CookieChange::ClearFlow] })
    }

    pub async fn inbox(&self, who: Visitor) -> ServiceResult<Option<Inbox>> {
        let Recognised { found, cookies } = self.recognise(&who).await?;
        let Some((device, contact)) = found else {
            return Ok(Reply { value: None, cookies });
        };
        let messages = self.store.inbox(contact.id).await?;
        let inbox = Inbox {
            contact_name: contact.name,
            just_logged_in: self.store.welcome_device(device.id).await?,
            messages: messages
                .into_iter()
                .map(|m| MessageSummary { id: m.public_id, title: m.title, published_at: m.published_at.utc() })
                .collect(),
        };
        Ok(Reply { value: Some(inbox), cookies })
    }

    pub async fn message(&self, who: Visitor, public_id: String) -> ServiceResult<Option<MessageView>> {
        let Recognised { found, cookies } = self.recognise(&who).await?;
        let Some((device, contact)) = found else {
            return Ok(Reply { value: None, cookies });
        };
        let view = match self.store.published_message(contact.id, &public_id).await? {
            Some(m) => {
                MessageView::Shown {
                    title: m.title,
                    body_html: m.body_html,
                    published_at: m.published_at.utc(),
                    contact_name: contact.name,
                    // The first page after logging in may be a message: say it there too.
                    just_logged_in: self.store.welcome_device(device.id).await?,
                }
            }
            None => {
                self.event(EventKind::MessageRefused, Some(contact.id), json!({ "message": public_id, "reason": "not_published" })).await?;
                MessageView::NotPublished
            }
        };
        Ok(Reply { value: Some(view), cookies })
    }

    pub async fn log_out(&self, who: Visitor) -> ServiceResult<()> {
        if let Some(token) = who.device_token.as_deref().and_then(Token::from_cookie)
            && let Some(device) = self.store.device_by_token(&token.hash()).await? {
                self.store.revoke_device(device.id, self.now()).await?;
                self.event(EventKind::LoggedOut, Some(device.contact), json!({ "device": device.id })).await?;
            }
        Ok(Reply { value: (), cookies: vec![CookieChange::ClearDevice, CookieChange::ClearFlow] })
    }
}
