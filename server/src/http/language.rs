//! The language of every answer: the switch's cookie, else the browser's
//! `Accept-Language`, else the organisation's default. Administrator pages are
//! English. The switch itself is a plain form posting to `/language`.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::i18n::{LANGUAGE_COOKIE, Lang, RequestLanguage};
use serde::Deserialize;

use crate::login::LoginService;

/// The request's [`RequestLanguage`].
pub fn of(request: &Request, default: Lang) -> RequestLanguage {
    let path = request.uri().path();
    if path.starts_with("/admin") || path.starts_with("/api/admin/") {
        RequestLanguage { lang: Lang::En, chosen: false }
    } else {
        let cookie = app::api::cookie(request.headers(), LANGUAGE_COOKIE);
        let accept = request.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        RequestLanguage::resolve(cookie.as_deref(), accept, default)
    }
}

/// Says the language in the answer (`Content-Language`, and `Vary` for any cache on
/// the way), but only in what is written for people: the browser's files and the
/// platform's JSON are the same in every language, and a `Vary` would cost their caching.
pub fn say(response: &mut Response, lang: Lang) {
    let is_text = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/"));
    if is_text {
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.code()));
        headers.append(header::VARY, HeaderValue::from_static("Accept-Language, Cookie"));
    }
}

#[derive(Deserialize)]
pub struct Switch {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    next: String,
}

/// The switch: remembers the language in this browser for a year and goes back to
/// the page. A recognised contact's codes follow it too. Anything but `en` or `da`
/// is refused and changes nothing.
pub async fn switch(State(service): State<LoginService>, parts: Parts, form: Result<Form<Switch>, FormRejection>) -> Response {
    let form = form.ok().map(|Form(f)| f);
    let Some(lang) = form.as_ref().and_then(|f| Lang::ALL.into_iter().find(|l| l.code() == f.lang)) else {
        let lang = app::api::language_of(&parts.extensions).lang;
        return (StatusCode::BAD_REQUEST, [(header::CACHE_CONTROL, "no-store")], lang.t("language-unknown")).into_response();
    };
    let next = domain::LocalPath::or_home(form.as_ref().map_or("/", |f| f.next.as_str()));
    let who = app::api::caller(&parts);
    if who.device.is_some() {
        // The cookie switches this browser whatever happens here; only the contact's
        // later codes would miss the change, and the failure is logged.
        match service.recognised(&who).await {
            Ok(Some((_, contact))) => {
                if let Err(e) = service.remember_language(contact.id, lang).await {
                    super::portal::logged(&e);
                }
            }
            Ok(None) => {}
            Err(e) => {
                super::portal::logged(&e);
            }
        }
    }
    let mut response = Redirect::to(next.as_str()).into_response();
    let cookie = format!("{LANGUAGE_COOKIE}={}; Max-Age=31536000; Path=/; Secure; HttpOnly; SameSite=Lax", lang.code());
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}
