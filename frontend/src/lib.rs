//! The login card, enhanced. Without this the card is plain forms: each posts to its
//! server function, which answers with a redirect back to `/login` (or, once logged
//! in, to where the contact was going), and the page shows the next step. With this,
//! a submit is sent with `fetch`, which follows the same redirect, and the card is
//! replaced in place by the one the server rendered: the same HTML, the same words,
//! no second copy of the login's rules or texts in the browser. It also counts down
//! "Send a new code", which the server enforces either way.

mod passkeys;

/// The headers and marks the pages and this script share, from the `domain` crate's
/// source (included by path: that crate's dependencies are not built for the browser).
#[allow(dead_code)]
#[path = "../../domain/src/contract.rs"]
mod contract;

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Document, DomParser, Element, HtmlButtonElement, HtmlElement, HtmlFormElement, RequestInit, Response, SupportedType};

use contract::{CARD_ID as CARD, COOLDOWN_ATTR as COOLDOWN};
/// Said when the server could not be reached or answered with no card.
const LOST: &str = "Something went wrong on our side, or the connection was lost. Please try again.";

/// A sentence in the page's language: the server writes the few the script says
/// into `#portal-texts` (`data-lost`, `data-passkey-failed`, …); the English one
/// stands in should the page lack it. The script itself carries no translations.
pub(crate) fn said(name: &str, english: &str) -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(contract::TEXTS_ID))
        .and_then(|e| e.get_attribute(&format!("data-{name}")))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| english.to_string())
}

struct Card {
    document: Document,
    element: Element,
    busy: Cell<bool>,
    /// When "Send a new code" is allowed again, as a `Date.now()` reading.
    resend_at: Cell<f64>,
}

#[wasm_bindgen(start)]
pub fn start() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    passkeys::start(&document);
    let Some(element) = document.get_element_by_id(CARD) else { return };
    let card = Rc::new(Card { document, element, busy: Cell::new(false), resend_at: Cell::new(0.0) });
    card.start_cooldown();
    card.show_cooldown();

    let on_submit = {
        let card = card.clone();
        Closure::<dyn FnMut(web_sys::SubmitEvent)>::new(move |ev: web_sys::SubmitEvent| {
            let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else { return };
            ev.prevent_default();
            if card.busy.get() {
                return;
            }
            card.set_busy(true);
            card.show_cooldown();
            let card = card.clone();
            wasm_bindgen_futures::spawn_local(async move { card.send(form).await });
        })
    };
    // Listening on the card, not the forms: the forms are replaced, the card stays.
    let _ = card.element.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
    on_submit.forget();

    let tick = {
        let card = card.clone();
        Closure::<dyn FnMut()>::new(move || card.show_cooldown())
    };
    if let Some(window) = web_sys::window() {
        let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 250);
    }
    tick.forget();
}

impl Card {
    /// Posts the form as the browser would, and shows what comes back.
    async fn send(&self, form: HtmlFormElement) {
        match self.post(&form).await {
            Ok(Answer::Left(url)) => {
                // Logged in: the server sent the browser on. Stay busy until it goes.
                if let Some(window) = web_sys::window() {
                    let _ = window.location().assign(&url);
                }
                return;
            }
            Ok(Answer::Card(next)) => self.replace(&next),
            Ok(Answer::Said(text)) => self.alert(&text),
            Err(_) => self.alert(&said("lost", LOST)),
        }
        self.set_busy(false);
        self.show_cooldown();
    }

    /// While a request is out the card says so (`aria-busy`): assistive technology
    /// waits for the new card rather than reading the old one, and so can a test.
    fn set_busy(&self, busy: bool) {
        self.busy.set(busy);
        let _ = if busy { self.element.set_attribute("aria-busy", "true") } else { self.element.remove_attribute("aria-busy") };
    }

