//! The web server: Leptos pages and server functions, the dev outbox, health, and
//! the headers every response carries.

mod admin_portal;
mod assets;
mod client_ip;
mod edge;
mod guard;
mod headers;
mod language;
pub mod metrics;
mod openapi;
mod outbox;
mod page_cache;
mod passkeys;
mod platform_api;
mod portal;
mod probes;
mod receipts;

use std::net::SocketAddr;
use std::sync::Arc;

use app::port::{SharedAdminPortal, SharedPortal};
use app::{App, shell};
use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

use crate::admin::session::{AdminLimits, AdminSessions};
use crate::config::{Config, SmsDelivery};
use crate::login::LoginService;

pub use portal::PortalAdapter;
pub use receipts::TWILIO_STATUS_PATH;

/// Builds the whole router for a configured service.
pub fn router(config: &Config, service: LoginService) -> Router {
    let options = LeptosOptions::builder()
        .output_name("portal")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build();
    // Passkeys, when the public URL's host is a domain name (WebAuthn needs one).
    let passkeys = match crate::passkeys::Passkeys::new(&config.public_url, &config.organisation, service.store().clone(), service.clock())
    {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "passkeys are off");
            None
        }
    };
    let offered = app::types::PasskeysOffered(passkeys.is_some());
    let passkeys = passkeys::routes(passkeys, service.clone());
    let portal: SharedPortal = Arc::new(PortalAdapter::new(service.clone().with_passkeys(offered.0)));
    let admin: SharedAdminPortal = Arc::new(admin_portal::AdminAdapter {
        sessions: AdminSessions::new(service.store().clone(), service.clock(), AdminLimits::default()),
        cards: crate::admin::card::Cards {
            store: service.store().clone(),
            clock: service.clock(),
            region: service.region(),
            limits: service.limits().clone(),
            zone: config.zone.clone(),
            outbox: Some(service.outbox().clone()),
        },
    });
    let probes = probes::Probes {
        store: service.store().clone(),
        worker: service.outbox().worker.clone(),
        clock: service.clock(),
        silence: probes::Probes::silence(config.delivery.worker.poll, config.delivery.provider_timeout),
    };
    let (assets, files) = assets::service(&config.site_root);
    let organisation = config.organisation.clone();
    let zone = config.zone.clone();
    // The dev loop's pages ask for this process's boot id, and reload when it changes.
    let boot = config.dev_loop.then(|| domain::Token::generate().map(|t| t.expose()[..12].to_string()).unwrap_or_default());
    let boot_id = boot.clone();
    let context = move || {
        provide_context(zone.clone());
        provide_context(portal.clone());
        provide_context(admin.clone());
        provide_context(files.clone());
        provide_context(organisation.clone());
        provide_context(offered);
        if let Some(boot) = &boot_id {
            provide_context(app::types::DevReload(boot.clone()));
        }
    };
    let routes = generate_route_list(App);
    let leptos = Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        // The "page not found" page gets the same context: its title names the
        // organisation and its stylesheet is the hashed one.
        .fallback(leptos_axum::file_and_error_handler_with_context(context, shell))
        .with_state(options);
    let dev = if config.has_dev_outbox() { outbox::routes(service.store().clone()) } else { Router::new() };
    let dev = match boot.clone() {
        Some(boot) => dev.route("/dev/boot", get(move || async move { ([(axum::http::header::CACHE_CONTROL, "no-store")], boot) })),
        None => dev,
    };
    let hooks = match &config.delivery.sms {
        SmsDelivery::Twilio { auth_token, .. } => {
            receipts::routes(service.store().clone(), service.clock(), auth_token.0.clone(), &config.public_url)
        }
        _ => Router::new(),
    };
    let platform = platform_api::routes(crate::platform::Platform {
        store: service.store().clone(),
        clock: service.clock(),
        region: service.region(),
        limits: service.limits().clone(),
    });
    let edge = Arc::new(edge::Edge {
        proxies: client_ip::TrustedProxies(config.trusted_proxies.clone()),
        origin: guard::OriginPolicy::from_public_url(&config.public_url, vec![TWILIO_STATUS_PATH])
            .with_alias(config.loopback_alias.as_deref()),
        names: config.loopback_alias.clone().map(|alias| (alias, config.public_url.clone())),
        headers: headers::HeaderPolicy { https: config.public_url.starts_with("https://") },
        language: config.language,
        login_page: page_cache::PageCache::new(),
    });
    // The API takes bulk publications (up to 10,000 contacts a call); everything else
    // is forms of a few fields.
    let platform = platform.layer(tower_http::limit::RequestBodyLimitLayer::new(2 * 1024 * 1024));
    let routes = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(probes::readyz).with_state(probes))
        .merge(dev)
        .merge(hooks)
        .merge(passkeys)
        .route("/language", axum::routing::post(language::switch).with_state(service.clone()))
        .merge(leptos)
        // The built browser files, named by content hash, precompressed.
        .nest_service("/pkg", assets);
    // Server functions read their bodies themselves, so the limit wraps the body.
    let pages = layered(routes).layer(tower_http::limit::RequestBodyLimitLayer::new(16 * 1024));
    // Layers run bottom-up on the way in: answers are compressed, a panic becomes a
    // plain 500, and the edge sees every request and answer (the language, the CSP
    // nonce and headers, dev mode's redirect to its name, the cross-site guard, the
    // client's address, the stranger's login page from memory, the time taken, and
    // the API's refusals as problem+json).
    layered(Router::new().merge(platform).merge(pages))
        .layer(axum::middleware::from_fn_with_state(edge, edge::handle))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side.").into_response()
        }))
        // Outermost: what goes out, pages and answers, compressed as the browser asks
        // (brotli or gzip), after every other layer has had its say about the body.
        .layer(assets::compression())
}

/// `routes` as one service for the layers put around it. `Router::layer` wraps each
/// route's handler on its own, and an axum middleware clones the service it wraps on
/// every request: around the Leptos routes, whose handlers hold the site's options,
/// that was every layer cloning (and dropping) those options for every request, 5 %
/// of a `GET /login`'s time in allocation alone (perf). Layered here, they wrap the
/// router, whose clone is a reference count.
fn layered(routes: Router) -> Router {
    Router::new().fallback_service(routes)
}

/// Serves until Ctrl-C (or SIGTERM), with the peer address available to handlers.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown()).await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
