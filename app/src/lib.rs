//! The contact portal's pages and the API the browser calls.

pub mod api;
pub mod assets;
pub mod components;
pub use domain::{html, i18n};
pub mod pages;
pub mod port;
pub mod types;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use pages::admin::{card::AdminContactPage, contacts::AdminContactsPage, delivery::AdminDeliveryPage, login::AdminLoginPage};
use pages::{help::HelpPage, login::LoginPage, message::MessagePage, messages::MessagesPage, not_found::NotFoundPage};

/// The HTML document around every page. Pages are server-rendered and need no
/// script; the login page adds its own small one (see `pages::login`).
pub fn shell(_options: LeptosOptions) -> impl IntoView {
    api::use_response_nonce();
    let files = assets::assets();
    let l = locale();
    view! {
        <!DOCTYPE html>
        <html lang=l.lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="description" content=l.t("html-description")/>
                <link rel="stylesheet" href=files.css/>
                <link rel="icon" href=files.favicon type="image/svg+xml"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
                <LanguageSwitch/>
                <DevReloadScript/>
            </body>
        </html>
    }
}

/// Who runs this portal (`PORTAL_ORGANISATION`, a context the server provides).
pub fn organisation() -> types::Organisation {
    use_context::<types::Organisation>().unwrap_or_else(types::Organisation::default_for_dev)
}

/// The language of this request and the organisation's time zone (contexts the
/// server provides; English and Copenhagen without them).
pub fn locale() -> i18n::Locale {
    let lang = api::request_language().lang;
    i18n::Locale::new(lang, use_context::<i18n::Zone>().unwrap_or_else(i18n::Zone::default_zone))
}

/// "English · Dansk" at the foot of every contact page: a plain form, so it works
/// without the script; the server remembers the choice in a cookie and comes back
/// to this page. Administrator pages are English only and have none.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let here = api::request_path();
    let l = locale();
    (!here.starts_with("/admin")).then(|| {
        view! {
            <footer class="language">
                <form method="post" action="/language" aria-label=l.t("language-switch")>
                    <input type="hidden" name="next" value=domain::LocalPath::or_home(&here).to_string()/>
                    {i18n::Lang::ALL
                        .into_iter()
                        .map(|lang| {
                            let current = (lang == l.lang).then_some("true");
                            view! {
                                <button type="submit" class="link" name="lang" value=lang.code() lang=lang.code() aria-current=current>
                                    {lang.t("language-name")}
                                </button>
                            }
                        })
                        .collect_view()}
                </form>
            </footer>
        }
    })
}

/// In the dev loop only: asks the server for its boot id every half second and
/// reloads the page when it changes (the server restarted with a new build, new CSS or
/// new translations). Never rendered otherwise.
#[component]
fn DevReloadScript() -> impl IntoView {
    use_context::<types::DevReload>().map(|types::DevReload(boot)| {
        let script = format!(
            "(()=>{{const boot={boot:?};const look=()=>fetch('/dev/boot',{{cache:'no-store'}}).then(r=>r.text()).then(b=>b===boot?setTimeout(look,500):location.reload(),()=>setTimeout(look,500));look();}})();"
        );
        view! { <script nonce=leptos::nonce::use_nonce() inner_html=script></script> }
    })
}

/// Whether passkeys are offered here (a context the server provides).
pub fn passkeys_offered() -> bool {
    use_context::<types::PasskeysOffered>().is_some_and(|p| p.0)
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Every page's title names the organisation, so a tab or a bookmark says whose
    // portal it is ("Log in · Aarhus Roklub"). `leptos_meta` 0.8 writes the formatted
    // title into `<title>` without escaping it (SECURITY.md), and titles carry contact
    // names and message titles from the API and the command line: this formatter is
    // the one place every title passes, so it escapes.
    let organisation = organisation();
    // Pages wait for their data before the first byte (`Async`), so redirects and
    // 403s get their status, and nothing depends on JavaScript to appear.
    view! {
        <Title formatter=move |text: String| html::escape(&format!("{text} · {organisation}"))/>
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=MessagesPage ssr=SsrMode::Async/>
                <Route path=path!("/m/:id") view=MessagePage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/help") view=HelpPage ssr=SsrMode::Async/>
                <Route path=path!("/admin") view=AdminContactsPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/login") view=AdminLoginPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/contacts/:id") view=AdminContactPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/delivery") view=AdminDeliveryPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
