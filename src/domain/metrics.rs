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
