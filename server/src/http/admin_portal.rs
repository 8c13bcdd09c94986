//! The administrator port: every answer needs a live administrator session (the
//! contact's cookies count for nothing here); what a page shows and what a button does
//! is the admin service's (`admin::card`).

use app::port::{AdminPortal, BoxFuture, CookieChange, PortResult, Reply};
use app::types::{AdminAnswer, AdminLogin, ContactAction, ContactCard, ContactList, DeliveryHealthView};
use domain::{Caller, SupportRef};

use crate::admin::card::{Acted, Cards};
use crate::admin::session::{AdminSession, AdminSessions, LogIn};
use crate::login::rules::network_of;
use crate::store::StoreError;

pub struct AdminAdapter {
    pub sessions: AdminSessions,
    pub cards: Cards,
}

impl AdminAdapter {
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
        Ok(Reply::plain(Some(self.cards.search(&session.username, &query, page).await?)))
    }

    async fn card(
        &self,
        who: Caller,
        id: i64,
        older: Option<i64>,
        reference: Option<SupportRef>,
        watch: bool,
    ) -> Result<Reply<AdminAnswer<ContactCard>>, StoreError> {
        let Some(session) = self.session(&who).await? else { return Ok(Reply::plain(AdminAnswer::LoggedOut)) };
        Ok(Reply::plain(match self.cards.card(&session.username, id, older, reference.as_ref(), watch).await? {
            Some(card) => AdminAnswer::Shown(card),
            None => AdminAnswer::NotFound,
        }))
    }

    async fn act_now(&self, who: Caller, id: i64, action: ContactAction) -> Result<Reply<AdminAnswer<Option<String>>>, StoreError> {
        let Some(session) = self.session(&who).await? else { return Ok(Reply::plain(AdminAnswer::LoggedOut)) };
        Ok(Reply::plain(match self.cards.act(&session.username, id, action).await? {
            Acted::Done => AdminAnswer::Shown(None),
            Acted::Refused(problem) => AdminAnswer::Shown(Some(problem.to_string())),
            Acted::NotFound => AdminAnswer::NotFound,
        }))
    }

    async fn health_now(&self, who: Caller) -> Result<Reply<AdminAnswer<DeliveryHealthView>>, StoreError> {
        let Some(session) = self.session(&who).await? else { return Ok(Reply::plain(AdminAnswer::LoggedOut)) };
        Ok(Reply::plain(AdminAnswer::Shown(self.cards.delivery_health(&session.username).await?)))
    }
}

impl AdminPortal for AdminAdapter {
    fn log_in(&self, who: Caller, username: String, password: String) -> BoxFuture<'_, PortResult<AdminLogin>> {
        Box::pin(async move {
            let network = network_of(who.ip, self.cards.limits.ipv6_prefix);
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

    fn contact(
        &self,
        who: Caller,
        id: i64,
        older: Option<i64>,
        reference: Option<SupportRef>,
        watch: bool,
    ) -> BoxFuture<'_, PortResult<AdminAnswer<ContactCard>>> {
        Box::pin(async move { super::portal::failure(self.card(who, id, older, reference, watch).await) })
    }

    fn act(&self, who: Caller, id: i64, action: ContactAction) -> BoxFuture<'_, PortResult<AdminAnswer<Option<String>>>> {
        Box::pin(async move { super::portal::failure(self.act_now(who, id, action).await) })
    }

    fn delivery_health(&self, who: Caller) -> BoxFuture<'_, PortResult<AdminAnswer<DeliveryHealthView>>> {
        Box::pin(async move { super::portal::failure(self.health_now(who).await) })
    }
}
