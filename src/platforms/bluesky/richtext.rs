//! Bluesky rich text and record keys, without any network: the facets of a
//! post's text (links, mentions, hashtags) as UTF-8 byte ranges, and the
//! TIDs that name its records.
//!
//! Facet rules follow Bluesky's own app: a mention is `@` and a handle (a
//! domain name) not glued to a preceding word; a hashtag is `#` and up to
//! 64 characters that are not whitespace or punctuation, not only digits;
//! links are found as the composer counts them. Ranges never overlap.

use crate::domain::content::{find_urls, graphemes};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// What a facet marks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Feature {
    Link(String),
    Mention(String),
    Tag(String),
}

/// One annotated byte range of the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facet {
    pub start: usize,
    pub end: usize,
    pub feature: Feature,
}

impl Facet {
    /// As `app.bsky.richtext.facet`.
    pub fn to_json(&self) -> Value {
        let feature = match &self.feature {
            Feature::Link(uri) => json!({ "$type": "app.bsky.richtext.facet#link", "uri": uri }),
            Feature::Mention(did) => {
                json!({ "$type": "app.bsky.richtext.facet#mention", "did": did })
            }
            Feature::Tag(tag) => json!({ "$type": "app.bsky.richtext.facet#tag", "tag": tag }),
        };
        json!({
            "index": { "byteStart": self.start, "byteEnd": self.end },
            "features": [feature],
        })
    }
}

const MAX_TAG_GRAPHEMES: usize = 64;

/// The facets of `text`, in order. `mentions` maps handles (without `@`,
/// lowercase) to DIDs; a mention whose handle is not there is left plain.
pub fn facets(text: &str, mentions: &[(String, String)]) -> Vec<Facet> {
    let urls = find_urls(text);
    let in_url = |i: usize| urls.iter().any(|&(s, e)| s <= i && i < e);
    let mut out: Vec<Facet> = urls
        .iter()
        .map(|&(start, end)| {
            let raw = &text[start..end];
            let uri = if raw.starts_with("http://") || raw.starts_with("https://") {
                raw.to_owned()
            } else {
                format!("https://{raw}")
            };
            Facet {
                start,
                end,
                feature: Feature::Link(uri),
            }
        })
        .collect();
    for (start, end, handle) in mention_spans(text) {
        if in_url(start) {
            continue;
        }
        if let Some((_, did)) = mentions.iter().find(|(h, _)| *h == handle) {
            out.push(Facet {
                start,
                end,
                feature: Feature::Mention(did.clone()),
            });
        }
    }
    for (start, end) in tag_spans(text) {
        if in_url(start) {
            continue;
        }
        // The tag is stored without its `#` (one byte, or three for `＃`).
        let tag = text[start..end].trim_start_matches(['#', '＃']).to_owned();
        out.push(Facet {
            start,
            end,
            feature: Feature::Tag(tag),
        });
    }
    out.sort_by_key(|f| f.start);
    out
}

/// The handles mentioned in `text` (lowercase, without `@`), each once.
pub fn mentioned_handles(text: &str) -> Vec<String> {
    let mut handles: Vec<String> = Vec::new();
    for (_, _, h) in mention_spans(text) {
        if !handles.contains(&h) {
            handles.push(h);
        }
    }
    handles
}

/// Whether the character before byte `i` lets a mention or tag start.
fn boundary_before(text: &str, i: usize) -> bool {
    text[..i].chars().next_back().is_none_or(|c| {
        c.is_whitespace() || matches!(c, '(' | '[' | '{' | '"' | '\'' | '（' | '「' | '“')
    })
}

/// `(start, end, handle)` of each `@handle`: labels of letters, digits and
/// hyphens joined by dots, with at least one dot, the last label not all
/// digits (`@1.5` is no handle).
fn mention_spans(text: &str) -> Vec<(usize, usize, String)> {
    let mut spans = Vec::new();
    for (i, _) in text.match_indices('@') {
        if !boundary_before(text, i) {
            continue;
        }
        let rest = &text[i + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        let handle = rest[..len].trim_end_matches(['.', '-']);
        let labels: Vec<&str> = handle.split('.').collect();
        let valid = labels.len() >= 2
            && labels.iter().all(|l| !l.is_empty() && l.len() <= 63)
            && labels
                .last()
                .is_some_and(|l| l.bytes().any(|b| b.is_ascii_alphabetic()));
        if valid {
            spans.push((i, i + 1 + handle.len(), handle.to_ascii_lowercase()));
        }
    }
    spans
}

/// `(start, end)` of each hashtag, the `#` included.
fn tag_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for (i, c) in text.char_indices() {
        if !matches!(c, '#' | '＃') || !boundary_before(text, i) {
            continue;
        }
        let body_start = i + c.len_utf8();
        let rest = &text[body_start..];
        let len = rest
            .find(|c: char| c.is_whitespace() || (c.is_ascii_punctuation() && c != '_' && c != '-'))
            .unwrap_or(rest.len());
        // Trailing punctuation of the sentence is not part of the tag.
        let body = rest[..len].trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
        if body.is_empty()
            || body.chars().all(|c| c.is_ascii_digit())
            || graphemes(body) > MAX_TAG_GRAPHEMES
        {
            continue;
        }
        spans.push((i, body_start + body.len()));
    }
    spans
}

