//! The administrator port, implemented on the administrator sessions and the store.
//! Every answer needs a live administrator session; the contact's cookies count for
//! nothing here.

use std::sync::Arc;

use app::port::{AdminPortal, BoxFuture, CookieChange, PortResult, Reply, Visitor};
use app::types::{AdminLogin, ContactList, ContactRow};
use serde_json::json;

use crate::admin::session::{AdminSession, AdminSessions, LogIn};
use crate::clock::Clock;
use crate::domain::{Identifier, Region};
use crate::login::rules::network_of;
use crate::store::{ContactQuery, EventKind, Store, StoreError};

const PAGE: u32 = 25;

pub struct AdminAdapter {
    pub sessions: AdminSessions,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub region: Region,
    pub ipv6_prefix: u8,
}

impl AdminAdapter {
    async fn session(&self, who: &Visitor) -> Result<Option<AdminSession>, StoreError> {
        match &who.admin_token {
            Some(token) => self.sessions.check(token).await,
            None => Ok(None),
        }
    }

    async fn contacts_now(&self, who: Visitor, query: String, page: u32) -> Result<Reply<Option<ContactList>>, StoreError> {
        let Some(session) = self.session(&who).await? else {
            let cookies = if who.admin_token.is_some() { vec![CookieChange::ClearAdmin] } else { vec![] };
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
            let detail = json!({ "admin": session.username, "query": query });
            self.store.record_event(EventKind::AdminLookup, None, detail, self.clock.now()).await?;
        }
        let rows = found
            .into_iter()
            .map(|c| ContactRow {
                id: c.id.0,
                name: c.name,
                email: c.email.map(|e| e.as_str().to_string()),
                phone: c.phone.map(|p| p.as_str().to_string()),
                email_opt_out: c.email_opt_out,
                sms_opt_out: c.sms_opt_out,
            })
            .collect();
        Ok(Reply::plain(Some(ContactList { admin: session.username, query, page, has_more, rows })))
    }
}

impl AdminPortal for AdminAdapter {
    fn log_in(&self, who: Visitor, username: String, password: String) -> BoxFuture<'_, PortResult<AdminLogin>> {
        Box::pin(async move {
            let network = network_of(who.ip, self.ipv6_prefix);
            super::portal::failure(self.sessions.log_in(&network, &username, &password).await.map(|outcome| match outcome {
                LogIn::LoggedIn { token, .. } => {
                    Reply { value: AdminLogin::LoggedIn, cookies: vec![CookieChange::SetAdmin(token.expose().to_string())] }
                }
                LogIn::Refused => Reply::plain(AdminLogin::Refused),
                LogIn::Throttled => Reply::plain(AdminLogin::Throttled),
            }))
        })
    }

    fn log_out(&self, who: Visitor) -> BoxFuture<'_, PortResult<()>> {
        Box::pin(async move {
            let ended = match &who.admin_token {
                Some(token) => self.sessions.log_out(token).await,
                None => Ok(()),
            };
            super::portal::failure(ended.map(|()| Reply { value: (), cookies: vec![CookieChange::ClearAdmin] }))
        })
    }

    fn contacts(&self, who: Visitor, query: String, page: u32) -> BoxFuture<'_, PortResult<Option<ContactList>>> {
        Box::pin(async move { super::portal::failure(self.contacts_now(who, query, page).await) })
    }
}
