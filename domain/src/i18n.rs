//! The contact's language and time: English and Danish, in the organisation's time
//! zone.
//!
//! Every contact-facing text is a [Fluent](https://projectfluent.org) message in
//! `domain/locales/<lang>.ftl`, files a translator edits without touching Rust. They
//! are compiled into the server and parsed once; a test fails when a message is in
//! one file and not the other. Everything is rendered on the server, so the login
//! page's script carries no translations: the few sentences it says itself are read
//! from the page (see `pages::login::Enhance`).
//!
//! Which language a request gets: the visible switch (a cookie), else the browser's
//! `Accept-Language`, else the organisation's default (`PORTAL_DEFAULT_LANGUAGE`).

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

mod locale;
pub use locale::{Locale, Zone};

/// A language the portal speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    En,
    Da,
}

/// The cookie the language switch sets: `en` or `da`, nothing else.
pub const LANGUAGE_COOKIE: &str = "__Host-portal-lang";

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Da];

    /// The BCP 47 tag: `lang` on the page, `Content-Language`, the cookie, the database.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Da => "da",
        }
    }

    /// "English", "Danish": for administrators and the start-up banner (contacts read
    /// each language's own name, `language-name`).
    pub fn english_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Da => "Danish",
        }
    }

    /// `en`, `da`, or a tag of either (`da-DK`, `en_GB`), any case.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The first language of an `Accept-Language` header the portal speaks, by the
    /// browser's preference (`q`); `None` when it names none of them.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut ranked: Vec<(u16, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, item)| {
                let mut parts = item.split(';');
                let lang = Lang::parse(parts.next()?)?;
                let q =
                    parts.find_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q="))).map_or(Some(1000), quality)?;
                (q > 0).then_some((q, i, lang))
            })
            .collect();
        ranked.sort_by_key(|&(q, i, _)| (std::cmp::Reverse(q), i));
        ranked.first().map(|&(_, _, lang)| lang)
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        match self {
            Lang::En => &EN,
            Lang::Da => &DA,
        }
    }

    /// The text of message `id`.
    pub fn t(self, id: &str) -> String {
        self.format(id, None)
    }

    /// The text of message `id` with its variables filled in.
    pub fn tf(self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent.set(*name, value.clone());
        }
        self.format(id, Some(&fluent))
    }

    fn format(self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = self.bundle();
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            // The parity and usage tests keep this from happening; a missing text shows
            // its id rather than nothing.
            return id.to_string();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors).into_owned();
        // A variable the code did not give (or misspelt) still renders, as `{$name}`:
        // said where an operator sees it. The tests keep it from happening
        // (`variables` below, and the tests that compare them with the code).
        if !errors.is_empty() {
            tracing::error!(message = id, lang = self.code(), ?errors, "a translation did not format");
        }
        text
    }
}

/// The language a request is answered in, and whether the contact chose it with the
/// switch (rather than the browser's settings or the default choosing it). The
/// server puts it in every request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RequestLanguage {
    pub lang: Lang,
    pub chosen: bool,
}

impl RequestLanguage {
    /// The switch's cookie, else `Accept-Language`, else the organisation's default.
    pub fn resolve(cookie: Option<&str>, accept_language: Option<&str>, default: Lang) -> RequestLanguage {
        if let Some(lang) = cookie.and_then(|c| Lang::ALL.into_iter().find(|l| l.code() == c)) {
            return RequestLanguage { lang, chosen: true };
        }
        RequestLanguage { lang: accept_language.and_then(Lang::from_accept_language).unwrap_or(default), chosen: false }
    }
}

/// A `q` value in thousandths: `0.8` → 800; `None` when it is not one.
fn quality(q: &str) -> Option<u16> {
    let q = q.trim();
    let (whole, fraction) = q.split_once('.').unwrap_or((q, ""));
    if !(whole == "0" || whole == "1") || fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    let value = if whole == "1" { 1000 } else { thousandths };
    (whole == "0" || thousandths == 0).then_some(value)
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The translations, as written in `domain/locales/`.
pub const SOURCES: [(Lang, &str); 2] = [(Lang::En, include_str!("../locales/en.ftl")), (Lang::Da, include_str!("../locales/da.ftl"))];

/// Translations read from disk in place of the built-in ones ([`use_sources`]).
static FROM_DISK: std::sync::OnceLock<Vec<(Lang, String)>> = std::sync::OnceLock::new();

/// Uses these translations instead of the built-in ones, when called before any text
/// is asked for (false after): the dev loop (`./scripts/dev`) reads them from
/// `domain/locales/` at start, so a changed `.ftl` shows after a restart, with nothing
/// to compile. A language missing from `sources` keeps its built-in file.
pub fn use_sources(sources: Vec<(Lang, String)>) -> bool {
    FROM_DISK.set(sources).is_ok()
}

/// A language's translation file as in use: from disk in the dev loop, else built in.
fn source(lang: Lang) -> &'static str {
    let from_disk = FROM_DISK.get().and_then(|all| all.iter().find(|(l, _)| *l == lang)).map(|(_, s)| s.as_str());
    from_disk.or_else(|| SOURCES.iter().find(|(l, _)| *l == lang).map(|(_, s)| *s)).unwrap_or("")
}

