//! The passkey ceremonies over HTTP, for the page's script: JSON in and out, from the
//! portal's own pages only (the origin check covers these paths).
//!
//! - `POST /passkeys/register/options`: a remembered browser that logged in with a
//!   code minutes ago gets the options for `navigator.credentials.create()`.
//! - `POST /passkeys/register`: `{ceremony, credential}`; the passkey is saved.
//! - `POST /passkeys/login/options`: anyone gets options for `navigator.credentials.get()`
//!   (no address asked, none told), counted against the network's limit.
//! - `POST /passkeys/login`: `{ceremony, credential, next}`; the browser is remembered
//!   as after a code, and told where to go.
//! - `POST /passkeys/{id}/remove`: a form (works without JavaScript) removing one of
//!   the contact's own passkeys.
//!
//! Refusals are `{"error": "…"}` in words a contact reads, never the reason, which
//! goes to the log and the contact's timeline.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::json;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use domain::i18n::Lang;

use crate::login::LoginService;
use crate::passkeys::{PasskeyError, Passkeys};

struct Routes {
    passkeys: Passkeys,
    service: LoginService,
}

pub fn routes(passkeys: Option<Passkeys>, service: LoginService) -> Router {
    let Some(passkeys) = passkeys else { return Router::new() };
    Router::new()
        .route("/passkeys/register/options", post(register_options))
        .route("/passkeys/register", post(register))
        .route("/passkeys/login/options", post(login_options))
        .route("/passkeys/login", post(login))
        .route("/passkeys/{id}/remove", post(remove))
        .route("/passkeys/later", post(later))
        .with_state(Arc::new(Routes { passkeys, service }))
}

