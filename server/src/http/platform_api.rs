//! `/api/v1/`: the platform's API. JSON in and out, a bearer token from
//! `portal api-token add`, no cookies (so no origin check: a browser's cookies never
//! authorise a call), and every refusal an RFC 9457 problem that changes nothing.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, post, put};
use axum::{Json, Router};

use crate::platform::{Caller, ContactBody, MessageBody, OptOuts, PageQuery, Platform, PublicationsBody, Refusal};

type Shared = Arc<Platform>;

/// The routes of `super::openapi::ROUTES`, each with its handlers (the integration
/// test `platform::the_openapi_document_describes_exactly_the_routes_that_exist`
/// holds the two together).
///
/// Every operation needs a bearer token, checked by a layer before the handler runs,
/// so a body is neither read nor parsed for a caller without one (SECURITY.md, L5).
pub fn routes(platform: Platform) -> Router {
    let shared = Arc::new(platform);
    let operations = Router::new()
        .route("/api/v1/contacts", get(list_contacts))
        .route("/api/v1/messages", get(list_messages))
        .route("/api/v1/contacts/{external_id}", get(get_contact).put(put_contact).delete(delete_contact))
        .route("/api/v1/contacts/{external_id}/opt-outs", put(put_opt_outs))
        .route("/api/v1/contacts/{external_id}/devices", get(get_devices).delete(delete_devices))
        .route("/api/v1/contacts/{external_id}/devices/{device}", delete(delete_device))
        .route("/api/v1/contacts/{external_id}/passkeys", get(get_passkeys))
        .route("/api/v1/contacts/{external_id}/passkeys/{passkey}", delete(delete_passkey))
        .route("/api/v1/contacts/{external_id}/diagnosis", get(get_diagnosis))
        .route("/api/v1/messages/{external_id}", get(get_message).put(put_message).delete(delete_message))
        .route("/api/v1/messages/{external_id}/publications", post(post_publications))
        .route_layer(axum::middleware::from_fn_with_state(shared.clone(), authorised));
    Router::new()
        .merge(operations)
        .route("/api/v1/openapi.json", get(|| async { Json(super::openapi::document()) }))
        .route("/api/v1/{*rest}", any(|| async { problem(StatusCode::NOT_FOUND, "Not found", "no such endpoint") }))
        .with_state(shared)
}

/// Lets a request through to its operation only with a known bearer token, whose
/// caller the handler then finds in the request's extensions.
async fn authorised(State(p): State<Shared>, mut request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    match authorise(&p, request.headers()).await {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(fail) => fail.into_response(),
    }
}

/// The body of an RFC 9457 problem.
pub(super) fn problem_json(status: StatusCode, title: &str, detail: &str) -> String {
    serde_json::json!({ "type": "about:blank", "title": title, "status": status.as_u16(), "detail": detail }).to_string()
}

/// An RFC 9457 problem.
fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let mut response = (status, problem_json(status, title, detail)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response
}

/// Why a call is answered with a problem.
enum Fail {
    Refused(Refusal),
    /// No token, or (`true`) one that is not in use.
    Unauthorized(bool),
    Body(StatusCode, String),
}

impl From<Refusal> for Fail {
    fn from(r: Refusal) -> Self {
        Fail::Refused(r)
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        match self {
            Fail::Refused(Refusal::NotFound(m)) => problem(StatusCode::NOT_FOUND, "Not found", &m),
            Fail::Refused(Refusal::Conflict(m)) => problem(StatusCode::CONFLICT, "Conflict", &m),
            Fail::Refused(Refusal::Invalid(m)) => problem(StatusCode::UNPROCESSABLE_ENTITY, "Invalid input", &m),
            Fail::Refused(Refusal::Store(e)) => {
                tracing::error!(error = %e, "API request failed");
                if crate::store::is_outage(&e) {
                    problem(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Unavailable",
                        "the database cannot be reached just now; try again in a moment",
                    )
                } else {
                    problem(StatusCode::INTERNAL_SERVER_ERROR, "Internal error", "something went wrong on our side")
                }
            }
            // RFC 6750: say how to authenticate, and whether the token was the problem.
            Fail::Unauthorized(presented) => {
                let (challenge, detail) = if presented {
                    ("Bearer error=\"invalid_token\"", "the token is not one in use (unknown or revoked)")
                } else {
                    ("Bearer", "send a token from `portal api-token add` as `Authorization: Bearer <token>`")
                };
                let mut response = problem(StatusCode::UNAUTHORIZED, "Unauthorized", detail);
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
                response
            }
            Fail::Body(status, detail) => problem(status, "Invalid request body", &detail),
        }
    }
}

