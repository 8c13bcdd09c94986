//! The OpenAPI 3.1 document of `/api/v1/`, served at `/api/v1/openapi.json`. It is
//! built here, next to the routes it describes (`ROUTES`, which the router in
//! `platform_api` follows), and checked by a test that calls every documented
//! operation, refuses every undocumented method, and runs a standard validator.

use serde_json::{Value, json};

/// Every path under `/api/v1` and its methods: what the router serves.
pub const ROUTES: &[(&str, &[&str])] = &[
    ("/contacts", &["get"]),
    ("/messages", &["get"]),
    ("/contacts/{external_id}", &["get", "put", "delete"]),
    ("/contacts/{external_id}/opt-outs", &["put"]),
    ("/contacts/{external_id}/devices", &["get", "delete"]),
    ("/contacts/{external_id}/devices/{device}", &["delete"]),
    ("/contacts/{external_id}/passkeys", &["get"]),
    ("/contacts/{external_id}/passkeys/{passkey}", &["delete"]),
    ("/contacts/{external_id}/diagnosis", &["get"]),
    ("/messages/{external_id}", &["get", "put", "delete"]),
    ("/messages/{external_id}/publications", &["post"]),
];

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn body(name: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema(name) } } })
}

fn ok(description: &str, name: Option<&str>) -> Value {
    match name {
        Some(n) => json!({ "description": description, "content": { "application/json": { "schema": schema(n) } } }),
        None => json!({ "description": description }),
    }
}

fn problem(description: &str) -> Value {
    json!({ "description": description, "content": { "application/problem+json": { "schema": schema("Problem") } } })
}

fn operation(summary: &str, request: Option<&str>, mut responses: Vec<(&str, Value)>, writes: bool) -> Value {
    responses.push(("401", problem("no token, or one not in use")));
    responses.push(("404", problem("no such contact, message, browser or passkey")));
    if writes {
        responses.push(("422", problem("an invalid value or an unknown field; nothing changed")));
    }
    let mut op = json!({ "summary": summary, "responses": responses.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<serde_json::Map<_, _>>() });
    if let Some(r) = request {
        op["requestBody"] = body(r);
    }
    op
}

fn path_params(path: &str) -> Value {
    if !path.contains("{external_id}") {
        return json!([
            { "name": "after", "in": "query", "required": false, "schema": { "type": "string" }, "description": "the `next` cursor of the previous page" },
            { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 100 } },
        ]);
    }
    let mut params = vec![
        json!({ "name": "external_id", "in": "path", "required": true, "schema": { "type": "string", "minLength": 1, "maxLength": 200 }, "description": "the platform's own key" }),
    ];
    for id in ["device", "passkey"] {
        if path.contains(&format!("{{{id}}}")) {
            params.push(json!({ "name": id, "in": "path", "required": true, "schema": { "type": "integer" } }));
        }
    }
    Value::Array(params)
}

fn operations(path: &str, method: &str) -> Value {
    match (path, method) {
        ("/contacts", "get") => {
            operation("The platform's contacts, a page at a time", None, vec![("200", ok("a page", Some("ContactPage")))], true)
        }
        ("/messages", "get") => {
            operation("The platform's messages, a page at a time", None, vec![("200", ok("a page", Some("MessagePage")))], true)
        }
        ("/contacts/{external_id}", "get") => operation("A contact", None, vec![("200", ok("the contact", Some("Contact")))], false),
        ("/contacts/{external_id}", "put") => operation(
            "Create or replace a contact (idempotent)",
            Some("ContactBody"),
            vec![
                ("200", ok("replaced (or unchanged)", Some("Contact"))),
                ("201", ok("created", Some("Contact"))),
                ("409", problem("the email or phone belongs to another contact")),
            ],
            true,
        ),
        ("/contacts/{external_id}", "delete") => {
            operation("Remove a contact, their browsers and pending codes", None, vec![("204", ok("removed", None))], false)
        }
        ("/contacts/{external_id}/opt-outs", "put") => {
            operation("Set the opt-outs per channel", Some("OptOuts"), vec![("200", ok("the contact", Some("Contact")))], true)
        }
        ("/contacts/{external_id}/devices", "get") => {
            operation("The contact's remembered browsers", None, vec![("200", ok("the browsers", Some("Devices")))], false)
        }
        ("/contacts/{external_id}/devices", "delete") => operation(
            "Forget every browser, and every passkey with them",
            None,
            vec![("200", ok("how many were forgotten", Some("Forgotten")))],
            false,
        ),
        ("/contacts/{external_id}/passkeys", "get") => operation(
            "The contact's passkeys (each logs in without a code)",
            None,
            vec![("200", ok("the passkeys", Some("Passkeys")))],
            false,
        ),
        ("/contacts/{external_id}/passkeys/{passkey}", "delete") => {
            operation("Remove one passkey", None, vec![("204", ok("removed", None))], false)
        }
        ("/contacts/{external_id}/devices/{device}", "delete") => {
            operation("Forget one browser", None, vec![("204", ok("forgotten", None))], false)
        }
        ("/contacts/{external_id}/diagnosis", "get") => {
            operation("The login diagnosis of the contact card", None, vec![("200", ok("the findings", Some("Diagnosis")))], false)
        }
        ("/messages/{external_id}", "get") => operation("A message", None, vec![("200", ok("the message", Some("Message")))], false),
        ("/messages/{external_id}", "put") => operation(
            "Create or replace a message (idempotent)",
            Some("MessageBody"),
            vec![("200", ok("replaced (or unchanged)", Some("Message"))), ("201", ok("created", Some("Message")))],
            true,
        ),
        ("/messages/{external_id}", "delete") => {
            operation("Delete a message and its publications", None, vec![("204", ok("deleted", None))], false)
        }
        ("/messages/{external_id}/publications", "post") => operation(
            "Publish to and withdraw from up to 10,000 contacts, all or nothing",
            Some("Publications"),
            vec![("200", ok("what changed", Some("PublicationsDone")))],
            true,
        ),
        _ => json!({ "summary": "undocumented", "responses": { "default": { "description": "see the README" } } }),
    }
}

