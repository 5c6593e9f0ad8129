//! Reach reports: what the collected figures add up to, per platform,
//! channel, post or campaign, over a date range in the reader's time zone.
//!
//! The store answers with one row per published delivery (its latest
//! figures) and the figures' gains per quarter hour; everything here is
//! plain arithmetic over those rows, shared by the page, the API and the CSV
//! export so the three always agree.
//!
//! Honesty rules: a figure no delivery reported stays absent (never 0); a
//! total says how many deliveries reported it; reach summed across
//! platforms is an upper bound on unique people, and views are not people.

use super::content::Platform;
use super::metrics::Metric;
use crate::domain::{ChannelId, PostId};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The seven normalized figures; `None` where nobody reported one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Figures {
    pub views: Option<i64>,
    pub reach: Option<i64>,
    pub reactions: Option<i64>,
    pub comments: Option<i64>,
    pub shares: Option<i64>,
    pub link_clicks: Option<i64>,
    pub saves: Option<i64>,
}

impl Figures {
    pub fn from_values(v: [Option<i64>; 7]) -> Figures {
        Figures {
            views: v[0],
            reach: v[1],
            reactions: v[2],
            comments: v[3],
            shares: v[4],
            link_clicks: v[5],
            saves: v[6],
        }
    }

    pub fn values(&self) -> [Option<i64>; 7] {
        [
            self.views,
            self.reach,
            self.reactions,
            self.comments,
            self.shares,
            self.link_clicks,
            self.saves,
        ]
    }

    pub fn get(&self, m: Metric) -> Option<i64> {
        self.values()[m.index()]
    }

    /// Reactions, comments and shares together (the ones present); `None`
    /// when none of the three was reported.
    pub fn engagement(&self) -> Option<i64> {
        let parts = [self.reactions, self.comments, self.shares];
        if parts.iter().all(Option::is_none) {
            None
        } else {
            Some(parts.iter().flatten().sum())
        }
    }
}

/// Figures added up over deliveries, with how many reported each one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Totals {
    pub figures: Figures,
    /// Per figure, in `Metric::ALL` order: deliveries that reported it.
    pub reported: Vec<u32>,
    /// Published deliveries counted (post × channel).
    pub deliveries: u32,
    /// Distinct posts counted.
    pub posts: u32,
}

impl Totals {
    fn accumulate<'a>(rows: impl IntoIterator<Item = &'a DeliveryFigures>) -> Totals {
        let mut sums = [None::<i64>; 7];
        let mut reported = vec![0u32; 7];
        let mut deliveries = 0u32;
        let mut posts = std::collections::BTreeSet::new();
        for r in rows {
            deliveries += 1;
            posts.insert(r.post_id);
            for (i, v) in r.figures.values().into_iter().enumerate() {
                if let Some(v) = v {
                    sums[i] = Some(sums[i].unwrap_or(0) + v);
                    reported[i] += 1;
                }
            }
        }
        Totals {
            figures: Figures::from_values(sums),
            reported,
            deliveries,
            posts: posts.len() as u32,
        }
    }
}

/// How a report's table is grouped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum GroupBy {
    #[default]
    Platform,
    Channel,
    Post,
    Campaign,
}

impl GroupBy {
    pub const ALL: [GroupBy; 4] = [
        GroupBy::Platform,
        GroupBy::Channel,
        GroupBy::Post,
        GroupBy::Campaign,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            GroupBy::Platform => "platform",
            GroupBy::Channel => "channel",
            GroupBy::Post => "post",
            GroupBy::Campaign => "campaign",
        }
    }

    pub fn parse(s: &str) -> Option<GroupBy> {
        GroupBy::ALL.into_iter().find(|g| g.as_str() == s.trim())
    }
}

/// What a reader asks for: posts published from `from` to `to` (both
/// inclusive, dates in `tz`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRequest {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub tz: Tz,
    pub group_by: GroupBy,
}

/// Longest range one report covers, so a typo in a year cannot ask the
/// database for decades.
pub const MAX_RANGE_DAYS: i64 = 731;

