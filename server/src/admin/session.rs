//! Administrators logging in: one generic refusal, the same work whether or not the
//! username exists (an unknown one is verified against a dummy hash), and sessions the
//! server expires (12 hours at most, 30 minutes idle).
//!
//! Guessing is limited so that it hurts the guesser, never the administrator
//! (SECURITY.md, M1 and L2):
//! - only failures count (a right password takes back the attempt it reserved);
//! - refusals are per (username, network) and per network: a stranger's guesses close
//!   their own network, not the administrator's;
//! - per username, from anywhere, failures beyond a threshold slow every answer down
//!   (the same for right and wrong passwords, and for names that do not exist);
//! - a browser this administrator logged in with (its own cookie) skips all of that,
//!   and a network they logged in from skips the refusals;
//! - argon2 verifications have a cap per second for the whole process, so a botnet
//!   cannot spend the machine's CPU on hashing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::accounts::parse_username;
use super::password;
use crate::clock::Clock;
use crate::store::{AdminBrowser, AdminSessionRecord, Key, Lock, Scope, Store, StoreError, What};
use domain::{Timestamp, Token};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminLimits {
    pub absolute: Duration,
    pub idle: Duration,
    /// Failures per username, from anywhere, per hour, before each answer for that
    /// username is slowed down (never refused).
    pub per_username_per_hour: u32,
    /// Failures per username from one network, per hour, before that network is refused
    /// for that username.
    pub per_username_network_per_hour: u32,
    /// Failures per network, for any username, per hour, before the network is refused.
    pub per_network_per_hour: u32,
    /// argon2 verifications per second in this process, for every administrator.
    pub verifications_per_second: u32,
    /// How long a browser or network an administrator logged in from counts as theirs.
    pub known_for: Duration,
    /// Past `per_username_per_hour`, each answer waits this much longer per failure,
    /// up to `slowdown_max`.
    pub slowdown_step: Duration,
    pub slowdown_max: Duration,
}

impl Default for AdminLimits {
    fn default() -> Self {
        AdminLimits {
            absolute: Duration::from_secs(12 * 3600),
            idle: Duration::from_secs(30 * 60),
            per_username_per_hour: 10,
            per_username_network_per_hour: 10,
            per_network_per_hour: 30,
            verifications_per_second: 10,
            known_for: Duration::from_secs(90 * 86_400),
            slowdown_step: Duration::from_millis(500),
            slowdown_max: Duration::from_secs(3),
        }
    }
}

#[derive(Debug)]
pub enum LogIn {
    /// The session cookie's value, who it is, and the known-browser cookie's value.
    LoggedIn { token: Token, username: String, browser: Option<Token> },
    /// Wrong username or password: one answer for both.
    Refused,
    /// Too many failures from this network, or too many verifications this second;
    /// try again later.
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
    hashing: Arc<Mutex<Bucket>>,
}

/// A token bucket: `rate` tokens a second, at most `rate` saved up.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: std::time::Instant,
}

impl Bucket {
    fn take(&mut self, rate: u32) -> bool {
        let now = std::time::Instant::now();
        let rate = f64::from(rate.max(1));
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * rate).min(rate);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

impl AdminLimits {
    /// How long an answer for a username waits after `over` failures beyond its
    /// threshold: a step more for each (half a second), three seconds at most.
    pub fn slowdown(&self, over: u32) -> Duration {
        self.slowdown_step.saturating_mul(over.saturating_add(1)).min(self.slowdown_max)
    }
}

/// Where this attempt comes from, as far as this administrator is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    No,
    Network,
    Browser,
}

impl AdminSessions {
    pub fn new(store: Store, clock: Arc<dyn Clock>, limits: AdminLimits) -> Self {
        let full = f64::from(limits.verifications_per_second.max(1));
        AdminSessions { store, clock, limits, hashing: Arc::new(Mutex::new(Bucket { tokens: full, at: std::time::Instant::now() })) }
    }

    pub fn limits(&self) -> &AdminLimits {
        &self.limits
    }

    fn may_hash(&self) -> bool {
        self.hashing.lock().map(|mut b| b.take(self.limits.verifications_per_second)).unwrap_or(false)
    }

