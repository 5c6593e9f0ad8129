//! How domain values look on screen: state names and colours, platform
//! badges, times in a zone, per-channel issue messages.

use crate::domain::content::{Field, Issue, Platform};
use crate::domain::post::NotificationKind;
use crate::domain::workflow::PostState;
use crate::i18n::Msg;
use crate::ui::i18n::I18n;
use chrono_tz::Tz;

/// Zones offered in the zone pickers; any IANA name can be typed.
pub const COMMON_ZONES: [&str; 14] = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Toronto",
    "Australia/Sydney",
    "UTC",
];

pub fn state_name(state: PostState) -> Msg {
    match state {
        PostState::Draft => Msg::StateDraft,
        PostState::InReview => Msg::StateInReview,
        PostState::ChangesRequested => Msg::StateChangesRequested,
        PostState::Scheduled => Msg::StateScheduled,
        PostState::Publishing => Msg::StatePublishing,
        PostState::Published => Msg::StatePublished,
        PostState::PartlyPublished => Msg::StatePartlyPublished,
        PostState::Failed => Msg::StateFailed,
        PostState::NeedsAttention => Msg::StateNeedsAttention,
        PostState::Cancelled => Msg::StateCancelled,
    }
}

/// CSS class carrying the state's colour (see `style/main.css`).
pub fn state_class(state: PostState) -> String {
    format!("state state-{}", state.as_str().replace('_', "-"))
}

/// A short mark for a platform, shown in calendars and lists. Product names
/// stay untranslated; the mark is backed by the full name for screen readers.
pub fn platform_mark(p: Platform) -> &'static str {
    match p {
        Platform::Wechat => "微",
        Platform::Facebook => "f",
        Platform::X => "𝕏",
        Platform::Linkedin => "in",
        Platform::Instagram => "◎",
        Platform::Mastodon => "M",
        Platform::Bluesky => "☁",
    }
}

/// A platform's name short enough for a chart axis.
pub fn platform_short(p: Platform) -> &'static str {
    match p {
        Platform::Wechat => "WeChat",
        Platform::Facebook => "Facebook",
        Platform::X => "X",
        Platform::Linkedin => "LinkedIn",
        Platform::Instagram => "Instagram",
        Platform::Mastodon => "Mastodon",
        Platform::Bluesky => "Bluesky",
    }
}

pub fn notification_text(kind: NotificationKind) -> Msg {
    match kind {
        NotificationKind::ReviewNeeded => Msg::NoteReviewNeeded,
        NotificationKind::Approved => Msg::NoteApproved,
        NotificationKind::ChangesRequested => Msg::NoteChangesRequested,
        NotificationKind::Comment => Msg::NoteComment,
        NotificationKind::Published => Msg::NotePublished,
        NotificationKind::Failed => Msg::NoteFailed,
        NotificationKind::AttentionNeeded => Msg::NoteAttention,
    }
}

/// `2026-12-01 09:00 CST`: an instant in a zone, with its abbreviation.
pub use crate::domain::schedule::format_local as local_time;

pub fn parse_tz(name: &str) -> Tz {
    name.parse::<Tz>().unwrap_or(Tz::UTC)
}

/// One content issue in the reader's language.
pub fn issue_text(i18n: &I18n, issue: &Issue) -> String {
    let n = |v: usize| v.to_string();
    match issue {
        Issue::Empty => i18n.t(Msg::IssueEmpty).to_owned(),
        Issue::Required { field } => i18n
            .t(match field {
                Field::Title => Msg::IssueRequiredTitle,
                Field::Cover => Msg::IssueRequiredCover,
                Field::Media => Msg::IssueRequiredMedia,
                _ => Msg::IssueRequiredOther,
            })
            .to_owned(),
        Issue::TooLong {
            field,
            length,
            limit,
        } => {
            let msg = match field {
                Field::Title => Msg::IssueTooLongTitle,
                Field::Digest => Msg::IssueTooLongDigest,
                _ => Msg::IssueTooLong,
            };
            i18n.tf(msg, &[("length", &n(*length)), ("limit", &n(*limit))])
        }
        Issue::TooManyBytes { length, limit } => i18n.tf(
            Msg::IssueTooManyBytes,
            &[("length", &n(*length)), ("limit", &n(*limit))],
        ),
        Issue::TooManyMedia { max, actual } => i18n.tf(
            Msg::IssueTooManyMedia,
            &[("max", &n(*max)), ("actual", &n(*actual))],
        ),
        Issue::TooManyHashtags { max, actual } => i18n.tf(
            Msg::IssueTooManyHashtags,
            &[("max", &n(*max)), ("actual", &n(*actual))],
        ),
        Issue::UnsupportedMedia { index, .. } => {
            i18n.tf(Msg::IssueUnsupportedMedia, &[("index", &n(index + 1))])
        }
        Issue::MissingAltText { index } => {
            i18n.tf(Msg::IssueMissingAlt, &[("index", &n(index + 1))])
        }
        Issue::InvalidLink => i18n.t(Msg::IssueInvalidLink).to_owned(),
    }
}

