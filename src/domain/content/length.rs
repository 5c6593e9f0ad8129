//! Length in each platform's unit: what is counted ([`published_text`]),
//! and how ([`text_length`]). X's weighted count has its own file,
//! `x_weight`; everything here is a plain count of characters, graphemes or
//! bytes.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;

use super::urls::{find_urls, has_scheme};
use super::x_weight::{x_weighted_length, URL_WEIGHT};
use super::{Draft, Platform};

/// The text exactly as it will be published on `platform`: trimmed, with
/// the draft's link appended on platforms that carry links in the text.
/// Publishers must use this so that what was counted is what is sent.
pub fn published_text<'a>(platform: Platform, draft: &Draft<'a>) -> Cow<'a, str> {
    let text = draft.text.trim();
    match draft.link.map(str::trim).filter(|l| !l.is_empty()) {
        Some(link) if platform.link_in_text() && !text.contains(link) => {
            if text.is_empty() {
                Cow::Borrowed(link)
            } else {
                Cow::Owned(format!("{text}\n\n{link}"))
            }
        }
        _ => Cow::Borrowed(text),
    }
}

/// Length of `text` in the unit `platform` limits: weighted characters on X,
/// grapheme clusters on Bluesky, characters (with links as 23) on Mastodon,
/// and Unicode scalar values everywhere else.
pub fn text_length(platform: Platform, text: &str) -> usize {
    match platform {
        Platform::X => x_weighted_length(text),
        Platform::Bluesky => graphemes(text),
        Platform::Mastodon => mastodon_length(text),
        _ => char_count(text),
    }
}

/// Unicode scalar values, the "characters" of most platforms' limits.
pub fn char_count(text: &str) -> usize {
    text.chars().count()
}

/// Extended grapheme clusters: what a reader perceives as one character,
/// and Bluesky's unit.
pub fn graphemes(text: &str) -> usize {
    text.graphemes(true).count()
}

/// UTF-8 size, Bluesky's second limit.
pub fn utf8_bytes(text: &str) -> usize {
    text.len()
}

/// Mastodon's count: characters, with every http(s) link as 23. Mastodon
/// itself counts grapheme clusters, of which there are never more than
/// scalar values, so this can only err on the safe side. It ignores links
/// without a scheme, exactly like Mastodon.
pub fn mastodon_length(text: &str) -> usize {
    let mut length = 0;
    let mut pos = 0;
    for (start, end) in find_urls(text) {
        if has_scheme(&text[start..end]) {
            length += text[pos..start].chars().count() + URL_WEIGHT;
            pos = end;
        }
    }
    length + text[pos..].chars().count()
}
