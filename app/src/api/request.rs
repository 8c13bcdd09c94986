//! The HTTP side of a server function: who is asking, which cookies to set, where a
//! browser without JavaScript goes next.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use http::HeaderValue;
use http::header::{COOKIE, SET_COOKIE};
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::i18n::RequestLanguage;
use domain::Caller;

use crate::port::{ClientIp, CookieChange, CspNonce, Failure, PortResult, SharedPortal};

pub use domain::contract::{ADMIN_BROWSER_COOKIE, ADMIN_COOKIE, DEVICE_COOKIE, FLOW_COOKIE, PASSKEY_LATER_COOKIE};

/// The administrator port and the caller of the current request.
pub fn admin_context() -> Result<(crate::port::SharedAdminPortal, Caller), ServerFnError> {
    let portal = use_context::<crate::port::SharedAdminPortal>().ok_or_else(|| ServerFnError::new("admin is not configured"))?;
    let parts = use_context::<Parts>().ok_or_else(|| ServerFnError::new("no request"))?;
    Ok((portal, caller(&parts)))
}

/// The portal and the caller of the current request.
pub fn context() -> Result<(SharedPortal, Caller), ServerFnError> {
    let portal = use_context::<SharedPortal>().ok_or_else(|| ServerFnError::new("portal is not configured"))?;
    let parts = use_context::<Parts>().ok_or_else(|| ServerFnError::new("no request"))?;
    Ok((portal, caller(&parts)))
}

/// The language this request is answered in (the server resolves it for every
/// request); English when it did not.
pub fn request_language() -> RequestLanguage {
    use_context::<Parts>().map(|p| language_of(&p.extensions)).unwrap_or_default()
}

/// The language the server resolved for a request, from its extensions; English when
/// it did not (for handlers outside Leptos: refusals, JSON routes).
pub fn language_of(extensions: &http::Extensions) -> RequestLanguage {
    extensions.get::<RequestLanguage>().copied().unwrap_or_default()
}

/// The path and query of the page being rendered, for forms that come back to it.
pub fn request_path() -> String {
    use_context::<Parts>().and_then(|p| p.uri.path_and_query().map(|pq| pq.as_str().to_string())).unwrap_or_else(|| "/".into())
}

pub fn caller(parts: &Parts) -> Caller {
    let ip = match parts.extensions.get::<ClientIp>() {
        Some(ClientIp(ip)) => *ip,
        None => parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
    };
    Caller {
        ip,
        flow: token(&parts.headers, FLOW_COOKIE),
        device: token(&parts.headers, DEVICE_COOKIE),
        admin: token(&parts.headers, ADMIN_COOKIE),
        admin_browser: token(&parts.headers, ADMIN_BROWSER_COOKIE),
        user_agent: parts.headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_string),
        passkey_later: cookie(&parts.headers, PASSKEY_LATER_COOKIE).is_some(),
        language: language_of(&parts.extensions),
    }
}

/// The token a cookie holds; `None` when it is missing or not a token.
fn token(headers: &http::HeaderMap, name: &str) -> Option<domain::Token> {
    cookie(headers, name).as_deref().and_then(domain::Token::from_cookie)
}

