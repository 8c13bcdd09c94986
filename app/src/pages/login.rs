use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::login::login_state;
use crate::components::login_card::LoginCard;
use crate::pages::failure_text;
use crate::types::safe_next;

#[component]
pub fn LoginPage() -> impl IntoView {
    let (next, notice) = use_query_map().with_untracked(|q| (q.get("next"), q.get("notice")));
    let next = safe_next(&next.unwrap_or_else(|| "/".into()));
    let next_for_passkey = next.clone();
    view! {
        <Title text="Log in"/>
        <main class="card">
            <p class="organisation">{crate::organisation().to_string()}</p>
            <h1>"Log in"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {Suspend::new(async move {
                    match login_state(next.clone(), notice).await {
                        Ok(step) => view! { <LoginCard step=step next=next/> }.into_any(),
                        Err(e) => view! { <p role="alert">{failure_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
            {crate::passkeys_offered().then(|| view! {
                // Shown by the script when the browser has WebAuthn.
                <div class="passkey-login">
                    <button type="button" class="secondary" data-passkey="login" data-next=next_for_passkey hidden>"Log in with a passkey"</button>
                    <p data-passkey-status role="status" hidden></p>
                </div>
            })}
            <p class="small"><a href="/help">"Help with logging in"</a></p>
        </main>
        <Enhance/>
    }
}

/// Loads the card's script once the page has loaded and painted (the first idle
/// moment after `load`), so it never competes with the page for the network or the
/// first paint: the card works as plain forms until it arrives.
#[component]
pub fn Enhance() -> impl IntoView {
    let files = crate::assets::assets();
    let script = format!(
        "addEventListener('load',()=>(window.requestIdleCallback||(f=>setTimeout(f,200)))(\
         ()=>import('{}').then(m=>m.default({{module_or_path:'{}'}})),{{timeout:2000}}));",
        files.js, files.wasm
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce() inner_html=script></script> }
}
