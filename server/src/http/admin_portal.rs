//! The administrator port, implemented on the administrator sessions and the store.
//! Every answer needs a live administrator session; the contact's cookies count for
//! nothing here.

use std::sync::Arc;

use app::port::{AdminPortal, BoxFuture, CookieChange, PortResult, Reply};
use app::types::{
    AdminAnswer, AdminLogin, ContactAction, ContactCard, ContactList, ContactRow, DeviceRow, FindingView, MessageSummary, TimelineRow,
};
use domain::Caller;

use crate::admin::Remedy;
use crate::admin::session::{AdminSession, AdminSessions, LogIn};
use crate::clock::Clock;
use crate::login::Limits;
use crate::login::rules::network_of;
use crate::store::{ContactId, ContactQuery, NewEvent, Store, StoreError, What};
use domain::{Identifier, Region, Timestamp};

const PAGE: u32 = 25;
/// Timeline lines on one page of a contact card.
const TIMELINE_PAGE: u32 = 100;

pub struct AdminAdapter {
    /// The organisation's zone: administrators read times as their contacts do.
    pub zone: domain::i18n::Zone,
    pub sessions: AdminSessions,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub region: Region,
    pub limits: Limits,
}

impl AdminAdapter {
    /// "2026-11-28 11:49:16 CET".
    fn stamp(&self, at: Timestamp) -> String {
        domain::i18n::Locale::new(domain::i18n::Lang::En, self.zone.clone()).stamp(at.0)
    }

    fn line(&self, (at, what): (Timestamp, String)) -> TimelineRow {
        TimelineRow { at: self.stamp(at), what }
    }

    async fn session(&self, who: &Caller) -> Result<Option<AdminSession>, StoreError> {
        match &who.admin {
            Some(token) => self.sessions.check(token).await,
            None => Ok(None),
        }
    }

    async fn contacts_now(&self, who: Caller, query: String, page: u32) -> Result<Reply<Option<ContactList>>, StoreError> {
        let Some(session) = self.session(&who).await? else {
            let cookies = if who.admin.is_some() { vec![CookieChange::ClearAdmin] } else { vec![] };
            return Ok(Reply { value: None, cookies });
        };
        let query = query.trim().chars().take(200).collect::<String>();
        let parsed = match Identifier::parse(&query, self.region) {
            _ if query.is_empty() => ContactQuery::All,
            Ok(id) => ContactQuery::Exact(id),
            Err(_) => ContactQuery::Text(query.clone()),
        };
        let page = page.min(10_000);
        let mut found = self.store.search_contacts(&parsed, PAGE + 1, page * PAGE).await?;
        let has_more = found.len() > PAGE as usize;
        found.truncate(PAGE as usize);
        if !query.is_empty() {
            // Every search is in the log, written aside: a page never waits on a lock.
            let what = What::AdminLookup { admin: session.username.clone(), query: Some(query.clone()), contact: None };
            let event = NewEvent::new(None, what);
            self.store.record_event_aside("admin lookup", event, self.clock.now()).await;
        }
        let rows = found.into_iter().map(row).collect();
        Ok(Reply::plain(Some(ContactList { admin: session.username, query, page, has_more, rows })))
    }
}

impl AdminPortal for AdminAdapter {
    fn log_in(&self, who: Caller, username: String, password: String) -> BoxFuture<'_, PortResult<AdminLogin>> {
        Box::pin(async move {
            let network = network_of(who.ip, self.limits.ipv6_prefix);
            let attempt = self.sessions.log_in(&network, who.admin_browser.as_ref(), &username, &password).await;
            let max_age_secs = i64::try_from(self.sessions.limits().known_for.as_secs()).unwrap_or(i64::MAX);
            super::portal::failure(attempt.map(|outcome| match outcome {
                LogIn::LoggedIn { token, browser, .. } => {
                    let mut cookies = vec![CookieChange::SetAdmin(token.expose().to_string())];
                    cookies.extend(browser.map(|b| CookieChange::SetAdminBrowser { token: b.expose().to_string(), max_age_secs }));
                    Reply { value: AdminLogin::LoggedIn, cookies }
                }
                LogIn::Refused => Reply::plain(AdminLogin::Refused),
                LogIn::Throttled => Reply::plain(AdminLogin::Throttled),
            }))
        })
    }

    fn log_out(&self, who: Caller) -> BoxFuture<'_, PortResult<()>> {
        Box::pin(async move {
            let ended = match &who.admin {
                Some(token) => self.sessions.log_out(token).await,
                None => Ok(()),
            };
            super::portal::failure(ended.map(|()| Reply { value: (), cookies: vec![CookieChange::ClearAdmin] }))
        })
    }

    fn contacts(&self, who: Caller, query: String, page: u32) -> BoxFuture<'_, PortResult<Option<ContactList>>> {
        Box::pin(async move { super::portal::failure(self.contacts_now(who, query, page).await) })
    }

    fn contact(&self, who: Caller, id: i64, older: Option<i64>) -> BoxFuture<'_, PortResult<AdminAnswer<ContactCard>>> {
        Box::pin(async move { super::portal::failure(self.card(who, id, older).await) })
    }

    fn act(&self, who: Caller, id: i64, action: ContactAction) -> BoxFuture<'_, PortResult<AdminAnswer<()>>> {
        Box::pin(async move { super::portal::failure(self.act_now(who, id, action).await) })
    }
}