/// The caller a bearer token names.
async fn authorise(platform: &Platform, headers: &HeaderMap) -> Result<Caller, Fail> {
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = bearer else { return Err(Fail::Unauthorized(false)) };
    let found = crate::platform::caller(&platform.store, token.trim()).await.map_err(|e| Fail::Refused(Refusal::Store(e)))?;
    found.ok_or(Fail::Unauthorized(true))
}

/// A JSON body, or what is wrong with it.
fn body<T>(parsed: Result<Json<T>, JsonRejection>) -> Result<T, Fail> {
    parsed.map(|Json(t)| t).map_err(|rejection| {
        let status = match &rejection {
            JsonRejection::JsonDataError(_) => StatusCode::UNPROCESSABLE_ENTITY,
            JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            JsonRejection::BytesRejection(_) => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        Fail::Body(status, rejection.body_text())
    })
}

async fn get_contact(State(p): State<Shared>, Extension(_caller): Extension<Caller>, Path(id): Path<String>) -> Result<Response, Fail> {
    Ok(Json(p.contact(&id).await?).into_response())
}

async fn put_contact(
    State(p): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    parsed: Result<Json<ContactBody>, JsonRejection>,
) -> Result<Response, Fail> {
    let (view, created) = p.put_contact(&caller, &id, body(parsed)?).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(view)).into_response())
}

async fn delete_contact(State(p): State<Shared>, Extension(caller): Extension<Caller>, Path(id): Path<String>) -> Result<Response, Fail> {
    p.delete_contact(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn put_opt_outs(
    State(p): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    parsed: Result<Json<OptOuts>, JsonRejection>,
) -> Result<Response, Fail> {
    Ok(Json(p.put_opt_outs(&caller, &id, body(parsed)?).await?).into_response())
}

async fn get_message(State(p): State<Shared>, Extension(_caller): Extension<Caller>, Path(id): Path<String>) -> Result<Response, Fail> {
    Ok(Json(p.message(&id).await?).into_response())
}

async fn put_message(
    State(p): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    parsed: Result<Json<MessageBody>, JsonRejection>,
) -> Result<Response, Fail> {
    let (view, created) = p.put_message(&caller, &id, body(parsed)?).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(view)).into_response())
}

async fn delete_message(State(p): State<Shared>, Extension(caller): Extension<Caller>, Path(id): Path<String>) -> Result<Response, Fail> {
    p.delete_message(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn post_publications(
    State(p): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    parsed: Result<Json<PublicationsBody>, JsonRejection>,
) -> Result<Response, Fail> {
    Ok(Json(p.publications(&caller, &id, body(parsed)?).await?).into_response())
}

async fn get_devices(State(p): State<Shared>, Extension(_caller): Extension<Caller>, Path(id): Path<String>) -> Result<Response, Fail> {
    Ok(Json(p.devices(&id).await?).into_response())
}

async fn delete_devices(State(p): State<Shared>, Extension(caller): Extension<Caller>, Path(id): Path<String>) -> Result<Response, Fail> {
    let (forgotten, passkeys_removed) = p.forget_devices(&caller, &id, None).await?;
    Ok(Json(serde_json::json!({ "forgotten": forgotten, "passkeys_removed": passkeys_removed })).into_response())
}

async fn delete_device(
    State(p): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((id, device)): Path<(String, String)>,
) -> Result<Response, Fail> {
    let device: i64 = device.parse().map_err(|_| Fail::Refused(Refusal::NotFound(format!("no browser {device:?}"))))?;
    p.forget_devices(&caller, &id, Some(device)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn get_passkeys(State(p): State<Shared>, Extension(_caller): Extension<Caller>, Path(id): Path<String>) -> Result<Response, Fail> {
    Ok(Json(p.passkeys(&id).await?).into_response())
}

async fn delete_passkey(
    State(p): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path((id, passkey)): Path<(String, String)>,
) -> Result<Response, Fail> {
    let passkey: i64 = passkey.parse().map_err(|_| Fail::Refused(Refusal::NotFound(format!("no passkey {passkey:?}"))))?;
    p.remove_passkey(&caller, &id, passkey).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn get_diagnosis(State(p): State<Shared>, Extension(_caller): Extension<Caller>, Path(id): Path<String>) -> Result<Response, Fail> {
    Ok(Json(serde_json::json!({ "findings": p.diagnosis(&id).await? })).into_response())
}

fn page_query(q: Result<Query<PageQuery>, QueryRejection>) -> Result<PageQuery, Fail> {
    q.map(|Query(q)| q).map_err(|e| Fail::Refused(Refusal::Invalid(e.body_text())))
}

async fn list_contacts(
    State(p): State<Shared>,
    Extension(_caller): Extension<Caller>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, Fail> {
    Ok(Json(p.contacts(&page_query(q)?).await?).into_response())
}

async fn list_messages(
    State(p): State<Shared>,
    Extension(_caller): Extension<Caller>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, Fail> {
    Ok(Json(p.messages(&page_query(q)?).await?).into_response())
}
