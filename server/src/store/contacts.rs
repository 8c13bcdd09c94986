use sqlx::{AssertSqlSafe, FromRow};

use domain::Channel;

use super::{Ex, Store, StoreError, StoreResult, Tx, sql, unique_violation};
use domain::{EmailAddress, Identifier, PhoneNumber, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
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
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
    pub email_opt_out: bool,
    pub sms_opt_out: bool,
    /// The language of their last login; their codes are written in it.
    pub language: Option<domain::i18n::Lang>,
}

impl Contact {
    /// Where a code by `channel` would go: `None` when the contact has no such
    /// address or opted out of it.
    pub fn address(&self, channel: Channel) -> Option<&str> {
        match channel {
            Channel::Email if !self.email_opt_out => self.email.as_ref().map(EmailAddress::as_str),
            Channel::Sms if !self.sms_opt_out => self.phone.as_ref().map(PhoneNumber::as_str),
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

    /// Whether any code could reach the contact: some channel with an address they
    /// did not opt out of.
    pub fn reachable(&self) -> bool {
        self.address(Channel::Email).is_some() || self.address(Channel::Sms).is_some()
    }
}

/// What an administrator searches contacts by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactQuery {
    All,
    /// An email or a phone number, parsed as the login parses it.
    Exact(Identifier),
    Text(String),
}

#[derive(FromRow)]
pub(super) struct ContactRow {
    id: i64,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    email_opt_out: bool,
    sms_opt_out: bool,
    language: Option<String>,
}

/// Stored addresses are read back strictly: one that no longer parses is an error.
impl TryFrom<ContactRow> for Contact {
    type Error = StoreError;
    fn try_from(r: ContactRow) -> StoreResult<Contact> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("contact {}: {what}", r.id));
        let email = r.email.as_deref().map(EmailAddress::parse).transpose().map_err(|e| corrupt(&e.to_string()))?;
        let phone = r.phone.as_deref().map(PhoneNumber::from_stored).transpose().map_err(|e| corrupt(&e.to_string()))?;
        // A language this version does not speak is as good as none.
        let language = r.language.as_deref().and_then(domain::i18n::Lang::parse);
        Ok(Contact {
            id: ContactId(r.id),
            name: r.name,
            email,
            phone,
            email_opt_out: r.email_opt_out,
            sms_opt_out: r.sms_opt_out,
            language,
        })
    }
}

pub(super) const COLUMNS: &str = "id, name, email, phone, email_opt_out, sms_opt_out, language";

/// A contact by email or phone number, in or outside a transaction.
pub(super) async fn find<'a>(ex: impl Into<Ex<'a>>, who: &Identifier) -> StoreResult<Option<Contact>> {
    let (column, value) = match who {
        Identifier::Email(e) => ("email", e.as_str()),
        Identifier::Phone(p) => ("phone", p.as_str()),
    };
    let row: Option<ContactRow> =
        sql(AssertSqlSafe(format!("SELECT {COLUMNS} FROM contacts WHERE {column} = $1"))).bind(value).fetch_optional(ex).await?;
    row.map(Contact::try_from).transpose()
}

pub(super) async fn by_id<'a>(ex: impl Into<Ex<'a>>, id: ContactId) -> StoreResult<Option<Contact>> {
    let row: Option<ContactRow> =
        sql(AssertSqlSafe(format!("SELECT {COLUMNS} FROM contacts WHERE id = $1"))).bind(id.0).fetch_optional(ex).await?;
    row.map(Contact::try_from).transpose()
}

impl Tx {
    pub async fn find_contact(&mut self, who: &Identifier) -> StoreResult<Option<Contact>> {
        find(self.conn(), who).await
    }

    pub async fn contact(&mut self, id: ContactId) -> StoreResult<Option<Contact>> {
        by_id(self.conn(), id).await
    }

    /// `found`, read earlier in this transaction (never through the pool), locked and
    /// as it is now. On SQLite the transaction has held the database's one write lock
    /// since it began, so what it read is current and is not read again; on PostgreSQL
    /// the contact is read again under its lock (an opt-out that committed in between
    /// is seen).
    pub async fn locked_contact(&mut self, found: Option<Contact>) -> StoreResult<Option<Contact>> {
        let Some(found) = found else { return Ok(None) };
        self.lock(&[super::Lock::Contact(found.id)]).await?;
        match self.backend() {
            super::Backend::Sqlite => Ok(Some(found)),
            super::Backend::Postgres => self.contact(found.id).await,
        }
    }

