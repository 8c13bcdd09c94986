//! The operations of `/api/v1/`, each with its part of the OpenAPI document. A handler
//! parses, calls one method of [`Platform`](crate::platform::Platform), and answers;
//! the rules are in `platform.rs`. 401 and 404 are added to every operation by
//! `openapi::finish` (every one takes [`Authorised`] and names a resource).

use super::*;

#[utoipa::path(get, path = "/contacts", summary = "The platform's contacts, a page at a time", params(PageQuery),
    responses(
        (status = 200, description = "a page", body = Page<ContactView>),
        (status = 422, description = "an invalid cursor or limit", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn list_contacts(api: Authorised, q: Result<Query<PageQuery>, QueryRejection>) -> Result<Response, Fail> {
    Ok(Json(api.platform.contacts(&page_query(q)?).await?).into_response())
}

#[utoipa::path(get, path = "/messages", summary = "The platform's messages, a page at a time", params(PageQuery),
    responses(
        (status = 200, description = "a page", body = Page<MessageView>),
        (status = 422, description = "an invalid cursor or limit", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn list_messages(api: Authorised, q: Result<Query<PageQuery>, QueryRejection>) -> Result<Response, Fail> {
    Ok(Json(api.platform.messages(&page_query(q)?).await?).into_response())
}

#[utoipa::path(get, path = "/contacts/{external_id}", summary = "A contact",
    params(("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200)),
    responses(
        (status = 200, description = "the contact", body = ContactView),
        (status = 422, description = "not an external_id", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn get_contact(api: Authorised, Path(id): Path<String>) -> Result<Response, Fail> {
    Ok(Json(api.platform.contact(&id).await?).into_response())
}

#[utoipa::path(put, path = "/contacts/{external_id}", summary = "Create or replace a contact (idempotent)",
    params(("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200)),
    request_body = ContactBody,
    responses(
        (status = 200, description = "replaced (or unchanged)", body = ContactView),
        (status = 201, description = "created", body = ContactView),
        (status = 409, description = "the email or phone belongs to another contact", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "an invalid value or an unknown field; nothing changed", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn put_contact(
    api: Authorised,
    Path(id): Path<String>,
    parsed: Result<Json<ContactBody>, JsonRejection>,
) -> Result<Response, Fail> {
    let (view, created) = api.platform.put_contact(&api.caller, &id, body(parsed)?).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(view)).into_response())
}

#[utoipa::path(delete, path = "/contacts/{external_id}", summary = "Remove a contact, their browsers and pending codes",
    params(("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200)),
    responses((status = 204, description = "removed")))]
pub(super) async fn delete_contact(api: Authorised, Path(id): Path<String>) -> Result<Response, Fail> {
    api.platform.delete_contact(&api.caller, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(put, path = "/contacts/{external_id}/opt-outs", summary = "Set the opt-outs per channel",
    params(("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200)),
    request_body = OptOuts,
    responses(
        (status = 200, description = "the contact", body = ContactView),
        (status = 422, description = "an invalid value or an unknown field; nothing changed", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn put_opt_outs(
    api: Authorised,
    Path(id): Path<String>,
    parsed: Result<Json<OptOuts>, JsonRejection>,
) -> Result<Response, Fail> {
    Ok(Json(api.platform.put_opt_outs(&api.caller, &id, body(parsed)?).await?).into_response())
}

#[utoipa::path(get, path = "/contacts/{external_id}/devices", summary = "The contact's remembered browsers",
    params(("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200)),
    responses((status = 200, description = "the browsers", body = Vec<DeviceView>)))]
pub(super) async fn get_devices(api: Authorised, Path(id): Path<String>) -> Result<Response, Fail> {
    Ok(Json(api.platform.devices(&id).await?).into_response())
}

#[utoipa::path(delete, path = "/contacts/{external_id}/devices", summary = "Forget every browser, and every passkey with them",
    params(("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200)),
    responses((status = 200, description = "how many were forgotten", body = Forgotten)))]
pub(super) async fn delete_devices(api: Authorised, Path(id): Path<String>) -> Result<Response, Fail> {
    let (forgotten, passkeys_removed) = api.platform.forget_devices(&api.caller, &id, None).await?;
    Ok(Json(Forgotten { forgotten: forgotten as u64, passkeys_removed }).into_response())
}

#[utoipa::path(delete, path = "/contacts/{external_id}/devices/{device}", summary = "Forget one browser",
    params(
        ("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200),
        ("device" = i64, Path, description = "a browser's id, from the list of them"),
    ),
    responses((status = 204, description = "forgotten")))]
pub(super) async fn delete_device(api: Authorised, Path((id, device)): Path<(String, String)>) -> Result<Response, Fail> {
    let device: i64 = device.parse().map_err(|_| Fail::Refused(Refusal::NotFound(format!("no browser {device:?}"))))?;
    api.platform.forget_devices(&api.caller, &id, Some(device)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/contacts/{external_id}/passkeys", summary = "The contact's passkeys (each logs in without a code)",
    params(("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200)),
    responses((status = 200, description = "the passkeys", body = Vec<PasskeyView>)))]
pub(super) async fn get_passkeys(api: Authorised, Path(id): Path<String>) -> Result<Response, Fail> {
    Ok(Json(api.platform.passkeys(&id).await?).into_response())
}

#[utoipa::path(delete, path = "/contacts/{external_id}/passkeys/{passkey}", summary = "Remove one passkey",
    params(
        ("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200),
        ("passkey" = i64, Path, description = "a passkey's id, from the list of them"),
    ),
    responses((status = 204, description = "removed")))]
pub(super) async fn delete_passkey(api: Authorised, Path((id, passkey)): Path<(String, String)>) -> Result<Response, Fail> {
    let passkey: i64 = passkey.parse().map_err(|_| Fail::Refused(Refusal::NotFound(format!("no passkey {passkey:?}"))))?;
    api.platform.remove_passkey(&api.caller, &id, passkey).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/contacts/{external_id}/diagnosis", summary = "The login diagnosis of the contact card",
    params(("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200)),
    responses((status = 200, description = "the findings", body = Diagnosis)))]
pub(super) async fn get_diagnosis(api: Authorised, Path(id): Path<String>) -> Result<Response, Fail> {
    Ok(Json(Diagnosis { findings: api.platform.diagnosis(&id).await? }).into_response())
}

#[utoipa::path(get, path = "/messages/{external_id}", summary = "A message",
    params(("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200)),
    responses(
        (status = 200, description = "the message", body = MessageView),
        (status = 422, description = "not an external_id", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn get_message(api: Authorised, Path(id): Path<String>) -> Result<Response, Fail> {
    Ok(Json(api.platform.message(&id).await?).into_response())
}

#[utoipa::path(put, path = "/messages/{external_id}", summary = "Create or replace a message (idempotent)",
    params(("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200)),
    request_body = MessageBody,
    responses(
        (status = 200, description = "replaced (or unchanged)", body = MessageView),
        (status = 201, description = "created", body = MessageView),
        (status = 422, description = "an invalid value or an unknown field; nothing changed", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn put_message(
    api: Authorised,
    Path(id): Path<String>,
    parsed: Result<Json<MessageBody>, JsonRejection>,
) -> Result<Response, Fail> {
    let (view, created) = api.platform.put_message(&api.caller, &id, body(parsed)?).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(view)).into_response())
}

#[utoipa::path(delete, path = "/messages/{external_id}", summary = "Delete a message and its publications",
    params(("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200)),
    responses((status = 204, description = "deleted")))]
pub(super) async fn delete_message(api: Authorised, Path(id): Path<String>) -> Result<Response, Fail> {
    api.platform.delete_message(&api.caller, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(post, path = "/messages/{external_id}/publications", summary = "Publish to and withdraw from up to 10,000 contacts, all or nothing",
    params(("external_id" = String, Path, description = "the platform's own key", min_length = 1, max_length = 200)),
    request_body = PublicationsBody,
    responses(
        (status = 200, description = "what changed", body = PublicationsDone),
        (status = 422, description = "an invalid value, an unknown field or an unknown contact; nothing changed", body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn post_publications(
    api: Authorised,
    Path(id): Path<String>,
    parsed: Result<Json<PublicationsBody>, JsonRejection>,
) -> Result<Response, Fail> {
    Ok(Json(api.platform.publications(&api.caller, &id, body(parsed)?).await?).into_response())
}

fn page_query(q: Result<Query<PageQuery>, QueryRejection>) -> Result<PageQuery, Fail> {
    q.map(|Query(q)| q).map_err(|e| Fail::Refused(Refusal::Invalid(e.body_text())))
}
