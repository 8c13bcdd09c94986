//! Who is asking: the parts of a request the rules care about, read once at the edge
//! (`app::api::caller`) and passed to every service.

use std::net::IpAddr;

use crate::Token;
use crate::i18n::RequestLanguage;

/// The caller of one request. Its cookies are parsed here, once: a malformed cookie is
/// the same as none.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The client's address, proxies considered.
    pub ip: IpAddr,
    /// The login-flow cookie, if the browser sent one.
    pub flow: Option<Token>,
    /// The remembered-device cookie, if the browser sent one.
    pub device: Option<Token>,
    /// The administrator-session cookie, if the browser sent one.
    pub admin: Option<Token>,
    /// The cookie of a browser an administrator logged in with, if it sent one.
    pub admin_browser: Option<Token>,
    /// The `User-Agent` header, if any (summarised before anything is kept).
    pub user_agent: Option<String>,
    /// The browser said "Not now" to saving a passkey.
    pub passkey_later: bool,
    /// The language the answer is in, and whether the contact chose it.
    pub language: RequestLanguage,
}
