//! A user agent, boiled down to what an administrator needs to tell a contact's
//! browsers apart: "Firefox on Android". Nothing more is kept.

/// "Chrome on Android", "Safari on iPhone", "Firefox on Windows"; "a browser" and "an
/// unknown system" for what is not recognised.
pub fn browser_and_platform(user_agent: &str) -> String {
    let (browser, platform) = browser_parts(user_agent);
    format!("{} on {}", browser.unwrap_or("a browser"), platform.unwrap_or("an unknown system"))
}

/// The browser and the system a `User-Agent` names, each when it is one of the common
/// ones (their names are the same in every language).
pub fn browser_parts(user_agent: &str) -> (Option<&'static str>, Option<&'static str>) {
    let ua = user_agent;
    let has = |s: &str| ua.contains(s);
    let browser = if has("Edg/") || has("EdgA/") || has("EdgiOS/") {
        "Edge"
    } else if has("OPR/") {
        "Opera"
    } else if has("SamsungBrowser/") {
        "Samsung Internet"
    } else if has("Firefox/") || has("FxiOS/") {
        "Firefox"
    } else if has("Chrome/") || has("CriOS/") || has("Chromium/") {
        "Chrome"
    } else if has("Safari/") && has("Version/") {
        "Safari"
    } else {
        return (None, platform_of(ua));
    };
    (Some(browser), platform_of(ua))
}

fn platform_of(ua: &str) -> Option<&'static str> {
    let has = |s: &str| ua.contains(s);
    Some(if has("Android") {
        "Android"
    } else if has("iPhone") {
        "iPhone"
    } else if has("iPad") {
        "iPad"
    } else if has("Windows") {
        "Windows"
    } else if has("CrOS") {
        "ChromeOS"
    } else if has("Mac OS X") || has("Macintosh") {
        "macOS"
    } else if has("Linux") {
        "Linux"
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::browser_and_platform;

    #[test]
    fn common_user_agents_read_as_browser_on_system() {
        let cases = [
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                "Safari on macOS",
            ),
            ("curl/8.5.0", "a browser on an unknown system"),
        ];
        for (ua, want) in cases {
            assert_eq!(browser_and_platform(ua), want, "{ua}");
        }
    }
}