static EN: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle(Lang::En));
static DA: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle(Lang::Da));

/// A language's messages. A file that does not parse keeps the messages that do
/// (the tests fail on any error); the server checks every file at start-up.
fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let resource = FluentResource::try_new(source(lang).to_string()).unwrap_or_else(|(partial, _)| partial);
    let tag = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // No Unicode isolation marks around variables: the texts go into mail headers and
    // text messages, where they would be stray characters.
    bundle.set_use_isolating(false);
    let _ = bundle.add_resource(resource);
    bundle
}

/// The message ids of a translation file, or what is wrong with it.
pub fn message_ids(source: &str) -> Result<Vec<String>, String> {
    use fluent_syntax::ast::Entry;
    let resource = fluent_syntax::parser::parse(source).map_err(|(_, errors)| format!("{errors:?}"))?;
    Ok(resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect())
}

/// The variables each message of a translation file uses (`{ $name }`, also as the
/// selector of a plural or in one of its variants), by message id.
pub fn variables(source: &str) -> Result<std::collections::BTreeMap<String, std::collections::BTreeSet<String>>, String> {
    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
    fn inline(e: &InlineExpression<&str>, out: &mut std::collections::BTreeSet<String>) {
        match e {
            InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            InlineExpression::Placeable { expression } => expression_vars(expression, out),
            InlineExpression::FunctionReference { arguments, .. } => {
                arguments.positional.iter().for_each(|a| inline(a, out));
                arguments.named.iter().for_each(|a| inline(&a.value, out));
            }
            _ => {}
        }
    }
    fn expression_vars(e: &Expression<&str>, out: &mut std::collections::BTreeSet<String>) {
        match e {
            Expression::Inline(i) => inline(i, out),
            Expression::Select { selector, variants } => {
                inline(selector, out);
                variants.iter().for_each(|v| pattern(&v.value, out));
            }
        }
    }
    fn pattern(p: &Pattern<&str>, out: &mut std::collections::BTreeSet<String>) {
        for element in &p.elements {
            if let PatternElement::Placeable { expression } = element {
                expression_vars(expression, out);
            }
        }
    }
    let resource = fluent_syntax::parser::parse(source).map_err(|(_, errors)| format!("{errors:?}"))?;
    Ok(resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            Entry::Message(m) => {
                let mut vars = std::collections::BTreeSet::new();
                if let Some(p) = &m.value {
                    pattern(p, &mut vars);
                }
                Some((m.id.name.to_string(), vars))
            }
            _ => None,
        })
        .collect())
}

/// Checks that every translation parses and has the same messages, each with the same
/// variables (a misspelt `{ $name }` in one language would render as written): the
/// server runs it at start-up, the tests too.
pub fn check_translations() -> Result<(), String> {
    let in_use: Vec<(Lang, &str)> = Lang::ALL.into_iter().map(|lang| (lang, source(lang))).collect();
    check_sources(&in_use)
}

fn check_sources(sources: &[(Lang, &str)]) -> Result<(), String> {
    let mut first_vars: Option<(Lang, std::collections::BTreeMap<String, std::collections::BTreeSet<String>>)> = None;
    for (lang, source) in sources {
        let vars = variables(source).map_err(|e| format!("domain/locales/{lang}.ftl does not parse: {e}"))?;
        if let Some((first, expected)) = &first_vars {
            for (id, names) in &vars {
                if let Some(want) = expected.get(id).filter(|want| *want != names) {
                    return Err(format!("domain/locales/{lang}.ftl: {id} uses the variables {names:?}, {first}.ftl uses {want:?}"));
                }
            }
        } else {
            first_vars = Some((*lang, vars));
        }
    }
    let mut reference: Option<(Lang, std::collections::BTreeSet<String>)> = None;
    for (lang, source) in sources {
        let all = message_ids(source).map_err(|e| format!("domain/locales/{lang}.ftl does not parse: {e}"))?;
        let ids: std::collections::BTreeSet<String> = all.iter().cloned().collect();
        // A second message of the same id is ignored by Fluent: the first one shows.
        if ids.len() != all.len() {
            let twice: Vec<_> = ids.iter().filter(|id| all.iter().filter(|a| a == id).count() > 1).collect();
            return Err(format!("domain/locales/{lang}.ftl has {twice:?} twice"));
        }
        if let Some((first, expected)) = &reference {
            let missing: Vec<_> = expected.difference(&ids).collect();
            let extra: Vec<_> = ids.difference(expected).collect();
            if !missing.is_empty() || !extra.is_empty() {
                return Err(format!("domain/locales/{lang}.ftl lacks {missing:?} and has {extra:?} that {first}.ftl does not"));
            }
        } else {
            reference = Some((*lang, ids));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "i18n_tests.rs"]
mod tests;
