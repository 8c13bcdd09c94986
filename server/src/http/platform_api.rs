//! `/api/v1/`: the platform's API. JSON in and out, a bearer token from
//! `portal api-token add`, no cookies (so no origin check: a browser's cookies never
//! authorise a call), and every refusal an RFC 9457 problem that changes nothing.
//!
//! Each handler carries its own part of the OpenAPI document (`#[utoipa::path]`), and
//! the router is built from the handlers (`routes!`), so the document and the routes
//! are one list; the schemas are derived from the types the handlers use
//! (`platform::wire`). Every handler takes [`Authorised`] first: the router's state is
//! a [`Gate`] that gives a handler nothing without it (its field is private to its own
//! module), so a handler cannot reach the platform without a token in use, and the
//! token is checked before the path or the body is read (SECURITY.md, L5). A handler
//! that needed nothing of the platform could still be written without it: the
//! integration test calls every documented operation without a token and wants 401.

use axum::extract::rejection::JsonRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

mod operations;

use super::openapi::Problem;
use crate::platform::{
    Caller, ContactBody, ContactView, DeviceView, Diagnosis, Forgotten, MessageBody, MessageView, OptOuts, Page, PageQuery, PasskeyView,
    Platform, PublicationsBody, PublicationsDone, Refusal,
};

/// The router's state and the only way past it. In a module of its own, so that not
/// even the handlers (`operations`) can read the platform out of the state.
mod gate {
    use std::sync::Arc;

    use axum::extract::FromRequestParts;
    use axum::http::request::Parts;

    use super::{Fail, authorise};
    use crate::platform::{Caller, Platform};

    /// The router's state. Its field is private to this module: a handler reaches the
    /// platform only through [`Authorised`].
    #[derive(Clone)]
    pub(in crate::http) struct Gate(Arc<Platform>);

    impl Gate {
        pub(in crate::http) fn new(platform: Platform) -> Gate {
            Gate(Arc::new(platform))
        }
    }

    /// A caller with a token in use, and the platform it may act on.
    pub(in crate::http) struct Authorised {
        pub(in crate::http) platform: Arc<Platform>,
        pub(in crate::http) caller: Caller,
    }

    impl FromRequestParts<Gate> for Authorised {
        type Rejection = Fail;

        async fn from_request_parts(parts: &mut Parts, gate: &Gate) -> Result<Self, Self::Rejection> {
            let caller = authorise(&gate.0, &parts.headers).await?;
            Ok(Authorised { platform: gate.0.clone(), caller })
        }
    }
}

use gate::{Authorised, Gate};

/// Every operation, one handler per `routes!` (handlers of different paths in one
/// `routes!` would each be served on all of them).
pub(super) fn operations() -> OpenApiRouter<Gate> {
    OpenApiRouter::with_openapi(super::openapi::base())
        .routes(routes!(operations::list_contacts))
        .routes(routes!(operations::list_messages))
        .routes(routes!(operations::get_contact))
        .routes(routes!(operations::put_contact))
        .routes(routes!(operations::delete_contact))
        .routes(routes!(operations::put_opt_outs))
        .routes(routes!(operations::get_devices))
        .routes(routes!(operations::delete_devices))
        .routes(routes!(operations::delete_device))
        .routes(routes!(operations::get_passkeys))
        .routes(routes!(operations::delete_passkey))
        .routes(routes!(operations::get_diagnosis))
        .routes(routes!(operations::get_message))
        .routes(routes!(operations::put_message))
        .routes(routes!(operations::delete_message))
        .routes(routes!(operations::post_publications))
}

/// The API's routes, its document at `/api/v1/openapi.json`, and a problem for any
/// other path under `/api/v1/`.
pub fn routes(platform: Platform) -> Router {
    let (operations, document) = operations().split_for_parts();
    let document = Json(super::openapi::finish(document));
    Router::new()
        .nest("/api/v1", operations)
        .route("/api/v1/openapi.json", get(move || std::future::ready(document.clone())))
        .route("/api/v1/{*rest}", any(|| async { problem(StatusCode::NOT_FOUND, "Not found", "no such endpoint") }))
        .with_state(Gate::new(platform))
}

/// The body of an RFC 9457 problem.
pub(super) fn problem_json(status: StatusCode, title: &str, detail: &str) -> String {
    let problem = Problem { kind: "about:blank".into(), title: title.into(), status: status.as_u16(), detail: detail.into() };
    serde_json::to_string(&problem).unwrap_or_default()
}

/// An RFC 9457 problem.
fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let mut response = (status, problem_json(status, title, detail)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response
}

/// Why a call is answered with a problem.
pub(super) enum Fail {
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
