use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::login::login_state;
use crate::components::login_card::LoginCard;
use crate::pages::failure_text;
use domain::LocalPath;

#[component]
pub fn LoginPage() -> impl IntoView {
    let (next, notice, reference) = use_query_map().with_untracked(|q| (q.get("next"), q.get("notice"), q.get("ref")));
    let next = LocalPath::or_home(next.as_deref().unwrap_or("/")).to_string();
    let next_for_passkey = next.clone();
    let l = crate::locale();
    let loading = l.t("loading");
    view! {
        <Title text=l.t("login-title")/>
        <main class="card">
            <p class="organisation">{crate::organisation().to_string()}</p>
            <h1>{l.t("login-title")}</h1>
            <Suspense fallback=move || view! { <p>{loading.clone()}</p> }>
                {Suspend::new(async move {
                    match login_state(next.clone(), notice, reference).await {
                        Ok(step) => view! { <LoginCard step=step next=next/> }.into_any(),
                        Err(e) => view! { <p role="alert">{failure_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
            {crate::passkeys_offered().then(|| view! {
                // Shown by the script when the browser has WebAuthn.
                <div class="passkey-login">
                    <button type="button" class="secondary" data-passkey="login" data-next=next_for_passkey hidden>{l.t("passkey-log-in")}</button>
                    <p data-passkey-status role="status" hidden></p>
                </div>
            })}
            <p class="small"><a href="/help">{l.t("login-help-link")}</a></p>
        </main>
        <Enhance/>
    }
}

/// Loads the card's script once the page has loaded and painted (the first idle
/// moment after `load`), so it never competes with the page for the network or the
/// first paint: the card works as plain forms until it arrives.
///
/// The few sentences the script says itself come with it, in the page's language,
/// as attributes of `#portal-texts`: the script carries no translations.
#[component]
pub fn Enhance() -> impl IntoView {
    let l = crate::locale();
    let files = crate::assets::assets();
    let script = format!(
        "addEventListener('load',()=>(window.requestIdleCallback||(f=>setTimeout(f,200)))(\
         ()=>import('{}').then(m=>m.default({{module_or_path:'{}'}})),{{timeout:2000}}));",
        files.js, files.wasm
    );
    view! {
        <div id=domain::contract::TEXTS_ID hidden data-lost=l.t("notice-internal") data-passkey-failed=l.t("passkey-failed")
            data-passkey-exists=l.t("passkey-exists") data-passkey-saved=l.t("passkey-saved") data-passkey-lost=l.t("passkey-lost")></div>
        <script type="module" nonce=leptos::nonce::use_nonce() inner_html=script></script>
    }
}