    /// Remembers the language a contact logged in with (or chose while logged in).
    pub async fn set_contact_language(&mut self, id: ContactId, lang: domain::i18n::Lang) -> StoreResult<()> {
        self.defer(sql("UPDATE contacts SET language = $1 WHERE id = $2").bind(lang.code()).bind(id.0));
        Ok(())
    }

    pub async fn set_opt_out(&mut self, id: ContactId, channel: Channel, opted_out: bool) -> StoreResult<()> {
        let column = match channel {
            Channel::Email => "email_opt_out",
            Channel::Sms => "sms_opt_out",
        };
        sql(AssertSqlSafe(format!("UPDATE contacts SET {column} = $1 WHERE id = $2")))
            .bind(opted_out)
            .bind(id.0)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Removes a contact with its publications, login flows, codes and devices (their
    /// delivery records go with the codes). The event log keeps what happened.
    pub async fn remove_contact(&mut self, id: ContactId) -> StoreResult<()> {
        sql("DELETE FROM contacts WHERE id = $1").bind(id.0).execute(self.conn()).await?;
        Ok(())
    }
}

/// A write refused because the email or phone belongs to another contact, in words.
pub(super) fn conflict(e: sqlx::Error, new: &NewContact) -> StoreError {
    match unique_violation(&e) {
        Some(m) if m.contains("email") => StoreError::Conflict(format!(
            "another contact already has the email {}",
            new.email.as_ref().map(EmailAddress::as_str).unwrap_or_default()
        )),
        Some(_) => StoreError::Conflict(format!(
            "another contact already has the phone number {}",
            new.phone.as_ref().map(PhoneNumber::as_str).unwrap_or_default()
        )),
        None => e.into(),
    }
}

impl Store {
    pub async fn add_contact(&self, new: &NewContact, now: Timestamp) -> StoreResult<ContactId> {
        let result = sql(
            "INSERT INTO contacts (name, email, phone, email_opt_out, sms_opt_out, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&new.name)
        .bind(new.email.as_ref().map(EmailAddress::as_str))
        .bind(new.phone.as_ref().map(PhoneNumber::as_str))
        .bind(new.email_opt_out)
        .bind(new.sms_opt_out)
        .bind(now.0)
        .scalar_one::<i64>(&self.db)
        .await;
        match result {
            Ok(done) => Ok(ContactId(done)),
            Err(e) => Err(conflict(e, new)),
        }
    }

    pub async fn find_contact(&self, who: &Identifier) -> StoreResult<Option<Contact>> {
        find(&self.db, who).await
    }

    pub async fn contact(&self, id: ContactId) -> StoreResult<Option<Contact>> {
        by_id(&self.db, id).await
    }

    pub async fn contacts(&self) -> StoreResult<Vec<Contact>> {
        let rows: Vec<ContactRow> = sql(AssertSqlSafe(format!("SELECT {COLUMNS} FROM contacts ORDER BY id"))).fetch_all(&self.db).await?;
        rows.into_iter().map(Contact::try_from).collect()
    }

    /// A page of contacts, by name: those with exactly this address, or those whose
    /// name or email contains `text` (any case), or all.
    pub async fn search_contacts(&self, query: &ContactQuery, limit: u32, offset: u32) -> StoreResult<Vec<Contact>> {
        // Every filter takes the value twice, so one statement shape serves them all.
        let (filter, value) = match query {
            ContactQuery::All => ("$1 IS NOT NULL OR $2 IS NOT NULL", String::new()),
            ContactQuery::Exact(Identifier::Email(e)) => ("email = $1 OR email = $2", e.as_str().to_string()),
            ContactQuery::Exact(Identifier::Phone(p)) => ("phone = $1 OR phone = $2", p.as_str().to_string()),
            // `%` and `_` typed are matched as themselves.
            ContactQuery::Text(t) => (
                "lower(name) LIKE $1 ESCAPE '\\' OR COALESCE(email, '') LIKE $2 ESCAPE '\\'",
                format!("%{}%", t.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")),
            ),
        };
        let rows: Vec<ContactRow> =
            sql(AssertSqlSafe(format!("SELECT {COLUMNS} FROM contacts WHERE {filter} ORDER BY lower(name), id LIMIT $3 OFFSET $4")))
                .bind(&value)
                .bind(&value)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.db)
                .await?;
        rows.into_iter().map(Contact::try_from).collect()
    }

    pub async fn contact_count(&self) -> StoreResult<i64> {
        Ok(sql("SELECT COUNT(*) FROM contacts").scalar_one(&self.db).await?)
    }
}
