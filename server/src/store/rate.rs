//! Counters for rate limits, kept in the database so limits survive restarts and hold
//! across several server processes on one database. Scopes and keys are types here,
//! spelled readably in the table (`identifier:stranger` / `contact:3`).

use super::db::values;
use super::login::Trust;
use super::sql;
use super::{ContactId, StoreResult, Tx};
use domain::Timestamp;

/// What a hit counts toward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// "Send code" and "Send a new code", per network.
    CodeRequest,
    /// Code entries, per network.
    Verification,
    /// That a network was told it is over a limit, once per window: the marker that
    /// keeps a flood from writing one event per request.
    Refused(RefusedStep),
    /// Codes issued for one contact (or unregistered identifier), per trust pool.
    Sending(Trust),
    /// Wrong codes for one identifier from one network: the failure lock.
    Failure,
    /// SMS to one block of numbers.
    SmsBlock,
    /// SMS in all.
    Sms,
    /// The once-an-hour alert that the SMS budget is spent.
    SmsAlert,
    /// Refused messages recorded for one contact (a request can cause them at will).
    MessageRefusals,
    /// That a "Send code" for a contact's address was refused for its network, once
    /// per window: the marker that keeps their card at one line an hour.
    RefusedFor,
    /// Test messages sent from contact cards: per contact, and per administrator.
    TestMessages,
    /// Test text messages of the whole portal: a budget of their own, so tests never
    /// spend the codes' SMS budget.
    TestSms,
    /// Failed administrator log-ins, per username (from anywhere), per network (any
    /// username), and per username from one network.
    AdminUser,
    AdminNetwork,
    AdminUserNetwork,
}

/// The per-network steps a refusal is remembered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusedStep {
    CodeRequest,
    Verification,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CodeRequest => "code_request",
            Scope::Verification => "verification",
            Scope::Refused(RefusedStep::CodeRequest) => "code_request:refused",
            Scope::Refused(RefusedStep::Verification) => "verification:refused",
            Scope::Sending(Trust::Familiar) => "identifier:familiar",
            Scope::Sending(Trust::Stranger) => "identifier:stranger",
            Scope::Failure => "failure",
            Scope::SmsBlock => "sms_prefix",
            Scope::Sms => "sms",
            Scope::SmsAlert => "sms_alert",
            Scope::AdminUser => "admin_login:user",
            Scope::AdminNetwork => "admin_login:network",
            Scope::AdminUserNetwork => "admin_login:user_network",
            Scope::MessageRefusals => "message_refused",
            Scope::RefusedFor => "code_request:refused_for",
            Scope::TestMessages => "test_message",
            Scope::TestSms => "test_message:sms",
        }
    }
}

/// Whom a hit counts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A network: an IPv4 address or an IPv6 /64.
    Network(String),
    Contact(ContactId),
    /// An identifier as normalised (lowercase email, E.164 number), or as typed when
    /// it cannot be.
    Identifier(String),
    /// An identifier as normalised, from one network: what the failure lock counts.
    IdentifierOn {
        identifier: String,
        network: String,
    },
    /// A block of phone numbers (all but the last 4 digits).
    Block(String),
    Everyone,
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Network(n) => f.write_str(n),
            Key::Contact(c) => write!(f, "contact:{}", c.0),
            Key::Identifier(i) => write!(f, "id:{i}"),
            Key::IdentifierOn { identifier, network } => write!(f, "id:{identifier}@{network}"),
            Key::Block(b) => f.write_str(b),
            Key::Everyone => f.write_str("all"),
        }
    }
}

impl Tx {
    /// How many hits `key` had in `scope` after `since`.
    pub async fn count_hits(&mut self, scope: Scope, key: &Key, since: Timestamp) -> StoreResult<u32> {
        let n: i64 = sql("SELECT COUNT(*) FROM rate_hits WHERE scope = $1 AND key = $2 AND at > $3")
            .bind(scope.as_str())
            .bind(key.to_string())
            .bind(since.0)
            .scalar_one(self.conn())
            .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The times of the newest `limit` hits after `since`, oldest first.
    pub async fn recent_hits(&mut self, scope: Scope, key: &Key, since: Timestamp, limit: u32) -> StoreResult<Vec<Timestamp>> {
        let mut rows: Vec<i64> = sql("SELECT at FROM rate_hits WHERE scope = $1 AND key = $2 AND at > $3 ORDER BY at DESC LIMIT $4")
            .bind(scope.as_str())
            .bind(key.to_string())
            .bind(since.0)
            .bind(limit)
            .scalar_all(self.conn())
            .await?;
        rows.reverse();
        Ok(rows.into_iter().map(Timestamp).collect())
    }

    /// Records a hit of `key` in `scope` unless it has one after `since`, in one
    /// statement; true when it did (a marker kept once per window).
    pub async fn mark_once(&mut self, scope: Scope, key: &Key, since: Timestamp, now: Timestamp) -> StoreResult<bool> {
        let done = sql("INSERT INTO rate_hits (scope, key, at)
             SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS BIGINT)
             WHERE NOT EXISTS (SELECT 1 FROM rate_hits WHERE scope = $1 AND key = $2 AND at > $4)")
        .bind(scope.as_str())
        .bind(key.to_string())
        .bind(now.0)
        .bind(since.0)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records hits in one statement.
    pub async fn record_hits(&mut self, hits: &[(Scope, Key)], now: Timestamp) -> StoreResult<()> {
        if hits.is_empty() {
            return Ok(());
        }
        let mut insert = sql(sqlx::AssertSqlSafe(format!("INSERT INTO rate_hits (scope, key, at) VALUES {}", values(hits.len(), 3))));
        for (scope, key) in hits {
            insert = insert.bind(scope.as_str()).bind(key.to_string()).bind(now.0);
        }
        self.defer(insert);
        Ok(())
    }

    /// Takes back one hit of each `(scope, key)` recorded at `at`: a reservation made
    /// before a check that turned out not to count (a right password).
    pub async fn take_back_hits(&mut self, hits: &[(Scope, Key)], at: Timestamp) -> StoreResult<()> {
        // One row, not every hit of that second.
        let row = self.backend().row_id();
        for (scope, key) in hits {
            let text = format!(
                "DELETE FROM rate_hits WHERE {row} = (SELECT {row} FROM rate_hits WHERE scope = $1 AND key = $2 AND at = $3 LIMIT 1)"
            );
            sql(sqlx::AssertSqlSafe(text)).bind(scope.as_str()).bind(key.to_string()).bind(at.0).execute(self.conn()).await?;
        }
        Ok(())
    }

    /// Nothing older than a day is ever asked about. Returns how many went.
    pub async fn prune_hits(&mut self, now: Timestamp) -> StoreResult<u64> {
        Ok(sql("DELETE FROM rate_hits WHERE at < $1").bind(now.0 - 86_400).execute(self.conn()).await?.rows_affected())
    }
}
