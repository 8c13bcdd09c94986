//! The administrator's side of a contact: the list and search, the contact card (what
//! it shows, assembled from the store and the diagnosis), and what its buttons do.
//! Every change is one transaction with its event, through the same functions the API
//! and the command line call (`contacts`, `passkeys`, the store's publications). The web
//! layer (`http/admin_portal.rs`) only checks the session and maps the answers.

use domain::view::{
    ContactAction, ContactCard, ContactList, ContactRow, DeviceRow, FindingView, MessageSummary, ReferenceView, TestMessageRow, TimelineRow,
};
use domain::{Actor, Identifier, SupportRef, Timestamp};

use super::Remedy;
use crate::store::{AtStep, Contact, ContactId, ContactQuery, JobPurpose, NewEvent, StoreError, SupportRefRecord, Told, What};

/// Contacts on one page of the list.
const PAGE: u32 = 25;
/// Timeline lines on one page of a contact card.
const TIMELINE_PAGE: u32 = 100;

pub use super::{Acted, Cards};

impl Cards {
    /// "2026-11-28 11:49:16 CET".
    pub(super) fn stamp(&self, at: Timestamp) -> String {
        domain::i18n::Locale::new(domain::i18n::Lang::En, self.zone.clone()).stamp(at.0)
    }

    fn line(&self, (at, what): (Timestamp, String)) -> TimelineRow {
        TimelineRow { at: self.stamp(at), what }
    }

