//! Per-channel length rules, validation, thread splitting and UTM tagging.
//!
//! This module is compiled into both the server and the wasm32 browser
//! bundle, so the composer's live counters and the server's final check are
//! the *same code*: whatever the browser flags, the server rejects, and
//! nothing else. It therefore does no IO, reads no clock and depends only on
//! `std`, `serde` and the `unicode-*` crates.
//!
//! Issues are reported as data with stable snake_case codes; the UI turns
//! them into English or Chinese sentences itself.

use std::borrow::Cow;
use std::cmp::Reverse;

use serde::{Deserialize, Serialize};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

/// X replaces every link with a 23-character t.co address before counting,
/// so the length of the link as typed is irrelevant. Mastodon copies the
/// rule so that long links do not eat the budget.
const URL_WEIGHT: usize = 23;

const WECHAT_TITLE_LIMIT: usize = 32;
const WECHAT_DIGEST_LIMIT: usize = 128;
const BLUESKY_BYTE_LIMIT: usize = 3000;
const INSTAGRAM_HASHTAG_LIMIT: usize = 30;

// ---------------------------------------------------------------------------
// Platforms
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Platform {
    Wechat,
    Facebook,
    X,
    Linkedin,
    Instagram,
    Mastodon,
    Bluesky,
}

impl Platform {
    pub const ALL: [Platform; 7] = [
        Platform::Wechat,
        Platform::Facebook,
        Platform::X,
        Platform::Linkedin,
        Platform::Instagram,
        Platform::Mastodon,
        Platform::Bluesky,
    ];

    /// Stable identifier; identical to the serde representation.
    pub const fn as_str(self) -> &'static str {
        match self {
            Platform::Wechat => "wechat",
            Platform::Facebook => "facebook",
            Platform::X => "x",
            Platform::Linkedin => "linkedin",
            Platform::Instagram => "instagram",
            Platform::Mastodon => "mastodon",
            Platform::Bluesky => "bluesky",
        }
    }

    /// Inverse of [`Platform::as_str`], ignoring ASCII case and surrounding
    /// whitespace; "twitter" is accepted as an alias of X.
    pub fn parse(s: &str) -> Option<Platform> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .or_else(|| s.eq_ignore_ascii_case("twitter").then_some(Platform::X))
    }

    /// Product names are proper nouns and are not translated.
    pub const fn display_name(self) -> &'static str {
        match self {
            Platform::Wechat => "WeChat Official Account",
            Platform::Facebook => "Facebook Page",
            Platform::X => "X",
            Platform::Linkedin => "LinkedIn",
            Platform::Instagram => "Instagram",
            Platform::Mastodon => "Mastodon",
            Platform::Bluesky => "Bluesky",
        }
    }

    /// Limit for the main text, in the unit of [`text_length`].
    pub const fn text_limit(self) -> usize {
        match self {
            Platform::Wechat => 20_000,
            Platform::Facebook => 63_206,
            Platform::X => 280,
            Platform::Linkedin => 3_000,
            Platform::Instagram => 2_200,
            Platform::Mastodon => 500,
            Platform::Bluesky => 300,
        }
    }

    /// Whether a draft's separate link is published inside the text (and so
    /// counts towards its length). Facebook and LinkedIn attach it as a link
    /// share, WeChat as the "read more" source URL, and Instagram captions
    /// cannot carry clickable links at all.
    const fn link_in_text(self) -> bool {
        matches!(self, Platform::X | Platform::Mastodon | Platform::Bluesky)
    }

    const fn media_rules(self) -> MediaRules {
        const ALONE: &[MediaKind] = &[MediaKind::Video, MediaKind::Gif];
        const VIDEO: &[MediaKind] = &[MediaKind::Video];
        const GIF: &[MediaKind] = &[MediaKind::Gif];
        let (max, alone, unsupported): (Option<usize>, &[MediaKind], &[MediaKind]) = match self {
            // A video or GIF is always a post's only attachment on these three.
            Platform::X | Platform::Mastodon | Platform::Bluesky => (Some(4), ALONE, &[]),
            Platform::Instagram => (Some(10), &[], GIF),
            Platform::Linkedin => (Some(20), VIDEO, &[]),
            Platform::Facebook => (None, VIDEO, &[]),
            // Article bodies only embed images uploaded through the image API.
            Platform::Wechat => (None, &[], VIDEO),
        };
        MediaRules {
            max,
            alone,
            unsupported,
            alt_text: !matches!(self, Platform::Wechat),
        }
    }
}

struct MediaRules {
    max: Option<usize>,
    /// Kinds that must be the only attachment.
    alone: &'static [MediaKind],
    unsupported: &'static [MediaKind],
    /// Whether alt text is published, so that missing alt text is worth a warning.
    alt_text: bool,
}

// ---------------------------------------------------------------------------
// Drafts and reports
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum MediaKind {
    #[default]
    Image,
    Video,
    Gif,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MediaInfo {
    pub kind: MediaKind,
    pub bytes: u64,
    pub alt: String,
}

/// A borrowed view of what the composer holds for one channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Draft<'a> {
    pub text: &'a str,
    pub title: Option<&'a str>,
    pub digest: Option<&'a str>,
    pub media: &'a [MediaInfo],
    pub link: Option<&'a str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Text,
    Title,
    Digest,
    Media,
    Cover,
}

/// One problem with a draft. Serialized with its [`Issue::code`] under the
/// key `"code"`, next to its data, e.g.
/// `{"code":"too_long","field":"title","length":33,"limit":32}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Issue {
    /// Nothing would be published.
    Empty,
    Required {
        field: Field,
    },
    TooLong {
        field: Field,
        length: usize,
        limit: usize,
    },
    /// Bluesky also caps the UTF-8 size of a post.
    TooManyBytes {
        length: usize,
        limit: usize,
    },
    TooManyMedia {
        max: usize,
        actual: usize,
    },
    TooManyHashtags {
        max: usize,
        actual: usize,
    },
    UnsupportedMedia {
        index: usize,
        kind: MediaKind,
    },
    /// Accessibility warning; does not block publishing.
    MissingAltText {
        index: usize,
    },
    /// The draft's link is not a single http(s) URL.
    InvalidLink,
}

