//! Passkeys in the browser: WebAuthn through `navigator.credentials`. The server's
//! options are JSON with binary fields in base64url; WebAuthn takes them as bytes,
//! and its answers go back as JSON the same way. Nothing here decides anything: the
//! server checks every answer.
//!
//! The page marks what it offers: `[data-passkey=login]` and `[data-passkey=register]`
//! buttons (rendered hidden, shown here when the browser has WebAuthn), an input
//! with `autocomplete="… webauthn"` for the browser's autofill, and a
//! `[data-passkey-status]` element for what happened.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Document, HtmlButtonElement, RequestInit};

const FAILED: &str = "The passkey did not work. You can log in with a code instead.";

/// "The passkey did not work", in the page's language.
fn failed() -> String {
    crate::said("passkey-failed", FAILED)
}

/// The browser's autofill request in flight, so a button can cancel it first (a
/// browser allows one WebAuthn request at a time).
#[derive(Default)]
struct State {
    pending: RefCell<Option<JsValue>>,
}

pub fn start(document: &Document) {
    let Some(window) = web_sys::window() else { return };
    let Ok(pkc) = Reflect::get(&window, &"PublicKeyCredential".into()) else { return };
    if pkc.is_undefined() {
        return; // No WebAuthn: the code login is the way in, and the buttons stay hidden.
    }
    let state = Rc::new(State::default());
    for (kind, register) in [("login", false), ("register", true)] {
        let Ok(buttons) = document.query_selector_all(&format!("[data-passkey={kind}]")) else { continue };
        for i in 0..buttons.length() {
            let Some(button) = buttons.item(i).and_then(|n| n.dyn_into::<HtmlButtonElement>().ok()) else { continue };
            button.set_hidden(false);
            let state = state.clone();
            let document = document.clone();
            let on_click = Closure::<dyn FnMut()>::new(move || {
                let button = button.clone();
                let document = document.clone();
                let state = state.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    button.set_disabled(true);
                    abort(&state);
                    let result = if register {
                        save(&document).await
                    } else {
                        log_in(&button.get_attribute("data-next").unwrap_or_default(), None).await
                    };
                    if let Err(text) = result {
                        say(&document, &text);
                    }
                    button.set_disabled(false);
                });
            });
            let _ = buttons.item(i).map(|b| b.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref()));
            on_click.forget();
        }
    }
    // The browser's autofill: offered in the address field when the browser can.
    if document.query_selector("input[autocomplete$=webauthn]").ok().flatten().is_some() {
        let state = state.clone();
        let document = document.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if !conditional_available(&pkc).await {
                return;
            }
            let Ok(controller) = construct("AbortController") else { return };
            let signal = Reflect::get(&controller, &"signal".into()).ok();
            *state.pending.borrow_mut() = Some(controller);
            let next =
                document.query_selector("input[name=next]").ok().flatten().and_then(|e| e.get_attribute("value")).unwrap_or_default();
            // An autofill the contact never uses, or cancels, is no error.
            if let Err(text) = log_in(&next, signal).await
                && text != CANCELLED
            {
                say(&document, &text);
            }
        });
    }
}

const CANCELLED: &str = "cancelled";

fn abort(state: &State) {
    if let Some(controller) = state.pending.borrow_mut().take()
        && let Ok(f) = Reflect::get(&controller, &"abort".into()).and_then(|f| f.dyn_into::<Function>())
    {
        let _ = f.call0(&controller);
    }
}

async fn conditional_available(pkc: &JsValue) -> bool {
    let Ok(f) = Reflect::get(pkc, &"isConditionalMediationAvailable".into()).and_then(|f| f.dyn_into::<Function>()) else {
        return false;
    };
    match f.call0(pkc).and_then(|p| p.dyn_into::<Promise>()) {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_bool()).unwrap_or(false),
        Err(_) => false,
    }
}