/// The time zone the viewer's browser is in (UTC before hydration).
pub fn browser_zone() -> Tz {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()
            .and_then(|v| v.as_string())
            .map(|name| parse_tz(&name))
            .unwrap_or(Tz::UTC)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Tz::UTC
    }
}

/// The viewer's zone as a signal: UTC while the server renders and while
/// the page hydrates (so both render the same markup), then the browser's.
pub fn viewer_zone() -> leptos::prelude::Signal<Tz> {
    use leptos::prelude::*;
    let zone = RwSignal::new(Tz::UTC);
    Effect::new(move |_| zone.set(browser_zone()));
    zone.into()
}

/// A delivery's state in words (unknown names are shown as they are).
pub fn delivery_text(i18n: &I18n, state: &str) -> String {
    use crate::domain::delivery::DeliveryState as D;
    let msg = match D::parse(state) {
        Some(D::Pending) => Msg::DeliveryPending,
        Some(D::Scheduled) => Msg::DeliveryScheduled,
        Some(D::Claimed) => Msg::DeliveryClaimed,
        Some(D::Sending) => Msg::DeliverySending,
        Some(D::Published) => Msg::DeliveryPublished,
        Some(D::RetryWait) => Msg::DeliveryRetryWait,
        Some(D::Failed) => Msg::DeliveryFailed,
        Some(D::FailedAuth) => Msg::DeliveryFailedAuth,
        Some(D::Unknown) => Msg::DeliveryUnknown,
        Some(D::NeedsAttention) => Msg::DeliveryNeedsAttention,
        Some(D::Cancelled) => Msg::DeliveryCancelled,
        None => return state.to_owned(),
    };
    i18n.t(msg).to_owned()
}

/// What an attempt led to, in words: a delivery state, or "under way"
/// while it has no outcome yet.
pub fn outcome_text(i18n: &I18n, outcome: Option<&str>) -> String {
    match outcome {
        Some(state) => delivery_text(i18n, state),
        None => i18n.t(Msg::TimelineUnderWay).to_owned(),
    }
}

/// CSS class carrying a delivery state's colour (see `style/main.css`).
pub fn delivery_class(state: Option<&str>) -> String {
    format!(
        "state delivery-{}",
        state.unwrap_or("under_way").replace('_', "-")
    )
}

/// The name of a normalized figure in the reader's language.
pub fn metric_name(m: crate::domain::metrics::Metric) -> Msg {
    use crate::domain::metrics::Metric;
    match m {
        Metric::Views => Msg::MetricViews,
        Metric::Reach => Msg::MetricReach,
        Metric::Reactions => Msg::MetricReactions,
        Metric::Comments => Msg::MetricComments,
        Metric::Shares => Msg::MetricShares,
        Metric::LinkClicks => Msg::MetricLinkClicks,
        Metric::Saves => Msg::MetricSaves,
    }
}

/// `1234567` as `1,234,567`: grouping readers of both languages know.
pub fn group_digits(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A figure as shown in tables: grouped digits, or "—" when the platform
/// does not provide it (never 0).
pub fn figure_text(v: Option<i64>) -> String {
    v.map(group_digits).unwrap_or_else(|| "—".to_owned())
}

/// A chart value in full (tooltips): grouped digits, one decimal if any.
pub fn number_text(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        group_digits(v.round() as i64)
    } else {
        format!("{:.1}", v)
    }
}

/// A short axis label: `950`, `1.2k`, `34k`, `5.6M`.
pub fn compact_number(v: f64) -> String {
    let a = v.abs();
    let (scaled, suffix) = if a >= 1e9 {
        (v / 1e9, "B")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let text = if scaled.abs() >= 10.0 || (scaled - scaled.round()).abs() < 0.05 {
        format!("{}", scaled.round() as i64)
    } else {
        format!("{:.1}", scaled)
    };
    format!("{text}{suffix}")
}

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn figures_read_plainly() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(-1234567), "-1,234,567");
        assert_eq!(figure_text(None), "—");
        assert_eq!(figure_text(Some(0)), "0");
        assert_eq!(compact_number(950.0), "950");
        assert_eq!(compact_number(1200.0), "1.2k");
        assert_eq!(compact_number(34_000.0), "34k");
        assert_eq!(compact_number(5_600_000.0), "5.6M");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(number_text(12000.0), "12,000");
    }
}
