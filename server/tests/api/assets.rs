//! What a phone downloads: pages compressed as the browser asks, the browser's files
//! by content-hashed names, precompressed, cached for a year; pages never cached.
//! A site built the way `scripts/assets.mjs` builds one, with stand-in contents.

use crate::helpers::spawn_app_with;

const NAMES: [(&str, &str); 4] = [
    ("portal.css", "portal.0a1b2c3d4e5f.css"),
    ("favicon.svg", "favicon.1a2b3c4d5e6f.svg"),
    ("portal.js", "portal.2a3b4c5d6e7f.js"),
    ("portal_bg.wasm", "portal_bg.3a4b5c6d7e8f.wasm"),
];

fn built_site() -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let mut manifest = serde_json::Map::new();
    for (plain, named) in NAMES {
        std::fs::write(pkg.join(named), format!("raw {plain}")).unwrap();
        std::fs::write(pkg.join(format!("{named}.br")), format!("brotli {plain}")).unwrap();
        std::fs::write(pkg.join(format!("{named}.gz")), format!("gzip {plain}")).unwrap();
        manifest.insert(plain.into(), named.into());
    }
    std::fs::write(pkg.join("manifest.json"), serde_json::Value::Object(manifest).to_string()).unwrap();
    site
}

async fn get(url: &str, encoding: Option<&str>) -> reqwest::Response {
    let client = reqwest::Client::builder().build().unwrap();
    let request = client.get(url).header("accept", "text/html");
    match encoding {
        Some(e) => request.header("accept-encoding", e),
        None => request,
    }
    .send()
    .await
    .unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

#[tokio::test]
async fn the_login_page_links_hashed_files_and_loads_its_script_after_the_page() {
    let site = built_site();
    let app = spawn_app_with(&[("LEPTOS_SITE_ROOT", site.path().to_str().unwrap())]).await;
    let page = get(&format!("{}/login", app.base), None).await;
    assert_eq!(header(&page, "cache-control"), "no-store", "a page is never cached");
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"href="/pkg/portal.0a1b2c3d4e5f.css""#), "{html}");
    assert!(html.contains(r#"href="/pkg/favicon.1a2b3c4d5e6f.svg""#));
    assert!(html.contains("addEventListener('load',()=>(window.requestIdleCallback"), "loaded after the page: {html}");
    assert!(html.contains("import('/pkg/portal.2a3b4c5d6e7f.js')"), "{html}");
    assert!(html.contains("module_or_path:'/pkg/portal_bg.3a4b5c6d7e8f.wasm'"));
    assert!(!html.contains("modulepreload") && !html.contains("rel=\"preload\""), "nothing competes with the page: {html}");
    assert!(html.contains(r#"id="login-card""#));

    // Other pages load no script file at all.
    let help = get(&format!("{}/help", app.base), None).await.text().await.unwrap();
    assert!(!help.contains("import(") && !help.contains(" src="), "{help}");
}

#[tokio::test]
async fn files_go_out_precompressed_as_asked_and_are_cached_for_a_year() {
    let site = built_site();
    let app = spawn_app_with(&[("LEPTOS_SITE_ROOT", site.path().to_str().unwrap())]).await;
    for (plain, named) in NAMES {
        let url = format!("{}/pkg/{named}", app.base);
        for (asked, encoding, body) in [
            (Some("br, gzip"), "br", format!("brotli {plain}")),
            (Some("gzip"), "gzip", format!("gzip {plain}")),
            (None, "", format!("raw {plain}")),
        ] {
            let response = get(&url, asked).await;
            assert_eq!(response.status(), 200, "{named}: {:?}", response.headers());
            assert_eq!(header(&response, "content-encoding"), encoding, "{named} asked {asked:?}");
            assert_eq!(header(&response, "cache-control"), "public, max-age=31536000, immutable", "{named}");
            assert!(header(&response, "vary").to_lowercase().contains("accept-encoding"), "{named} {asked:?}: {:?}", response.headers());
            assert_eq!(response.text().await.unwrap(), body);
        }
    }
    let missing = get(&format!("{}/pkg/portal.ffffffffffff.js", app.base), Some("br")).await;
    assert_eq!(missing.status(), 404);
    assert_ne!(header(&missing, "cache-control"), "public, max-age=31536000, immutable", "a miss is not cached for a year");
}

#[tokio::test]
async fn pages_and_answers_are_compressed_as_the_browser_asks() {
    let app = spawn_app_with(&[]).await;
    for path in ["/login", "/help"] {
        let plain = get(&format!("{}{path}", app.base), None).await;
        assert_eq!(header(&plain, "content-encoding"), "", "{path}: nothing asked, nothing done");
        let size = plain.bytes().await.unwrap().len();
        for encoding in ["br", "gzip"] {
            let packed = get(&format!("{}{path}", app.base), Some(encoding)).await;
            assert_eq!(header(&packed, "content-encoding"), encoding, "{path}");
            assert_eq!(header(&packed, "cache-control"), "no-store");
            let sent = packed.bytes().await.unwrap().len();
            assert!(sent < size * 3 / 4, "{path} {encoding}: {sent} of {size} bytes");
        }
    }
}
