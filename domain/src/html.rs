//! Text into HTML by hand, for the few places that write markup without Leptos's
//! escaping: the page title (`leptos_meta` writes it raw) and the dev outbox.

/// `text` as HTML text or a quoted attribute value: `&`, `<`, `>`, `"` and `'` become
/// character references, everything else stays as it is.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_becomes_text() {
        assert_eq!(
            super::escape(r#"Eve</title><meta http-equiv=refresh content="0;url=x"> & 'co'"#),
            "Eve&lt;/title&gt;&lt;meta http-equiv=refresh content=&quot;0;url=x&quot;&gt; &amp; &#39;co&#39;"
        );
        assert_eq!(super::escape("Bjørn · Aarhus Roklub"), "Bjørn · Aarhus Roklub");
    }
}