    /// Contacts matching `query` (a name, or an email or number as a contact would type
    /// it), a page at a time; or, for a support reference, the attempts it names. Every
    /// search is in the log, written aside: a page never waits on a lock.
    pub async fn search(&self, admin: &str, query: &str, page: u32) -> Result<ContactList, StoreError> {
        let query = query.trim().chars().take(200).collect::<String>();
        let references = match SupportRef::parse(&query) {
            Some(reference) => {
                let found = self.store.support_refs(&reference).await?;
                let mut views = Vec::with_capacity(found.len());
                for r in &found {
                    views.push(self.reference_view(r).await?);
                }
                views
            }
            None => Vec::new(),
        };
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
            let what = What::AdminLookup { admin: admin.to_string(), query: Some(query.clone()), contact: None };
            self.store.record_event_aside("admin lookup", NewEvent::new(None, what), self.clock.now()).await;
        }
        let rows = found.into_iter().map(row).collect();
        Ok(ContactList { admin: admin.to_string(), query, page, has_more, rows, references })
    }

    /// The attempt a reference names, as an administrator reads it. A message is named
    /// by its title while it exists.
    pub async fn reference_view(&self, r: &SupportRefRecord) -> Result<ReferenceView, StoreError> {
        let step = match r.step {
            AtStep::SendCode => "Send code",
            AtStep::NewCode => "Send a new code",
            AtStep::CodeEntry => "a code entry",
            AtStep::Message => "opening a message",
        };
        let typed = match (r.step, &r.typed) {
            (AtStep::Message, Some(id)) => Some(self.message_name(id).await?),
            (_, typed) => typed.clone(),
        };
        // The contact may have been removed since: then it names nobody.
        let contact = match r.contact {
            Some(id) => self.store.contact(id).await?.map(|c| c.id.0),
            None => None,
        };
        Ok(ReferenceView {
            reference: r.reference.to_string(),
            at: self.stamp(r.at),
            step: step.to_string(),
            told: told(r.told).to_string(),
            typed,
            network: r.network.clone(),
            browser: r.browser.clone(),
            contact,
        })
    }

    /// A message as administrators know it (`diagnosis::message_name`).
    async fn message_name(&self, id: &str) -> Result<String, StoreError> {
        Ok(super::diagnosis::message_name(id, self.store.message_title(id).await?.as_deref()))
    }

    /// A contact's card, its timeline a page of the newest events (or of those before
    /// event `older`); `None` when there is no such contact. The look-up is logged aside.
    /// Opened from a support reference of theirs, it says what that attempt was and its
    /// timeline starts at that moment.
    pub async fn card(
        &self,
        admin: &str,
        id: i64,
        older: Option<i64>,
        reference: Option<&SupportRef>,
        watch: bool,
    ) -> Result<Option<ContactCard>, StoreError> {
        let Some(contact) = self.store.contact(ContactId(id)).await? else { return Ok(None) };
        let now = self.clock.now();
        let attempt = match reference {
            Some(reference) => self.store.support_refs(reference).await?.into_iter().find(|r| r.contact == Some(contact.id)),
            None => None,
        };
        let older = match (&attempt, older) {
            (Some(r), None) => self.store.first_event_after(contact.id, r.at).await?,
            (_, older) => older,
        };
        let reference = match &attempt {
            Some(r) => Some(self.reference_view(r).await?),
            None => None,
        };
        let test_jobs =
            self.store.recent_jobs(contact.id, JobPurpose::Test, Timestamp(now.0 - 86_400), super::test_message::TESTS_SHOWN).await?;
        // Looking again while following a test message this administrator sent in the
        // last 15 minutes is the same look-up (the test itself is logged in their name).
        let theirs = |j: &crate::store::JobRecord| j.requested_by.as_deref() == Some(admin) && now.0 - j.created_at.0 <= 15 * 60;
        let following = watch && test_jobs.iter().any(theirs);
        // The page looks again only for the administrator who sent a test that is still
        // on its way (and never past its expiry): another administrator's open card,
        // or a stale `?watch=`, does not refresh.
        let now_ms = self.clock.now_ms();
        let watching = following && test_jobs.iter().any(|j| theirs(j) && j.status.pending() && now_ms <= j.expires_at_ms);
        if !following {
            let what = What::AdminLookup { admin: admin.to_string(), query: None, contact: Some(id) };
            self.store.record_event_aside("admin lookup", NewEvent::new(Some(contact.id), what), now).await;
        }
        let findings = super::diagnose_contact(&self.store, &contact, self.region, now).await?;
        let tests: Vec<TestMessageRow> = test_jobs.into_iter().rev().map(|j| self.test_row(j)).collect();
        let delivery = self.troubles_of(&contact).await?;
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
        let passkeys = self.store.passkeys_of(contact.id).await?.into_iter().map(crate::passkeys::row).collect();
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
        let since = Timestamp(now.0 - super::diagnosis::WINDOW_SECS);
        let mut page = self.store.timeline_page(contact.id, since, older, TIMELINE_PAGE + 1).await?;
        let older = (page.len() > TIMELINE_PAGE as usize).then(|| page[TIMELINE_PAGE as usize - 1].0);
        page.truncate(TIMELINE_PAGE as usize);
        let events: Vec<crate::store::Event> = page.into_iter().map(|(_, e)| e).collect();
        let titles = super::message_titles(&self.store, &events).await?;
        let timeline = events.iter().map(|e| self.line(super::diagnosis::describe(e, &titles))).collect();
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
        Ok(Some(ContactCard {
            admin: admin.to_string(),
            language: contact.language,
            contact: row(contact),
            findings,
            devices,
            passkeys,
            messages,
            publishable,
            timeline,
            older,
            reference,
            watching,
            tests,
            delivery,
        }))
    }

    /// Does what a button on contact `id`'s card says, in the administrator's name.
    pub async fn act(&self, admin: &str, id: i64, action: ContactAction) -> Result<Acted, StoreError> {
        let Some(contact) = self.store.contact(ContactId(id)).await? else { return Ok(Acted::NotFound) };
        let (now, now_ms) = (self.clock.now(), self.clock.now_ms());
        let by = Actor::Administrator(admin.to_string());
        match action {
            ContactAction::OptOut(channel) | ContactAction::OptIn(channel) => {
                let out = matches!(action, ContactAction::OptOut(_));
                crate::contacts::set_opt_out(&self.store, &contact, channel, out, &by, now, now_ms).await?;
            }
            ContactAction::Revoke(device) => {
                if crate::contacts::forget_browsers(&self.store, &contact, device, &by, now).await? == crate::contacts::Forgotten::default()
                {
                    return Ok(Acted::NotFound);
                }
            }
            ContactAction::RemovePasskey(passkey) => {
                if !crate::passkeys::remove(&self.store, contact.id, passkey, &by, now).await? {
                    return Ok(Acted::NotFound);
                }
            }
            ContactAction::Publish(message) => {
                let message = message.trim().to_string();
                let what = What::MessagePublished {
                    by: Some(by),
                    message: message.clone(),
                    admin: Some(admin.to_string()),
                    published: None,
                    unpublished: None,
                };
                match self.store.publish_with(&message, contact.id, now, Some(NewEvent::new(Some(contact.id), what))).await {
                    Err(StoreError::NotFound(_)) => return Ok(Acted::NotFound),
                    other => other?,
                }
            }
            ContactAction::TestMessage(channel) => return self.send_test(admin, &contact, channel).await,
        }
        Ok(Acted::Done)
    }
}

/// What the contact was told, in the administrator's words.
fn told(told: Told) -> &'static str {
    match told {
        Told::NoFlow => {
            "no login was in progress in that browser: the code was typed in another browser or a private window, or cookies were deleted or blocked"
        }
        Told::NetworkLimited => "their network had made too many requests in an hour (a VPN or a shared network?)",
        Told::Locked => "too many wrong codes for this address from that network: locked for a while",
        Told::Expired => "the code had expired",
        Told::TooManyAttempts => "too many wrong attempts at that code: it no longer works",
        Told::WrongCode => "the code was wrong",
        Told::OlderCode => "that was an earlier code of the login, replaced by a newer one",
        Told::Withdrawn => "the code was withdrawn: they were opted out or their address changed after it was sent",
        Told::NotPublished => "the message is not published to them",
    }
}

fn row(c: Contact) -> ContactRow {
    ContactRow {
        id: c.id.0,
        name: c.name,
        email: c.email.map(|e| e.as_str().to_string()),
        phone: c.phone.map(|p| p.as_str().to_string()),
        email_opt_out: c.email_opt_out,
        sms_opt_out: c.sms_opt_out,
    }
}