/// Logs in with a passkey: the server's challenge, the browser's answer, and on to
/// where the contact was going. With `signal`, as the autofill (conditional) request.
async fn log_in(next: &str, signal: Option<JsValue>) -> Result<(), String> {
    let started = post("/passkeys/login/options", &Object::new().into()).await?;
    let options = field(&started, "options")?;
    let public_key = field(&options, "publicKey")?;
    to_bytes(&public_key, "challenge")?;
    each(&public_key, "allowCredentials", |c| to_bytes(c, "id"))?;
    let request = Object::new();
    set(&request, "publicKey", &public_key)?;
    if let Some(signal) = signal {
        set(&request, "mediation", &"conditional".into())?;
        set(&request, "signal", &signal)?;
    }
    let credential = match call_credentials("get", &request).await {
        Ok(c) => c,
        Err(e) if is_abort(&e) => return Err(CANCELLED.into()),
        Err(_) => return Err(failed()),
    };
    let response = field(&credential, "response")?;
    let answer = credential_json(&credential)?;
    let r = Object::new();
    for name in ["authenticatorData", "clientDataJSON", "signature"] {
        set(&r, name, &encoded(&response, name)?)?;
    }
    let handle = Reflect::get(&response, &"userHandle".into()).unwrap_or(JsValue::NULL);
    set(&r, "userHandle", &if handle.is_null() || handle.is_undefined() { JsValue::NULL } else { b64url(&handle).into() })?;
    set(&answer, "response", &r)?;
    let body = Object::new();
    set(&body, "ceremony", &field(&started, "ceremony")?)?;
    set(&body, "credential", &answer)?;
    set(&body, "next", &next.into())?;
    let done = post("/passkeys/login", &body.into()).await?;
    let location = field(&done, "location")?.as_string().unwrap_or_else(|| "/".into());
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(&location);
    }
    Ok(())
}

/// Saves a passkey for the contact logged in here, and says so.
async fn save(document: &Document) -> Result<(), String> {
    let started = post("/passkeys/register/options", &Object::new().into()).await?;
    let public_key = field(&field(&started, "options")?, "publicKey")?;
    to_bytes(&public_key, "challenge")?;
    to_bytes(&field(&public_key, "user")?, "id")?;
    each(&public_key, "excludeCredentials", |c| to_bytes(c, "id"))?;
    let request = Object::new();
    set(&request, "publicKey", &public_key)?;
    let credential = call_credentials("create", &request).await.map_err(|e| {
        if is_named(&e, "InvalidStateError") {
            crate::said("passkey-exists", "This device has a passkey for you already.")
        } else {
            failed()
        }
    })?;
    let response = field(&credential, "response")?;
    let answer = credential_json(&credential)?;
    let r = Object::new();
    for name in ["attestationObject", "clientDataJSON"] {
        set(&r, name, &encoded(&response, name)?)?;
    }
    set(&answer, "response", &r)?;
    let body = Object::new();
    set(&body, "ceremony", &field(&started, "ceremony")?)?;
    set(&body, "credential", &answer)?;
    post("/passkeys/register", &body.into()).await?;
    say(document, &crate::said("passkey-saved", "Passkey saved. Next time, log in with it: no code needed."));
    // The list of passkeys on the page is the server's: show it.
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
    Ok(())
}

/// The parts of a credential both ceremonies send: id, rawId, type, extensions.
fn credential_json(credential: &JsValue) -> Result<Object, String> {
    let answer = Object::new();
    set(&answer, "id", &field(credential, "id")?)?;
    set(&answer, "rawId", &encoded(credential, "rawId")?)?;
    set(&answer, "type", &field(credential, "type")?)?;
    let extensions = Reflect::get(credential, &"getClientExtensionResults".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call0(credential).ok())
        .unwrap_or_else(|| Object::new().into());
    set(&answer, "extensions", &extensions)?;
    Ok(answer)
}

