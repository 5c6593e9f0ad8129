//! Splitting a text that is too long for one X post into a numbered thread,
//! at the best break opportunities (paragraphs, lines, sentences, spaces,
//! then the gaps between CJK characters or emoji) without cutting a URL or
//! a word that fits.

use std::cmp::Reverse;

use super::x_weight::{units, x_weighted_length, Unit, UnitKind};

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