fn schemas() -> Value {
    let string = json!({ "type": "string" });
    let nullable = json!({ "type": ["string", "null"] });
    json!({
        "Problem": { "type": "object", "description": "RFC 9457", "required": ["type", "title", "status", "detail"],
            "properties": { "type": string, "title": string, "status": { "type": "integer" }, "detail": string } },
        "OptOuts": { "type": "object", "additionalProperties": false, "required": ["email", "sms"],
            "properties": { "email": { "type": "boolean" }, "sms": { "type": "boolean" } } },
        "ContactBody": { "type": "object", "additionalProperties": false, "required": ["name"],
            "properties": { "name": string, "email": nullable, "phone": nullable },
            "description": "email or phone or both; parsed as the login parses them" },
        "Contact": { "type": "object", "required": ["external_id", "name", "email", "phone", "opted_out"],
            "properties": { "external_id": string, "name": string, "email": nullable, "phone": nullable, "opted_out": schema("OptOuts") } },
        "Devices": { "type": "array", "items": { "type": "object", "required": ["id", "first_seen", "last_seen", "remembered"],
            "properties": { "id": { "type": "integer" }, "browser": nullable, "first_seen": string, "last_seen": string, "remembered": { "type": "boolean" } } } },
        "Forgotten": { "type": "object", "required": ["forgotten", "passkeys_removed"],
            "properties": { "forgotten": { "type": "integer" }, "passkeys_removed": { "type": "integer" } } },
        "Passkeys": { "type": "array", "items": { "type": "object", "required": ["id", "made_on", "created", "last_used", "synced"],
            "properties": { "id": { "type": "integer" }, "made_on": nullable, "created": string, "last_used": nullable, "synced": { "type": "boolean" } } } },
        "Diagnosis": { "type": "object", "required": ["findings"], "properties": { "findings": { "type": "array", "items": {
            "type": "object", "required": ["rule", "cause", "advice", "evidence"],
            "properties": { "rule": string, "cause": string, "advice": string, "evidence": { "type": "array", "items": {
                "type": "object", "required": ["at", "what"], "properties": { "at": string, "what": string } } } } } } } },
        "MessageBody": { "type": "object", "additionalProperties": false, "required": ["title", "body"],
            "properties": { "title": string, "body": { "type": "string", "description": "Markdown" } } },
        "Message": { "type": "object", "required": ["external_id", "title", "body", "url"],
            "properties": { "external_id": string, "title": string, "body": string, "url": string } },
        "Publications": { "type": "object", "additionalProperties": false,
            "properties": { "publish": { "type": "array", "items": string }, "unpublish": { "type": "array", "items": string } } },
        "ContactPage": { "type": "object", "required": ["items", "next"],
            "properties": { "items": { "type": "array", "items": schema("Contact") }, "next": nullable } },
        "MessagePage": { "type": "object", "required": ["items", "next"],
            "properties": { "items": { "type": "array", "items": schema("Message") }, "next": nullable } },
        "PublicationsDone": { "type": "object", "required": ["published", "unpublished"],
            "properties": { "published": { "type": "integer" }, "unpublished": { "type": "integer" } } },
    })
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for (path, methods) in ROUTES {
        let mut item = serde_json::Map::new();
        item.insert("parameters".into(), path_params(path));
        for m in *methods {
            item.insert((*m).into(), operations(path, m));
        }
        paths.insert((*path).into(), Value::Object(item));
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Contact portal integration API", "version": env!("CARGO_PKG_VERSION"),
            "description": "Contacts, opt-outs, messages and publications kept in sync by the platform. Tokens: `portal api-token add`." },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "components": { "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } }, "schemas": schemas() },
        "paths": paths,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_has_its_own_documented_operation() {
        for (path, methods) in super::ROUTES {
            for m in *methods {
                assert_ne!(super::operations(path, m)["summary"], "undocumented", "{m} {path}");
            }
        }
    }
}