async fn call_credentials(method: &str, request: &Object) -> Result<JsValue, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let navigator = Reflect::get(&window, &"navigator".into())?;
    let credentials = Reflect::get(&navigator, &"credentials".into())?;
    let f: Function = Reflect::get(&credentials, &method.into())?.dyn_into()?;
    let promise: Promise = f.call1(&credentials, request)?.dyn_into()?;
    JsFuture::from(promise).await
}

fn is_named(e: &JsValue, name: &str) -> bool {
    Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string()).is_some_and(|n| n == name)
}

fn is_abort(e: &JsValue) -> bool {
    is_named(e, "AbortError")
}

/// POSTs JSON and reads the JSON answer; a refusal's `error` is the sentence to show.
async fn post(url: &str, body: &JsValue) -> Result<JsValue, String> {
    let lost = || crate::said("passkey-lost", "The connection was lost. Please try again, or log in with a code.");
    let init = RequestInit::new();
    init.set_method("POST");
    let text = js_sys::JSON::stringify(body).map_err(|_| lost())?;
    init.set_body(&text.into());
    let headers = web_sys::Headers::new().map_err(|_| lost())?;
    headers.set("Content-Type", "application/json").map_err(|_| lost())?;
    init.set_headers(&headers);
    let window = web_sys::window().ok_or_else(lost)?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.map_err(|_| lost())?.dyn_into().map_err(|_| lost())?;
    let json = JsFuture::from(response.json().map_err(|_| lost())?).await.map_err(|_| lost())?;
    if response.ok() {
        return Ok(json);
    }
    Err(Reflect::get(&json, &"error".into()).ok().and_then(|e| e.as_string()).unwrap_or_else(lost))
}

fn say(document: &Document, text: &str) {
    if let Some(status) = document.query_selector("[data-passkey-status]").ok().flatten() {
        status.set_text_content(Some(text));
        let _ = status.remove_attribute("hidden");
    }
}

fn construct(name: &str) -> Result<JsValue, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let class: Function = Reflect::get(&window, &name.into())?.dyn_into()?;
    Reflect::construct(&class, &Array::new())
}

fn field(object: &JsValue, name: &str) -> Result<JsValue, String> {
    Reflect::get(object, &name.into()).ok().filter(|v| !v.is_undefined()).ok_or_else(failed)
}

fn set(object: &Object, name: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(object, &name.into(), value).map(|_| ()).map_err(|_| failed())
}

/// Replaces the base64url text at `object[name]` with its bytes.
fn to_bytes(object: &JsValue, name: &str) -> Result<(), String> {
    let text = field(object, name)?.as_string().ok_or_else(failed)?;
    let bytes = decode(&text).ok_or_else(failed)?;
    Reflect::set(object, &name.into(), &Uint8Array::from(bytes.as_slice())).map(|_| ()).map_err(|_| failed())
}

fn each(object: &JsValue, name: &str, f: impl Fn(&JsValue) -> Result<(), String>) -> Result<(), String> {
    let Ok(list) = Reflect::get(object, &name.into()) else { return Ok(()) };
    if list.is_undefined() || list.is_null() {
        return Ok(());
    }
    Array::from(&list).iter().try_for_each(|item| f(&item))
}

/// `object[name]` (an ArrayBuffer) as base64url text.
fn encoded(object: &JsValue, name: &str) -> Result<JsValue, String> {
    Ok(b64url(&field(object, name)?).into())
}

fn b64url(buffer: &JsValue) -> String {
    encode(&Uint8Array::new(buffer).to_vec())
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 section 5).
fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Base64url or base64, padded or not.
fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37).wrapping_add(251)).collect();
            assert_eq!(decode(&encode(&bytes)).as_deref(), Some(bytes.as_slice()), "{len}");
        }
        assert_eq!(encode(b"\xfb\xff"), "-_8");
        assert_eq!(decode("-_8=").as_deref(), Some(&b"\xfb\xff"[..]));
        assert_eq!(decode("a b"), None);
    }
}