impl Issue {
    /// Stable snake_case code, the key for translated messages.
    pub const fn code(&self) -> &'static str {
        match self {
            Issue::Empty => "empty",
            Issue::Required { .. } => "required",
            Issue::TooLong { .. } => "too_long",
            Issue::TooManyBytes { .. } => "too_many_bytes",
            Issue::TooManyMedia { .. } => "too_many_media",
            Issue::TooManyHashtags { .. } => "too_many_hashtags",
            Issue::UnsupportedMedia { .. } => "unsupported_media",
            Issue::MissingAltText { .. } => "missing_alt_text",
            Issue::InvalidLink => "invalid_link",
        }
    }

    /// Blocking issues make the platform refuse the post; the others are advice.
    pub const fn is_blocking(&self) -> bool {
        !matches!(self, Issue::MissingAltText { .. })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub platform: Platform,
    /// Length of the published text in the platform's unit (see [`text_length`]).
    pub length: usize,
    pub limit: usize,
    pub issues: Vec<Issue>,
    /// The posts of an X thread, when the text was too long for one post and
    /// threads were allowed.
    pub thread: Option<Vec<String>>,
}

impl Report {
    /// True when nothing blocks publishing.
    pub fn ok(&self) -> bool {
        !self.issues.iter().any(Issue::is_blocking)
    }
}

// ---------------------------------------------------------------------------
// Counting
// ---------------------------------------------------------------------------

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

/// X's weighted length (twitter-text v3 configuration).
///
/// The text is NFC-normalized first because X normalizes before counting:
/// "e" + combining acute must cost the same as a precomposed "é", or the
/// count would depend on the keyboard that typed it. Then each URL counts
/// 23, each emoji sequence 2, and every other code point 1 or 2 depending on
/// its range (Latin, Cyrillic, Greek and common punctuation are light; CJK
/// and most other scripts heavy).
pub fn x_weighted_length(text: &str) -> usize {
    units(&nfc(text)).iter().map(|u| u.weight).sum()
}

fn nfc(text: &str) -> Cow<'_, str> {
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

fn char_weight(c: char) -> usize {
    match u32::from(c) {
        0x0000..=0x10FF | 0x2000..=0x200D | 0x2010..=0x201F | 0x2032..=0x2037 => 1,
        _ => 2,
    }
}

/// Pictographic ranges: emoticons, symbols, dingbats, regional indicators,
/// skin-tone modifiers and the tag characters of subdivision flags.
fn is_pictographic(c: char) -> bool {
    matches!(
        u32::from(c),
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2300..=0x23FF | 0x2B00..=0x2BFF | 0xE0020..=0xE007F
    )
}

/// Characters that are text by default and become emoji only with U+FE0F or
/// a keycap: digits, `#`, `*`, ©, ®, ™ and friends.
fn is_text_default_emoji(c: char) -> bool {
    matches!(
        c,
        '#' | '*' | '0'..='9' | '©' | '®' | '‼' | '⁉' | '™' | 'ℹ' | '↔'..='↙' | '↩' | '↪' | 'Ⓜ'
            | '▪' | '▫' | '▶' | '◀' | '◻'..='◾' | '〰' | '〽' | '㊗' | '㊙'
    )
}

/// X counts a whole emoji sequence (ZWJ family, skin tone, flag, keycap) as
/// 2, however many code points it is made of, so it is judged per grapheme.
fn is_emoji_cluster(g: &str) -> bool {
    let mut chars = g.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    g.chars().any(is_pictographic)
        || (is_text_default_emoji(first) && chars.any(|c| c == '\u{FE0F}' || c == '\u{20E3}'))
}

fn cluster_weight(g: &str) -> usize {
    if is_emoji_cluster(g) {
        2
    } else {
        g.nfc().map(char_weight).sum()
    }
}

/// Counts Instagram-style hashtags: `#` followed by a letter, digit or `_`,
/// not glued to a preceding ASCII word (`a#b`, `&#38;`) and not inside a URL.
pub fn count_hashtags(text: &str) -> usize {
    let urls = find_urls(text);
    let mut url = urls.iter().peekable();
    let mut count = 0;
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        while url.next_if(|&&(_, end)| end <= i).is_some() {}
        let in_url = url.peek().is_some_and(|&&(start, _)| start <= i);
        let glued = prev.is_some_and(|p| p.is_ascii_alphanumeric() || matches!(p, '_' | '&' | '#'));
        let tag_follows = chars
            .peek()
            .is_some_and(|&(_, n)| n.is_alphanumeric() || n == '_');
        if c == '#' && !in_url && !glued && tag_follows {
            count += 1;
        }
        prev = Some(c);
    }
    count
}

// ---------------------------------------------------------------------------
// URL detection
// ---------------------------------------------------------------------------

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

fn has_scheme(url: &str) -> bool {
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

// ---------------------------------------------------------------------------
// Units and break opportunities (shared by counting and thread splitting)
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UnitKind {
    /// Breakable whitespace.
    Space,
    Url,
    /// CJK and emoji: text that may be broken between any two units.
    Wide,
    Other,
}

/// A URL or a grapheme cluster: the smallest piece of text that is never cut.
#[derive(Clone, Copy, Debug)]
struct Unit {
    start: usize,
    end: usize,
    weight: usize,
    kind: UnitKind,
}

fn units(text: &str) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut pos = 0;
    for (start, end) in find_urls(text) {
        push_graphemes(text, pos, start, &mut units);
        units.push(Unit {
            start,
            end,
            weight: URL_WEIGHT,
            kind: UnitKind::Url,
        });
        pos = end;
    }
    push_graphemes(text, pos, text.len(), &mut units);
    units
}

fn push_graphemes(text: &str, from: usize, to: usize, units: &mut Vec<Unit>) {
    for (offset, g) in text[from..to].grapheme_indices(true) {
        let start = from + offset;
        units.push(Unit {
            start,
            end: start + g.len(),
            weight: cluster_weight(g),
            kind: classify(g),
        });
    }
}

