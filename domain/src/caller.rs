//! Who is asking: the parts of a request the rules care about, read once at the edge
//! (`app::api::caller`) and passed to every service.

use std::net::IpAddr;

use crate::i18n::RequestLanguage;

/// The caller of one request. Cookies are carried as sent; each service parses the one
/// it needs into a [`crate::Token`] (a malformed cookie is the same as none).
#[derive(Clone, Debug)]
pub struct Caller {
    /// The client's address, proxies considered.
    pub ip: IpAddr,
    /// The login-flow cookie, if the browser sent one.
    pub flow_token: Option<String>,
    /// The remembered-device cookie, if the browser sent one.
    pub device_token: Option<String>,
    /// The administrator-session cookie, if the browser sent one.
    pub admin_token: Option<String>,
    /// The cookie of a browser an administrator logged in with, if it sent one.
    pub admin_browser: Option<String>,
    /// The `User-Agent` header, if any (summarised before anything is kept).
    pub user_agent: Option<String>,
    /// The browser said "Not now" to saving a passkey.
    pub passkey_later: bool,
    /// The language the answer is in, and whether the contact chose it.
    pub language: RequestLanguage,
}