impl ReportRequest {
    /// Checks the range; the error names what is wrong.
    pub fn new(
        from: NaiveDate,
        to: NaiveDate,
        tz: &str,
        group_by: GroupBy,
    ) -> Result<ReportRequest, ReportInputError> {
        let tz: Tz = tz
            .trim()
            .parse()
            .map_err(|_| ReportInputError::TimeZone(tz.to_owned()))?;
        if to < from {
            return Err(ReportInputError::Reversed);
        }
        if (to - from).num_days() >= MAX_RANGE_DAYS {
            return Err(ReportInputError::TooLong);
        }
        Ok(ReportRequest {
            from,
            to,
            tz,
            group_by,
        })
    }

    /// The range as instants: `[start, end)`, midnight to midnight in `tz`.
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            local_midnight(self.tz, self.from),
            local_midnight(self.tz, self.to.succ_opt().unwrap_or(self.to)),
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReportInputError {
    #[error("unknown time zone {0:?} (use an IANA name such as Asia/Shanghai)")]
    TimeZone(String),
    #[error("the range ends before it starts")]
    Reversed,
    #[error("a report covers at most two years")]
    TooLong,
}

/// The first instant of `day` in `tz` (a day that starts in a DST gap
/// starts at the first instant that exists).
pub fn local_midnight(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        chrono::LocalResult::None => {
            // Gaps are at most a few hours; the first valid hour starts the day.
            (1..=4)
                .find_map(|h| {
                    tz.from_local_datetime(&(naive + chrono::Duration::hours(h)))
                        .earliest()
                })
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
        }
    }
}

/// One published delivery with its latest figures, as the store gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryFigures {
    pub post_id: PostId,
    pub title: String,
    pub campaign: Option<String>,
    pub channel_id: ChannelId,
    pub channel_name: String,
    pub platform: Platform,
    pub published_at: DateTime<Utc>,
    pub figures: Figures,
    /// The platform's metric names, in `Metric::ALL` order.
    pub sources: Vec<Option<String>>,
    /// When the latest snapshot was taken; `None` before the first.
    pub collected_at: Option<DateTime<Utc>>,
}

/// What a platform's figures gained in one quarter hour (UTC), for the
/// growth chart. Quarter hours keep every time zone's days exact (offsets
/// are whole quarter hours).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrowthBucket {
    pub platform: Platform,
    /// Seconds since the epoch / 900.
    pub quarter: i64,
    pub gains: [Option<i64>; 7],
}

/// One row of the report's table (and of its CSV).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportRow {
    /// Platform key, channel id, post id or campaign tag ("" for none).
    pub key: String,
    /// What a person reads: the platform, channel name, post title or tag.
    pub label: String,
    /// The row's platform when it has exactly one.
    pub platform: Option<Platform>,
    pub totals: Totals,
}

/// One line of the growth chart: a platform's cumulative figures at the end
/// of each day of `Growth::days`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GrowthSeries {
    pub platform: Platform,
    /// Per day: the figures gained up to the end of that day.
    pub points: Vec<Figures>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Growth {
    /// Days in the reader's time zone, from the range's first day to its
    /// last or today, whichever comes first.
    pub days: Vec<NaiveDate>,
    pub series: Vec<GrowthSeries>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TopPost {
    pub post_id: PostId,
    pub title: String,
    pub campaign: Option<String>,
    /// The first time it went out, on any channel.
    pub published_at: DateTime<Utc>,
    pub platforms: Vec<Platform>,
    pub totals: Totals,
}

/// A channel's publishing hours (reader's time zone) and how posts
/// published then fared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BestHours {
    pub channel_id: ChannelId,
    pub channel_name: String,
    pub platform: Platform,
    /// Only hours something was published in, ascending.
    pub hours: Vec<HourCell>,
    /// The hour with the highest average engagement, when one stands out
    /// with at least two posts behind it.
    pub best: Option<u8>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HourCell {
    pub hour: u8,
    pub posts: u32,
    /// Average reactions + comments + shares per post published this hour;
    /// `None` when none of them reported any of the three.
    pub avg_engagement: Option<f64>,
    pub avg_views: Option<f64>,
}

/// What a platform's metric name means, for the report's footnotes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MetricNote {
    pub platform: Platform,
    pub metric: Metric,
    /// The platform's own name for it.
    pub source: String,
    pub definition: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReachReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// IANA name of the reader's time zone the dates and hours are in.
    pub tz: String,
    pub group_by: GroupBy,
    pub generated_at: DateTime<Utc>,
    pub rows: Vec<ReportRow>,
    /// Every delivery in the range. Its reach is the sum of each platform's
    /// unique reach: at most that many people, since one person may follow
    /// on several platforms.
    pub total: Totals,
    pub by_platform: Vec<ReportRow>,
    pub growth: Growth,
    pub top_posts: Vec<TopPost>,
    pub best_hours: Vec<BestHours>,
    pub notes: Vec<MetricNote>,
}

