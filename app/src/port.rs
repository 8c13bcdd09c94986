//! The port: everything the browser-facing API needs from the server, and nothing
//! about how it is done. The server crate implements it; `api/` calls it.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;

use domain::{Caller, LocalPath, SupportRef};

pub use domain::view::{CookieChange, Reply};

use crate::types::{
    AdminAnswer, AdminLogin, Channel, ContactAction, ContactCard, ContactList, DeliveryHealthView, Inbox, LoginStep, MessageView, Notice,
};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The client's address as the server resolved it (proxies considered); put in the
/// request's extensions by the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The Content-Security-Policy nonce of this response: made by the server for each
/// request, sent in the header, and put on every inline script of the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CspNonce(pub String);

/// An unexpected failure. The cause is logged under `reference`; only the reference
/// reaches the browser.
#[derive(Clone, Debug)]
pub struct Failure {
    pub reference: String,
    /// The database could not be reached or was busy: trying again in a moment can work.
    pub unavailable: bool,
}

pub type PortResult<T> = Result<Reply<T>, Failure>;

pub trait Portal: Send + Sync + 'static {
    /// The login card for this browser; `Done` when the browser is already recognised.
    /// A step-1 notice and its support reference come in the address after a form post
    /// without JavaScript.
    fn login_state(
        &self,
        who: Caller,
        next: LocalPath,
        notice: Option<Notice>,
        reference: Option<SupportRef>,
    ) -> BoxFuture<'_, PortResult<LoginStep>>;
    fn request_code(&self, who: Caller, identifier: String, channel: Channel) -> BoxFuture<'_, PortResult<LoginStep>>;
    /// "Send a new code", optionally by the other channel.
    fn resend_code(&self, who: Caller, channel: Channel) -> BoxFuture<'_, PortResult<LoginStep>>;
    /// "Use a different email or number": forget the flow in this browser.
    fn restart(&self, who: Caller) -> BoxFuture<'_, PortResult<LoginStep>>;
    fn verify_code(&self, who: Caller, code: String, next: LocalPath) -> BoxFuture<'_, PortResult<LoginStep>>;
    /// `None` when the browser is not recognised.
    fn inbox(&self, who: Caller) -> BoxFuture<'_, PortResult<Option<Inbox>>>;
    /// `None` when the browser is not recognised.
    fn message(&self, who: Caller, public_id: String) -> BoxFuture<'_, PortResult<Option<MessageView>>>;
    fn log_out(&self, who: Caller) -> BoxFuture<'_, PortResult<()>>;
}

/// What the server provides as Leptos context.
pub type SharedPortal = Arc<dyn Portal>;

/// What the administrator pages need from the server.
pub trait AdminPortal: Send + Sync + 'static {
    fn log_in(&self, who: Caller, username: String, password: String) -> BoxFuture<'_, PortResult<AdminLogin>>;
    fn log_out(&self, who: Caller) -> BoxFuture<'_, PortResult<()>>;
    /// Contacts matching `query` (a name, or an email or number as a contact would type
    /// it), a page at a time; `None` without an administrator session.
    fn contacts(&self, who: Caller, query: String, page: u32) -> BoxFuture<'_, PortResult<Option<ContactList>>>;
    /// A contact's card (and a look-up event naming the administrator).
    /// The timeline is a page of the newest events, or of those before event `older`.
    /// Opened from a support reference of theirs (`reference`), at that attempt.
    /// `watch`: the page looking again while a test message is on its way (not a new
    /// look-up, so not logged again).
    fn contact(
        &self,
        who: Caller,
        id: i64,
        older: Option<i64>,
        reference: Option<SupportRef>,
        watch: bool,
    ) -> BoxFuture<'_, PortResult<AdminAnswer<ContactCard>>>;
    /// An action on a contact, written as an event naming the administrator. `Some`
    /// names why it was refused (the card says it; nothing was changed).
    fn act(&self, who: Caller, id: i64, action: ContactAction) -> BoxFuture<'_, PortResult<AdminAnswer<Option<String>>>>;
    /// Delivery health per email domain and SMS country.
    fn delivery_health(&self, who: Caller) -> BoxFuture<'_, PortResult<AdminAnswer<DeliveryHealthView>>>;
}

pub type SharedAdminPortal = Arc<dyn AdminPortal>;
