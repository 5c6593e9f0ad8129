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
//!
//! One file per idea: [`Platform`], the draft and report types and the
//! [`check`] entry point live here; each platform's limits and the media and
//! WeChat rules in `rules`; the ways of measuring length in `length`, X's
//! weighted count in `x_weight`; URL finding in `urls`, hashtag counting in
//! `hashtags`, X threads in `thread` and UTM tagging in `utm`. Every public
//! item is re-exported here, so callers name `content::X` whatever file it
//! lives in.

use serde::{Deserialize, Serialize};

mod hashtags;
mod length;
mod rules;
mod thread;
mod urls;
mod utm;
mod x_weight;

#[cfg(test)]
mod tests;

pub use hashtags::count_hashtags;
pub use length::{char_count, graphemes, mastodon_length, published_text, text_length, utf8_bytes};
pub use thread::split_thread;
pub use urls::{find_urls, without_urls};
pub use utm::{add_utm, Utm};
pub use x_weight::x_weighted_length;

use rules::{
    check_media, check_wechat, is_single_http_url, BLUESKY_BYTE_LIMIT, INSTAGRAM_HASHTAG_LIMIT,
};

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

// Each platform's limits, link placement and media rules are in `rules`.
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
// Validation
// ---------------------------------------------------------------------------

/// Validates a draft for one platform. The X thread is only computed when
/// the text is too long for a single post and `thread_allowed` is set.
pub fn check(platform: Platform, draft: &Draft<'_>, thread_allowed: bool) -> Report {
    check_within(platform, draft, thread_allowed, platform.text_limit())
}

/// [`check`] against a text limit of the account's own server (a Mastodon
/// instance may allow more, or fewer, than 500 characters).
pub fn check_within(
    platform: Platform,
    draft: &Draft<'_>,
    thread_allowed: bool,
    limit: usize,
) -> Report {
    let text = published_text(platform, draft);
    let length = text_length(platform, &text);
    let mut issues = Vec::new();
    let mut thread = None;

    let body_needed = platform == Platform::Wechat || draft.media.is_empty();
    if text.is_empty() && body_needed {
        issues.push(Issue::Empty);
    }

    if length > limit {
        // Bluesky threads use X's split: its weights (CJK and emoji 2, a
        // link 23) are at least the graphemes Bluesky counts, except for
        // links longer than 23, so every part is measured again.
        let parts = (platform.threads() && thread_allowed)
            .then(|| split_thread(&text, limit))
            .filter(|parts| {
                parts.iter().all(|p| {
                    text_length(platform, p) <= limit
                        && (platform != Platform::Bluesky || utf8_bytes(p) <= BLUESKY_BYTE_LIMIT)
                })
            });
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
        Platform::Bluesky if thread.is_none() && utf8_bytes(&text) > BLUESKY_BYTE_LIMIT => {
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
