//! Reach and engagement figures, normalized across platforms.
//!
//! Each figure keeps the platform's own metric name beside its value, so a
//! report can say what was counted (Meta and WeChat renamed metrics in
//! 2025–26; "views" on one platform is not "reach" on another). A figure
//! the platform does not provide is `None`, never 0.

use serde::{Deserialize, Serialize};

/// One figure as the platform reported it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    pub value: i64,
    /// The platform's metric name, e.g. `post_total_media_view_unique`.
    pub source: String,
}

impl Figure {
    pub fn new(value: i64, source: impl Into<String>) -> Figure {
        Figure {
            value,
            source: source.into(),
        }
    }
}

/// The normalized figures of one post at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricSet {
    /// Total views or impressions (not people).
    pub views: Option<Figure>,
    /// Unique people or accounts reached.
    pub reach: Option<Figure>,
    /// Likes and reactions.
    pub reactions: Option<Figure>,
    /// Comments and replies.
    pub comments: Option<Figure>,
    /// Shares, reposts, retweets.
    pub shares: Option<Figure>,
    pub link_clicks: Option<Figure>,
    /// Saves, bookmarks, favourites-to-collection.
    pub saves: Option<Figure>,
}

impl MetricSet {
    /// Every field with its normalized key, for storage and reports.
    pub fn fields(&self) -> [(&'static str, Option<&Figure>); 7] {
        [
            ("views", self.views.as_ref()),
            ("reach", self.reach.as_ref()),
            ("reactions", self.reactions.as_ref()),
            ("comments", self.comments.as_ref()),
            ("shares", self.shares.as_ref()),
            ("link_clicks", self.link_clicks.as_ref()),
            ("saves", self.saves.as_ref()),
        ]
    }
}

/// The seven normalized figures, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Metric {
    Views,
    Reach,
    Reactions,
    Comments,
    Shares,
    LinkClicks,
    Saves,
}

impl Metric {
    pub const ALL: [Metric; 7] = [
        Metric::Views,
        Metric::Reach,
        Metric::Reactions,
        Metric::Comments,
        Metric::Shares,
        Metric::LinkClicks,
        Metric::Saves,
    ];

    /// Stable key: column names, CSV headers, query parameters.
    pub const fn key(self) -> &'static str {
        match self {
            Metric::Views => "views",
            Metric::Reach => "reach",
            Metric::Reactions => "reactions",
            Metric::Comments => "comments",
            Metric::Shares => "shares",
            Metric::LinkClicks => "link_clicks",
            Metric::Saves => "saves",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.key() == s.trim())
    }

    pub const fn index(self) -> usize {
        self as usize
    }
}

impl MetricSet {
    /// The figure for `m`.
    pub fn get(&self, m: Metric) -> Option<&Figure> {
        self.fields()[m.index()].1
    }

    /// Values in [`Metric::ALL`] order; `None` where the platform gave none.
    pub fn values(&self) -> [Option<i64>; 7] {
        self.fields().map(|(_, f)| f.map(|f| f.value))
    }

    /// The platform's metric names in [`Metric::ALL`] order.
    pub fn sources(&self) -> [Option<String>; 7] {
        self.fields().map(|(_, f)| f.map(|f| f.source.clone()))
    }
}

/// What a platform's metric counts, by the name the platform gives it, so a
/// report can say what each number means. Unknown names get `None`.
pub fn definition(source: &str) -> Option<&'static str> {
    Some(match source {
        // Facebook Pages (Graph insights and engagement fields)
        "post_media_view" => "Facebook: times the post was on screen (replaced post_impressions in 2025; counts repeat views)",
        "post_total_media_view_unique" => "Facebook: unique accounts the post was on screen for (replaced post_impressions_unique in 2025–26)",
        "post_clicks" => "Facebook: clicks anywhere on the post, not only on its link",
        "post_reactions_by_type_total" => "Facebook: reactions of every type (like, love, haha, …) added up",
        "reactions.summary.total_count" => "Facebook: reactions counted from the post's reactions edge",
        "comments.summary.total_count" => "Facebook: comments counted from the post's comments edge",
        "shares.count" => "Facebook: times the post was shared",
        // X
        "impression_count" => "X: times the post was seen (not people)",
        "like_count" => "X: likes",
        "reply_count" => "X: replies",
        "retweet_count+quote_count" => "X: reposts plus quote posts",
        "retweet_count" => "X: reposts",
        "quote_count" => "X: quote posts",
        "url_link_clicks" => "X: clicks on the post's link (owner's metrics only)",
        "bookmark_count" => "X: bookmarks",
        // WeChat Official Account (datacube, cumulative per article)
        "read_user" => "WeChat: readers of the article (unique users, cumulative; a day late)",
        "like_user" => "WeChat: readers who liked the article",
        "comment_count" => "WeChat: comments on the article",
        "share_user" => "WeChat: readers who shared the article",
        "collection_user" => "WeChat: readers who saved the article to favourites",
        _ => return None,
    })
}

/// When a published post's figures are collected: offsets from the moment
/// it was published. Platforms keep counting for weeks, most of it in the
/// first day, so early snapshots are dense and later ones sparse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionSchedule {
    offsets: Vec<chrono::Duration>,
}

/// +1 h, +6 h, +24 h, +3 d, +7 d, +30 d ...
pub const DEFAULT_OFFSETS: &str = "1h,6h,24h,3d,7d,30d";
/// ... then weekly up to 90 days.
pub const DEFAULT_WEEKLY_UNTIL_DAYS: i64 = 90;

