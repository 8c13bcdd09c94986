//! The contact's language and time: English and Danish, in the organisation's time
//! zone.
//!
//! Every contact-facing text is a [Fluent](https://projectfluent.org) message in
//! `app/locales/<lang>.ftl`, files a translator edits without touching Rust. They
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

/// The translations, as written in `app/locales/`.
pub const SOURCES: [(Lang, &str); 2] = [(Lang::En, include_str!("../locales/en.ftl")), (Lang::Da, include_str!("../locales/da.ftl"))];

static EN: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle(Lang::En));
static DA: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle(Lang::Da));

/// A language's messages. A file that does not parse keeps the messages that do
/// (the tests fail on any error); the server checks every file at start-up.
fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let source = SOURCES.iter().find(|(l, _)| *l == lang).map_or("", |(_, s)| *s);
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, _)| partial);
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
    check_sources(&SOURCES)
}

fn check_sources(sources: &[(Lang, &str)]) -> Result<(), String> {
    let mut first_vars: Option<(Lang, std::collections::BTreeMap<String, std::collections::BTreeSet<String>>)> = None;
    for (lang, source) in sources {
        let vars = variables(source).map_err(|e| format!("app/locales/{lang}.ftl does not parse: {e}"))?;
        if let Some((first, expected)) = &first_vars {
            for (id, names) in &vars {
                if let Some(want) = expected.get(id).filter(|want| *want != names) {
                    return Err(format!("app/locales/{lang}.ftl: {id} uses the variables {names:?}, {first}.ftl uses {want:?}"));
                }
            }
        } else {
            first_vars = Some((*lang, vars));
        }
    }
    let mut reference: Option<(Lang, std::collections::BTreeSet<String>)> = None;
    for (lang, source) in sources {
        let all = message_ids(source).map_err(|e| format!("app/locales/{lang}.ftl does not parse: {e}"))?;
        let ids: std::collections::BTreeSet<String> = all.iter().cloned().collect();
        // A second message of the same id is ignored by Fluent: the first one shows.
        if ids.len() != all.len() {
            let twice: Vec<_> = ids.iter().filter(|id| all.iter().filter(|a| a == id).count() > 1).collect();
            return Err(format!("app/locales/{lang}.ftl has {twice:?} twice"));
        }
        if let Some((first, expected)) = &reference {
            let missing: Vec<_> = expected.difference(&ids).collect();
            let extra: Vec<_> = ids.difference(expected).collect();
            if !missing.is_empty() || !extra.is_empty() {
                return Err(format!("app/locales/{lang}.ftl lacks {missing:?} and has {extra:?} that {first}.ftl does not"));
            }
        } else {
            reference = Some((*lang, ids));
        }
    }
    Ok(())
}

/// The organisation's time zone (`PORTAL_TIME_ZONE`, an IANA name).
#[derive(Clone, Debug, PartialEq)]
pub struct Zone(pub jiff::tz::TimeZone);

impl Zone {
    pub const DEFAULT: &str = "Europe/Copenhagen";

    pub fn parse(name: &str) -> Result<Zone, String> {
        let name = name.trim();
        if name.is_empty() {
            return Err("the time zone is empty".into());
        }
        jiff::tz::TimeZone::get(name).map(Zone).map_err(|_| format!("{name:?} is not an IANA time zone (like Europe/Copenhagen)"))
    }

    /// The default zone, or UTC should the time zone database lack it (it is built in).
    pub fn default_zone() -> Zone {
        Zone::parse(Zone::DEFAULT).unwrap_or(Zone(jiff::tz::TimeZone::UTC))
    }

    pub fn name(&self) -> &str {
        self.0.iana_name().unwrap_or("UTC")
    }
}

/// How a page speaks: its language and the organisation's time zone. Times are Unix
/// seconds.
#[derive(Clone, Debug)]
pub struct Locale {
    pub lang: Lang,
    pub zone: Zone,
}

impl Locale {
    pub fn new(lang: Lang, zone: Zone) -> Locale {
        Locale { lang, zone }
    }

    pub fn t(&self, id: &str) -> String {
        self.lang.t(id)
    }

    pub fn tf(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        self.lang.tf(id, args)
    }

    /// The wall-clock time in the organisation's zone.
    fn zoned(&self, at: i64) -> Option<jiff::civil::DateTime> {
        jiff::Timestamp::from_second(at).ok().map(|t| self.zone.0.to_datetime(t))
    }

    /// "14:05" / "14.05".
    pub fn time(&self, at: i64) -> String {
        let Some(z) = self.zoned(at) else { return at.to_string() };
        self.tf("time-of-day", &[("hour", format!("{:02}", z.hour()).into()), ("minute", format!("{:02}", z.minute()).into())])
    }