/// The base32-sortable alphabet of TIDs.
const TID_ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// A record key (TID) for part `part` of a delivery's post: the
/// microseconds of `now` (plus the part, so a thread's keys sort in order)
/// and a 10-bit clock id from the delivery key, so two deliveries started
/// in the same microsecond still get different keys.
pub fn tid(now: DateTime<Utc>, delivery_key: &str, part: usize) -> String {
    let micros = (now.timestamp_micros().max(0) as u64 + part as u64) & ((1 << 53) - 1);
    let digest = Sha256::digest(delivery_key.as_bytes());
    let clock = u64::from(u16::from_be_bytes([digest[0], digest[1]])) & 0x3ff;
    let value = (micros << 10) | clock;
    (0..13)
        .rev()
        .map(|i| TID_ALPHABET[((value >> (5 * i)) & 31) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mentions() -> Vec<(String, String)> {
        vec![("friend.bsky.social".into(), "did:plc:friend".into())]
    }

    #[test]
    fn facets_are_utf8_byte_ranges_of_links_mentions_and_tags() {
        let text = "茶 café ☕ @friend.bsky.social 看 https://example.com/a #新茶 #tea!";
        let f = facets(text, &mentions());
        let spans: Vec<&str> = f.iter().map(|f| &text[f.start..f.end]).collect();
        assert_eq!(
            spans,
            [
                "@friend.bsky.social",
                "https://example.com/a",
                "#新茶",
                "#tea"
            ]
        );
        // "茶 café ☕ " is 3 + 1 + 5 + 1 + 3 + 1 bytes.
        assert_eq!(f[0].start, 14);
        assert_eq!(f[0].feature, Feature::Mention("did:plc:friend".into()));
        assert_eq!(f[1].feature, Feature::Link("https://example.com/a".into()));
        assert_eq!(f[2].feature, Feature::Tag("新茶".into()));
        assert_eq!(f[3].feature, Feature::Tag("tea".into()));
        let json = f[2].to_json();
        assert_eq!(
            json["index"]["byteEnd"].as_u64().unwrap() as usize,
            f[2].end
        );
        assert_eq!(json["features"][0]["$type"], "app.bsky.richtext.facet#tag");
    }

    #[test]
    fn unresolved_handles_numbers_glued_signs_and_url_fragments_are_plain() {
        let text = "@nobody.example mail a@b.com #123 see example.com/#frag #ok";
        let f = facets(text, &mentions());
        let kinds: Vec<&Feature> = f.iter().map(|f| &f.feature).collect();
        assert_eq!(
            kinds,
            [
                &Feature::Link("https://example.com/#frag".into()),
                &Feature::Tag("ok".into())
            ]
        );
        assert_eq!(mentioned_handles(text), ["nobody.example"]);
        assert!(mentioned_handles("v@1.5 @1.5").is_empty());
    }

    #[test]
    fn a_link_without_scheme_gets_https() {
        let f = facets("read example.com/x", &[]);
        assert_eq!(f[0].feature, Feature::Link("https://example.com/x".into()));
    }

    #[test]
    fn tids_are_13_sortable_characters_distinct_per_part_and_delivery() {
        let now = DateTime::parse_from_rfc3339("2026-05-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let a = tid(now, "delivery-1", 0);
        let b = tid(now, "delivery-1", 1);
        let c = tid(now, "delivery-2", 0);
        assert_eq!(a.len(), 13);
        assert!(a.starts_with(|c: char| "234567abcdefghij".contains(c)));
        assert!(a < b, "a thread's keys sort in order");
        assert_ne!(a, c);
        assert_eq!(
            a,
            tid(now, "delivery-1", 0),
            "the same inputs give the same key"
        );
        let later = tid(now + chrono::Duration::seconds(1), "delivery-1", 0);
        assert!(later > b);
    }
}
