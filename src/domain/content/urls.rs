//! Finding URLs in text the way twitter-text does, so that links count 23
//! where the platforms count them so and the rest of the text is left alone.

use unicode_segmentation::GraphemeCursor;

/// Top-level domains recognised without a scheme. Deliberately short: a
/// false positive ("file.txt") would make ordinary prose count 23.
const BARE_TLDS: &[&str] = &[
    "com", "org", "net", "io", "cn", "co", "dev", "app", "info", "me", "tv", "uk", "de", "jp",
    "hk", "tw", "sg", "us", "edu", "gov",
];

/// Byte ranges of the URLs in `text`, in order and non-overlapping:
/// `http://` and `https://` URLs, and bare domains with a common TLD
/// (`example.com/path`). Trailing punctuation is not part of a URL, nor is
/// anything after a character that cannot appear in one (whitespace, CJK).
pub fn find_urls(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut urls = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII bytes are always char boundaries in UTF-8.
        if bytes[i].is_ascii_alphanumeric() && may_start_url(text, i) {
            if let Some(end) = url_at(text, i) {
                urls.push((i, end));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    urls
}

pub(super) fn has_scheme(url: &str) -> bool {
    scheme_len(url).is_some()
}

fn scheme_len(s: &str) -> Option<usize> {
    ["https://", "http://"]
        .into_iter()
        .find(|scheme| {
            s.as_bytes()
                .get(..scheme.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(scheme.as_bytes()))
        })
        .map(str::len)
}

/// Like twitter-text, a URL may not continue a word, an e-mail address, a
/// cashtag or a hashtag, nor be the tail of a dotted or slashed token.
fn may_start_url(text: &str, i: usize) -> bool {
    text[..i].chars().next_back().is_none_or(|p| {
        !(p.is_ascii_alphanumeric()
            || matches!(p, '@' | '$' | '#' | '.' | '-' | '_' | '/' | '＠' | '＃')
            || ('\u{202A}'..='\u{202E}').contains(&p))
    })
}

/// Characters a URL path may contain: printable ASCII (minus delimiters
/// that never appear unescaped) plus accented Latin and Cyrillic, as
/// twitter-text allows. CJK text and punctuation end a URL.
fn is_url_char(c: char) -> bool {
    (c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '`' | '{' | '}' | '\\'))
        || ('\u{00C0}'..='\u{024F}').contains(&c)
        || ('\u{0400}'..='\u{04FF}').contains(&c)
}

fn is_host_char(c: char, bare: bool) -> bool {
    c.is_ascii_alphanumeric()
        || c == '-'
        || (!bare && (c == '_' || (!c.is_ascii() && c.is_alphanumeric() && is_url_char(c))))
}

/// End of the URL starting at `start`, if one does.
fn url_at(text: &str, start: usize) -> Option<usize> {
    let scheme = scheme_len(&text[start..]);
    let bare = scheme.is_none();
    let host_start = start + scheme.unwrap_or(0);
    let (host_end, needs_path) = scan_host(text, host_start, bare)?;

    let mut end = host_end;
    let rest = &text[host_end..];
    if let Some(port) = rest.strip_prefix(':') {
        let digits = port.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            end += 1 + digits;
        }
    }
    if text[end..].starts_with(['/', '?', '#']) {
        end += text[end..]
            .char_indices()
            .find(|&(_, c)| !is_url_char(c))
            .map_or(text.len() - end, |(i, _)| i);
    }

    // Trim trailing punctuation, and never end inside a grapheme cluster
    // (an ASCII letter followed by a combining accent belongs to the text).
    loop {
        end = start + trim_url_end(&text[start..end]);
        if is_grapheme_boundary(text, end) {
            break;
        }
        if end <= host_end {
            return None;
        }
        end -= text[..end].chars().next_back().map_or(0, char::len_utf8);
    }
    // twitter-text: "example.cn" alone is too likely to be prose; a bare
    // second-level domain under a country code needs a path to be a link.
    if needs_path && end == host_end {
        return None;
    }
    Some(end)
}

/// Returns the end of a valid host starting at `from`, and whether it is a
/// bare `name.cc` domain that only counts as a URL when a path follows.
fn scan_host(text: &str, from: usize, bare: bool) -> Option<(usize, bool)> {
    let s = &text[from..];
    let len = s
        .char_indices()
        .find(|&(_, c)| c != '.' && !is_host_char(c, bare))
        .map_or(s.len(), |(i, _)| i);
    let host = s[..len].trim_end_matches('.');
    let labels: Vec<&str> = host.split('.').collect();
    let well_formed = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
    if !well_formed {
        return None;
    }
    let tld = labels.last().copied().unwrap_or_default();
    let needs_path = if bare {
        if !BARE_TLDS.iter().any(|t| t.eq_ignore_ascii_case(tld)) {
            return None;
        }
        labels.len() == 2 && tld.len() == 2
    } else {
        false
    };
    Some((from + host.len(), needs_path))
}

/// Length of `url` without trailing punctuation. A closing bracket is kept
/// when it balances one inside the URL (Wikipedia-style `Foo_(bar)`).
fn trim_url_end(url: &str) -> usize {
    let mut end = url.len();
    while let Some(c) = url[..end].chars().next_back() {
        let strip = match c {
            '.' | ',' | '!' | '?' | ':' | ';' | '\'' | '*' => true,
            ')' => url[..end].matches(')').count() > url[..end].matches('(').count(),
            ']' => url[..end].matches(']').count() > url[..end].matches('[').count(),
            _ => false,
        };
        if !strip {
            break;
        }
        end -= 1;
    }
    end
}

fn is_grapheme_boundary(text: &str, at: usize) -> bool {
    GraphemeCursor::new(at, text.len(), true)
        .is_boundary(text, 0)
        .unwrap_or(true)
}

/// `text` without its URLs, whitespace collapsed: how a post is recognised
/// among an account's posts once the platform rewrote its links (t.co, or
/// Mastodon's shortened link text).
pub fn without_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in find_urls(text) {
        out.push_str(&text[at..start]);
        at = end;
    }
    out.push_str(&text[at..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
