//! Each platform's rules beyond counting: its text limit, whether the
//! draft's link is published in the text, what media it takes, and WeChat's
//! article fields. [`super::check`] applies them; the limits here are the
//! platforms' own, so the browser and the server refuse the same drafts.

use super::urls::{find_urls, has_scheme};
use super::{char_count, Draft, Field, Issue, MediaInfo, MediaKind, Platform};

const WECHAT_TITLE_LIMIT: usize = 32;
const WECHAT_DIGEST_LIMIT: usize = 128;
pub(super) const BLUESKY_BYTE_LIMIT: usize = 3000;
pub(super) const INSTAGRAM_HASHTAG_LIMIT: usize = 30;

impl Platform {
    /// Limit for the main text, in the unit of [`text_length`](super::text_length).
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

    /// Whether a text too long for one post may go out as a thread of
    /// replies.
    pub const fn threads(self) -> bool {
        matches!(self, Platform::X | Platform::Bluesky | Platform::Mastodon)
    }

    /// Whether a draft's separate link is published inside the text (and so
    /// counts towards its length). Facebook and LinkedIn attach it as a link
    /// share, WeChat as the "read more" source URL, and Instagram captions
    /// cannot carry clickable links at all.
    pub(super) const fn link_in_text(self) -> bool {
        matches!(self, Platform::X | Platform::Mastodon | Platform::Bluesky)
    }

    pub(super) const fn media_rules(self) -> MediaRules {
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

pub(super) struct MediaRules {
    max: Option<usize>,
    /// Kinds that must be the only attachment.
    alone: &'static [MediaKind],
    unsupported: &'static [MediaKind],
    /// Whether alt text is published, so that missing alt text is worth a warning.
    alt_text: bool,
}

/// WeChat articles need a title, a cover (the first image) and may have a
/// short digest shown in the chat list.
pub(super) fn check_wechat(draft: &Draft<'_>, issues: &mut Vec<Issue>) {
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

pub(super) fn check_media(rules: MediaRules, media: &[MediaInfo], issues: &mut Vec<Issue>) {
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

pub(super) fn is_single_http_url(link: &str) -> bool {
    find_urls(link) == [(0, link.len())] && has_scheme(link)
}