fn refuse(status: StatusCode, text: &str) -> Response {
    (status, [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(json!({ "error": text }))).into_response()
}

/// An unexpected failure: logged with a reference, which alone goes out (as for
/// every page); a lost database is said as such.
fn failed(e: &(dyn std::error::Error + 'static), lang: Lang) -> Response {
    let failure = super::portal::logged(e);
    if failure.unavailable {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, &lang.t("unavailable"));
    }
    refuse(StatusCode::INTERNAL_SERVER_ERROR, &lang.tf("passkey-went-wrong", &[("reference", failure.reference.into())]))
}

fn answer(e: PasskeyError, lang: Lang) -> Response {
    match e {
        PasskeyError::NotFresh => refuse(StatusCode::FORBIDDEN, &lang.t("passkey-not-fresh")),
        PasskeyError::NoCeremony => refuse(StatusCode::CONFLICT, &lang.t("passkey-no-ceremony")),
        PasskeyError::TooMany => {
            refuse(StatusCode::CONFLICT, &lang.tf("passkey-limit-reached", &[("max", crate::passkeys::MAX_PER_CONTACT.into())]))
        }
        PasskeyError::Refused(_) => refuse(StatusCode::UNAUTHORIZED, &lang.t("passkey-refused")),
        PasskeyError::Store(ref s) => failed(s, lang),
        PasskeyError::Internal(_) => failed(&e, lang),
    }
}

/// The language of the page that called.
fn lang_of(parts: &Parts) -> Lang {
    app::api::language_of(&parts.extensions).lang
}

fn ok(value: serde_json::Value, cookies: Vec<String>) -> Response {
    let mut response = (StatusCode::OK, [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(value)).into_response();
    for cookie in cookies {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

async fn register_options(State(r): State<Arc<Routes>>, parts: Parts) -> Response {
    let (who, lang) = (app::api::caller(&parts), lang_of(&parts));
    let (device, contact) = match r.service.recognised(&who).await {
        Ok(Some(found)) => found,
        Ok(None) => return refuse(StatusCode::UNAUTHORIZED, &lang.t("passkey-log-in-first")),
        Err(e) => return failed(&e, lang),
    };
    match r.passkeys.start_registration(&contact, &device).await {
        Ok((options, ceremony)) => ok(json!({ "ceremony": ceremony.expose(), "options": options }), vec![]),
        Err(e) => answer(e, lang),
    }
}

#[derive(Deserialize)]
struct Registration {
    ceremony: String,
    credential: RegisterPublicKeyCredential,
}

async fn register(
    State(r): State<Arc<Routes>>,
    parts: Parts,
    body: Result<Json<Registration>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(body)) = body else { return refuse(StatusCode::BAD_REQUEST, &lang_of(&parts).t("passkey-unreadable")) };
    let (who, lang) = (app::api::caller(&parts), lang_of(&parts));
    let (device, contact) = match r.service.recognised(&who).await {
        Ok(Some(found)) => found,
        Ok(None) => return refuse(StatusCode::UNAUTHORIZED, &lang.t("passkey-log-in-first")),
        Err(e) => return failed(&e, lang),
    };
    let browser = who.user_agent.as_deref().map(domain::browser_and_platform);
    match r.passkeys.finish_registration(&body.ceremony, &contact, &device, &body.credential, browser.as_deref()).await {
        Ok(saved) => ok(json!({ "passkey": { "id": saved.id, "browser": saved.browser, "synced": saved.backup_state } }), vec![]),
        Err(e) => answer(e, lang),
    }
}

async fn login_options(State(r): State<Arc<Routes>>, parts: Parts) -> Response {
    let (who, lang) = (app::api::caller(&parts), lang_of(&parts));
    match r.service.passkey_step_allowed(&who).await {
        Ok(true) => {}
        Ok(false) => return refuse(StatusCode::TOO_MANY_REQUESTS, &lang.t("passkey-too-many")),
        Err(e) => return failed(&e, lang),
    }
    match r.passkeys.start_login().await {
        Ok((options, ceremony)) => ok(json!({ "ceremony": ceremony.expose(), "options": options }), vec![]),
        Err(e) => answer(e, lang),
    }
}

#[derive(Deserialize)]
struct Login {
    ceremony: String,
    credential: PublicKeyCredential,
    #[serde(default)]
    next: String,
}

async fn login(State(r): State<Arc<Routes>>, parts: Parts, body: Result<Json<Login>, axum::extract::rejection::JsonRejection>) -> Response {
    let Ok(Json(body)) = body else { return refuse(StatusCode::BAD_REQUEST, &lang_of(&parts).t("passkey-unreadable")) };
    let (who, lang) = (app::api::caller(&parts), lang_of(&parts));
    let contact = match r.passkeys.finish_login(&body.ceremony, &body.credential).await {
        Ok(contact) => contact,
        Err(e) => return answer(e, lang),
    };
    match r.service.log_in_with_passkey(&who, contact).await {
        Ok(done) => {
            let cookies = done.cookies.iter().map(app::api::set_cookie).collect();
            ok(json!({ "location": domain::LocalPath::or_home(&body.next).to_string() }), cookies)
        }
        Err(e) => failed(&e, lang),
    }
}

async fn remove(State(r): State<Arc<Routes>>, Path(id): Path<i64>, parts: Parts) -> Response {
    let (who, lang) = (app::api::caller(&parts), lang_of(&parts));
    let contact = match r.service.recognised(&who).await {
        Ok(Some((_, contact))) => contact,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(e) => return failed(&e, lang),
    };
    match r.passkeys.remove(contact.id, id, &domain::Actor::Contact).await {
        Ok(_) => Redirect::to("/").into_response(),
        Err(e) => answer(e, lang),
    }
}

#[derive(Deserialize)]
struct Later {
    #[serde(default)]
    next: String,
}

/// "Not now": this browser is not offered a passkey again (for half a year); back
/// to the page it was on.
async fn later(form: Result<Form<Later>, axum::extract::rejection::FormRejection>) -> Response {
    let next = form.map(|Form(l)| domain::LocalPath::or_home(&l.next).to_string()).unwrap_or_else(|_| "/".into());
    let mut response = Redirect::to(&next).into_response();
    let cookie = format!("{}=1; Max-Age=15552000; Path=/; Secure; HttpOnly; SameSite=Lax", app::api::PASSKEY_LATER_COOKIE);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}
