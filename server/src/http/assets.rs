//! The browser's files and the compression of everything else.
//!
//! `scripts/assets.mjs` names each built file by a hash of its content and writes a
//! `.br` and a `.gz` beside it, and `pkg/manifest.json`. The server reads the manifest
//! once (the pages link the hashed names), serves the files with the encoding the
//! browser accepts (precompressed at build time: brotli 11 costs nothing per request),
//! and marks them cacheable for a year (`HeaderPolicy::apply` sets that for `/pkg/`).
//! Pages and server-function answers are compressed as they go out.

use tower_http::compression::{CompressionLayer, CompressionLevel, DefaultPredicate, Predicate, predicate::NotForContentType};
use tower_http::services::ServeDir;

/// Serves `<site_root>/pkg`, and returns the manifest's names for the pages.
pub fn service(site_root: &str) -> (ServeDir, app::assets::Assets) {
    let dir = std::path::Path::new(site_root).join("pkg");
    let files = match std::fs::read_to_string(dir.join("manifest.json")) {
        Ok(manifest) => app::assets::Assets::from_manifest(&manifest).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "the site's manifest is unreadable; pages link plain file names");
            app::assets::Assets::plain()
        }),
        Err(_) => {
            tracing::warn!(dir = %dir.display(), "the site is not built (no pkg/manifest.json): pages link plain file names");
            app::assets::Assets::plain()
        }
    };
    (ServeDir::new(dir).precompressed_br().precompressed_gzip(), files)
}

/// Brotli at quality 5 (fast enough per request, within a few percent of 11 on
/// pages this size), then gzip; already-compressed assets are left alone.
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(5))
        .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/wasm")))
}
