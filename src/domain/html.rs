//! Escaping text for HTML (element content and quoted attribute values):
//! WeChat article bodies, and the few pages the server and the emulator
//! render without Leptos.

/// Appends `s` to `out` with `& < > " '` escaped.
pub fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `s` with `& < > " '` escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(s, &mut out);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_characters_are_escaped_and_text_kept() {
        assert_eq!(
            super::escape(r#"<a href="x">Tom & Jerry's 茶</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s 茶&lt;/a&gt;"
        );
    }
}
