//! What every request of the public listener goes through before its handler, and
//! every answer after it, in one pass.
//!
//! On the way in: the request's language; a fresh CSP nonce; in dev mode a page asked
//! for at the loopback address is sent to the name; a cross-site write is refused; the
//! client's address is resolved; a stranger's plain login page comes from memory.
//! On the way out: the security headers (and generic bodies for server functions'
//! failures), the time taken, the language said, and the integration API's refusals
//! put in `application/problem+json`.
//!
//! These were eight middleware layers, each cloning the service inside it, boxing a
//! future and reading the path again, on every request. As one, a stranger's
//! `GET /login` went from 42k to 57k answers a second on the same machine
//! (`BENCHMARKS.md`). The steps and their order are the same; each step's rule stays
//! in its own module, and the request's time is counted without an allocation.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use domain::i18n::Lang;

use super::client_ip::TrustedProxies;
use super::guard::OriginPolicy;
use super::headers::{Asked, HeaderPolicy};
use super::page_cache::PageCache;

/// The settings of every step.
pub struct Edge {
    pub proxies: TrustedProxies,
    pub origin: OriginPolicy,
    /// In dev mode, the loopback address and the public URL (`Config::loopback_alias`).
    pub names: Option<(String, String)>,
    pub headers: HeaderPolicy,
    /// The organisation's default language.
    pub language: Lang,
    pub login_page: PageCache,
}

pub async fn handle(State(edge): State<Arc<Edge>>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let class = crate::metrics::class_of(request.uri().path());
    let asked = Asked::of(&request);
    let language = super::language::of(&request, edge.language);
    let lang = language.lang;
    let nonce = super::headers::fresh_nonce();
    request.extensions_mut().insert(language);
    request.extensions_mut().insert(app::port::CspNonce(nonce.clone()));
    let refused = super::guard::to_public_name(edge.names.as_ref(), &request).or_else(|| edge.origin.refusal(&request, lang));
    let response = match refused {
        Some(refusal) => refusal,
        None => {
            if let Some(ip) = edge.proxies.of(&request) {
                request.extensions_mut().insert(ip);
            }
            edge.login_page.serve(request, next, lang, &nonce).await
        }
    };
    let mut response = edge.headers.apply(asked, &nonce, lang, response);
    crate::metrics::get().request(class, response.status().as_u16(), started.elapsed());
    super::language::say(&mut response, lang);
    if asked.api { super::headers::api_problems(response) } else { response }
}
