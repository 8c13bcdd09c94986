//! Where the built browser files are: their names carry a hash of their content
//! (`scripts/assets.mjs` writes `pkg/manifest.json`), so they can be cached for a
//! year. The server reads the manifest once when it builds its router and gives the
//! names to every page it renders (a Leptos context); without one (the site not
//! built, as in most integration tests) the plain names are used.

use leptos::prelude::use_context;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assets {
    pub css: String,
    pub favicon: String,
    pub js: String,
    pub wasm: String,
}

impl Assets {
    /// The files under `/pkg/`, from `manifest` (the JSON object the build writes).
    pub fn from_manifest(manifest: &str) -> Result<Assets, String> {
        let names: std::collections::BTreeMap<String, String> =
            serde_json::from_str(manifest).map_err(|e| format!("pkg/manifest.json is not a map of names: {e}"))?;
        let get = |plain: &str| {
            names
                .get(plain)
                .filter(|n| n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-'))
                .map(|n| format!("/pkg/{n}"))
                .ok_or_else(|| format!("pkg/manifest.json names no {plain}"))
        };
        Ok(Assets { css: get("portal.css")?, favicon: get("favicon.svg")?, js: get("portal.js")?, wasm: get("portal_bg.wasm")? })
    }

    pub fn plain() -> Assets {
        Assets {
            css: "/pkg/portal.css".into(),
            favicon: "/pkg/favicon.svg".into(),
            js: "/pkg/portal.js".into(),
            wasm: "/pkg/portal_bg.wasm".into(),
        }
    }
}

/// The files of the page being rendered.
pub fn assets() -> Assets {
    use_context::<Assets>().unwrap_or_else(Assets::plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_names_every_file_and_nothing_else_is_accepted() {
        let m = r#"{"portal.css":"portal.0a1b.css","favicon.svg":"favicon.2c3d.svg","portal.js":"portal.4e5f.js","portal_bg.wasm":"portal_bg.6a7b.wasm"}"#;
        let a = Assets::from_manifest(m).unwrap();
        assert_eq!((a.css.as_str(), a.wasm.as_str()), ("/pkg/portal.0a1b.css", "/pkg/portal_bg.6a7b.wasm"));
        assert!(Assets::from_manifest(r#"{"portal.css":"x.css"}"#).unwrap_err().contains("favicon.svg"));
        let hostile = m.replace("portal.4e5f.js", "\\\"><script>");
        assert!(Assets::from_manifest(&hostile).is_err(), "a name is a file name, never markup");
    }
}