impl AdminAdapter {
    async fn card(&self, who: Caller, id: i64, older: Option<i64>) -> Result<Reply<AdminAnswer<ContactCard>>, StoreError> {
        let Some(session) = self.session(&who).await? else { return Ok(Reply::plain(AdminAnswer::LoggedOut)) };
        let Some(contact) = self.store.contact(ContactId(id)).await? else { return Ok(Reply::plain(AdminAnswer::NotFound)) };
        let now = self.clock.now();
        let what = What::AdminLookup { admin: session.username.clone(), query: None, contact: Some(id) };
        self.store.record_event_aside("admin lookup", NewEvent::new(Some(contact.id), what), now).await;
        let findings = crate::admin::diagnose_contact(&self.store, &contact, self.region, now).await?;
        let l = &self.limits;
        let devices = self
            .store
            .devices_of(contact.id)
            .await?
            .into_iter()
            .map(|d| DeviceRow {
                id: d.id,
                browser: d.browser.clone().unwrap_or_else(|| "an unknown browser".into()),
                first_seen: self.stamp(d.created_at),
                last_seen: self.stamp(d.last_seen_at),
                active: crate::login::rules::device_is_valid(&d, now, l.device_idle, l.device_max_age),
            })
            .collect();
        let passkeys = self.store.passkeys_of(contact.id).await?.into_iter().map(super::portal::passkey_row).collect();
        let published = self.store.inbox(contact.id).await?;
        let publishable: Vec<MessageSummary> = self
            .store
            .messages()
            .await?
            .into_iter()
            .filter(|m| !published.iter().any(|p| p.public_id == m.public_id))
            .map(|m| MessageSummary { id: m.public_id, title: m.title, published_at: None })
            .collect();
        let messages = published
            .into_iter()
            .map(|m| MessageSummary { id: m.public_id, title: m.title, published_at: Some(m.published_at.0) })
            .collect();
        let since = Timestamp(now.0 - crate::admin::diagnosis::WINDOW_SECS);
        let mut page = self.store.timeline_page(contact.id, since, older, TIMELINE_PAGE + 1).await?;
        let older = (page.len() > TIMELINE_PAGE as usize).then(|| page[TIMELINE_PAGE as usize - 1].0);
        page.truncate(TIMELINE_PAGE as usize);
        let timeline = page.iter().map(|(_, e)| self.line(crate::admin::diagnosis::describe(e))).collect();
        let findings = findings
            .into_iter()
            .map(|f| {
                // The one-click publication names the message by its stored title, and
                // is offered only for a message that exists and is not theirs yet: the
                // id in the finding came from an address the contact opened.
                let (remedy, remedy_label) = match f.remedy {
                    Some(Remedy::OptIn(channel)) => (Some(ContactAction::OptIn(channel)), None),
                    Some(Remedy::Publish(ids)) => match publishable.iter().find(|m| ids.contains(&m.id)) {
                        Some(m) => (Some(ContactAction::Publish(m.id.clone())), Some(format!("Publish “{}” to them", m.title))),
                        None => (None, None),
                    },
                    None => (None, None),
                };
                FindingView {
                    remedy,
                    remedy_label,
                    cause: f.cause,
                    advice: f.advice,
                    evidence: f.evidence.into_iter().map(|e| self.line(e)).collect(),
                }
            })
            .collect();
        Ok(Reply::plain(AdminAnswer::Shown(ContactCard {
            admin: session.username,
            language: contact.language,
            contact: row(contact),
            findings,
            devices,
            passkeys,
            messages,
            publishable,
            timeline,
            older,
        })))
    }

    async fn act_now(&self, who: Caller, id: i64, action: ContactAction) -> Result<Reply<AdminAnswer<()>>, StoreError> {
        let Some(session) = self.session(&who).await? else { return Ok(Reply::plain(AdminAnswer::LoggedOut)) };
        let Some(contact) = self.store.contact(ContactId(id)).await? else { return Ok(Reply::plain(AdminAnswer::NotFound)) };
        let (now, now_ms) = (self.clock.now(), self.clock.now_ms());
        let by = domain::Actor::Administrator(session.username.clone());
        match action {
            ContactAction::OptOut(channel) | ContactAction::OptIn(channel) => {
                let out = matches!(action, ContactAction::OptOut(_));
                crate::contacts::set_opt_out(&self.store, &contact, channel, out, &by, now, now_ms).await?;
            }
            ContactAction::Revoke(device) => {
                if crate::contacts::forget_browsers(&self.store, &contact, device, &by, now).await? == crate::contacts::Forgotten::default()
                {
                    return Ok(Reply::plain(AdminAnswer::NotFound));
                }
            }
            ContactAction::RemovePasskey(passkey) => {
                if !crate::passkeys::remove(&self.store, contact.id, passkey, &by, now).await? {
                    return Ok(Reply::plain(AdminAnswer::NotFound));
                }
            }
            ContactAction::Publish(message) => {
                let what = What::MessagePublished {
                    by: by.clone(),
                    message: message.trim().to_string(),
                    admin: Some(session.username.clone()),
                    published: None,
                    unpublished: None,
                };
                let event = NewEvent::new(Some(contact.id), what);
                match self.store.publish_with(message.trim(), contact.id, now, Some(event)).await {
                    Err(StoreError::NotFound(_)) => return Ok(Reply::plain(AdminAnswer::NotFound)),
                    other => other?,
                }
            }
        }
        Ok(Reply::plain(AdminAnswer::Shown(())))
    }
}

fn row(c: crate::store::Contact) -> ContactRow {
    ContactRow {
        id: c.id.0,
        name: c.name,
        email: c.email.map(|e| e.as_str().to_string()),
        phone: c.phone.map(|p| p.as_str().to_string()),
        email_opt_out: c.email_opt_out,
        sms_opt_out: c.sms_opt_out,
    }
}
