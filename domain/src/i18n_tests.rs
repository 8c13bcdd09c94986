//! The translations, languages and times, checked.

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
    for dir in ["domain/src", "app/src", "server/src"] {
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
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n.rs") && !path.ends_with("i18n_tests.rs") {
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
    for dir in ["domain/src", "app/src", "server/src"] {
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
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n.rs") && !path.ends_with("i18n_tests.rs") {
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