/// The value of the cookie `name`, from every `Cookie` header of a request (HTTP/2
/// may split them): the one cookie parser of the portal, for pages, server functions
/// and the server's own middleware.
pub fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Applies the reply's cookies and returns its value; failures become an error that
/// carries only the reference.
pub fn finish<T>(result: PortResult<T>) -> Result<T, ServerFnError> {
    let lang = request_language().lang;
    let reply = result.map_err(|Failure { reference, unavailable }| {
        if unavailable {
            if let Some(response) = use_context::<ResponseOptions>() {
                response.set_status(http::StatusCode::SERVICE_UNAVAILABLE);
                response.insert_header(http::header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            ServerFnError::new(lang.tf("unavailable-reference", &[("reference", reference.into())]))
        } else {
            ServerFnError::new(lang.tf("failure-reference", &[("reference", reference.into())]))
        }
    })?;
    if let Some(response) = use_context::<ResponseOptions>() {
        for change in &reply.cookies {
            if let Ok(value) = HeaderValue::from_str(&set_cookie(change)) {
                response.append_header(SET_COOKIE, value);
            }
        }
    }
    Ok(reply.value)
}

/// The `Set-Cookie` header for a change (also for the server's own JSON routes).
pub fn set_cookie(change: &CookieChange) -> String {
    const ATTRS: &str = "Path=/; Secure; HttpOnly; SameSite=Lax";
    match change {
        CookieChange::SetFlow(token) => format!("{FLOW_COOKIE}={token}; {ATTRS}"),
        CookieChange::ClearFlow => format!("{FLOW_COOKIE}=; Max-Age=0; {ATTRS}"),
        CookieChange::SetDevice { token, max_age_secs } => {
            format!("{DEVICE_COOKIE}={token}; Max-Age={max_age_secs}; {ATTRS}")
        }
        CookieChange::ClearDevice => format!("{DEVICE_COOKIE}=; Max-Age=0; {ATTRS}"),
        // Strict: an administrator's session never rides on a request from another site.
        CookieChange::SetAdmin(token) => format!("{ADMIN_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict"),
        CookieChange::ClearAdmin => format!("{ADMIN_COOKIE}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict"),
        CookieChange::SetAdminBrowser { token, max_age_secs } => {
            format!("{ADMIN_BROWSER_COOKIE}={token}; Max-Age={max_age_secs}; Path=/; Secure; HttpOnly; SameSite=Strict")
        }
    }
}

/// Where the browser goes next. A page being rendered always answers 302; a server
/// function answers 302 to a plain form post (no JavaScript), while a call from the
/// login card's script only gets a header it ignores, and the script shows the
/// returned step instead.
pub fn redirect(path: &str) {
    let rendering_page = use_context::<Parts>().is_some_and(|p| !p.uri.path().starts_with("/api/"));
    match (rendering_page, use_context::<ResponseOptions>(), HeaderValue::from_str(path)) {
        (true, Some(response), Ok(location)) => {
            response.insert_header(http::header::LOCATION, location);
            response.set_status(http::StatusCode::FOUND);
        }
        _ => leptos_axum::redirect(path),
    }
}

pub fn login_path(next: &str) -> String {
    if next == "/" { "/login".to_string() } else { format!("/login?next={}", encode(next)) }
}

/// Percent-encodes everything but unreserved characters and '/'.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Makes the page's inline scripts carry the nonce the server put in this response's
/// Content-Security-Policy header, so the two can never disagree.
pub fn use_response_nonce() {
    if let Some(CspNonce(nonce)) = use_context::<Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned()) {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

pub fn set_status(status: http::StatusCode) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_path_keeps_next_as_one_query_value() {
        assert_eq!(login_path("/"), "/login");
        assert_eq!(login_path("/m/abc?x=1&y=2"), "/login?next=/m/abc%3Fx%3D1%26y%3D2");
    }

    #[test]
    fn device_cookie_is_host_only_secure_and_http_only() {
        let header = set_cookie(&CookieChange::SetDevice { token: "t".into(), max_age_secs: 60 });
        assert_eq!(header, "__Host-portal-device=t; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Lax");
    }

    #[test]
    fn a_cookie_is_found_among_others_in_any_cookie_header() {
        let mut headers = http::HeaderMap::new();
        headers.append(http::header::COOKIE, "a=1; __Host-portal-lang=da; b=2".parse().unwrap());
        assert_eq!(cookie(&headers, "__Host-portal-lang").as_deref(), Some("da"));
        assert_eq!(cookie(&headers, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&headers, "portal-lang"), None, "a name is matched whole");
        let mut split = http::HeaderMap::new();
        split.append(http::header::COOKIE, "x__Host-portal-lang=da".parse().unwrap());
        split.append(http::header::COOKIE, "__Host-portal-flow=abc".parse().unwrap());
        assert_eq!(cookie(&split, "__Host-portal-lang"), None);
        assert_eq!(cookie(&split, "__Host-portal-flow").as_deref(), Some("abc"), "HTTP/2 sends cookies in several headers");
        assert_eq!(cookie(&http::HeaderMap::new(), "a"), None);
    }
}
