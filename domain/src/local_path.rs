//! Where to go after logging in.

use serde::{Deserialize, Serialize};

/// A path on this portal (`/m/abc?x=1`): never another site, so a `next` in a link
/// cannot send the contact away. At most 512 printable ASCII characters, starting with
/// one `/`, no backslash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LocalPath(String);

impl LocalPath {
    pub const MAX_LEN: usize = 512;

    pub fn parse(text: &str) -> Option<LocalPath> {
        let ok = text.starts_with('/')
            && !text.starts_with("//")
            && text.len() <= Self::MAX_LEN
            && text.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
        ok.then(|| LocalPath(text.to_string()))
    }

    /// `text` when it is a local path, else the home page: a bad `next` is not an error
    /// worth showing, it is ignored.
    pub fn or_home(text: &str) -> LocalPath {
        LocalPath::parse(text).unwrap_or_else(LocalPath::home)
    }

    pub fn home() -> LocalPath {
        LocalPath("/".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LocalPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<LocalPath> for String {
    fn from(path: LocalPath) -> String {
        path.0
    }
}

impl TryFrom<String> for LocalPath {
    type Error = &'static str;

    fn try_from(text: String) -> Result<LocalPath, Self::Error> {
        LocalPath::parse(&text).ok_or("not a local path")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_accepts_local_paths_only() {
        let next = |s: &str| LocalPath::or_home(s).to_string();
        assert_eq!(next("/m/abc?x=1"), "/m/abc?x=1");
        assert_eq!(next("//evil.example/"), "/");
        assert_eq!(next("https://evil.example/"), "/");
        assert_eq!(next("/\\evil"), "/");
        assert_eq!(next("/a b"), "/");
        assert_eq!(next(""), "/");
        assert_eq!(next(&format!("/{}", "a".repeat(511))).len(), 512);
        assert_eq!(next(&format!("/{}", "a".repeat(512))), "/");
    }
}