    /// A log-in attempt from `network`, in a browser that may carry the known-browser
    /// cookie `browser`.
    pub async fn log_in(&self, network: &str, browser: Option<&Token>, username: &str, password: &str) -> Result<LogIn, StoreError> {
        let now = self.clock.now();
        // A name that cannot exist is still counted and verified like one that does.
        let name = parse_username(username).unwrap_or_else(|_| username.trim().chars().take(64).collect::<String>().to_lowercase());
        let found = self.store.admin_credentials(&name).await?;
        let known = self.known(found.as_ref().map(|(id, _)| *id), network, browser, now).await?;
        let hits = [
            (Scope::AdminUser, Key::Identifier(name.clone())),
            (Scope::AdminNetwork, Key::Network(network.to_string())),
            (Scope::AdminUserNetwork, Key::IdentifierOn { identifier: name.clone(), network: network.to_string() }),
        ];
        let hour_ago = Timestamp(now.0 - 3600);
        let mut tx = self.store.begin().await?;
        tx.lock(&hits.iter().map(|(_, key)| Lock::from(key)).collect::<Vec<_>>()).await?;
        let by_user = tx.count_hits(Scope::AdminUser, &hits[0].1, hour_ago).await?;
        let by_net = tx.count_hits(Scope::AdminNetwork, &hits[1].1, hour_ago).await?;
        let by_user_net = tx.count_hits(Scope::AdminUserNetwork, &hits[2].1, hour_ago).await?;
        let l = &self.limits;
        let refused = known == Known::No && (by_user_net >= l.per_username_network_per_hour || by_net >= l.per_network_per_hour);
        // Known browsers wait for a verification; everyone else is told to try again.
        if refused || (known != Known::Browser && !self.may_hash()) {
            tx.commit().await?;
            return Ok(LogIn::Throttled);
        }
        // Reserved before the password is checked, so parallel guesses stay within the
        // limits; a right password takes its reservation back.
        tx.record_hits(&hits, now).await?;
        tx.commit().await?;
        if known == Known::Browser {
            self.wait_for_hashing().await;
        } else if by_user >= l.per_username_per_hour {
            tokio::time::sleep(l.slowdown(by_user - l.per_username_per_hour)).await;
        }
        let stored = found.as_ref().map_or_else(|| password::DUMMY.clone(), |(_, hash)| hash.clone());
        let candidate = password.to_string();
        // argon2 off the runtime, and outside any transaction: it takes a while.
        let right = tokio::task::spawn_blocking(move || password::verify(&stored, &candidate)).await.unwrap_or(false);
        match (found, right) {
            (Some((admin_id, _)), true) => {
                let mut tx = self.store.begin().await?;
                tx.take_back_hits(&hits, now).await?;
                tx.commit().await?;
                let token = Token::generate().map_err(|e| StoreError::Conflict(format!("no randomness: {e}")))?;
                let (browser_hash, fresh) = match (known, browser.cloned()) {
                    (Known::Browser, Some(kept)) => (kept.hash(), None),
                    _ => {
                        let fresh = Token::generate().map_err(|e| StoreError::Conflict(format!("no randomness: {e}")))?;
                        (fresh.hash(), Some(fresh))
                    }
                };
                let seen = if fresh.is_some() { AdminBrowser::New(&browser_hash) } else { AdminBrowser::Known(&browser_hash) };
                self.store.start_admin_session(admin_id, &token.hash(), seen, network, now).await?;
                self.event(|admin| What::AdminLoggedIn { admin }, &name, now).await?;
                Ok(LogIn::LoggedIn { token, username: name, browser: fresh })
            }
            _ => {
                self.event(|admin| What::AdminLoginFailed { admin }, &name, now).await?;
                Ok(LogIn::Refused)
            }
        }
    }

    /// Whether this administrator logged in from this browser or network lately. The
    /// same reads run for a username that does not exist.
    async fn known(&self, admin: Option<i64>, network: &str, browser: Option<&Token>, now: Timestamp) -> Result<Known, StoreError> {
        let since = Timestamp(now.0.saturating_sub(i64::try_from(self.limits.known_for.as_secs()).unwrap_or(i64::MAX)));
        let id = admin.unwrap_or(-1);
        if let Some(token) = browser
            && self.store.is_admin_browser(id, &token.hash(), since).await?
        {
            return Ok(Known::Browser);
        }
        Ok(if self.store.is_admin_network(id, network, since).await? { Known::Network } else { Known::No })
    }

    /// A known browser's verification waits for the cap (two seconds at most).
    async fn wait_for_hashing(&self) {
        for _ in 0..40 {
            if self.may_hash() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The session a cookie names, if it is still good; keeps it alive. Read without
    /// a lock; its last-seen time (or its end) is written aside, as a page's records are.
    pub async fn check(&self, token: &Token) -> Result<Option<AdminSession>, StoreError> {
        let Some(s) = self.store.admin_session(&token.hash()).await? else { return Ok(None) };
        let now = self.clock.now();
        let (store, id) = (self.store.clone(), s.id);
        if !alive(&s, now, &self.limits) {
            self.store.aside("admin session ended", async move { store.end_admin_session(id, now).await }).await;
            return Ok(None);
        }
        if now.secs_since(s.last_seen_at) >= 60 {
            self.store.aside("admin session seen", async move { store.touch_admin_session(id, now).await }).await;
        }
        Ok(Some(AdminSession { id: s.id, admin_id: s.admin_id, username: s.username }))
    }

    pub async fn log_out(&self, token: &Token) -> Result<(), StoreError> {
        if let Some(session) = self.check(token).await? {
            let now = self.clock.now();
            self.store.end_admin_session(session.id, now).await?;
            self.event(|admin| What::AdminLoggedOut { admin }, &session.username, now).await?;
        }
        Ok(())
    }

    async fn event(&self, what: fn(String) -> What, username: &str, now: Timestamp) -> Result<(), StoreError> {
        self.store.record_event(None, what(username.to_string()), now).await
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
        let s = |seen: i64| AdminSessionRecord {
            id: 1,
            admin_id: 1,
            username: "ops".into(),
            created_at: t0,
            last_seen_at: Timestamp(t0.0 + seen),
        };
        assert!(alive(&s(0), Timestamp(t0.0 + 1799), &l));
        assert!(!alive(&s(0), Timestamp(t0.0 + 1800), &l), "idle 30 minutes");
        assert!(alive(&s(43_000), Timestamp(t0.0 + 43_199), &l));
        assert!(!alive(&s(43_190), Timestamp(t0.0 + 43_200), &l), "12 hours even in use");
    }
}
