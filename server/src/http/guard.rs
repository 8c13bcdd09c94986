//! Cross-site request protection. Leptos server functions (and plain form posts) have
//! none of their own: every state-changing request must come from the portal's own
//! pages, or it is refused with 403 before anything runs.

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::i18n::Lang;

/// The portal's own origin (`https://portal.example.com`, no path) and the paths
/// that other servers post to (signed provider callbacks, no cookies).
#[derive(Clone)]
pub struct OriginPolicy {
    pub origin: String,
    pub exempt: Vec<&'static str>,
    /// The loopback address of the dev default (`Config::loopback_alias`): the
    /// portal's own too.
    pub alias: Option<String>,
}

impl OriginPolicy {
    pub fn from_public_url(public_url: &str, exempt: Vec<&'static str>) -> Self {
        let (scheme, rest) = public_url.split_once("://").unwrap_or(("http", public_url));
        let authority = rest.split('/').next().unwrap_or(rest);
        OriginPolicy { origin: format!("{scheme}://{authority}").to_ascii_lowercase(), exempt, alias: None }
    }

    /// Also the portal's own: the loopback address the dev default listens on.
    pub fn with_alias(mut self, alias: Option<&str>) -> Self {
        self.alias = alias.map(str::to_ascii_lowercase);
        self
    }

    /// Allowed when the browser says `Sec-Fetch-Site: same-origin`; without that
    /// header (older browsers), when `Origin` is exactly ours.
    pub fn allows(&self, method: &Method, path: &str, sec_fetch_site: Option<&str>, origin: Option<&str>) -> bool {
        // The integration API is authorised by a bearer token alone, never by cookies,
        // so a cross-site page gains nothing by posting to it (and a browser cannot
        // send the header cross-site without a preflight the portal never allows).
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) || self.exempt.contains(&path) || path.starts_with("/api/v1/") {
            return true;
        }
        match sec_fetch_site {
            Some(site) => site == "same-origin",
            None => origin
                .is_some_and(|o| o.eq_ignore_ascii_case(&self.origin) || self.alias.as_deref().is_some_and(|a| o.eq_ignore_ascii_case(a))),
        }
    }
}

/// In dev mode at `http://localhost:<port>`: a page asked for at the loopback address
/// it listens on is sent to the name (308), where passkeys work. Everything else (the
/// probes, the dev outbox, assets, server functions) answers at either.
pub fn to_public_name(names: Option<&(String, String)>, request: &Request) -> Option<Response> {
    let (alias, public) = names?;
    let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let at_alias = alias.strip_prefix("http://").is_some_and(|a| a.eq_ignore_ascii_case(host));
    let path = request.uri().path();
    let page = crate::metrics::class_of(path) == "page" || path == "/admin" || path.starts_with("/admin/");
    if at_alias && page && matches!(*request.method(), Method::GET | Method::HEAD) {
        let rest = request.uri().path_and_query().map_or("/", |p| p.as_str());
        return Some((StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, format!("{public}{rest}"))]).into_response());
    }
    None
}

impl OriginPolicy {
    /// The 403 for a write that did not come from the portal's own pages, in `lang`.
    pub fn refusal(&self, request: &Request, lang: Lang) -> Option<Response> {
        let header_str = |name| request.headers().get(name).and_then(|v| v.to_str().ok());
        if self.allows(request.method(), request.uri().path(), header_str("sec-fetch-site"), header_str(header::ORIGIN.as_str())) {
            return None;
        }
        tracing::warn!(path = request.uri().path(), "cross-site request refused");
        Some((StatusCode::FORBIDDEN, lang.t("not-from-portal")).into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> OriginPolicy {
        OriginPolicy::from_public_url("https://Portal.example.com/", vec!["/hooks/x"])
    }

    #[test]
    fn same_origin_requests_pass() {
        let p = policy();
        assert!(p.allows(&Method::POST, "/api/a", Some("same-origin"), Some("https://evil.example")));
        assert!(p.allows(&Method::POST, "/api/a", None, Some("https://portal.example.com")));
    }

    #[test]
    fn cross_site_same_site_and_anonymous_posts_are_refused() {
        let p = policy();
        assert!(!p.allows(&Method::POST, "/api/a", Some("cross-site"), Some("https://portal.example.com")));
        assert!(!p.allows(&Method::POST, "/api/a", Some("same-site"), None));
        assert!(!p.allows(&Method::POST, "/api/a", Some("none"), None));
        assert!(!p.allows(&Method::POST, "/api/a", None, Some("https://portal.example.com.evil.example")));
        assert!(!p.allows(&Method::POST, "/api/a", None, Some("null")));
        assert!(!p.allows(&Method::POST, "/api/a", None, None));
        assert!(!p.allows(&Method::DELETE, "/api/a", None, None));
    }

    #[test]
    fn reads_and_signed_callbacks_are_not_checked() {
        let p = policy();
        assert!(p.allows(&Method::GET, "/", Some("cross-site"), None));
        assert!(p.allows(&Method::POST, "/hooks/x", None, None));
    }
}