    /// "28 November 2026" / "28. november 2026".
    pub fn date(&self, at: i64) -> String {
        let Some(z) = self.zoned(at) else { return at.to_string() };
        let month = self.t(&format!("month-{}", z.month()));
        self.tf("date", &[("day", i64::from(z.day()).into()), ("month", month.into()), ("year", i64::from(z.year()).into())])
    }

    /// "28 November 2026 at 14:05" / "28. november 2026 kl. 14.05".
    pub fn date_time(&self, at: i64) -> String {
        self.tf("date-time", &[("date", self.date(at).into()), ("time", self.time(at).into())])
    }

    /// "2026-11-28 11:49:16 CET": for administrators, who match it against what a
    /// contact tells them and against logs.
    pub fn stamp(&self, at: i64) -> String {
        let Some(t) = self.zoned(at) else { return at.to_string() };
        format!("{} {}", t.strftime("%Y-%m-%d %H:%M:%S"), self.zone_abbreviation(at))
    }

    /// "CET", "CEST": for texts read away from the page (the code email).
    pub fn zone_abbreviation(&self, at: i64) -> String {
        jiff::Timestamp::from_second(at).map(|t| self.zone.0.to_offset_info(t).abbreviation().to_string()).unwrap_or_default()
    }

    /// A moment as it reads best from `now`: "today at 14:05", "yesterday at 09:12",
    /// "tomorrow at 09:00", else the date and time.
    pub fn moment(&self, at: i64, now: i64) -> String {
        let (Some(then), Some(today)) = (self.zoned(at), self.zoned(now)) else { return at.to_string() };
        let (then, today) = (then.date(), today.date());
        if then == today {
            self.tf("today-at", &[("time", self.time(at).into())])
        } else if today.yesterday().is_ok_and(|y| y == then) {
            self.tf("yesterday-at", &[("time", self.time(at).into())])
        } else if today.tomorrow().is_ok_and(|t| t == then) {
            self.tf("tomorrow-at", &[("time", self.time(at).into())])
        } else {
            self.date_time(at)
        }
    }

    /// "10 minutes", "1 hour", "30 seconds": whole units only.
    pub fn duration(&self, secs: u64) -> String {
        let (n, id) = match secs {
            s if s >= 86_400 && s.is_multiple_of(86_400) => (s / 86_400, "duration-days"),
            s if s >= 3600 && s.is_multiple_of(3600) => (s / 3600, "duration-hours"),
            s if s >= 60 && s.is_multiple_of(60) => (s / 60, "duration-minutes"),
            s => (s, "duration-seconds"),
        };
        self.tf(id, &[("n", n.into())])
    }

    /// A span rounded to its largest unit, for "2 minutes ago" and "in 3 hours".
    fn rounded(&self, secs: u64) -> String {
        let (n, id) = match secs {
            s if s >= 86_400 => (s / 86_400, "duration-days"),
            s if s >= 3600 => (s / 3600, "duration-hours"),
            s if s >= 60 => (s / 60, "duration-minutes"),
            s => (s, "duration-seconds"),
        };
        self.tf(id, &[("n", n.into())])
    }

    /// "just now", "2 minutes ago" / "for et øjeblik siden", "for 2 minutter siden".
    pub fn ago(&self, secs: i64) -> String {
        if secs < 10 {
            return self.t("ago-now");
        }
        self.tf("ago", &[("duration", self.rounded(secs.unsigned_abs()).into())])
    }

