//! UTM tagging: adding `utm_*` parameters to the http(s) links of a text so
//! that a campaign's traffic can be told apart. Tagging twice changes
//! nothing.

use serde::{Deserialize, Serialize};

use super::urls::{find_urls, has_scheme};

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Utm {
    pub source: String,
    pub medium: String,
    pub campaign: String,
}

/// Adds `utm_source`, `utm_medium` and `utm_campaign` to every http(s) URL
/// in `text`. Empty values are skipped, keys already present (in any case)
/// are left alone, and a `#fragment` stays at the end, so tagging twice
/// changes nothing. Bare domains are left untouched: rewriting them would
/// change how the platforms display them.
pub fn add_utm(text: &str, params: &Utm) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (start, end) in find_urls(text) {
        let url = &text[start..end];
        out.push_str(&text[pos..start]);
        if has_scheme(url) {
            tag_url(url, params, &mut out);
        } else {
            out.push_str(url);
        }
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

fn tag_url(url: &str, params: &Utm, out: &mut String) {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let query = base.split_once('?').map(|(_, q)| q);
    let present = |key: &str| {
        query.is_some_and(|q| {
            q.split('&').any(|pair| {
                pair.split('=')
                    .next()
                    .is_some_and(|k| k.eq_ignore_ascii_case(key))
            })
        })
    };

    let mut added = String::new();
    for (key, value) in [
        ("utm_source", &params.source),
        ("utm_medium", &params.medium),
        ("utm_campaign", &params.campaign),
    ] {
        let value = value.trim();
        if value.is_empty() || present(key) {
            continue;
        }
        if !added.is_empty() {
            added.push('&');
        }
        added.push_str(key);
        added.push('=');
        percent_encode(value, &mut added);
    }

    out.push_str(base);
    if !added.is_empty() {
        match query {
            None => out.push('?'),
            Some(q) if q.is_empty() || q.ends_with('&') => {}
            Some(_) => out.push('&'),
        }
        out.push_str(&added);
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
fn percent_encode(value: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
}
