//! The document says exactly what the API sends and reads: each response schema
//! against values the handlers' types serialise, each request schema against what serde
//! reads, and every schema covered by one of the two.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::Problem;
use crate::platform::{
    ContactBody, ContactView, DeviceView, Diagnosis, EvidenceView, FindingView, Forgotten, MessageBody, MessageView, OptOuts, Page,
    PasskeyView, PublicationsBody, PublicationsDone,
};

fn doc() -> Value {
    serde_json::to_value(super::document()).unwrap()
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

fn resolve<'a>(d: &'a Value, s: &'a Value, seen: &mut BTreeSet<String>) -> &'a Value {
    match s["$ref"].as_str() {
        None => s,
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            seen.insert(name.into());
            resolve(d, &d["components"]["schemas"][name], seen)
        }
    }
}

/// `None` when `v` is exactly what `s` documents: no property left out, none extra,
/// each of a documented type, all the way down.
fn mismatch(d: &Value, s: &Value, v: &Value, at: &str, seen: &mut BTreeSet<String>) -> Option<String> {
    let s = resolve(d, s, seen);
    if let Some(alternatives) = s["oneOf"].as_array() {
        return alternatives.iter().all(|a| mismatch(d, a, v, at, seen).is_some()).then(|| format!("{at}: {v} fits no oneOf"));
    }
    let types: Vec<&str> = match &s["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(t) => t.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if !n.is_f64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if !types.is_empty() && !types.contains(&kind) {
        return Some(format!("{at}: sent {kind}, documented {types:?}"));
    }
    match v {
        Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| mismatch(d, &s["items"], x, &format!("{at}[{i}]"), seen)),
        Value::Object(fields) => {
            let Some(documented) = s["properties"].as_object() else { return Some(format!("{at}: an undocumented object")) };
            let required: Vec<&str> = s["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            fields
                .keys()
                .find(|k| !documented.contains_key(*k))
                .map(|k| format!("{at}.{k} is sent but not documented"))
                .or_else(|| documented.keys().find(|k| !fields.contains_key(*k)).map(|k| format!("{at}.{k} is documented but never sent")))
                .or_else(|| {
                    documented.keys().find(|k| !required.contains(&k.as_str())).map(|k| format!("{at}.{k} is always sent: required"))
                })
                .or_else(|| fields.iter().find_map(|(k, x)| mismatch(d, &documented[k], x, &format!("{at}.{k}"), seen)))
        }
        _ => None,
    }
}

