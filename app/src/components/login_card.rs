//! The login card: step 1 (who are you, which channel) and step 2 (the code).
//!
//! Every action is a real `<form>` posting to its server function, so the card works
//! without JavaScript: the server answers with a redirect back to `/login`, which
//! shows the next step. The browser's small script (the `frontend` crate) sends the
//! same forms with `fetch` and swaps in the card the server renders next, so the page
//! does not reload; it finds the card by its id and "Send a new code" by `data-wait`
//! and `data-count`, and reads the cooldown from `data-cooldown-secs`.

use leptos::prelude::*;

use crate::api::login::{RequestCode, ResendCode, RestartLogin, VerifyCode};
use crate::components::help::CodeHelp;
use crate::components::notice::NoticeLine;
use crate::types::{Channel, CodeStep, LoginStep};
use leptos::server_fn::ServerFn;

/// The element id the browser script looks for.
pub const CARD_ID: &str = "login-card";

#[component]
pub fn LoginCard(step: LoginStep, next: String) -> impl IntoView {
    let cooldown = match &step {
        LoginStep::EnterCode(code) => Some(code.cooldown_secs.to_string()),
        _ => None,
    };
    let body = match step {
        LoginStep::Identify { identifier, channel, notice } => {
            let described = notice.is_some().then_some("identify-notice");
            let autocomplete = if crate::passkeys_offered() { "username webauthn" } else { "username" };
            view! {
                <form method="post" action=RequestCode::url() class="stack">
                    <input type="hidden" name="next" value=next/>
                    <label for="identifier">"Email or mobile number"</label>
                    // "webauthn": the browser's autofill offers saved passkeys here too.
                    <input id="identifier" name="identifier" type="text" required autocomplete=autocomplete
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
                    <button type="submit" class="primary">"Send code"</button>
                </form>
            }
            .into_any()
        }
        LoginStep::EnterCode(code) => code_step(code, next).into_any(),
        LoginStep::Done { next } => view! {
            <p role="status">"You are logged in. " <a href=next>"Continue"</a></p>
        }
        .into_any(),
    };
    view! { <div id=CARD_ID data-cooldown-secs=cooldown>{body}</div> }
}

fn code_step(code: CodeStep, next: String) -> impl IntoView {
    let CodeStep { identifier, channel, valid_for, notice, .. } = code;
    let described = notice.is_some().then_some("code-notice");
    let switch_label = match channel.other() {
        Channel::Email => "Send by email instead",
        Channel::Sms => "Send by text message instead",
    };
    view! {
        <p>
            "If " <strong>{identifier}</strong> " is registered with the sender and can receive codes "
            {channel.by()} ", a 6-digit confirmation code is on its way. It is valid for " {valid_for}
            ". Only the newest code works."
        </p>
        <form method="post" action=VerifyCode::url() class="stack">
            <input type="hidden" name="next" value=next.clone()/>
            <label for="code">"Confirmation code"</label>
            <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                required maxlength="20" autofocus aria-describedby=described/>
            <NoticeLine notice=notice id="code-notice"/>
            <button type="submit" class="primary">"Log in"</button>
        </form>
        <p class="remember">
            "This browser will remember you after you log in, so next time you won't need a code. "
            "A private (incognito) window, clearing cookies, or another device will need a new code."
        </p>
        <div class="actions">
            <form method="post" action=ResendCode::url()>
                <input type="hidden" name="next" value=next.clone()/>
                <input type="hidden" name="channel" value=channel.as_str()/>
                <button type="submit" data-wait="" data-count="Send a new code">"Send a new code"</button>
            </form>
            <form method="post" action=ResendCode::url()>
                <input type="hidden" name="next" value=next.clone()/>
                <input type="hidden" name="channel" value=channel.other().as_str()/>
                <button type="submit" data-wait="">{switch_label}</button>
            </form>
            <form method="post" action=RestartLogin::url()>
                <input type="hidden" name="next" value=next/>
                <button type="submit" class="link">"Use a different email or number"</button>
            </form>
        </div>
        <CodeHelp/>
    }
}
