//! "Did you mean …?" for an email address whose domain is a known slip of a common
//! provider's (`@gmial.com`, `@hotmail.con`): the commonest "wrong address" of all.
//!
//! The suggestion comes from a fixed list and the typed text alone, never from the
//! database, so it is the same whether either address is registered, and says nothing
//! about who has an account.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::EmailAddress;

/// The providers most contacts of a Danish organisation use.
const PROVIDERS: [&str; 21] = [
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.dk",
    "outlook.com",
    "outlook.dk",
    "live.com",
    "live.dk",
    "icloud.com",
    "yahoo.com",
    "yahoo.dk",
    "mail.dk",
    "jubii.dk",
    "tdcadsl.dk",
    "stofanet.dk",
    "webspeed.dk",
    "youmail.dk",
    "privat.dk",
    "post.tele.dk",
    "protonmail.com",
    "proton.me",
];

/// The slips of a top-level domain seen most: a letter left out, doubled, or a
/// neighbouring key.
const TLD_SLIPS: [(&str, &[&str]); 2] =
    [("com", &["con", "cm", "co", "om", "comm", "cpm", "xom", "vom", "cmo", "ocm"]), ("dk", &["dl", "dj", "sk", "d", "dkk", "kd"])];

/// Neighbours on a QWERTY keyboard, for a key hit one off.
fn neighbours(c: char) -> &'static str {
    match c {
        'q' => "wa",
        'w' => "qes",
        'e' => "wrd",
        'r' => "etf",
        't' => "ryg",
        'y' => "tuh",
        'u' => "yij",
        'i' => "uok",
        'o' => "ipl",
        'p' => "o",
        'a' => "qsz",
        's' => "adwx",
        'd' => "sfe",
        'f' => "dgr",
        'g' => "fht",
        'h' => "gjy",
        'j' => "hku",
        'k' => "jli",
        'l' => "ko",
        'z' => "xa",
        'x' => "zcs",
        'c' => "xvd",
        'v' => "cbf",
        'b' => "vng",
        'n' => "bmh",
        'm' => "nj",
        _ => "",
    }
}

/// One slip away from `name`: a letter left out, doubled, swapped with the next, or
/// (in names of five letters or more) hit one key off. A short name one key off is
/// too often a real domain of its own (`live` → `love`, `life`).
fn slips(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    for i in 0..chars.len() {
        let mut left_out = chars.clone();
        left_out.remove(i);
        out.push(left_out.into_iter().collect());
        let mut doubled = chars.clone();
        doubled.insert(i, chars[i]);
        out.push(doubled.into_iter().collect());
        if i + 1 < chars.len() {
            let mut swapped = chars.clone();
            swapped.swap(i, i + 1);
            out.push(swapped.into_iter().collect());
        }
        for n in neighbours(chars[i]).chars().filter(|_| chars.len() >= 5) {
            let mut off = chars.clone();
            off[i] = n;
            out.push(off.into_iter().collect());
        }
    }
    out
}

/// Every slipped domain and the provider it is a slip of. A slip of two providers, or
/// one that is a provider itself, is left out: there is no one answer.
fn table() -> &'static HashMap<String, &'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut found: HashMap<String, Option<&'static str>> = HashMap::new();
        let mut add = |slip: String, provider: &'static str| {
            if slip.contains('.') && !slip.starts_with('.') && !slip.ends_with('.') {
                found.entry(slip).and_modify(|p| *p = p.filter(|p| *p == provider)).or_insert(Some(provider));
            }
        };
        for provider in PROVIDERS {
            let (name, tld) = provider.rsplit_once('.').unwrap_or((provider, ""));
            for slip in slips(name) {
                add(format!("{slip}.{tld}"), provider);
            }
            for (of, slipped) in TLD_SLIPS {
                if tld == of {
                    for t in slipped {
                        add(format!("{name}.{t}"), provider);
                    }
                }
            }
        }
        found.into_iter().filter(|(slip, _)| !PROVIDERS.contains(&slip.as_str())).filter_map(|(s, p)| p.map(|p| (s, p))).collect()
    })
}

/// The address the contact probably meant, when `typed` is an email address at a
/// known slip of a common provider's domain.
pub fn did_you_mean(typed: &str) -> Option<String> {
    let email = EmailAddress::parse(typed).ok()?;
    let (local, domain) = email.as_str().rsplit_once('@')?;
    table().get(domain).map(|provider| format!("{local}@{provider}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_slips_of_common_providers_are_caught() {
        for (typed, meant) in [
            ("ada@gmial.com", "ada@gmail.com"),
            ("ada@gmal.com", "ada@gmail.com"),
            ("ada@gmail.con", "ada@gmail.com"),
            ("Ada@GMAIL.CM", "ada@gmail.com"),
            ("ada@hotmail.con", "ada@hotmail.com"),
            ("ada@hotmial.dk", "ada@hotmail.dk"),
            ("ada@hotmail.dl", "ada@hotmail.dk"),
            ("ada@outlok.com", "ada@outlook.com"),
            ("ada@icloud.co", "ada@icloud.com"),
            ("ada@yahooo.com", "ada@yahoo.com"),
            ("ada@jubi.dk", "ada@jubii.dk"),
            ("ada@tdcasdl.dk", "ada@tdcadsl.dk"),
            ("ada@stofnet.dk", "ada@stofanet.dk"),
            ("ada@mial.dk", "ada@mail.dk"),
            (" ada@live.dkk ", "ada@live.dk"),
        ] {
            assert_eq!(did_you_mean(typed).as_deref(), Some(meant), "{typed}");
        }
    }

    #[test]
    fn right_addresses_other_domains_and_phone_numbers_get_no_hint() {
        for typed in [
            "ada@gmail.com",
            "ada@hotmail.dk",
            "ada@live.com",
            "ada@example.com",
            "ada@aarhus-roklub.dk",
            "ada@mail.de",
            "ada@love.com",
            "ada@life.com",
            "ada@gmc.com",
            "20 12 34 01",
            "+4520123401",
            "gmial.com",
            "",
        ] {
            assert_eq!(did_you_mean(typed), None, "{typed}");
        }
    }

    #[test]
    fn no_slip_names_a_provider_or_two() {
        let table = table();
        assert!(table.len() > 500, "{}", table.len());
        for provider in PROVIDERS {
            assert!(!table.contains_key(provider), "{provider} is itself a provider");
        }
        // live.dk and live.com are one slip of each other ("dk" → "com" is not one),
        // but "hotmail.co" could be hotmail.com only: each slip has one answer.
        assert_eq!(table.get("hotmail.co").copied(), Some("hotmail.com"));
    }
}