impl Default for CollectionSchedule {
    fn default() -> Self {
        CollectionSchedule::parse(DEFAULT_OFFSETS, DEFAULT_WEEKLY_UNTIL_DAYS)
            .expect("the default schedule parses")
    }
}

impl CollectionSchedule {
    /// `list` is comma-separated offsets like `1h,6h,24h,3d,7d,30d` (units
    /// m, h, d); after the last one, a snapshot every 7 days up to
    /// `weekly_until_days` (0: none).
    pub fn parse(list: &str, weekly_until_days: i64) -> Result<CollectionSchedule, String> {
        let mut offsets = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (num, unit) = item.split_at(item.len() - 1);
            let n: i64 = num
                .trim()
                .parse()
                .map_err(|_| format!("{item:?} is not an offset like 30m, 6h or 3d"))?;
            let d = match unit {
                "m" => chrono::Duration::minutes(n),
                "h" => chrono::Duration::hours(n),
                "d" => chrono::Duration::days(n),
                _ => return Err(format!("{item:?}: the unit must be m, h or d")),
            };
            if n <= 0 {
                return Err(format!("{item:?}: an offset must be after publishing"));
            }
            if offsets.last().is_some_and(|last| *last >= d) {
                return Err(format!("{item:?}: offsets must grow"));
            }
            offsets.push(d);
        }
        if offsets.is_empty() {
            return Err("the schedule needs at least one offset".into());
        }
        let until = chrono::Duration::days(weekly_until_days.max(0));
        let mut next = *offsets.last().expect("not empty") + chrono::Duration::days(7);
        while next <= until {
            offsets.push(next);
            next += chrono::Duration::days(7);
        }
        Ok(CollectionSchedule { offsets })
    }

    /// The same schedule `factor` times faster (the demo's emulator ages
    /// posts faster than the wall clock).
    pub fn compressed(&self, factor: f64) -> CollectionSchedule {
        let factor = if factor.is_finite() && factor >= 1.0 {
            factor
        } else {
            1.0
        };
        CollectionSchedule {
            offsets: self
                .offsets
                .iter()
                .map(|d| {
                    chrono::Duration::milliseconds(((d.num_milliseconds() as f64) / factor) as i64)
                        .max(chrono::Duration::seconds(1))
                })
                .collect(),
        }
    }

    pub fn offsets(&self) -> &[chrono::Duration] {
        &self.offsets
    }

    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// When slot `slot` of a post published at `published` is due; `None`
    /// after the last slot (collection is finished).
    pub fn due(
        &self,
        published: chrono::DateTime<chrono::Utc>,
        slot: usize,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        self.offsets.get(slot).map(|d| published + *d)
    }

    /// The slot a collection at `now` fills: the latest one already due (a
    /// collector that fell behind takes one snapshot, not one per missed
    /// slot), never before `from`. `None` when none is due yet.
    pub fn slot_at(
        &self,
        published: chrono::DateTime<chrono::Utc>,
        from: usize,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<usize> {
        let mut found = None;
        for (i, d) in self.offsets.iter().enumerate().skip(from) {
            if published + *d <= now {
                found = Some(i);
            } else {
                break;
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn the_default_schedule_is_dense_early_then_weekly_to_ninety_days() {
        let s = CollectionSchedule::default();
        let days: Vec<i64> = s.offsets().iter().map(|d| d.num_hours()).collect();
        assert_eq!(&days[..6], &[1, 6, 24, 72, 168, 720]);
        // 37, 44, … 86 days
        assert_eq!(s.len(), 6 + 8);
        assert_eq!(*s.offsets().last().unwrap(), Duration::days(86));
    }

    #[test]
    fn schedules_refuse_what_they_cannot_mean() {
        assert!(CollectionSchedule::parse("", 0).is_err());
        assert!(CollectionSchedule::parse("6h,1h", 0).is_err());
        assert!(CollectionSchedule::parse("1w", 0).is_err());
        assert!(CollectionSchedule::parse("0h", 0).is_err());
        assert!(CollectionSchedule::parse("x", 0).is_err());
        assert_eq!(CollectionSchedule::parse("30m, 2h", 0).unwrap().len(), 2);
    }

    #[test]
    fn a_late_collector_takes_the_latest_due_slot_once() {
        let s = CollectionSchedule::default();
        let p = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(s.slot_at(p, 0, p + Duration::minutes(59)), None);
        assert_eq!(s.slot_at(p, 0, p + Duration::hours(1)), Some(0));
        assert_eq!(s.slot_at(p, 0, p + Duration::hours(30)), Some(2));
        assert_eq!(s.slot_at(p, 3, p + Duration::hours(30)), None);
        assert_eq!(s.slot_at(p, 0, p + Duration::days(400)), Some(s.len() - 1));
        assert_eq!(s.due(p, s.len()), None);
    }

    #[test]
    fn compression_keeps_order_and_count() {
        let s = CollectionSchedule::default().compressed(60.0);
        assert_eq!(s.offsets()[0], Duration::minutes(1));
        assert_eq!(s.len(), CollectionSchedule::default().len());
    }

    #[test]
    fn every_source_the_clients_name_has_a_definition() {
        for name in [
            "post_media_view",
            "post_total_media_view_unique",
            "impression_count",
            "read_user",
            "retweet_count+quote_count",
        ] {
            assert!(definition(name).is_some(), "{name}");
        }
        assert_eq!(definition("post_impressions"), None);
    }
}
