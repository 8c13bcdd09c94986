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
use crate::i18n::Locale;
use crate::types::{Channel, CodeStep, LoginStep};
use leptos::server_fn::ServerFn;

/// The element id the browser script looks for.
pub use domain::contract::CARD_ID;

#[component]
pub fn LoginCard(step: LoginStep, next: String) -> impl IntoView {
    let cooldown = match &step {
        LoginStep::EnterCode(code) => Some(code.cooldown_secs.to_string()),
        _ => None,
    };
    let l = crate::locale();
    let body = match step {
        LoginStep::Identify { identifier, channel, notice, reference } => {
            let described = notice.is_some().then_some("identify-notice");
            let autocomplete = if crate::passkeys_offered() { "username webauthn" } else { "username" };
            let hint = typo_hint(&identifier, &next, &l);
            view! {
                <form method="post" action=RequestCode::url() class="stack">
                    <input type="hidden" name="next" value=next/>
                    <label for="identifier">{l.t("login-identifier")}</label>
                    // "webauthn": the browser's autofill offers saved passkeys here too.
                    <input id="identifier" name="identifier" type="text" required autocomplete=autocomplete
                        autocapitalize="none" spellcheck="false" value=identifier
                        aria-describedby=described/>
                    <NoticeLine notice=notice reference=reference id="identify-notice"/>
                    <fieldset>
                        <legend>{l.t("login-send-by")}</legend>
                        <label class="choice">
                            <input type="radio" name="channel" value="email" checked=channel == Channel::Email/>
                            {l.t("channel-email")}
                        </label>
                        <label class="choice">
                            <input type="radio" name="channel" value="sms" checked=channel == Channel::Sms/>
                            {l.t("channel-sms")}
                        </label>
                    </fieldset>
                    <button type="submit" class="primary">{l.t("send-code")}</button>
                </form>
                {hint}
            }
            .into_any()
        }
        LoginStep::EnterCode(code) => code_step(code, next, &l).into_any(),
        LoginStep::Done { next } => view! {
            <p role="status">{l.t("logged-in-continue")} " " <a href=next>{l.t("continue")}</a></p>
        }
        .into_any(),
    };
    view! { <div id=CARD_ID data-cooldown-secs=cooldown>{body}</div> }
}

/// Stands in a translated sentence for a value shown in bold.
const MARK: &str = "\u{1}";

/// A sentence made with [`MARK`] for one value, as the text before and after it.
fn around_mark(sentence: &str) -> (String, String) {
    sentence.split_once(MARK).map_or((sentence.to_string(), String::new()), |(b, a)| (b.to_string(), a.to_string()))
}

/// "Did you mean …?" for an address at a known slip of a common provider's domain,
/// with a button that asks for the code there instead. It depends on the typed text
/// alone (`domain::did_you_mean`), never on who is registered.
fn typo_hint(typed: &str, next: &str, l: &Locale) -> Option<impl IntoView + use<>> {
    let meant = domain::did_you_mean(typed)?;
    let (before, after) = around_mark(&l.tf("did-you-mean", &[("address", MARK.into())]));
    let button = l.tf("use-suggested", &[("address", meant.clone().into())]);
    Some(view! {
        <div class="typo-hint" role="note">
            <p>{before}<strong>{meant.clone()}</strong>{after}</p>
            <form method="post" action=RequestCode::url()>
                <input type="hidden" name="next" value=next.to_string()/>
                <input type="hidden" name="identifier" value=meant/>
                <input type="hidden" name="channel" value=Channel::Email.as_str()/>
                <button type="submit">{button}</button>
            </form>
        </div>
    })
}

fn code_step(code: CodeStep, next: String, l: &Locale) -> impl IntoView {
    let CodeStep { identifier, channel, valid_for_secs, notice, reference, .. } = code;
    let described = notice.is_some().then_some("code-notice");
    let switch_label = match channel.other() {
        Channel::Email => l.t("send-by-email-instead"),
        Channel::Sms => l.t("send-by-sms-instead"),
    };
    // The typed address is shown in bold inside the translated sentence.
    let sentence = l.tf(
        "code-sent-to",
        &[("identifier", MARK.into()), ("by", channel.by_in(l).into()), ("duration", l.duration(valid_for_secs).into())],
    );
    let (before, after) = around_mark(&sentence);
    let new_code = l.t("send-new-code");
    let hint = typo_hint(&identifier, &next, l);
    view! {
        <p>{before} <strong>{identifier}</strong> {after}</p>
        {hint}
        <form method="post" action=VerifyCode::url() class="stack">
            <input type="hidden" name="next" value=next.clone()/>
            <label for="code">{l.t("code-label")}</label>
            <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                required maxlength=domain::CODE_INPUT_MAX.to_string() autofocus aria-describedby=described/>
            <NoticeLine notice=notice reference=reference id="code-notice"/>
            <button type="submit" class="primary">{l.t("log-in")}</button>
        </form>
        <p class="remember">{l.t("remember-note")}</p>
        <div class="actions">
            <form method="post" action=ResendCode::url()>
                <input type="hidden" name="next" value=next.clone()/>
                <input type="hidden" name="channel" value=channel.as_str()/>
                <button type="submit" data-wait="" data-count=new_code.clone()>{new_code.clone()}</button>
            </form>
            <form method="post" action=ResendCode::url()>
                <input type="hidden" name="next" value=next.clone()/>
                <input type="hidden" name="channel" value=channel.other().as_str()/>
                // The other channel has a cooldown of its own: no wait here.
                <button type="submit">{switch_label}</button>
            </form>
            <form method="post" action=RestartLogin::url()>
                <input type="hidden" name="next" value=next/>
                <button type="submit" class="link">{l.t("use-different")}</button>
            </form>
        </div>
        <CodeHelp/>
    }
}
