//! The login page as a stranger sees it, rendered once per language and then served
//! from memory with the response's nonce filled in.
//!
//! A browser with no cookie asking for `/login` with no query gets a page that
//! depends on nothing but its language: no flow, no device, no administrator, the
//! database not read. That is the page every new visitor, every incognito window and
//! every browser that lost its cookies loads first, and the one a flood of requests
//! would hammer. Rendering it is most of its cost (`BENCHMARKS.md`), so it is rendered
//! once, on the first such request, split at the nonce, and joined with each
//! response's own nonce after that. Any other request, and a first render that set a
//! cookie or did not answer 200, goes to the renderer as before.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use domain::i18n::Lang;

/// The largest page kept: the login page is a few kilobytes.
const MAX_PAGE: usize = 256 * 1024;

/// One rendered page, in pieces between the places its nonce went.
struct Template {
    headers: HeaderMap,
    pieces: Vec<Bytes>,
}

/// The cookieless login page of each language, once rendered.
/// Held once, by the edge.
pub struct PageCache(HashMap<Lang, OnceLock<Template>>);

impl PageCache {
    pub fn new() -> PageCache {
        PageCache(Lang::ALL.into_iter().map(|l| (l, OnceLock::new())).collect())
    }
}

/// Whether `request` asks for the page every stranger gets: no cookie of the portal's
/// (other cookies on the same host change nothing), and no query.
fn cacheable(request: &Request) -> bool {
    let ours = |value: &str| value.split(';').any(|pair| pair.trim_start().starts_with(domain::contract::COOKIE_PREFIX));
    request.method() == Method::GET
        && request.uri().path() == "/login"
        && request.uri().query().is_none()
        && !request.headers().get_all(header::COOKIE).iter().any(|v| v.to_str().map_or(true, ours))
        && !request.headers().contains_key(domain::contract::FETCH_HEADER)
        // A GET with a body is the renderer's to refuse (the body limit), not ours to ignore.
        && !request.headers().contains_key(header::CONTENT_LENGTH)
        && !request.headers().contains_key(header::TRANSFER_ENCODING)
}

impl PageCache {
    /// `request` answered from memory when it asks for a stranger's login page (in
    /// `lang`, with `nonce` filled in), else by `next`.
    pub async fn serve(&self, request: Request, next: Next, lang: Lang, nonce: &str) -> Response {
        if !cacheable(&request) {
            return next.run(request).await;
        }
        let Some(slot) = self.0.get(&lang) else { return next.run(request).await };
        if let Some(template) = slot.get() {
            return template.fill(nonce);
        }
        let response = next.run(request).await;
        if nonce.is_empty() || response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
            return response;
        }
        let (parts, body) = response.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE).await else {
            tracing::error!("the login page is larger than {MAX_PAGE} bytes or could not be read");
            return axum::response::IntoResponse::into_response(StatusCode::INTERNAL_SERVER_ERROR);
        };
        let mut headers = parts.headers.clone();
        headers.remove(header::CONTENT_LENGTH);
        let template = Template { headers, pieces: split(&bytes, nonce.as_bytes()) };
        let _ = slot.set(template);
        Response::from_parts(parts, Body::from(bytes))
    }
}

impl Template {
    fn fill(&self, nonce: &str) -> Response {
        let size = self.pieces.iter().map(Bytes::len).sum::<usize>() + nonce.len() * self.pieces.len().saturating_sub(1);
        let mut body = Vec::with_capacity(size);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                body.extend_from_slice(nonce.as_bytes());
            }
            body.extend_from_slice(piece);
        }
        let mut response = Response::new(Body::from(body));
        *response.headers_mut() = self.headers.clone();
        response
    }
}

/// `page` cut at every occurrence of `nonce`.
fn split(page: &Bytes, nonce: &[u8]) -> Vec<Bytes> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at + nonce.len() <= page.len() {
        if &page[at..at + nonce.len()] == nonce {
            pieces.push(page.slice(start..at));
            at += nonce.len();
            start = at;
        } else {
            at += 1;
        }
    }
    pieces.push(page.slice(start..));
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_cut_at_its_nonce_joins_back_with_another() {
        let page = Bytes::from_static(b"<script nonce=\"N1\">a</script><p>N</p><script nonce=\"N1\"></script>");
        let pieces = split(&page, b"N1");
        assert_eq!(pieces.len(), 3);
        let template = Template { headers: HeaderMap::new(), pieces };
        let filled = template.fill("zz");
        let body = futures::executor::block_on(axum::body::to_bytes(filled.into_body(), 1024)).unwrap();
        assert_eq!(&body[..], b"<script nonce=\"zz\">a</script><p>N</p><script nonce=\"zz\"></script>");
        assert_eq!(split(&Bytes::from_static(b"no nonce"), b"N1").len(), 1);
    }

    fn get(uri: &str, headers: &[(&str, &str)]) -> Request {
        let mut request = axum::http::Request::builder().uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(Body::empty()).unwrap()
    }

    #[test]
    fn only_a_strangers_plain_login_page_is_kept() {
        assert!(cacheable(&get("/login", &[])));
        assert!(cacheable(&get("/login", &[("cookie", "")])));
        assert!(cacheable(&get("/login", &[("cookie", "theme=dark; _ga=1")])), "cookies not the portal's change nothing");
        assert!(!cacheable(&get("/login", &[("cookie", "theme=dark; __Host-portal-flow=x")])));
        assert!(!cacheable(&get("/login", &[("cookie", "__Host-portal-lang=da")])), "a chosen language is rendered");
        assert!(!cacheable(&get("/login?next=%2Fm%2Fabc", &[])));
        assert!(!cacheable(&get("/login/", &[])));
        assert!(!cacheable(&get("/", &[])));
        assert!(!cacheable(&get("/login", &[(domain::contract::FETCH_HEADER, "1")])));
        assert!(!cacheable(&get("/login", &[("content-length", "20000")])), "a body goes to the limit");
        let mut post = get("/login", &[]);
        *post.method_mut() = Method::POST;
        assert!(!cacheable(&post));
    }
}