    async fn post(&self, form: &HtmlFormElement) -> Result<Answer, JsValue> {
        let data = web_sys::FormData::new_with_form(form)?;
        let body = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data)?;
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&body);
        let headers = web_sys::Headers::new()?;
        // What a browser without JavaScript says, so the server answers with the
        // redirect it gives a plain form post; and that this is the script, so it
        // tells the redirect (204, `x-portal-location`) rather than sending it.
        headers.set("Accept", "text/html")?;
        headers.set(contract::FETCH_HEADER, "1")?;
        init.set_headers(&headers);
        let response = fetch(&form.action(), &init).await?;
        let Some(to) = response.headers().get(contract::LOCATION_HEADER)?.filter(|_| response.status() == 204) else {
            return read(response).await;
        };
        let base = web_sys::window().ok_or(JsValue::NULL)?.location().href()?;
        let url = web_sys::Url::new_with_base(&to, &base)?;
        if url.pathname() != "/login" {
            return Ok(Answer::Left(url.href()));
        }
        let init = RequestInit::new();
        let headers = web_sys::Headers::new()?;
        headers.set("Accept", "text/html")?;
        init.set_headers(&headers);
        read(fetch(&url.href(), &init).await?).await
    }

    /// Puts the server's next card in place of this one, and the focus where the
    /// contact types next: the field a notice is about, or the step's first field.
    fn replace(&self, next: &Element) {
        self.element.set_inner_html(&next.inner_html());
        match next.get_attribute(COOLDOWN) {
            Some(secs) => self.element.set_attribute(COOLDOWN, &secs).unwrap_or(()),
            None => self.element.remove_attribute(COOLDOWN).unwrap_or(()),
        }
        self.start_cooldown();
        let target = self
            .element
            .query_selector("input[aria-describedby]")
            .ok()
            .flatten()
            .or_else(|| self.element.query_selector("[autofocus]").ok().flatten());
        if let Some(input) = target.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            let _ = input.focus();
        }
    }

    /// Shows `text` as an alert at the top of the card (announced by screen readers).
    fn alert(&self, text: &str) {
        let existing = self.element.query_selector("#card-alert").ok().flatten();
        let alert = match existing {
            Some(a) => a,
            None => match self.document.create_element("p") {
                Ok(p) => {
                    let _ = p.set_attribute("id", "card-alert");
                    let _ = p.set_attribute("class", "notice notice-alert");
                    let _ = p.set_attribute("role", "alert");
                    let _ = self.element.prepend_with_node_1(&p);
                    p
                }
                Err(_) => return,
            },
        };
        alert.set_text_content(Some(text));
    }

    fn start_cooldown(&self) {
        let secs: f64 = self.element.get_attribute(COOLDOWN).and_then(|s| s.parse().ok()).unwrap_or(0.0);
        self.resend_at.set(js_sys::Date::now() + secs * 1000.0);
    }

    /// Disables the card's buttons while a request is out, and the two "send" buttons
    /// until the cooldown ends; the first of them shows the seconds left.
    fn show_cooldown(&self) {
        let left = ((self.resend_at.get() - js_sys::Date::now()) / 1000.0).ceil().max(0.0);
        let busy = self.busy.get();
        let Ok(buttons) = self.element.query_selector_all("button") else { return };
        for i in 0..buttons.length() {
            let Some(button) = buttons.item(i).and_then(|n| n.dyn_into::<HtmlButtonElement>().ok()) else { continue };
            let waits = button.has_attribute("data-wait");
            button.set_disabled(busy || (waits && left > 0.0));
            if let Some(label) = button.get_attribute("data-count") {
                let text = if left > 0.0 { format!("{label} ({left} s)") } else { label };
                if button.text_content().as_deref() != Some(text.as_str()) {
                    button.set_text_content(Some(&text));
                }
            }
        }
    }
}

async fn fetch(url: &str, init: &RequestInit) -> Result<Response, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    JsFuture::from(window.fetch_with_str_and_init(url, init)).await?.dyn_into()
}

/// The card in a page the server sent, or the sentence it says instead.
async fn read(response: Response) -> Result<Answer, JsValue> {
    let html = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
    let page = DomParser::new()?.parse_from_string(&html, SupportedType::TextHtml)?;
    if let Some(card) = page.get_element_by_id(CARD) {
        return Ok(Answer::Card(card));
    }
    // A page without the card says why (a database away, a refusal) in an alert; a
    // refused post (cross-site, too large) says it in plain text.
    let text = page
        .query_selector("main [role=alert]")?
        .and_then(|e| e.text_content())
        .or_else(|| page.body().and_then(|b| b.text_content()))
        .filter(|t| !t.trim().is_empty() && t.len() < 500);
    Ok(Answer::Said(text.unwrap_or_else(|| said("lost", LOST))))
}

enum Answer {
    /// The server sent the browser elsewhere: the login is done.
    Left(String),
    /// The card of the next step.
    Card(Element),
    /// No card, but a sentence to show.
    Said(String),
}
