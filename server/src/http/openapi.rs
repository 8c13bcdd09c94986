//! The OpenAPI 3.1 document of `/api/v1/`, served at `/api/v1/openapi.json`: generated
//! by utoipa from the handlers (`platform_api::operations`, their `#[utoipa::path]`)
//! and the types they read and send (`platform::wire`, their `ToSchema`). This file
//! holds only what no handler says: the title, the bearer scheme, and the answers every
//! operation shares. The integration test `platform::the_openapi_document_…` calls every
//! documented operation, refuses every undocumented method and runs a standard
//! validator; the tests below check that every schema is exactly what is sent and read.

use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

/// An RFC 9457 problem: every refusal of the API.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What was wrong, in words for the platform's developers.
    pub detail: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Contact portal integration API",
        description = "Contacts, opt-outs, messages and publications kept in sync by the platform. Tokens: `portal api-token add`."
    ),
    servers((url = "/api/v1")),
    security(("bearer" = [])),
    components(schemas(Problem)),
    modifiers(&BearerScheme)
)]
struct ApiDoc;

/// `Authorization: Bearer <token>`, the one way in.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("a token from `portal api-token add`")).build();
        api.components.get_or_insert_with(Default::default).add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The document before the operations are added.
pub(super) fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Adds what every operation answers: each takes `Authorised` (401 without a token in
/// use) and names a contact, message, browser or passkey (404).
pub(super) fn finish(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::{Content, Ref, Response};
    let problem = |d: &str| {
        Response::builder().description(d).content("application/problem+json", Content::new(Some(Ref::from_schema_name("Problem")))).build()
    };
    for item in api.paths.paths.values_mut() {
        for op in [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten() {
            let answers = &mut op.responses.responses;
            answers.entry("401".into()).or_insert_with(|| problem("no token, or one not in use").into());
            answers.entry("404".into()).or_insert_with(|| problem("no such contact, message, browser or passkey").into());
        }
    }
    api
}

/// The whole document, as served (the router builds it from the same parts).
#[cfg(test)]
fn document() -> utoipa::openapi::OpenApi {
    finish(super::platform_api::operations().into_openapi())
}

#[cfg(test)]
#[path = "openapi_tests.rs"]
mod tests;