fn classify(g: &str) -> UnitKind {
    // No-break spaces are whitespace that explicitly asks not to be broken.
    let breakable_space =
        |c: char| c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}');
    if g.chars().all(breakable_space) {
        UnitKind::Space
    } else if is_emoji_cluster(g) || g.chars().next().is_some_and(is_wide) {
        UnitKind::Wide
    } else {
        UnitKind::Other
    }
}

/// Scripts written without spaces between words (Han, kana) and the
/// fullwidth punctuation used with them. Hangul is spaced, so excluded.
fn is_wide(c: char) -> bool {
    matches!(
        u32::from(c),
        0x2E80..=0x2FDF
            | 0x3000..=0x30FF
            | 0x31F0..=0x31FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xF900..=0xFAFF
            | 0xFF00..=0xFFEF
            | 0x20000..=0x3FFFF
    )
}

const SENTENCE_ENDS: &[char] = &['.', '!', '?', '。', '！', '？', '…'];
const CJK_SENTENCE_ENDS: &[char] = &['。', '！', '？'];
const CJK_CLAUSE_ENDS: &[char] = &['，', '、', '；', '：'];
const CLOSERS: &[char] = &[
    ')', ']', '}', '"', '\'', '”', '’', '）', '」', '』', '】', '》', '〉',
];
/// Never start a line with these (kinsoku): closers and trailing punctuation.
const NO_BREAK_BEFORE: &[char] = &[
    ',', '.', '!', '?', ';', ':', ')', ']', '}', '"', '\'', '，', '。', '、', '！', '？', '；',
    '：', '）', '」', '』', '】', '》', '〉', '”', '’', '…', '・', 'ー', '々',
];
/// Never end a line with these: opening brackets and quotes.
const NO_BREAK_AFTER: &[char] = &['(', '[', '{', '（', '「', '『', '【', '《', '〈', '“', '‘'];

/// How good a place to split is; earlier variants are preferred.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Paragraph,
    Line,
    Sentence,
    Space,
    Ideograph,
}

/// A place where a thread may be split: the part ends before unit `end` and
/// the next one starts at unit `next` (the whitespace between is dropped).
#[derive(Clone, Copy, Debug)]
struct Break {
    end: usize,
    next: usize,
    level: Level,
}

fn breaks(text: &str, units: &[Unit]) -> Vec<Break> {
    let slice = |u: &Unit| &text[u.start..u.end];
    let mut breaks = Vec::new();
    let mut i = 0;
    while i < units.len() {
        if units[i].kind == UnitKind::Space {
            let run = i;
            let mut newlines = 0;
            while i < units.len() && units[i].kind == UnitKind::Space {
                let s = slice(&units[i]);
                newlines += usize::from(s.contains(['\n', '\r', '\u{2028}']))
                    + 2 * usize::from(s.contains('\u{2029}'));
                i += 1;
            }
            if run > 0 && i < units.len() {
                let level = match newlines {
                    0 if ends_sentence(text, units, run, SENTENCE_ENDS) => Level::Sentence,
                    0 => Level::Space,
                    1 => Level::Line,
                    _ => Level::Paragraph,
                };
                breaks.push(Break {
                    end: run,
                    next: i,
                    level,
                });
            }
            continue;
        }
        if i > 0 && units[i - 1].kind != UnitKind::Space {
            if let Some(level) = glued_break(text, units, i) {
                breaks.push(Break {
                    end: i,
                    next: i,
                    level,
                });
            }
        }
        i += 1;
    }
    breaks
}

/// Whether the units before `at` end a sentence, allowing closing quotes and
/// brackets after the terminal mark.
fn ends_sentence(text: &str, units: &[Unit], at: usize, enders: &[char]) -> bool {
    units[..at]
        .iter()
        .rev()
        .map(|u| &text[u.start..u.end])
        .find(|s| !s.chars().all(|c| CLOSERS.contains(&c)))
        .and_then(|s| s.chars().next_back())
        .is_some_and(|c| enders.contains(&c))
}