#[test]
fn every_response_schema_is_exactly_what_is_sent() {
    let (d, mut seen) = (doc(), BTreeSet::new());
    let contact = ContactView {
        external_id: "c1".into(),
        name: "Ada".into(),
        email: Some("ada@example.com".into()),
        phone: Some("+4512345678".into()),
        opted_out: OptOuts { email: false, sms: true },
    };
    let message = MessageView { external_id: "m1".into(), title: "Hi".into(), body: "**Hi**".into(), url: "https://p.example/m/x".into() };
    let device =
        DeviceView { id: 1, browser: Some("Firefox on Linux".into()), first_seen: "t".into(), last_seen: "t".into(), remembered: true };
    let passkey =
        PasskeyView { id: 1, made_on: Some("Chrome on Android".into()), created: "t".into(), last_used: Some("t".into()), synced: true };
    let finding = FindingView {
        rule: "opted_out:email".into(),
        cause: "c".into(),
        advice: "a".into(),
        evidence: vec![EvidenceView { at: "t".into(), what: "w".into() }],
    };
    let problem: Problem =
        serde_json::from_str(&super::super::platform_api::problem_json(axum::http::StatusCode::CONFLICT, "Conflict", "x")).unwrap();
    let examples: Vec<(&str, Value)> = vec![
        ("Contact", to_value(&contact)),
        ("Contact", to_value(&ContactView { email: None, phone: None, ..contact.clone() })),
        ("Page_Contact", to_value(&Page { items: vec![contact.clone()], next: Some("6331".into()) })),
        ("Page_Contact", to_value(&Page::<ContactView> { items: vec![], next: None })),
        ("Message", to_value(&message)),
        ("Page_Message", to_value(&Page { items: vec![message], next: None })),
        ("Device", to_value(&device)),
        ("Device", to_value(&DeviceView { browser: None, ..device })),
        ("Passkey", to_value(&passkey)),
        ("Passkey", to_value(&PasskeyView { made_on: None, last_used: None, ..passkey })),
        ("Diagnosis", to_value(&Diagnosis { findings: vec![finding] })),
        ("Forgotten", to_value(&Forgotten { forgotten: 2, passkeys_removed: 1 })),
        ("PublicationsDone", to_value(&PublicationsDone { published: 3, unpublished: 0 })),
        ("Problem", to_value(&problem)),
    ];
    for (name, v) in &examples {
        let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
        if let Some(e) = mismatch(&d, &schema, v, name, &mut seen) {
            panic!("{e}");
        }
    }
    seen.extend(["ContactBody", "MessageBody", "Publications", "OptOuts"].map(String::from));
    let all: BTreeSet<String> = d["components"]["schemas"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(all, seen, "a schema without an example here or a body check below");
}

/// A value for every documented property of `s`.
fn sample(d: &Value, s: &Value) -> Value {
    let s = resolve(d, s, &mut BTreeSet::new());
    let ty = s["type"].as_str().or_else(|| s["type"][0].as_str());
    match ty {
        Some("object") => {
            Value::Object(s["properties"].as_object().into_iter().flatten().map(|(k, p)| (k.clone(), sample(d, p))).collect())
        }
        Some("array") => json!([sample(d, &s["items"])]),
        Some("boolean") => json!(true),
        Some("integer") => json!(1),
        _ => json!("x"),
    }
}

/// Every documented field is one serde reads, `required` is what serde requires, and
/// an undocumented field is refused.
fn reads_exactly<T: serde::de::DeserializeOwned>(d: &Value, name: &str) {
    let s = &d["components"]["schemas"][name];
    let full = sample(d, s);
    assert!(full.as_object().is_some_and(|f| !f.is_empty()), "{name}: no properties documented");
    if let Err(e) = serde_json::from_value::<T>(full.clone()) {
        panic!("{name}: documented but refused: {e}");
    }
    let required: Vec<&str> = s["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    for k in full.as_object().unwrap().keys() {
        let mut less = full.clone();
        less.as_object_mut().unwrap().remove(k);
        assert_eq!(serde_json::from_value::<T>(less).is_ok(), !required.contains(&k.as_str()), "{name}.{k}: required disagrees with serde");
    }
    let mut more = full;
    more["undocumented"] = json!(1);
    assert!(serde_json::from_value::<T>(more).is_err(), "{name} accepts an undocumented field");
}

#[test]
fn every_request_schema_is_exactly_what_is_read() {
    let d = doc();
    reads_exactly::<ContactBody>(&d, "ContactBody");
    reads_exactly::<MessageBody>(&d, "MessageBody");
    reads_exactly::<OptOuts>(&d, "OptOuts");
    reads_exactly::<PublicationsBody>(&d, "Publications");
}

#[test]
fn every_operation_wants_the_bearer_token() {
    let d = doc();
    assert_eq!(d["openapi"], "3.1.0", "what the validator in scripts/lib.sh checks");
    assert_eq!(d["security"], json!([{ "bearer": [] }]));
    assert_eq!(d["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let mut operations = 0;
    for (path, item) in d["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            assert!(op.get("security").is_none(), "{method} {path} overrides the token");
            let unauthorised = &op["responses"]["401"]["content"]["application/problem+json"]["schema"]["$ref"];
            assert_eq!(unauthorised, "#/components/schemas/Problem", "{method} {path}");
        }
    }
    assert_eq!(operations, 16, "the operations of platform_api::operations");
}
