//! Administrators logging in: one generic refusal, the same work whether or not the
//! username exists (an unknown one is verified against a dummy hash), attempts
//! throttled per username and per network before any password is checked, and
//! sessions the server expires (12 hours at most, 30 minutes idle).

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::accounts::parse_username;
use super::password;
use crate::clock::Clock;
use crate::domain::{Timestamp, Token};
use crate::store::{AdminSessionRecord, EventKind, Key, Scope, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminLimits {
    pub absolute: Duration,
    pub idle: Duration,
    /// Attempts per username, from anywhere, per hour.
    pub per_username_per_hour: u32,
    /// Attempts per network, for any username, per hour.
    pub per_network_per_hour: u32,
}

impl Default for AdminLimits {
    fn default() -> Self {
        AdminLimits {
            absolute: Duration::from_secs(12 * 3600),
            idle: Duration::from_secs(30 * 60),
            per_username_per_hour: 10,
            per_network_per_hour: 30,
        }
    }
}

#[derive(Debug)]
pub enum LogIn {
    /// The session cookie's value, and who it is.
    LoggedIn { token: Token, username: String },
    /// Wrong username or password: one answer for both.
    Refused,
    /// Too many attempts for this username or from this network; try again later.
    Throttled,
}

/// A checked administrator session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSession {
    pub id: i64,
    pub admin_id: i64,
    pub username: String,
}

#[derive(Clone)]
pub struct AdminSessions {
    store: Store,
    clock: Arc<dyn Clock>,
    limits: AdminLimits,
}

impl AdminSessions {
    pub fn new(store: Store, clock: Arc<dyn Clock>, limits: AdminLimits) -> Self {
        AdminSessions { store, clock, limits }
    }

    pub async fn log_in(&self, network: &str, username: &str, password: &str) -> Result<LogIn, StoreError> {
        let now = self.clock.now();
        // A name that cannot exist is still throttled and verified like one that does.
        let name = parse_username(username).unwrap_or_else(|_| username.trim().to_lowercase());
        let user = Key::Identifier(name.clone());
        let net = Key::Network(network.to_string());
        let hour_ago = Timestamp(now.0 - 3600);
        let mut tx = self.store.begin().await?;
        let by_user = tx.count_hits(Scope::AdminUser, &user, hour_ago).await?;
        let by_net = tx.count_hits(Scope::AdminNetwork, &net, hour_ago).await?;
        if by_user >= self.limits.per_username_per_hour || by_net >= self.limits.per_network_per_hour {
            tx.commit().await?;
            return Ok(LogIn::Throttled);
        }
        // Counted before the password is checked, so parallel guesses stay within the limit.
        tx.record_hits(&[(Scope::AdminUser, user), (Scope::AdminNetwork, net)], now).await?;
        tx.commit().await?;
        let found = self.store.admin_credentials(&name).await?;
        let stored = found.as_ref().map_or_else(|| password::DUMMY.clone(), |(_, hash)| hash.clone());
        let candidate = password.to_string();
        // argon2 off the runtime, and outside any transaction: it takes a while.
        let right = tokio::task::spawn_blocking(move || password::verify(&stored, &candidate)).await.unwrap_or(false);
        match (found, right) {
            (Some((admin_id, _)), true) => {
                let token = Token::generate().map_err(|e| StoreError::Conflict(format!("no randomness: {e}")))?;
                self.store.add_admin_session(admin_id, &token.hash(), now).await?;
                self.event(EventKind::AdminLoggedIn, &name, now).await?;
                Ok(LogIn::LoggedIn { token, username: name })
            }
            _ => {
                self.event(EventKind::AdminLoginFailed, &name, now).await?;
                Ok(LogIn::Refused)
            }
        }
    }

    /// The session a cookie names, if it is still good; keeps it alive.
    pub async fn check(&self, cookie: &str) -> Result<Option<AdminSession>, StoreError> {
        let Some(token) = Token::from_cookie(cookie) else { return Ok(None) };
        let Some(s) = self.store.admin_session(&token.hash()).await? else { return Ok(None) };
        let now = self.clock.now();
        if !alive(&s, now, &self.limits) {
            self.store.end_admin_session(s.id, now).await?;
            return Ok(None);
        }
        if now.secs_since(s.last_seen_at) >= 60 {
            self.store.touch_admin_session(s.id, now).await?;
        }
        Ok(Some(AdminSession { id: s.id, admin_id: s.admin_id, username: s.username }))
    }

    pub async fn log_out(&self, cookie: &str) -> Result<(), StoreError> {
        if let Some(session) = self.check(cookie).await? {
            let now = self.clock.now();
            self.store.end_admin_session(session.id, now).await?;
            self.event(EventKind::AdminLoggedOut, &session.username, now).await?;
        }
        Ok(())
    }

    async fn event(&self, kind: EventKind, username: &str, now: Timestamp) -> Result<(), StoreError> {
        self.store.record_event(kind, None, json!({ "admin": username }), now).await
    }
}

/// Whether a session is within its absolute and idle lifetimes at `now`.
pub fn alive(s: &AdminSessionRecord, now: Timestamp, l: &AdminLimits) -> bool {
    now < s.created_at.plus(l.absolute) && now < s.last_seen_at.plus(l.idle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_lives_12_hours_at_most_and_30_minutes_idle() {
        let t0 = Timestamp(1_800_000_000);
        let l = AdminLimits::default();
        let s = |seen: i64| AdminSessionRecord { id: 1, admin_id: 1, username: "ops".into(), created_at: t0, last_seen_at: Timestamp(t0.0 + seen) };
        assert!(alive(&s(0), Timestamp(t0.0 + 1799), &l));
        assert!(!alive(&s(0), Timestamp(t0.0 + 1800), &l), "idle 30 minutes");
        assert!(alive(&s(43_000), Timestamp(t0.0 + 43_199), &l));
        assert!(!alive(&s(43_190), Timestamp(t0.0 + 43_200), &l), "12 hours even in use");
    }
}