/// Break opportunity between two adjacent non-space units (CJK has no spaces).
fn glued_break(text: &str, units: &[Unit], i: usize) -> Option<Level> {
    let (prev, next) = (&units[i - 1], &units[i]);
    let last = text[prev.start..prev.end].chars().next_back()?;
    let first = text[next.start..next.end].chars().next()?;
    if NO_BREAK_BEFORE.contains(&first) || NO_BREAK_AFTER.contains(&last) {
        None
    } else if ends_sentence(text, units, i, CJK_SENTENCE_ENDS) {
        Some(Level::Sentence)
    } else if CJK_CLAUSE_ENDS.contains(&last) {
        Some(Level::Space)
    } else if prev.kind == UnitKind::Wide || next.kind == UnitKind::Wide {
        Some(Level::Ideograph)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------

/// Splits `text` into X posts of at most `limit` weighted characters each,
/// suffixed " 1/3", " 2/3", … (counted in the limit) when there is more
/// than one. Blank text gives no posts.
///
/// Splits prefer paragraph breaks, then line breaks, sentence ends,
/// whitespace and finally the gaps between CJK characters or emoji; a part
/// is filled to at least a third of the limit before a better-ranked break
/// is preferred over a fuller one. URLs and words are cut only when a
/// single one does not fit, and then only between grapheme clusters.
/// Whitespace at the cuts is dropped; everything else is kept in order.
///
/// Every part fits provided no single grapheme cluster is heavier than the
/// limit minus the counter (a URL weighs 23).
pub fn split_thread(text: &str, limit: usize) -> Vec<String> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    if x_weighted_length(text) <= limit {
        return vec![text.to_owned()];
    }
    let units = units(text);
    let breaks = breaks(text, &units);
    let prefix: Vec<usize> = std::iter::once(0)
        .chain(units.iter().scan(0, |sum, u| {
            *sum += u.weight;
            Some(*sum)
        }))
        .collect();

    // The counter " i/n" needs up to 2 + 2·digits(n); n is unknown until the
    // split is done, so reserve for one digit and retry if that was too few.
    let mut digits = 1;
    loop {
        let budget = limit.saturating_sub(2 + 2 * digits);
        let chunks = pack(text, &units, &breaks, &prefix, budget);
        let n = chunks.len();
        if n <= 1 {
            return chunks.into_iter().map(str::to_owned).collect();
        }
        if decimal_digits(n) <= digits {
            return chunks
                .iter()
                .enumerate()
                .map(|(i, chunk)| format!("{chunk} {}/{n}", i + 1))
                .collect();
        }
        digits += 1;
    }
}

fn decimal_digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Greedy packing of units into chunks of at most `budget` weight.
fn pack<'t>(
    text: &'t str,
    units: &[Unit],
    breaks: &[Break],
    prefix: &[usize],
    budget: usize,
) -> Vec<&'t str> {
    let is_space = |i: usize| units[i].kind == UnitKind::Space;
    let skip_space = |mut i: usize| {
        while i < units.len() && is_space(i) {
            i += 1;
        }
        i
    };
    let last = units
        .iter()
        .rposition(|u| u.kind != UnitKind::Space)
        .map_or(0, |i| i + 1);

    let mut chunks = Vec::new();
    let mut start = skip_space(0);
    while start < last {
        let reach = prefix.partition_point(|&p| p <= prefix[start] + budget) - 1;
        let mut cap = reach.clamp(start + 1, last);
        loop {
            let (mut end, next) = if cap == last {
                (last, last)
            } else {
                best_break(breaks, prefix, start, cap, budget).unwrap_or((cap, cap))
            };
            while end > start + 1 && is_space(end - 1) {
                end -= 1;
            }
            let chunk = &text[units[start].start..units[end - 1].end];
            // Unit weights add up to the real weight except in corner cases
            // (a cut that turns the tail of a word into a URL), so confirm.
            if end == start + 1 || x_weighted_length(chunk) <= budget {
                chunks.push(chunk);
                start = skip_space(next);
                break;
            }
            cap = end - 1;
        }
    }
    chunks
}

/// The best break for a chunk starting at unit `start` and ending no later
/// than unit `cap`: the best-ranked among those filling at least a third of
/// the budget (or among all, if none does), the latest on a tie.
fn best_break(
    breaks: &[Break],
    prefix: &[usize],
    start: usize,
    cap: usize,
    budget: usize,
) -> Option<(usize, usize)> {
    let lo = breaks.partition_point(|b| b.end <= start);
    let hi = breaks.partition_point(|b| b.end <= cap);
    let window = &breaks[lo..hi];
    let rank = |b: &&Break| (b.level, Reverse(b.end));
    window
        .iter()
        .filter(|b| (prefix[b.end] - prefix[start]) * 3 >= budget)
        .min_by_key(rank)
        .or_else(|| window.iter().min_by_key(rank))
        .map(|b| (b.end, b.next))
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/// Validates a draft for one platform. The X thread is only computed when
/// the text is too long for a single post and `thread_allowed` is set.
pub fn check(platform: Platform, draft: &Draft<'_>, thread_allowed: bool) -> Report {
    let text = published_text(platform, draft);
    let length = text_length(platform, &text);
    let limit = platform.text_limit();
    let mut issues = Vec::new();
    let mut thread = None;

    let body_needed = platform == Platform::Wechat || draft.media.is_empty();
    if text.is_empty() && body_needed {
        issues.push(Issue::Empty);
    }

    if length > limit {
        let parts = (platform == Platform::X && thread_allowed)
            .then(|| split_thread(&text, limit))
            .filter(|parts| parts.iter().all(|p| x_weighted_length(p) <= limit));
        if parts.is_none() {
            issues.push(Issue::TooLong {
                field: Field::Text,
                length,
                limit,
            });
        }
        thread = parts;
    }

    match platform {
        Platform::Bluesky if utf8_bytes(&text) > BLUESKY_BYTE_LIMIT => {
            issues.push(Issue::TooManyBytes {
                length: utf8_bytes(&text),
                limit: BLUESKY_BYTE_LIMIT,
            });
        }
        Platform::Wechat => check_wechat(draft, &mut issues),
        Platform::Instagram => {
            if !draft.media.iter().any(|m| m.kind == MediaKind::Image) {
                issues.push(Issue::Required {
                    field: Field::Media,
                });
            }
            let hashtags = count_hashtags(&text);
            if hashtags > INSTAGRAM_HASHTAG_LIMIT {
                issues.push(Issue::TooManyHashtags {
                    max: INSTAGRAM_HASHTAG_LIMIT,
                    actual: hashtags,
                });
            }
        }
        _ => {}
    }

    check_media(platform.media_rules(), draft.media, &mut issues);

    if platform != Platform::Instagram {
        if let Some(link) = draft.link.map(str::trim).filter(|l| !l.is_empty()) {
            if !is_single_http_url(link) {
                issues.push(Issue::InvalidLink);
            }
        }
    }

    Report {
        platform,
        length,
        limit,
        issues,
        thread,
    }
}

/// WeChat articles need a title, a cover (the first image) and may have a
/// short digest shown in the chat list.
fn check_wechat(draft: &Draft<'_>, issues: &mut Vec<Issue>) {
    let mut limited = |field, value: Option<&str>, limit, required| match value
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None if required => issues.push(Issue::Required { field }),
        Some(v) if char_count(v) > limit => issues.push(Issue::TooLong {
            field,
            length: char_count(v),
            limit,
        }),
        _ => {}
    };
    limited(Field::Title, draft.title, WECHAT_TITLE_LIMIT, true);
    limited(Field::Digest, draft.digest, WECHAT_DIGEST_LIMIT, false);
    if !draft.media.iter().any(|m| m.kind == MediaKind::Image) {
        issues.push(Issue::Required {
            field: Field::Cover,
        });
    }
}

