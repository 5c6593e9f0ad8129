//! Hashtag counting, for Instagram's limit on hashtags per post.

use super::urls::find_urls;

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
