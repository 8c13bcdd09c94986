//! Headers on every response: no page is cached (pages show who is logged in; the
//! browser's files under `/pkg/` are named by content and cached for a year), no
//! sniffing, no referrer leaks, no framing, a strict Content-Security-Policy, and HSTS
//! when the portal is served over HTTPS. Error bodies are replaced by generic ones.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

/// The policy, with a fresh nonce per response. The edge makes the nonce
/// ([`fresh_nonce`]) and hands it to the page renderer through the request (see
/// `app::api::use_response_nonce`) and to [`HeaderPolicy::apply`], so the header and
/// the page's inline scripts always agree.
fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// 128 random bits, URL-safe base64.
pub fn fresh_nonce() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 16];
    // Without randomness there is no nonce worth sending; an empty one matches no script.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[derive(Clone, Copy)]
pub struct HeaderPolicy {
    pub https: bool,
}

/// What an answer's headers depend on in its request, read before the request goes in.
#[derive(Clone, Copy)]
pub struct Asked {
    /// A browser file under `/pkg/`.
    asset: bool,
    /// A server function's address (`/api/…` but not the integration API).
    server_fn: bool,
    /// The integration API (`/api/v1/…`), whose refusals are problem+json.
    pub api: bool,
    /// A form post by the login card's script (see [`where_to`]).
    fetched: bool,
}

impl Asked {
    pub fn of(request: &Request) -> Asked {
        let path = request.uri().path();
        let api = path.starts_with("/api/v1/");
        Asked {
            asset: path.starts_with("/pkg/"),
            server_fn: path.starts_with("/api/") && !api,
            api,
            fetched: request.headers().contains_key(FETCHED),
        }
    }
}

impl HeaderPolicy {
    /// The headers every answer carries, with the request's `nonce` in its policy.
    pub fn apply(self, asked: Asked, nonce: &str, lang: domain::i18n::Lang, mut response: Response) -> Response {
        let ok = response.status() == StatusCode::OK;
        let h = response.headers_mut();
        h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
        if let Ok(value) = HeaderValue::from_str(&policy(nonce)) {
            h.insert(header::CONTENT_SECURITY_POLICY, value);
        }
        if self.https {
            h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
        }
        if !asked.asset {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        } else if ok {
            // Named by content hash: a changed file is a new name. Sent in the encoding the
            // browser accepted, so a shared cache must key on that too.
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
            h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        let response = if asked.server_fn { generic_errors(response, lang) } else { response };
        if asked.fetched { where_to(response) } else { response }
    }
}

/// Sent by the login card's script with its form posts (see the `frontend` crate).
const FETCHED: &str = domain::contract::FETCH_HEADER;

/// A form post's redirect, told to the script instead of followed: `fetch` would
/// follow it and load the next page itself, using up what that page shows once (the
/// "you are logged in" welcome) before the browser goes there. The script loads
/// `/login` itself, or sends the browser on.
fn where_to(response: Response) -> Response {
    if !response.status().is_redirection() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    if let Some(location) = parts.headers.remove(header::LOCATION) {
        parts.headers.insert(domain::contract::LOCATION_HEADER, location);
    }
    parts.status = StatusCode::NO_CONTENT;
    Response::from_parts(parts, body)
}

/// Server-function failures answer with text from their framework (argument errors,
/// "could not find a server function…"); replace it with a generic body, and drop
/// such text from redirects of plain form posts.
fn generic_errors(response: Response, lang: domain::i18n::Lang) -> Response {
    // A plain form post gets a redirect; its body is never shown, and a failed one
    // would carry the error text (and an `__err` parameter in the address).
    if response.status().is_redirection() {
        let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
        let (mut parts, _) = response.into_parts();
        if let Some(clean) = location.filter(|l| l.contains("__err")).map(|l| l.split('?').next().unwrap_or("/").to_string())
            && let Ok(value) = HeaderValue::from_str(&clean)
        {
            parts.headers.insert(header::LOCATION, value);
        }
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    let status = response.status();
    let ours = matches!(status, StatusCode::FORBIDDEN | StatusCode::PAYLOAD_TOO_LARGE);
    if status.is_client_error() && !ours || status.is_server_error() {
        let text = match status {
            StatusCode::SERVICE_UNAVAILABLE => lang.t("unavailable"),
            s if s.is_server_error() => lang.t("server-error"),
            _ => lang.t("request-not-handled"),
        };
        let (mut parts, _) = response.into_parts();
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::from(text));
    }
    response
}

/// The integration API answers every refusal as `application/problem+json`; a refusal
/// made before it (a body over the size limit) is put in that form too.
pub fn api_problems(response: Response) -> Response {
    let status = response.status();
    let is_problem = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let detail = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is larger than the API accepts",
        s if s.is_server_error() => "something went wrong on our side",
        _ => "this request could not be handled",
    };
    let body = super::platform_api::problem_json(status, status.canonical_reason().unwrap_or("Error"), detail);
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}
