//! The login card: step 1 (who are you, which channel) and step 2 (the code).
//!
//! Every action is a real `<form>` posting to its server function, so the card works
//! without JavaScript (the server answers with a redirect back to `/login`). Once the
//! island is hydrated, submits are sent with `fetch` and the card changes in place.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::login::{RequestCode, ResendCode, RestartLogin, VerifyCode, request_code, resend_code, restart_login, verify_code};
use crate::components::help::CodeHelp;
use crate::components::notice::NoticeLine;
use crate::types::{Channel, CodeStep, LoginStep, Notice};
use leptos::server_fn::ServerFn;

/// A value from the submitted form, as the browser would post it.
fn field(ev: &SubmitEvent, name: &str) -> String {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        .and_then(|form| web_sys::FormData::new_with_form(&form).ok())
        .and_then(|data| data.get(name).as_string())
        .unwrap_or_default()
}

fn set_notice(step: &mut LoginStep, new: Notice) {
    match step {
        LoginStep::Identify { notice, .. } => *notice = Some(new),
        LoginStep::EnterCode(code) => code.notice = Some(new),
        LoginStep::Done { .. } => {}
    }
}

#[island]
pub fn LoginCard(initial: LoginStep, next: String) -> impl IntoView {
    let step = RwSignal::new(initial);
    let busy = RwSignal::new(false);
    let next = StoredValue::new(next);
    // When "Send a new code" is allowed again, as a browser clock reading in ms;
    // `None` until hydrated, so the server-rendered button stays usable without
    // JavaScript (the server enforces the cooldown and says how long to wait).
    // Counting from when the answer arrived, not by interval ticks, keeps the button
    // from opening before the server's own cooldown ends.
    let deadline = RwSignal::new(None::<f64>);
    let clock = RwSignal::new(0.0_f64);
    Effect::new(move |_| {
        if let LoginStep::EnterCode(code) = step.get() {
            let now = js_sys::Date::now();
            clock.set(now);
            deadline.set(Some(now + f64::from(code.cooldown_secs) * 1000.0));
        }
    });
    Effect::new(move |_| {
        set_interval(move || clock.set(js_sys::Date::now()), std::time::Duration::from_millis(250));
    });
    let cooldown = Signal::derive(move || deadline.get().map(|d| ((d - clock.get()) / 1000.0).ceil().max(0.0) as u32));

    // Runs one server call and shows its answer; logging in leaves the page.
    let run = move |call: std::pin::Pin<Box<dyn std::future::Future<Output = Result<LoginStep, ServerFnError>>>>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match call.await {
                Ok(LoginStep::Done { next }) => {
                    let _ = window().location().assign(&next);
                }
                Ok(new) => step.set(new),
                // The server logged the cause; the answer carries no detail to show.
                Err(_) => step.update(|s| set_notice(s, Notice::Internal { reference: String::new() })),
            }
            busy.set(false);
        });
    };

    let on_identify = move |ev: SubmitEvent| {
        ev.prevent_default();
        let channel = Channel::parse(&field(&ev, "channel")).unwrap_or_default();
        run(Box::pin(request_code(field(&ev, "identifier"), channel, next.get_value())));
    };
    let on_verify = move |ev: SubmitEvent| {
        ev.prevent_default();
        run(Box::pin(verify_code(field(&ev, "code"), next.get_value())));
    };
    let on_resend = move |ev: SubmitEvent| {
        ev.prevent_default();
        let channel = Channel::parse(&field(&ev, "channel")).unwrap_or_default();
        run(Box::pin(resend_code(channel, next.get_value())));
    };
    let on_restart = move |ev: SubmitEvent| {
        ev.prevent_default();
        run(Box::pin(restart_login(next.get_value())));
    };

    move || match step.get() {
        LoginStep::Identify { identifier, channel, notice } => {
            let described = notice.is_some().then_some("identify-notice");
            view! {
            <form method="post" action=RequestCode::url() on:submit=on_identify class="stack">
                <input type="hidden" name="next" value=next.get_value()/>
                <label for="identifier">"Email or mobile number"</label>
                <input id="identifier" name="identifier" type="text" required autocomplete="username"
                    autocapitalize="none" spellcheck="false" value=identifier
                    aria-describedby=described/>
                <NoticeLine notice=notice id="identify-notice"/>
                <fieldset>
                    <legend>"Send the code by"</legend>
                    <label class="choice">
                        <input type="radio" name="channel" value="email" checked=channel == Channel::Email/>
                        "Email"
                    </label>
                    <label class="choice">
                        <input type="radio" name="channel" value="sms" checked=channel == Channel::Sms/>
                        "Text message (SMS)"
                    </label>
                </fieldset>
                <button type="submit" class="primary" disabled=move || busy.get()>"Send code"</button>
            </form>
            }
            .into_any()
        }
        LoginStep::EnterCode(code) => code_step(code, next.get_value(), busy, cooldown, on_verify, on_resend, on_restart).into_any(),
        LoginStep::Done { next } => view! {
            <p role="status">"You are logged in. " <a href=next>"Continue"</a></p>
        }
        .into_any(),
    }
}