fn check_media(rules: MediaRules, media: &[MediaInfo], issues: &mut Vec<Issue>) {
    for (index, m) in media.iter().enumerate() {
        if rules.unsupported.contains(&m.kind) {
            issues.push(Issue::UnsupportedMedia {
                index,
                kind: m.kind,
            });
        }
    }
    let actual = media.len();
    if actual > 1 && media.iter().any(|m| rules.alone.contains(&m.kind)) {
        issues.push(Issue::TooManyMedia { max: 1, actual });
    } else if let Some(max) = rules.max.filter(|&max| actual > max) {
        issues.push(Issue::TooManyMedia { max, actual });
    }
    if rules.alt_text {
        for (index, m) in media.iter().enumerate() {
            if m.kind != MediaKind::Video && m.alt.trim().is_empty() {
                issues.push(Issue::MissingAltText { index });
            }
        }
    }
}

fn is_single_http_url(link: &str) -> bool {
    find_urls(link) == [(0, link.len())] && has_scheme(link)
}

// ---------------------------------------------------------------------------
// UTM tagging
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::{value::Error as DeError, IntoDeserializer};

    fn image(alt: &str) -> MediaInfo {
        MediaInfo {
            kind: MediaKind::Image,
            bytes: 1000,
            alt: alt.to_owned(),
        }
    }

    fn media(kind: MediaKind) -> MediaInfo {
        MediaInfo {
            kind,
            bytes: 1000,
            alt: "alt".to_owned(),
        }
    }

    fn codes(report: &Report) -> Vec<&'static str> {
        report.issues.iter().map(Issue::code).collect()
    }

    fn urls_of(text: &str) -> Vec<&str> {
        find_urls(text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    // --- platforms and issues ---

    #[test]
    fn platform_names_round_trip_through_parse_and_serde() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.as_str()), Some(p));
            assert_eq!(Platform::parse(&p.as_str().to_uppercase()), Some(p));
            let de: Result<Platform, DeError> =
                Platform::deserialize(p.as_str().into_deserializer());
            assert_eq!(de, Ok(p));
        }
        assert_eq!(Platform::parse("twitter"), Some(Platform::X));
        assert_eq!(Platform::parse("myspace"), None);
        assert_eq!(Platform::Linkedin.display_name(), "LinkedIn");
        assert_eq!(Platform::Wechat.display_name(), "WeChat Official Account");
    }

    #[test]
    fn issue_codes_are_distinct_snake_case_and_only_alt_text_is_advisory() {
        let all = [
            Issue::Empty,
            Issue::Required {
                field: Field::Title,
            },
            Issue::TooLong {
                field: Field::Text,
                length: 2,
                limit: 1,
            },
            Issue::TooManyBytes {
                length: 2,
                limit: 1,
            },
            Issue::TooManyMedia { max: 1, actual: 2 },
            Issue::TooManyHashtags { max: 1, actual: 2 },
            Issue::UnsupportedMedia {
                index: 0,
                kind: MediaKind::Gif,
            },
            Issue::MissingAltText { index: 0 },
            Issue::InvalidLink,
        ];
        let mut seen: Vec<&str> = all.iter().map(Issue::code).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), all.len());
        assert!(seen
            .iter()
            .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
        let advisory: Vec<_> = all.iter().filter(|i| !i.is_blocking()).collect();
        assert_eq!(advisory, [&Issue::MissingAltText { index: 0 }]);
    }

    // --- X counting ---

    #[test]
    fn ascii_characters_count_one_each() {
        assert_eq!(x_weighted_length("Hello, world!"), 13);
        assert_eq!(x_weighted_length(&"a".repeat(280)), 280);
        assert_eq!(x_weighted_length("Ünïcödé café"), 12);
    }

    #[test]
    fn chinese_characters_count_two_so_140_fit_and_141_are_too_long() {
        let fits = "中".repeat(140);
        assert_eq!(x_weighted_length(&fits), 280);
        assert!(check(
            Platform::X,
            &Draft {
                text: &fits,
                ..Draft::default()
            },
            false
        )
        .ok());

        let over = "中".repeat(141);
        let report = check(
            Platform::X,
            &Draft {
                text: &over,
                ..Draft::default()
            },
            false,
        );
        assert_eq!(
            report.issues,
            [Issue::TooLong {
                field: Field::Text,
                length: 282,
                limit: 280
            }]
        );
    }

    #[test]
    fn a_url_of_any_length_counts_as_23() {
        assert_eq!(x_weighted_length("https://t.co"), 23);
        let long = format!("https://example.com/{}", "a".repeat(500));
        assert_eq!(x_weighted_length(&long), 23);
        assert_eq!(x_weighted_length(&format!("see {long} now")), 4 + 23 + 4);
        assert_eq!(x_weighted_length("example.com/some/long/path/indeed"), 23);
    }

    #[test]
    fn an_emoji_sequence_counts_two_however_many_code_points_it_has() {
        assert_eq!(x_weighted_length("👨‍👩‍👧"), 2);
        assert_eq!(x_weighted_length("🇨🇳"), 2);
        assert_eq!(x_weighted_length("👍🏽"), 2);
        assert_eq!(x_weighted_length("1️⃣"), 2);
        assert_eq!(x_weighted_length("❤️"), 2);
        assert_eq!(x_weighted_length("🏴󠁧󠁢󠁳󠁣󠁴󠁿"), 2);
        assert_eq!(x_weighted_length("hi 👨‍👩‍👧🇨🇳"), 3 + 2 + 2);
        // Text-style symbols stay light without the emoji selector.
        assert_eq!(x_weighted_length("©"), 1);
    }

    #[test]
    fn decomposed_accents_are_normalized_before_counting() {
        assert_eq!(x_weighted_length("e\u{301}"), 1);
        assert_eq!(x_weighted_length("e\u{301}"), x_weighted_length("é"));
    }

    #[test]
    fn punctuation_ranges_follow_the_twitter_text_weights() {
        // Dash and curly quotes are light; the ellipsis (U+2026) is not.
        assert_eq!(
            x_weighted_length("\u{2014}\u{201C}\u{2019}\u{2026}"),
            1 + 1 + 1 + 2
        );
        assert_eq!(x_weighted_length("，。"), 4);
    }

    // --- URL detection ---

    #[test]
    fn trailing_punctuation_is_not_part_of_a_url() {
        assert_eq!(
            urls_of("Go to https://example.com/a."),
            ["https://example.com/a"]
        );
        assert_eq!(
            urls_of("(https://example.com/a), ok?"),
            ["https://example.com/a"]
        );
        assert_eq!(
            urls_of("\"https://example.com/?q=1\"!"),
            ["https://example.com/?q=1"]
        );
        assert_eq!(
            urls_of("看https://example.com/a。很好"),
            ["https://example.com/a"]
        );
        assert_eq!(urls_of("链接：example.com/路径"), ["example.com/"]);
        assert_eq!(
            urls_of("https://en.wikipedia.org/wiki/Rust_(language)."),
            ["https://en.wikipedia.org/wiki/Rust_(language)"]
        );
    }

    #[test]
    fn bare_domains_need_a_known_tld_and_are_not_taken_from_emails() {
        assert_eq!(urls_of("visit www.example.org today"), ["www.example.org"]);
        assert_eq!(urls_of("blog.example.io"), ["blog.example.io"]);
        assert!(urls_of("file.txt Node.js e.g. 3.14 v1.2.3").is_empty());
        assert!(urls_of("mail me@example.com").is_empty());
        assert!(urls_of("https:// nothing").is_empty());
        // A short country-code domain alone reads like prose; with a path it is a link.
        assert!(urls_of("example.cn").is_empty());
        assert_eq!(urls_of("example.cn/about"), ["example.cn/about"]);
        assert_eq!(urls_of("HTTPS://EXAMPLE.COM/X"), ["HTTPS://EXAMPLE.COM/X"]);
    }

    // --- other platforms ---

    #[test]
    fn bluesky_limits_graphemes_and_bytes_separately() {
        let ok = "é".repeat(300);
        let report = check(
            Platform::Bluesky,
            &Draft {
                text: &ok,
                ..Draft::default()
            },
            false,
        );
        assert_eq!((report.length, report.limit), (300, 300));
        assert!(report.ok());

        let long = "a".repeat(301);
        let report = check(
            Platform::Bluesky,
            &Draft {
                text: &long,
                ..Draft::default()
            },
            false,
        );
        assert_eq!(codes(&report), ["too_long"]);

        // 300 family emoji are 300 graphemes but 5,400 bytes.
        let heavy = "👨‍👩‍👧".repeat(300);
        let report = check(
            Platform::Bluesky,
            &Draft {
                text: &heavy,
                ..Draft::default()
            },
            false,
        );
        assert_eq!(report.length, 300);
        assert_eq!(
            report.issues,
            [Issue::TooManyBytes {
                length: 5400,
                limit: 3000
            }]
        );
    }

    #[test]
    fn mastodon_counts_scheme_urls_as_23_and_bare_domains_literally() {
        let long = format!("https://example.com/{}", "a".repeat(100));
        assert_eq!(mastodon_length(&format!("hi {long}")), 3 + 23);
        assert_eq!(mastodon_length("hi example.com"), 14);
        assert_eq!(mastodon_length("中文"), 2);
    }

    #[test]
    fn wechat_flags_a_33_character_title_and_a_missing_cover() {
        let title = "标".repeat(33);
        let draft = Draft {
            text: "正文",
            title: Some(&title),
            ..Draft::default()
        };
        let report = check(Platform::Wechat, &draft, false);
        assert_eq!(
            report.issues,
            [
                Issue::TooLong {
                    field: Field::Title,
                    length: 33,
                    limit: 32
                },
                Issue::Required {
                    field: Field::Cover
                },
            ]
        );
        let media = [image("")];
        let title = "标".repeat(32);
        let draft = Draft {
            text: "正文",
            title: Some(&title),
            media: &media,
            ..Draft::default()
        };
        let report = check(Platform::Wechat, &draft, false);
        assert!(report.issues.is_empty(), "{:?}", report.issues);
    }

    #[test]
    fn wechat_requires_a_title_and_limits_the_digest() {
        let digest = "摘".repeat(129);
        let media = [image("")];
        let draft = Draft {
            text: "正文",
            title: Some("  "),
            digest: Some(&digest),
            media: &media,
            ..Draft::default()
        };
        let report = check(Platform::Wechat, &draft, false);
        assert_eq!(
            report.issues,
            [
                Issue::Required {
                    field: Field::Title
                },
                Issue::TooLong {
                    field: Field::Digest,
                    length: 129,
                    limit: 128
                },
            ]
        );
    }

    #[test]
    fn instagram_without_an_image_is_flagged() {
        let video = [media(MediaKind::Video)];
        let report = check(
            Platform::Instagram,
            &Draft {
                text: "caption",
                media: &video,
                ..Draft::default()
            },
            false,
        );
        assert_eq!(
            report.issues,
            [Issue::Required {
                field: Field::Media
            }]
        );

        let gif = [image("a"), media(MediaKind::Gif)];
        let report = check(
            Platform::Instagram,
            &Draft {
                text: "caption",
                media: &gif,
                ..Draft::default()
            },
            false,
        );
        assert_eq!(
            report.issues,
            [Issue::UnsupportedMedia {
                index: 1,
                kind: MediaKind::Gif
            }]
        );
    }

    #[test]
    fn instagram_flags_31_hashtags_but_not_30() {
        let tags = |n: usize| {
            (0..n)
                .map(|i| format!("#tag{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let media = [image("a")];
        let thirty = tags(30);
        let report = check(
            Platform::Instagram,
            &Draft {
                text: &thirty,
                media: &media,
                ..Draft::default()
            },
            false,
        );
        assert!(report.ok());
        let thirty_one = tags(31);
        let report = check(
            Platform::Instagram,
            &Draft {
                text: &thirty_one,
                media: &media,
                ..Draft::default()
            },
            false,
        );
        assert_eq!(
            report.issues,
            [Issue::TooManyHashtags {
                max: 30,
                actual: 31
            }]
        );
    }

    #[test]
    fn hashtags_inside_urls_words_and_entities_are_not_counted() {
        assert_eq!(count_hashtags("#rust #中文 #2024 #_x"), 4);
        assert_eq!(count_hashtags("美食#旅行"), 1);
        assert_eq!(
            count_hashtags("a#b &#38; # ## https://example.com/#anchor"),
            0
        );
    }

    #[test]
    fn media_limits_and_video_exclusivity_are_enforced() {
        let five = vec![image("a"); 5];
        let report = check(
            Platform::X,
            &Draft {
                text: "hi",
                media: &five,
                ..Draft::default()
            },
            false,
        );
        assert_eq!(report.issues, [Issue::TooManyMedia { max: 4, actual: 5 }]);

        let mixed = [image("a"), media(MediaKind::Video)];
        let report = check(
            Platform::Mastodon,
            &Draft {
                text: "hi",
                media: &mixed,
                ..Draft::default()
            },
            false,
        );
        assert_eq!(report.issues, [Issue::TooManyMedia { max: 1, actual: 2 }]);

        let eleven = vec![image("a"); 11];
        let report = check(
            Platform::Instagram,
            &Draft {
                text: "hi",
                media: &eleven,
                ..Draft::default()
            },
            false,
        );
        assert_eq!(
            report.issues,
            [Issue::TooManyMedia {
                max: 10,
                actual: 11
            }]
        );
    }

    #[test]
    fn missing_alt_text_is_a_warning_not_a_blocker() {
        let media = &[image(""), image("a cat")];
        let report = check(
            Platform::Bluesky,
            &Draft {
                text: "hi",
                media,
                ..Draft::default()
            },
            false,
        );
        assert_eq!(report.issues, [Issue::MissingAltText { index: 0 }]);
        assert!(report.ok());
    }

    #[test]
    fn an_empty_draft_is_flagged_but_media_alone_is_a_post() {
        let report = check(
            Platform::Mastodon,
            &Draft {
                text: "  \n",
                ..Draft::default()
            },
            false,
        );
        assert_eq!(codes(&report), ["empty"]);
        let media = [image("a")];
        let report = check(
            Platform::Mastodon,
            &Draft {
                text: "",
                media: &media,
                ..Draft::default()
            },
            false,
        );
        assert!(report.ok());
    }

    #[test]
    fn the_link_counts_where_it_is_published_in_the_text() {
        let draft = Draft {
            text: "hello",
            link: Some("https://example.com/a-very-long-path"),
            ..Draft::default()
        };
        assert_eq!(
            published_text(Platform::X, &draft),
            "hello\n\nhttps://example.com/a-very-long-path"
        );
        assert_eq!(check(Platform::X, &draft, false).length, 5 + 2 + 23);
        assert_eq!(check(Platform::Linkedin, &draft, false).length, 5);

        let bad = Draft {
            text: "hello",
            link: Some("not a link"),
            ..Draft::default()
        };
        assert_eq!(
            codes(&check(Platform::Facebook, &bad, false)),
            ["invalid_link"]
        );
    }

    #[test]
    fn x_makes_a_thread_instead_of_rejecting_when_allowed() {
        let text = "word ".repeat(100);
        let draft = Draft {
            text: &text,
            ..Draft::default()
        };
        let report = check(Platform::X, &draft, true);
        assert!(report.ok());
        let thread = report.thread.unwrap_or_default();
        assert_eq!(thread.len(), 2);
        assert!(thread[0].ends_with(" 1/2") && thread[1].ends_with(" 2/2"));

        let report = check(Platform::X, &draft, false);
        assert_eq!(codes(&report), ["too_long"]);
        assert_eq!(report.thread, None);
    }

    // --- threads ---

    #[test]
    fn a_short_text_is_one_part_without_a_counter() {
        assert_eq!(split_thread("  hello world \n", 280), ["hello world"]);
        assert!(split_thread(" \n ", 280).is_empty());
    }

    #[test]
    fn threads_prefer_paragraph_breaks() {
        let first = "The first paragraph ends well before the limit, but it is long enough \
                     (over a third of a post) to stand on its own as the opening of a thread.";
        let second = "second ".repeat(40);
        let text = format!("{first}\n\n{}", second.trim());
        let parts = split_thread(&text, 280);
        assert_eq!(parts[0].rsplit_once(' ').map(|(body, _)| body), Some(first));
    }

    #[test]
    fn chinese_threads_split_after_sentence_ends() {
        let sentence = "这是一个用来测试分割的中文句子。";
        let text = sentence.repeat(20);
        let parts = split_thread(&text, 280);
        assert!(parts.len() > 1);
        for (i, part) in parts.iter().enumerate() {
            let body = part
                .strip_suffix(&format!(" {}/{}", i + 1, parts.len()))
                .unwrap_or(part);
            assert!(body.ends_with('。'), "{body}");
            assert!(x_weighted_length(part) <= 280);
        }
    }

    #[test]
    fn an_overlong_word_is_cut_between_graphemes() {
        let text = "e\u{301}".repeat(400);
        let parts = split_thread(&text, 280);
        assert_eq!(parts.len(), 2);
        for part in &parts {
            assert!(x_weighted_length(part) <= 280);
            assert!(!part.starts_with('\u{301}'));
        }
    }

    #[test]
    fn counters_grow_to_two_digits_when_needed() {
        let text = "word ".repeat(700);
        let parts = split_thread(&text, 280);
        assert!(parts.len() >= 10);
        assert!(parts.iter().all(|p| x_weighted_length(p) <= 280));
        assert!(parts[0].ends_with(&format!(" 1/{}", parts.len())));
    }

    // --- UTM ---

    fn utm() -> Utm {
        Utm {
            source: "tongbu".into(),
            medium: "social".into(),
            campaign: "spring sale".into(),
        }
    }

    #[test]
    fn utm_parameters_go_before_the_fragment() {
        assert_eq!(
            add_utm("see https://example.com/page#top!", &utm()),
            "see https://example.com/page?utm_source=tongbu&utm_medium=social&utm_campaign=spring%20sale#top!"
        );
    }

    #[test]
    fn utm_parameters_join_an_existing_query_with_an_ampersand() {
        assert_eq!(
            add_utm("https://example.com/?id=7", &utm()),
            "https://example.com/?id=7&utm_source=tongbu&utm_medium=social&utm_campaign=spring%20sale"
        );
        let only_source = Utm {
            source: "微信".into(),
            ..Utm::default()
        };
        assert_eq!(
            add_utm("https://example.com/?a=1&", &only_source),
            "https://example.com/?a=1&utm_source=%E5%BE%AE%E4%BF%A1"
        );
    }

    #[test]
    fn utm_keys_already_present_are_not_duplicated() {
        let text = "https://example.com/?utm_source=news&x=1 and example.com/bare";
        let tagged = add_utm(text, &utm());
        assert_eq!(
            tagged,
            "https://example.com/?utm_source=news&x=1&utm_medium=social&utm_campaign=spring%20sale and example.com/bare"
        );
        assert_eq!(add_utm(&tagged, &utm()), tagged);
        assert_eq!(add_utm("no links here", &utm()), "no links here");
    }

    // --- properties ---

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-zA-Z0-9]{1,12}",
            1 => "[a-z]{20,400}",
            2 => "[一-龥]{1,40}",
            1 => "[。！？，.,!?]",
            1 => prop::sample::select(vec!["😀", "👨‍👩‍👧", "🇨🇳", "👍🏽", "1️⃣", "❤️", "é"]).prop_map(String::from),
            1 => "https://[a-z]{1,10}\\.com/[a-z0-9/]{0,60}",
            1 => "[a-z]{1,8}\\.example\\.org(/[a-z]{1,10})?",
        ]
    }

    fn separator() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["", " ", " ", " ", "\n", "\n\n", "  ", "\t"])
    }

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec((token(), separator()), 0..120)
            .prop_map(|items| items.into_iter().map(|(t, s)| t + s).collect())
    }

    /// Short tokens (< 20 characters) always separated by whitespace.
    fn short_word_text() -> impl Strategy<Value = String> {
        let short = prop_oneof![
            4 => "[a-zA-Z0-9]{1,19}",
            2 => "[一-龥]{1,19}",
            1 => prop::sample::select(vec!["😀😀", "👨‍👩‍👧", "🇨🇳", "👍🏽", "wait.", "ok?"]).prop_map(String::from),
            1 => "https://[a-z]{1,10}\\.com/[a-z0-9]{0,60}",
        ];
        let sep = prop::sample::select(vec![" ", "\n", "\n\n", "  "]);
        prop::collection::vec((short, sep), 0..150)
            .prop_map(|items| items.into_iter().map(|(t, s)| t + s).collect())
    }

    fn bodies(parts: &[String]) -> Vec<&str> {
        let n = parts.len();
        parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if n > 1 {
                    p.strip_suffix(&format!(" {}/{n}", i + 1))
                        .unwrap_or("<no counter>")
                } else {
                    p
                }
            })
            .collect()
    }

    fn non_whitespace(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    proptest! {
        #[test]
        fn every_thread_part_fits_and_is_not_empty(text in text()) {
            for part in split_thread(&text, 280) {
                prop_assert!(x_weighted_length(&part) <= 280, "{} too long: {part:?}", x_weighted_length(&part));
                prop_assert!(!part.trim().is_empty());
            }
        }

        #[test]
        fn threads_keep_all_non_whitespace_content_in_order(text in text()) {
            let parts = split_thread(&text, 280);
            let joined: String = bodies(&parts).concat();
            prop_assert_eq!(non_whitespace(&joined), non_whitespace(&text));
        }

        #[test]
        fn short_words_are_never_broken_across_parts(text in short_word_text()) {
            let parts = split_thread(&text, 280);
            let words: Vec<&str> = bodies(&parts).into_iter().flat_map(str::split_whitespace).collect();
            prop_assert_eq!(words, text.split_whitespace().collect::<Vec<_>>());
        }

        #[test]
        fn urls_are_never_split_across_parts(text in text()) {
            let parts = split_thread(&text, 280);
            // Part boundaries as offsets into the non-whitespace characters.
            let mut cuts = Vec::new();
            let mut total = 0;
            for body in bodies(&parts) {
                total += non_whitespace(body).chars().count();
                cuts.push(total);
            }
            let offset = |byte: usize| non_whitespace(&text[..byte]).chars().count();
            for (start, end) in find_urls(&text) {
                let (s, e) = (offset(start), offset(end));
                prop_assert!(cuts.iter().all(|&c| c <= s || c >= e), "URL {:?} was split", &text[start..end]);
            }
        }

        #[test]
        fn weighted_length_is_at_least_one_per_non_url_grapheme(text in text()) {
            let normalized: String = text.nfc().collect();
            let urls = find_urls(&normalized);
            let mut plain = 0;
            let mut pos = 0;
            for &(s, e) in &urls {
                plain += graphemes(&normalized[pos..s]);
                pos = e;
            }
            plain += graphemes(&normalized[pos..]);
            prop_assert!(x_weighted_length(&text) >= plain + URL_WEIGHT * urls.len());
        }

        #[test]
        fn weighted_length_adds_up_across_a_space(a in text(), b in text()) {
            let joined = format!("{} {}", a.trim_end(), b.trim_start());
            prop_assert_eq!(
                x_weighted_length(&joined),
                x_weighted_length(a.trim_end()) + 1 + x_weighted_length(b.trim_start())
            );
        }

        #[test]
        fn tagging_urls_twice_changes_nothing(text in text()) {
            let once = add_utm(&text, &utm());
            prop_assert_eq!(add_utm(&once, &utm()), once.clone());
            prop_assert_eq!(find_urls(&once).len(), find_urls(&text).len());
        }
    }
}