/// How many top posts a report lists.
pub const TOP_POSTS: usize = 10;

/// Builds the report from the store's rows. `now` bounds the growth chart.
pub fn build(
    req: &ReportRequest,
    rows: &[DeliveryFigures],
    growth: &[GrowthBucket],
    now: DateTime<Utc>,
) -> ReachReport {
    ReachReport {
        from: req.from,
        to: req.to,
        tz: req.tz.name().to_owned(),
        group_by: req.group_by,
        generated_at: now,
        rows: group(rows, req.group_by),
        total: Totals::accumulate(rows),
        by_platform: group(rows, GroupBy::Platform),
        growth: growth_by_day(req, growth, now),
        top_posts: top_posts(rows, Metric::Views, TOP_POSTS),
        best_hours: best_hours(rows, req.tz),
        notes: notes(rows),
    }
}

/// The table's rows, largest views first (then by label), groups without
/// any figure yet included so nothing published goes missing.
pub fn group(rows: &[DeliveryFigures], by: GroupBy) -> Vec<ReportRow> {
    let mut groups: BTreeMap<String, (String, Vec<&DeliveryFigures>)> = BTreeMap::new();
    for r in rows {
        let (key, label) = match by {
            GroupBy::Platform => (
                r.platform.as_str().to_owned(),
                r.platform.as_str().to_owned(),
            ),
            GroupBy::Channel => (r.channel_id.to_string(), r.channel_name.clone()),
            GroupBy::Post => (r.post_id.to_string(), r.title.clone()),
            GroupBy::Campaign => {
                let tag = r.campaign.clone().unwrap_or_default();
                (tag.clone(), tag)
            }
        };
        groups
            .entry(key)
            .or_insert_with(|| (label, Vec::new()))
            .1
            .push(r);
    }
    let mut out: Vec<ReportRow> = groups
        .into_iter()
        .map(|(key, (label, members))| {
            let mut platforms: Vec<Platform> = members.iter().map(|m| m.platform).collect();
            platforms.sort_by_key(|p| p.as_str());
            platforms.dedup();
            ReportRow {
                key,
                label,
                platform: (platforms.len() == 1).then(|| platforms[0]),
                totals: Totals::accumulate(members),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.totals
            .figures
            .views
            .cmp(&a.totals.figures.views)
            .then_with(|| a.label.cmp(&b.label))
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

/// Posts ranked by `metric` summed over their channels; posts that reported
/// nothing for it come last.
pub fn top_posts(rows: &[DeliveryFigures], metric: Metric, n: usize) -> Vec<TopPost> {
    let mut by_post: BTreeMap<PostId, Vec<&DeliveryFigures>> = BTreeMap::new();
    for r in rows {
        by_post.entry(r.post_id).or_default().push(r);
    }
    let mut posts: Vec<TopPost> = by_post
        .into_values()
        .map(|members| {
            let first = members[0];
            let mut platforms: Vec<Platform> = members.iter().map(|m| m.platform).collect();
            platforms.sort_by_key(|p| p.as_str());
            platforms.dedup();
            TopPost {
                post_id: first.post_id,
                title: first.title.clone(),
                campaign: first.campaign.clone(),
                published_at: members.iter().map(|m| m.published_at).min().expect("one"),
                platforms,
                totals: Totals::accumulate(members),
            }
        })
        .collect();
    posts.sort_by(|a, b| {
        b.totals
            .figures
            .get(metric)
            .cmp(&a.totals.figures.get(metric))
            .then_with(|| a.post_id.cmp(&b.post_id))
    });
    posts.truncate(n);
    posts
}

/// Per channel, per hour of day in `tz`: how posts published then fared.
pub fn best_hours(rows: &[DeliveryFigures], tz: Tz) -> Vec<BestHours> {
    type Acc = (u32, i64, u32, i64, u32);
    let mut channels: BTreeMap<ChannelId, (String, Platform, BTreeMap<u8, Acc>)> = BTreeMap::new();
    for r in rows {
        let hour = r.published_at.with_timezone(&tz).hour() as u8;
        let entry = channels
            .entry(r.channel_id)
            .or_insert_with(|| (r.channel_name.clone(), r.platform, BTreeMap::new()));
        let acc = entry.2.entry(hour).or_default();
        acc.0 += 1;
        if let Some(e) = r.figures.engagement() {
            acc.1 += e;
            acc.2 += 1;
        }
        if let Some(v) = r.figures.views {
            acc.3 += v;
            acc.4 += 1;
        }
    }
    channels
        .into_iter()
        .map(|(channel_id, (channel_name, platform, hours))| {
            let hours: Vec<HourCell> = hours
                .into_iter()
                .map(|(hour, (posts, eng, eng_n, views, views_n))| HourCell {
                    hour,
                    posts,
                    avg_engagement: (eng_n > 0).then(|| eng as f64 / f64::from(eng_n)),
                    avg_views: (views_n > 0).then(|| views as f64 / f64::from(views_n)),
                })
                .collect();
            let best = hours
                .iter()
                .filter(|h| h.posts >= 2)
                .filter_map(|h| h.avg_engagement.map(|e| (h.hour, e)))
                .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map(|(h, _)| h);
            BestHours {
                channel_id,
                channel_name,
                platform,
                hours,
                best,
            }
        })
        .collect()
}

/// The distinct metric names behind the figures, with what they mean.
pub fn notes(rows: &[DeliveryFigures]) -> Vec<MetricNote> {
    let mut seen = std::collections::BTreeSet::new();
    for r in rows {
        for (i, s) in r.sources.iter().enumerate() {
            if let Some(s) = s {
                seen.insert((r.platform.as_str(), i, s.clone()));
            }
        }
    }
    seen.into_iter()
        .filter_map(|(p, i, source)| Some((Platform::parse(p)?, i, source)))
        .map(|(platform, i, source)| MetricNote {
            platform,
            metric: Metric::ALL[i],
            definition: super::metrics::definition(&source).map(str::to_owned),
            source,
        })
        .collect()
}

/// Cumulative gains per platform at the end of each local day. Gains made
/// before the range's first day (none, for posts published inside the
/// range) would only shift the lines, so the sum starts at the first day.
pub fn growth_by_day(req: &ReportRequest, buckets: &[GrowthBucket], now: DateTime<Utc>) -> Growth {
    let today = now.with_timezone(&req.tz).date_naive();
    let last = req.to.min(today).max(req.from);
    let days: Vec<NaiveDate> = req.from.iter_days().take_while(|d| *d <= last).collect();
    if days.is_empty() {
        return Growth::default();
    }
    // Day index of each bucket: the local date of the quarter's start.
    let day_of = |quarter: i64| -> Option<usize> {
        let t = Utc.timestamp_opt(quarter * 900, 0).single()?;
        let d = t.with_timezone(&req.tz).date_naive();
        if d < req.from {
            Some(0)
        } else {
            let i = (d - req.from).num_days() as usize;
            (i < days.len()).then_some(i)
        }
    };
    type Daily = Vec<[Option<i64>; 7]>;
    let mut per_platform: BTreeMap<&'static str, (Platform, Daily)> = BTreeMap::new();
    for b in buckets {
        let Some(i) = day_of(b.quarter) else {
            continue;
        };
        let entry = per_platform
            .entry(b.platform.as_str())
            .or_insert_with(|| (b.platform, vec![[None; 7]; days.len()]));
        for (m, g) in b.gains.iter().enumerate() {
            if let Some(g) = g {
                let cell = &mut entry.1[i][m];
                *cell = Some(cell.unwrap_or(0) + g);
            }
        }
    }
    let series = per_platform
        .into_values()
        .map(|(platform, daily)| {
            let mut run = [None::<i64>; 7];
            let points = daily
                .into_iter()
                .map(|day| {
                    for (m, g) in day.iter().enumerate() {
                        if let Some(g) = g {
                            run[m] = Some(run[m].unwrap_or(0) + g);
                        }
                    }
                    Figures::from_values(run)
                })
                .collect();
            GrowthSeries { platform, points }
        })
        .collect();
    Growth { days, series }
}

/// The CSV of exactly the report's table: one line per row, then the total.
/// Absent figures are empty cells, never 0.
pub fn to_csv(report: &ReachReport) -> String {
    let mut out = String::new();
    out.push_str(&csv_line(
        ["group", "key", "name", "platform", "posts", "deliveries"]
            .into_iter()
            .map(str::to_owned)
            .chain(Metric::ALL.iter().map(|m| m.key().to_owned())),
    ));
    let line = |kind: &str, key: &str, label: &str, platform: Option<Platform>, t: &Totals| {
        csv_line(
            [
                kind.to_owned(),
                key.to_owned(),
                label.to_owned(),
                platform.map(|p| p.as_str().to_owned()).unwrap_or_default(),
                t.posts.to_string(),
                t.deliveries.to_string(),
            ]
            .into_iter()
            .chain(
                t.figures
                    .values()
                    .into_iter()
                    .map(|v| v.map(|v| v.to_string()).unwrap_or_default()),
            ),
        )
    };
    for r in &report.rows {
        out.push_str(&line(
            report.group_by.as_str(),
            &r.key,
            &r.label,
            r.platform,
            &r.totals,
        ));
    }
    out.push_str(&line("total", "", "", None, &report.total));
    out
}

fn csv_line(cells: impl Iterator<Item = String>) -> String {
    let mut line = cells
        .map(|c| {
            // A leading =, +, - or @ would run as a formula in spreadsheets.
            let c = if c.starts_with(['=', '+', '-', '@']) && c.parse::<i64>().is_err() {
                format!("'{c}")
            } else {
                c
            };
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// One channel's figures over time, for a post's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChannelMetrics {
    pub channel_id: ChannelId,
    pub channel_name: String,
    pub platform: Platform,
    pub published_at: DateTime<Utc>,
    pub latest: Figures,
    pub sources: Vec<Option<String>>,
    pub collected_at: Option<DateTime<Utc>>,
    /// When the next snapshot is due; `None` once collection has finished.
    pub next_at: Option<DateTime<Utc>>,
    /// Why the last collection failed, until one succeeds.
    pub last_error: Option<String>,
    pub snapshots: Vec<Snapshot>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Snapshot {
    pub collected_at: DateTime<Utc>,
    pub figures: Figures,
}

/// A post's reach: each channel's latest figures and growth, and totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PostMetrics {
    pub post_id: PostId,
    pub channels: Vec<ChannelMetrics>,
    pub total: Totals,
    pub notes: Vec<MetricNote>,
}

impl PostMetrics {
    pub fn new(post_id: PostId, channels: Vec<ChannelMetrics>) -> PostMetrics {
        let rows: Vec<DeliveryFigures> = channels
            .iter()
            .map(|c| DeliveryFigures {
                post_id,
                title: String::new(),
                campaign: None,
                channel_id: c.channel_id,
                channel_name: c.channel_name.clone(),
                platform: c.platform,
                published_at: c.published_at,
                figures: c.latest,
                sources: c.sources.clone(),
                collected_at: c.collected_at,
            })
            .collect();
        PostMetrics {
            post_id,
            total: Totals::accumulate(&rows),
            notes: notes(&rows),
            channels,
        }
    }
}

/// The date `days` days before `today`, for "last N days" ranges.
pub fn days_back(today: NaiveDate, days: i64) -> NaiveDate {
    today - chrono::Duration::days(days.max(0))
}

/// A local date's weekday-free label "YYYY-MM-DD".
pub fn day_label(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        post: i64,
        channel: i64,
        platform: Platform,
        at: &str,
        views: Option<i64>,
    ) -> DeliveryFigures {
        DeliveryFigures {
            post_id: PostId(post),
            title: format!("Post {post}"),
            campaign: (post % 2 == 0).then(|| "launch".to_owned()),
            channel_id: ChannelId(channel),
            channel_name: format!("Channel {channel}"),
            platform,
            published_at: at.parse().unwrap(),
            figures: Figures {
                views,
                reach: None,
                reactions: Some(post),
                ..Figures::default()
            },
            sources: vec![
                views.map(|_| "impression_count".to_owned()),
                None,
                Some("like_count".into()),
                None,
                None,
                None,
                None,
            ],
            collected_at: None,
        }
    }

    #[test]
    fn absent_figures_stay_absent_and_say_who_reported() {
        let rows = [
            row(1, 10, Platform::X, "2026-03-01T10:00:00Z", Some(100)),
            row(2, 11, Platform::Wechat, "2026-03-01T11:00:00Z", None),
        ];
        let t = Totals::accumulate(&rows);
        assert_eq!(t.figures.views, Some(100));
        assert_eq!(t.figures.reach, None);
        assert_eq!(t.reported[0], 1);
        assert_eq!(t.figures.reactions, Some(3));
        assert_eq!((t.deliveries, t.posts), (2, 2));
        let g = group(&rows, GroupBy::Platform);
        assert_eq!(g[0].label, "x");
        assert_eq!(g[1].totals.figures.views, None);
    }

    #[test]
    fn ranges_are_local_days() {
        let r = ReportRequest::new(
            "2026-03-01".parse().unwrap(),
            "2026-03-01".parse().unwrap(),
            "Asia/Shanghai",
            GroupBy::Post,
        )
        .unwrap();
        let (a, b) = r.bounds();
        assert_eq!(a.to_rfc3339(), "2026-02-28T16:00:00+00:00");
        assert_eq!(b.to_rfc3339(), "2026-03-01T16:00:00+00:00");
        assert!(ReportRequest::new(
            r.to,
            r.from - chrono::Duration::days(1),
            "UTC",
            GroupBy::Post
        )
        .is_err());
        assert!(ReportRequest::new(r.from, r.to, "Mars/Olympus", GroupBy::Post).is_err());
    }

    #[test]
    fn growth_accumulates_per_local_day() {
        let req = ReportRequest::new(
            "2026-03-01".parse().unwrap(),
            "2026-03-03".parse().unwrap(),
            "Asia/Shanghai",
            GroupBy::Platform,
        )
        .unwrap();
        let q = |s: &str| s.parse::<DateTime<Utc>>().unwrap().timestamp() / 900;
        let mut g = [None; 7];
        g[0] = Some(5);
        let buckets = [
            // 2026-03-01 23:45 in Shanghai
            GrowthBucket {
                platform: Platform::X,
                quarter: q("2026-03-01T15:45:00Z"),
                gains: g,
            },
            // 2026-03-02 00:00 in Shanghai
            GrowthBucket {
                platform: Platform::X,
                quarter: q("2026-03-01T16:00:00Z"),
                gains: g,
            },
        ];
        let out = growth_by_day(&req, &buckets, "2026-03-10T00:00:00Z".parse().unwrap());
        assert_eq!(out.days.len(), 3);
        let views: Vec<Option<i64>> = out.series[0].points.iter().map(|p| p.views).collect();
        assert_eq!(views, vec![Some(5), Some(10), Some(10)]);
        assert_eq!(out.series[0].points[0].reach, None);
    }

    #[test]
    fn csv_escapes_and_leaves_absent_cells_empty() {
        let mut rows = vec![row(1, 10, Platform::X, "2026-03-01T10:00:00Z", None)];
        rows[0].title = "=cmd, \"quoted\"".into();
        let req = ReportRequest::new(
            "2026-03-01".parse().unwrap(),
            "2026-03-01".parse().unwrap(),
            "UTC",
            GroupBy::Post,
        )
        .unwrap();
        let rep = build(&req, &rows, &[], "2026-03-02T00:00:00Z".parse().unwrap());
        let csv = to_csv(&rep);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "group,key,name,platform,posts,deliveries,views,reach,reactions,comments,shares,link_clicks,saves");
        assert_eq!(lines[1], "post,1,\"'=cmd, \"\"quoted\"\"\",x,1,1,,,1,,,,");
        assert_eq!(lines[2], "total,,,,1,1,,,1,,,,");
    }

    #[test]
    fn best_hours_need_two_posts_behind_them() {
        let rows = [
            row(2, 10, Platform::X, "2026-03-01T10:00:00Z", Some(1)),
            row(4, 10, Platform::X, "2026-03-02T10:30:00Z", Some(1)),
            row(9, 10, Platform::X, "2026-03-02T12:00:00Z", Some(1)),
        ];
        let b = best_hours(&rows, "UTC".parse().unwrap());
        assert_eq!(b[0].hours.len(), 2);
        assert_eq!(b[0].best, Some(10));
        assert_eq!(b[0].hours[0].avg_engagement, Some(3.0));
    }
}