    /// "in 3 hours" / "om 3 timer".
    pub fn in_future(&self, secs: i64) -> String {
        self.tf("in-future", &[("duration", self.rounded(secs.max(1).unsigned_abs()).into())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        text.parse::<jiff::Timestamp>().map(|t| t.as_second()).unwrap_or_default()
    }

    fn locale(lang: Lang) -> Locale {
        Locale::new(lang, Zone::parse("Europe/Copenhagen").unwrap())
    }

    #[test]
    fn every_message_is_in_every_language() {
        check_translations().unwrap();
        let en = message_ids(SOURCES[0].1).unwrap();
        assert!(en.len() > 100, "the English file has {} messages", en.len());
    }

    #[test]
    fn a_message_missing_from_one_language_is_found() {
        let da = SOURCES[1].1.replace("send-code = Send kode\n", "");
        let en = message_ids(SOURCES[0].1).unwrap();
        let missing: Vec<_> = en.iter().filter(|id| !message_ids(&da).unwrap().contains(id)).collect();
        assert_eq!(missing, ["send-code"]);
    }

    #[test]
    fn a_message_id_used_twice_is_found() {
        let twice = format!("{}\nsend-code = Send it\n", SOURCES[0].1);
        let found = check_sources(&[(Lang::En, &twice), SOURCES[1]]).unwrap_err();
        assert!(found.contains("[\"send-code\"] twice"), "{found}");
    }

    #[test]
    fn a_misspelt_variable_in_one_language_is_found() {
        let en = variables(SOURCES[0].1).unwrap();
        assert!(en["notice-wrong-code"].contains("attempts"), "{:?}", en["notice-wrong-code"]);
        let misspelt = SOURCES[1].1.replace("$attempts", "$attempt");
        let found = check_sources(&[SOURCES[0], (Lang::Da, &misspelt)]).unwrap_err();
        assert!(found.contains("notice-wrong-code uses the variables {\"attempt\"}"), "{found}");
    }

    #[test]
    fn every_variable_a_message_uses_is_given_where_the_code_names_it() {
        // `.t("id")` gives no variables; `.tf("id", &[("name", …), …])` gives those
        // named. (Calls whose arguments are built elsewhere are checked by the server's
        // tests, which render every notice: a missing variable is logged as an error.)
        let vars = variables(SOURCES[0].1).unwrap();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut calls = Vec::new();
        for dir in ["app/src", "server/src"] {
            collect_calls(&std::path::Path::new(root).join(dir), &mut calls);
        }
        assert!(calls.iter().filter(|(_, given)| given.is_some()).count() > 10, "found {calls:?}");
        for (id, given) in &calls {
            let Some(needed) = vars.get(id) else { continue };
            match given {
                None => assert!(needed.is_empty(), ".t(\"{id}\") gives no variables, the message uses {needed:?}"),
                Some(given) => assert!(needed.is_subset(given), ".tf(\"{id}\") gives {given:?}, the message uses {needed:?}"),
            }
        }
    }

    /// `(id, Some(variables given))` for every `.tf("id", &[…])`, `(id, None)` for every
    /// `.t("id")`, in the sources under `dir`.
    fn collect_calls(dir: &std::path::Path, calls: &mut Vec<(String, Option<std::collections::BTreeSet<String>>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                collect_calls(&path, calls);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n.rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for (marker, literal) in [(".t(\"", false), (".tf(\"", true)] {
                    for (i, _) in text.match_indices(marker) {
                        let rest = &text[i + marker.len()..];
                        let id: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-').collect();
                        let after = &rest[id.len()..];
                        if !after.starts_with('"') {
                            continue;
                        }
                        if !literal {
                            calls.push((id, None));
                        } else if let Some(list) = after.strip_prefix("\", &[").and_then(|l| l.split_once("])")).map(|(l, _)| l) {
                            let given =
                                list.match_indices("(\"").map(|(j, _)| list[j + 2..].chars().take_while(|c| *c != '"').collect()).collect();
                            calls.push((id, Some(given)));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_message_the_code_asks_for_exists() {
        // Every `.t("…")` / `.tf("…"` in the crates' sources names a message of the files.
        let ids = message_ids(SOURCES[0].1).unwrap();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut used = Vec::new();
        for dir in ["app/src", "server/src"] {
            collect_used(&std::path::Path::new(root).join(dir), &mut used);
        }
        assert!(used.len() > 100, "found {} uses", used.len());
        let unknown: Vec<_> = used.iter().filter(|id| !ids.contains(id)).collect();
        assert!(unknown.is_empty(), "no such messages: {unknown:?}");
    }

    fn collect_used(dir: &std::path::Path, used: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                collect_used(&path, used);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n.rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for marker in [".t(\"", ".tf(\""] {
                    for (i, _) in text.match_indices(marker) {
                        let rest = &text[i + marker.len()..];
                        let id: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-').collect();
                        if rest[id.len()..].starts_with('"') {
                            used.push(id);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn accept_language_picks_the_browsers_first_choice_the_portal_speaks() {
        assert_eq!(Lang::from_accept_language("da-DK,da;q=0.9,en-US;q=0.8,en;q=0.7"), Some(Lang::Da));
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9,da;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("de-DE,de;q=0.9,da;q=0.5,en;q=0.4"), Some(Lang::Da));
        assert_eq!(Lang::from_accept_language("en;q=0.2, da;q=0.9"), Some(Lang::Da), "by q, not by order");
        assert_eq!(Lang::from_accept_language("da;q=0, en;q=0.1"), Some(Lang::En), "q=0 means not this one");
        assert_eq!(Lang::from_accept_language("de, fr;q=0.5"), None);
        assert_eq!(Lang::from_accept_language("*"), None);
        assert_eq!(Lang::from_accept_language(""), None);
        assert_eq!(Lang::from_accept_language("da;q=2, en;q=abc, da;q=0.1234"), None, "malformed q values are ignored");
    }

    #[test]
    fn times_are_in_the_organisations_zone_with_daylight_saving() {
        let (en, da) = (locale(Lang::En), locale(Lang::Da));
        let winter = at("2026-11-28T10:49:16Z");
        assert_eq!(en.time(winter), "11:49");
        assert_eq!(Locale::new(Lang::En, Zone(jiff::tz::TimeZone::UTC)).time(3661), "01:01");
        assert_eq!(da.time(winter), "11.49");
        assert_eq!(da.zone_abbreviation(winter), "CET");
        let summer = at("2026-07-01T10:49:16Z");
        assert_eq!(da.time(summer), "12.49");
        assert_eq!(en.zone_abbreviation(summer), "CEST");
        assert_eq!(en.date_time(winter), "28 November 2026 at 11:49");
        assert_eq!(da.date_time(winter), "28. november 2026 kl. 11.49");
        // 23:30 UTC is already the next day in Copenhagen.
        assert_eq!(da.date(at("2026-12-31T23:30:00Z")), "1. januar 2027");
    }

    #[test]
    fn moments_read_relative_to_now() {
        let da = locale(Lang::Da);
        let now = at("2026-11-28T10:49:16Z");
        assert_eq!(da.moment(at("2026-11-28T08:00:00Z"), now), "i dag kl. 09.00");
        assert_eq!(da.moment(at("2026-11-27T08:00:00Z"), now), "i går kl. 09.00");
        assert_eq!(da.moment(at("2026-11-20T08:00:00Z"), now), "20. november 2026 kl. 09.00");
        assert_eq!(da.moment(at("2026-11-29T08:00:00Z"), now), "i morgen kl. 09.00");
        assert_eq!(locale(Lang::En).moment(at("2026-11-27T22:59:00Z"), now), "yesterday at 23:59");
    }

    #[test]
    fn durations_and_spans_use_each_languages_plurals() {
        let (en, da) = (locale(Lang::En), locale(Lang::Da));
        assert_eq!(en.duration(600), "10 minutes");
        assert_eq!(en.duration(60), "1 minute");
        assert_eq!(en.duration(3), "3 seconds");
        assert_eq!(en.duration(86_400), "1 day");
        assert_eq!(da.duration(600), "10 minutter");
        assert_eq!(da.duration(3600), "1 time");
        assert_eq!(da.duration(90), "90 sekunder");
        assert_eq!(da.duration(86_400 * 2), "2 dage");
        assert_eq!(en.ago(3), "just now");
        assert_eq!(en.ago(125), "2 minutes ago");
        assert_eq!(da.ago(125), "for 2 minutter siden");
        assert_eq!(da.ago(60), "for 1 minut siden");
        assert_eq!(da.in_future(3 * 3600 + 59), "om 3 timer");
        assert_eq!(en.in_future(0), "in 1 second");
    }

    #[test]
    fn variables_are_filled_in_without_isolation_marks() {
        let text = Lang::Da.tf("notice-wrong-code", &[("attempts", 1.into())]);
        assert_eq!(text, "Koden er forkert. Du har 1 forsøg tilbage.");
        let text = Lang::En.tf("email-subject", &[("organisation", "Aarhus Roklub".into())]);
        assert_eq!(text, "Your login code for Aarhus Roklub");
        assert_eq!(Lang::En.t("no-such-message"), "no-such-message");
    }

    #[test]
    fn zones_are_iana_names() {
        assert_eq!(Zone::parse("America/New_York").unwrap().name(), "America/New_York");
        assert!(Zone::parse("Mars/Olympus").is_err());
        assert!(Zone::parse("").is_err());
        assert!(Zone::parse("CET+1").is_err());
        assert_eq!(Zone::default_zone().name(), "Europe/Copenhagen");
    }

    #[test]
    fn the_switch_wins_over_the_browser_which_wins_over_the_default() {
        let r = RequestLanguage::resolve(Some("da"), Some("en-GB"), Lang::En);
        assert_eq!(r, RequestLanguage { lang: Lang::Da, chosen: true });
        let r = RequestLanguage::resolve(Some("xx"), Some("en-GB"), Lang::Da);
        assert_eq!(r, RequestLanguage { lang: Lang::En, chosen: false }, "an unknown cookie value is ignored");
        let r = RequestLanguage::resolve(None, Some("de"), Lang::Da);
        assert_eq!(r, RequestLanguage { lang: Lang::Da, chosen: false });
        assert_eq!(RequestLanguage::resolve(None, None, Lang::En).lang, Lang::En);
    }

    #[test]
    fn language_tags_parse_by_their_primary_subtag() {
        assert_eq!(Lang::parse("da-DK"), Some(Lang::Da));
        assert_eq!(Lang::parse("EN_gb"), Some(Lang::En));
        assert_eq!(Lang::parse("dan"), None);
        assert_eq!(Lang::parse(""), None);
    }
}
