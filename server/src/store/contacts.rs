use sqlx::AssertSqlSafe;

use app::types::Channel;

use super::{Store, StoreError, StoreResult, unique_violation};
use crate::domain::{EmailAddress, Identifier, PhoneNumber, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContactId(pub i64);

#[derive(Debug, Clone)]
pub struct NewContact {
    pub name: String,
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
    pub email_opt_out: bool,
    pub sms_opt_out: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub email_opt_out: bool,
    pub sms_opt_out: bool,
}

impl Contact {
    /// Where a code by `channel` would go: `None` when the contact has no such
    /// address or opted out of it.
    pub fn address(&self, channel: Channel) -> Option<&str> {
        match channel {
            Channel::Email if !self.email_opt_out => self.email.as_deref(),
            Channel::Sms if !self.sms_opt_out => self.phone.as_deref(),
            _ => None,
        }
    }

    /// Whether the contact has an address for `channel` at all (opted out or not).
    pub fn address_exists(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email.is_some(),
            Channel::Sms => self.phone.is_some(),
        }
    }
}

type ContactRow = (i64, String, Option<String>, Option<String>, bool, bool);

fn contact((id, name, email, phone, email_opt_out, sms_opt_out): ContactRow) -> Contact {
    Contact { id: ContactId(id), name, email, phone, email_opt_out, sms_opt_out }
}

const COLUMNS: &str = "id, name, email, phone, email_opt_out, sms_opt_out";

impl Store {
    pub async fn add_contact(&self, new: &NewContact, now: Timestamp) -> StoreResult<ContactId> {
        let result = sqlx::query(
            "INSERT INTO contacts (name, email, phone, email_opt_out, sms_opt_out, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&new.name)
        .bind(new.email.as_ref().map(EmailAddress::as_str))
        .bind(new.phone.as_ref().map(PhoneNumber::as_str))
        .bind(new.email_opt_out)
        .bind(new.sms_opt_out)
        .bind(now.0)
        .execute(&self.pool)
        .await;
        match result {
            Ok(done) => Ok(ContactId(done.last_insert_rowid())),
            Err(e) => Err(match unique_violation(&e) {
                Some(m) if m.contains("email") => StoreError::Conflict(format!(
                    "another contact already has the email {}",
                    new.email.as_ref().map(EmailAddress::as_str).unwrap_or_default()
                )),
                Some(_) => StoreError::Conflict(format!(
                    "another contact already has the phone number {}",
                    new.phone.as_ref().map(PhoneNumber::as_str).unwrap_or_default()
                )),
                None => e.into(),
            }),
        }
    }

    pub async fn find_contact(&self, who: &Identifier) -> StoreResult<Option<Contact>> {
        let (column, value) = match who {
            Identifier::Email(e) => ("email", e.as_str()),
            Identifier::Phone(p) => ("phone", p.as_str()),
        };
        let row: Option<ContactRow> = sqlx::query_as(AssertSqlSafe(format!("SELECT {COLUMNS} FROM contacts WHERE {column} = ?")))
            .bind(value)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(contact))
    }

    pub async fn contact(&self, id: ContactId) -> StoreResult<Option<Contact>> {
        let row: Option<ContactRow> = sqlx::query_as(AssertSqlSafe(format!("SELECT {COLUMNS} FROM contacts WHERE id = ?")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(contact))
    }

    pub async fn contacts(&self) -> StoreResult<Vec<Contact>> {
        let rows: Vec<ContactRow> =
            sqlx::query_as(AssertSqlSafe(format!("SELECT {COLUMNS} FROM contacts ORDER BY id"))).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(contact).collect())
    }

    pub async fn set_opt_out(&self, id: ContactId, channel: Channel, opted_out: bool) -> StoreResult<()> {
        let column = match channel {
            Channel::Email => "email_opt_out",
            Channel::Sms => "sms_opt_out",
        };
        sqlx::query(AssertSqlSafe(format!("UPDATE contacts SET {column} = ? WHERE id = ?")))
            .bind(opted_out)
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes a contact with its publications, login flows, codes and devices. The
    /// event log keeps what happened.
    pub async fn remove_contact(&self, id: ContactId) -> StoreResult<()> {
        sqlx::query("DELETE FROM contacts WHERE id = ?").bind(id.0).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn contact_count(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM contacts").fetch_one(&self.pool).await?)
    }
}
