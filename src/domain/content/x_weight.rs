//! X's weighted length (twitter-text v3), and the units it is counted in:
//! every URL and every grapheme cluster, each with its weight. Thread
//! splitting packs the same units, so a thread part weighs what X counts.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
use unicode_segmentation::UnicodeSegmentation;

use super::urls::find_urls;

/// X replaces every link with a 23-character t.co address before counting,
/// so the length of the link as typed is irrelevant. Mastodon copies the
/// rule so that long links do not eat the budget.
pub(super) const URL_WEIGHT: usize = 23;

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

// ---------------------------------------------------------------------------
// Units (shared by counting and thread splitting)
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum UnitKind {
    /// Breakable whitespace.
    Space,
    Url,
    /// CJK and emoji: text that may be broken between any two units.
    Wide,
    Other,
}

/// A URL or a grapheme cluster: the smallest piece of text that is never cut.
#[derive(Clone, Copy, Debug)]
pub(super) struct Unit {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) weight: usize,
    pub(super) kind: UnitKind,
}

pub(super) fn units(text: &str) -> Vec<Unit> {
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
