//! "Send a test message" on the contact card (issue 24): a message with no code, to see
//! while the contact is on the phone whether messages reach them. Limited per contact
//! (not against their codes), and for SMS like a code (countries, number block, hourly
//! budget); written with its event in the administrator's name, and followed on the
//! card until the server or provider has answered.

use domain::view::TestMessageRow;
use domain::{Channel, Timestamp};

use super::{Acted, Cards};
use crate::store::{Contact, JobClaim, JobRecord, JobStatus, Key, Lock, NewEvent, NewJob, Scope, StoreError, TestStatus, What};

/// Test messages to one contact in an hour, by both channels together. They do not
/// count against the contact's own code limits: a test never keeps a code from them.
pub const TESTS_PER_HOUR: u32 = 3;
/// Test messages one administrator sends in an hour, to everyone: what a stolen
/// session could send.
pub const TESTS_PER_ADMIN_HOUR: u32 = 20;
/// Test text messages of the whole portal in an hour, on top of the codes' budget
/// (which tests never spend: they only stop when it is spent).
pub const TEST_SMS_PER_HOUR: u32 = 20;
/// Test messages a card lists (the last day's, newest first).
pub(super) const TESTS_SHOWN: u32 = 5;

impl Cards {
    /// A test message as the card lists it.
    pub(super) fn test_row(&self, j: JobRecord) -> TestMessageRow {
        let server = match j.channel {
            Channel::Email => "the mail server",
            Channel::Sms => "the SMS provider",
        };
        let status = match j.status {
            JobStatus::Queued if j.last_error.is_some() => format!("Deferred by {server}; trying again"),
            JobStatus::Queued => "Queued".to_string(),
            JobStatus::Sending => "Sending".to_string(),
            JobStatus::Sent => format!("Accepted by {server}"),
            JobStatus::Delivered => "Delivered: the provider's receipt says it arrived".to_string(),
            JobStatus::Undelivered => "Not delivered: the provider's receipt says it did not arrive".to_string(),
            JobStatus::Failed => format!("Failed: {server} refused it"),
            JobStatus::Expired => format!("Given up: {server} did not take it in time"),
            JobStatus::Cancelled => "Cancelled".to_string(),
        };
        let said = if j.status.handed_over() { j.answer.clone() } else { j.last_error.clone() }.or(j.answer);
        TestMessageRow {
            at: self.stamp(j.created_at),
            channel: j.channel,
            to: j.recipient,
            by: j.requested_by.unwrap_or_default(),
            status,
            said,
            pending: j.status.pending(),
        }
    }

    /// Sends a test message to `contact` by `channel` in `admin`'s name: limited per
    /// contact and per administrator, and for SMS by the country list, the codes' limits
    /// (a test waits while the number block's or the portal's are spent, and spends
    /// neither) and a test budget of its own. Its job and event are one transaction;
    /// it is sent straight after the commit when a worker has a place.
    pub(super) async fn send_test(&self, admin: &str, contact: &Contact, channel: Channel) -> Result<Acted, StoreError> {
        let Some(outbox) = &self.outbox else { return Ok(Acted::Refused("test-unavailable")) };
        let Some(to) = contact.address(channel) else {
            return Ok(Acted::Refused(if contact.address_exists(channel) { "test-opted-out" } else { "test-no-address" }));
        };
        let l = &self.limits;
        let (now, now_ms) = (self.clock.now(), self.clock.now_ms());
        let hour_ago = Timestamp(now.0 - 3_600);
        let mut tx = self.store.begin().await?;
        let (by_contact, by_admin) = (Key::Contact(contact.id), Key::Identifier(format!("admin:{admin}")));
        let mut hits = vec![(Scope::TestMessages, by_contact.clone()), (Scope::TestMessages, by_admin.clone())];
        let mut locks = vec![Lock::from(&by_admin), Lock::from(&by_contact)];
        let block = contact.phone.as_ref().map(|p| Key::Block(p.prefix().to_string()));
        if let (Channel::Sms, Some(block)) = (channel, &block) {
            locks.extend([Lock::from(block), Lock::SmsBudget]);
        }
        tx.lock(&locks).await?;
        if tx.count_hits(Scope::TestMessages, &by_contact, hour_ago).await? >= TESTS_PER_HOUR {
            return Ok(Acted::Refused("test-limit"));
        }
        if tx.count_hits(Scope::TestMessages, &by_admin, hour_ago).await? >= TESTS_PER_ADMIN_HOUR {
            return Ok(Acted::Refused("test-admin-limit"));
        }
        if let (Channel::Sms, Some(phone), Some(block)) = (channel, &contact.phone, block) {
            if !phone.calling_code().is_some_and(|c| l.sms_countries.contains(&c)) {
                return Ok(Acted::Refused("test-sms-country"));
            }
            if tx.count_hits(Scope::SmsBlock, &block, hour_ago).await? >= l.sms_prefix_per_hour
                || tx.count_hits(Scope::Sms, &Key::Everyone, hour_ago).await? >= l.sms_per_hour
                || tx.count_hits(Scope::TestSms, &Key::Everyone, hour_ago).await? >= TEST_SMS_PER_HOUR
            {
                return Ok(Acted::Refused("test-sms-limit"));
            }
            hits.push((Scope::TestSms, Key::Everyone));
        }
        let locale = domain::i18n::Locale::new(contact.language.unwrap_or_default(), outbox.zone.clone());
        let text = crate::delivery::test_message(&outbox.organisation, now, &locale);
        let payload = outbox.sealer.seal(&text.subject, &text.body).map_err(|e| StoreError::Conflict(e.to_string()))?;
        // Sent straight after the commit when a worker of this process has a place.
        let reservation = outbox.worker.reserve();
        let job = NewJob {
            channel,
            recipient: to.to_string(),
            payload,
            // Tried for as long as a code would be.
            expires_at_ms: now_ms.saturating_add(i64::try_from(l.code_ttl.as_millis()).unwrap_or(i64::MAX)),
            destination: crate::delivery::destination(channel, to),
            claimed: reservation.as_ref().map(|r| JobClaim { owner: r.owner.clone(), lease_until_ms: r.lease_until_ms }),
        };
        let (job_id, claimed) = tx.insert_test_job(&job, contact.id, admin, now_ms).await?;
        tx.record_hits(&hits, now).await?;
        let what = What::TestMessage {
            job: job_id,
            channel,
            to: to.to_string(),
            status: TestStatus::Requested,
            admin: Some(admin.to_string()),
            provider: None,
            said: None,
        };
        tx.record_events(&[NewEvent::new(Some(contact.id), what)], now).await?;
        let handed = match (reservation, claimed) {
            (Some(reservation), Some(job)) => Some(outbox.worker.handed_off(reservation, job)),
            _ => None,
        };
        tx.commit().await?;
        match handed {
            Some(job) => job.send(),
            None => outbox.worker.wake(),
        }
        Ok(Acted::Done)
    }
}