fn code_step(
    code: CodeStep,
    next: String,
    busy: RwSignal<bool>,
    cooldown: Signal<Option<u32>>,
    on_verify: impl FnMut(SubmitEvent) + 'static,
    on_resend: impl FnMut(SubmitEvent) + Clone + 'static,
    on_restart: impl FnMut(SubmitEvent) + 'static,
) -> impl IntoView {
    let CodeStep { identifier, channel, valid_for, notice, .. } = code;
    let described = notice.is_some().then_some("code-notice");
    let waiting = move || busy.get() || cooldown.get().is_some_and(|s| s > 0);
    let resend_label = move || match cooldown.get() {
        Some(s) if s > 0 => format!("Send a new code ({s} s)"),
        _ => "Send a new code".to_string(),
    };
    let switch_label = match channel.other() {
        Channel::Email => "Send by email instead",
        Channel::Sms => "Send by text message instead",
    };
    view! {
        <p>
            "If " <strong>{identifier}</strong> " is registered with the sender and can receive codes "
            {channel.by()} ", a 6-digit confirmation code is on its way. It is valid for " {valid_for.clone()}
            ". Only the newest code works."
        </p>
        <form method="post" action=VerifyCode::url() on:submit=on_verify class="stack">
            <input type="hidden" name="next" value=next.clone()/>
            <label for="code">"Confirmation code"</label>
            <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                required maxlength="20" autofocus aria-describedby=described/>
            <NoticeLine notice=notice id="code-notice"/>
            <button type="submit" class="primary" disabled=move || busy.get()>"Log in"</button>
        </form>
        <p class="remember">
            "This browser will remember you after you log in, so next time you won't need a code. "
            "A private (incognito) window, clearing cookies, or another device will need a new code."
        </p>
        <div class="actions">
            <form method="post" action=ResendCode::url() on:submit=on_resend.clone()>
                <input type="hidden" name="next" value=next.clone()/>
                <input type="hidden" name="channel" value=channel.as_str()/>
                <button type="submit" disabled=waiting>{resend_label}</button>
            </form>
            <form method="post" action=ResendCode::url() on:submit=on_resend>
                <input type="hidden" name="next" value=next.clone()/>
                <input type="hidden" name="channel" value=channel.other().as_str()/>
                <button type="submit" disabled=waiting>{switch_label}</button>
            </form>
            <form method="post" action=RestartLogin::url() on:submit=on_restart>
                <input type="hidden" name="next" value=next/>
                <button type="submit" class="link" disabled=move || busy.get()>"Use a different email or number"</button>
            </form>
        </div>
        <CodeHelp/>
    }
}
