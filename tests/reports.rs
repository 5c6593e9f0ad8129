//! Reach collection and reports end to end, on SQLite and on PostgreSQL:
//! posts published by the scheduler to the platform emulator, their figures
//! collected on the schedule (`Scheduler::collect`) on the app's manual
//! clock, and reports checked against sums the test computes itself from
//! the stored snapshots.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::world::World;
use common::Backend;
use std::collections::BTreeMap;
use tongbu::domain::content::Platform;
use tongbu::domain::metrics::Metric;
use tongbu::domain::post::{PostContent, PostInput, PostView};
use tongbu::domain::reports::{GroupBy, PostMetrics, ReachReport};
use tongbu::domain::schedule::When;
use tongbu::domain::workflow::Action;
use tongbu::domain::{ChannelId, PostId, Role};
use tongbu::emulator::{EmuPlatform, Fault, FaultRule, FaultScope};
use tongbu::scheduler::{Scheduler, SchedulerConfig};
use tongbu::server::reports::ReportQuery;
use tongbu::server::{accounts, channels, posts, reports};

impl World {
    async fn new(backend: Backend) -> World {
        World::with_scheduler(backend, SchedulerConfig::default()).await
    }

    /// A post published now on `channels` by one scheduler round.
    async fn publish(
        &self,
        text: &str,
        campaign: Option<&str>,
        channels: &[ChannelId],
    ) -> PostView {
        let due = self.soon();
        let draft = posts::create(
            &self.app.state,
            &common::as_member(&self.app.state, &self.owner, self.ws).await,
            PostInput {
                content: PostContent {
                    text: text.into(),
                    ..PostContent::default()
                },
                channels: channels.to_vec(),
                schedule: Some(When::At {
                    local: due.naive_utc(),
                    zone: "UTC".into(),
                    dst: None,
                }),
                campaign: campaign.map(str::to_owned),
            },
        )
        .await
        .expect("create post");
        posts::act(
            &self.app.state,
            &common::as_member(&self.app.state, &self.owner, self.ws).await,
            draft.id,
            Action::Submit,
        )
        .await
        .expect("submit");
        self.travel_to(due);
        let r = self.scheduler.tick().await.expect("round");
        assert_eq!(r.published, channels.len(), "{r:?}");
        posts::get(
            &self.app.state,
            &common::as_member(&self.app.state, &self.owner, self.ws).await,
            draft.id,
        )
        .await
        .expect("post")
    }

    async fn collect(&self) -> tongbu::scheduler::collect::Collection {
        self.scheduler.collect().await.expect("collection")
    }

    async fn metrics(&self, post: PostId) -> PostMetrics {
        reports::post_metrics(
            &self.app.state,
            &common::as_member(&self.app.state, &self.owner, self.ws).await,
            post,
        )
        .await
        .expect("post metrics")
    }

    async fn report(&self, from: &str, to: &str, tz: &str, group_by: GroupBy) -> ReachReport {
        let req = ReportQuery {
            from: Some(from.into()),
            to: Some(to.into()),
            tz: Some(tz.into()),
            group_by: Some(group_by.as_str().into()),
        }
        .parse(self.now())
        .expect("query");
        reports::reach(
            &self.app.state,
            &common::as_member(&self.app.state, &self.owner, self.ws).await,
            &req,
        )
        .await
        .expect("report")
    }
}

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        on_both_backends! { $($name => $name;)* }
    };
}

scenarios![
    snapshots_follow_the_schedule_and_absent_figures_stay_absent,
    a_rate_limited_collection_waits_for_the_reset_and_stores_one_snapshot,
    failed_calls_are_retried_and_two_collectors_never_double_collect,
    reports_equal_independent_sums_for_every_grouping_and_time_zone,
];

async fn snapshots_follow_the_schedule_and_absent_figures_stay_absent(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Brand on X").await;
    let fb = w.channel(Platform::Facebook, "Brand Page").await;
    let post = w.publish("Reach, measured.", None, &[x, fb]).await;
    let published = w.now();

    // Tracked at once; nothing is asked before the first slot (+1 h).
    let c = w.collect().await;
    assert_eq!((c.tracked, c.claimed, c.stored), (2, 0, 0), "{c:?}");
    w.travel_to(published + Duration::minutes(59));
    assert_eq!(w.collect().await.claimed, 0);

    w.travel_to(published + Duration::hours(1));
    let c = w.collect().await;
    assert_eq!((c.claimed, c.stored, c.failed), (2, 2, 0), "{c:?}");
    // Once per slot: the next one is +6 h.
    w.travel_to(published + Duration::hours(5));
    assert_eq!(w.collect().await.claimed, 0);
    w.travel_to(published + Duration::hours(6));
    assert_eq!(w.collect().await.stored, 2);

    let m = w.metrics(post.id).await;
    assert_eq!(m.channels.len(), 2);
    for ch in &m.channels {
        assert_eq!(ch.snapshots.len(), 2, "{ch:?}");
        let first = ch.snapshots[0].figures;
        let second = ch.snapshots[1].figures;
        assert!(first.views.unwrap_or(0) <= second.views.unwrap_or(0));
        assert_eq!(ch.latest, second);
        assert_eq!(ch.next_at, Some(published + Duration::hours(24)));
        match ch.platform {
            // X has no unique reach; Facebook no saves: absent, never 0.
            Platform::X => {
                assert_eq!(ch.latest.reach, None);
                assert!(ch.latest.views.is_some());
                assert_eq!(
                    ch.sources[Metric::Views.index()].as_deref(),
                    Some("impression_count")
                );
            }
            Platform::Facebook => {
                assert_eq!(ch.latest.saves, None);
                assert!(ch.latest.reach.is_some());
                assert_eq!(
                    ch.sources[Metric::Reach.index()].as_deref(),
                    Some("post_total_media_view_unique")
                );
            }
            p => panic!("unexpected platform {p:?}"),
        }
    }
    // Totals leave X's missing reach out and say so.
    assert_eq!(m.total.reported[Metric::Reach.index()], 1);
    assert!(m
        .notes
        .iter()
        .any(|n| n.source == "impression_count" && n.definition.is_some()));

    // A collector that fell behind takes one snapshot, for the latest due
    // slot, not one per missed slot.
    w.travel_to(published + Duration::days(8));
    assert_eq!(w.collect().await.stored, 2);
    let m = w.metrics(post.id).await;
    assert!(m.channels.iter().all(|c| c.snapshots.len() == 3));
    assert!(m
        .channels
        .iter()
        .all(|c| c.next_at == Some(published + Duration::days(30))));
}

async fn a_rate_limited_collection_waits_for_the_reset_and_stores_one_snapshot(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Brand on X").await;
    let post = w.publish("Throttled figures.", None, &[x]).await;
    let published = w.now();
    w.collect().await;
    w.emu().inject(FaultRule {
        scope: FaultScope::All,
        ..FaultRule::new(
            EmuPlatform::X,
            Fault::RateLimit {
                reset_after_secs: 900,
            },
        )
        .times(1)
    });
    w.travel_to(published + Duration::hours(1));
    let before = Utc::now();
    let c = w.collect().await;
    assert_eq!((c.claimed, c.stored, c.failed), (1, 0, 1), "{c:?}");
    let m = w.metrics(post.id).await;
    let ch = &m.channels[0];
    assert!(ch.snapshots.is_empty());
    assert!(ch.last_error.is_some(), "{ch:?}");
    // X dates its reset on the wall clock: the track waits for it.
    let next = ch.next_at.expect("still collecting");
    assert!(
        next >= before + Duration::minutes(15) - Duration::seconds(5),
        "{next} vs {before}"
    );

    // Nothing is asked before the reset, however often the collector looks.
    w.travel_to(next - Duration::seconds(1));
    assert_eq!(w.collect().await.claimed, 0);
    w.travel_to(next);
    let c = w.collect().await;
    assert_eq!((c.claimed, c.stored), (1, 1), "{c:?}");
    let m = w.metrics(post.id).await;
    assert_eq!(m.channels[0].snapshots.len(), 1);
    assert_eq!(m.channels[0].last_error, None);
}

async fn failed_calls_are_retried_and_two_collectors_never_double_collect(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Brand on X").await;
    let fb = w.channel(Platform::Facebook, "Brand Page").await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(w.publish(&format!("Post {i}"), None, &[x, fb]).await.id);
    }
    w.collect().await;
    w.emu().inject(FaultRule {
        scope: FaultScope::All,
        ..FaultRule::new(EmuPlatform::Facebook, Fault::ErrorBeforeCommit).times(1)
    });
    let first = w.now();
    w.travel_to(first + Duration::hours(1));
    let c = w.collect().await;
    assert_eq!((c.claimed, c.stored, c.failed), (12, 6, 6), "{c:?}");

    // Two collectors (two processes' schedulers) look at once after the
    // backoff: each due track is collected by exactly one of them.
    let other = Scheduler::new(w.app.state.scheduler_ports(), SchedulerConfig::default());
    w.travel_to(w.now() + Duration::minutes(2));
    let (a, b2) = tokio::join!(w.scheduler.collect(), other.collect());
    let (a, b2) = (a.expect("collector a"), b2.expect("collector b"));
    assert_eq!(a.claimed + b2.claimed, 6, "{a:?} {b2:?}");
    assert_eq!(a.stored + b2.stored, 6, "{a:?} {b2:?}");
    for id in ids {
        let m = w.metrics(id).await;
        for ch in &m.channels {
            assert_eq!(ch.snapshots.len(), 1, "{ch:?}");
            assert_eq!(ch.last_error, None);
        }
    }
    assert_eq!(
        w.app
            .state
            .store
            .count_snapshots(w.ws)
            .await
            .expect("count"),
        12
    );
}

/// The latest stored snapshot of every delivery, read through each post's
/// snapshot list (not the tracks the report reads).
async fn latest_snapshots(
    w: &World,
    posts: &[PostView],
) -> Vec<(
    PostView,
    ChannelId,
    Platform,
    String,
    DateTime<Utc>,
    [Option<i64>; 7],
)> {
    let mut out = Vec::new();
    let names: BTreeMap<ChannelId, String> = channels::channels(
        &w.app.state,
        &common::as_member(&w.app.state, &w.owner, w.ws).await,
    )
    .await
    .expect("channels")
    .into_iter()
    .map(|c| (c.id, c.name))
    .collect();
    for p in posts {
        for ch in w.metrics(p.id).await.channels {
            let last = ch
                .snapshots
                .last()
                .map(|s| s.figures.values())
                .unwrap_or([None; 7]);
            out.push((
                p.clone(),
                ch.channel_id,
                ch.platform,
                names[&ch.channel_id].clone(),
                ch.published_at,
                last,
            ));
        }
    }
    out
}

async fn reports_equal_independent_sums_for_every_grouping_and_time_zone(b: Backend) {
    let w = World::new(b).await;
    let x = w.channel(Platform::X, "Brand on X").await;
    let fb = w.channel(Platform::Facebook, "Brand Page").await;
    let start = w.now();
    // Posts spread over three days and across midnights of several zones.
    let mut published = Vec::new();
    for i in 0..8 {
        let on: &[ChannelId] = if i % 3 == 0 { &[x] } else { &[x, fb] };
        let campaign = ["spring", "launch"].get(i % 3).copied();
        published.push(w.publish(&format!("Story {i}"), campaign, on).await);
        w.travel_to(w.now() + Duration::hours(7));
        w.collect().await;
    }
    w.travel_to(w.now() + Duration::days(2));
    w.collect().await;
    let latest = latest_snapshots(&w, &published).await;
    assert!(
        latest.iter().all(|l| l.5[0].is_some()),
        "every delivery has views"
    );

    for tz_name in ["UTC", "Asia/Shanghai", "America/Los_Angeles"] {
        let tz: chrono_tz::Tz = tz_name.parse().unwrap();
        let from = start.with_timezone(&tz).date_naive();
        let to = from + Duration::days(1);
        let lo = tongbu::domain::reports::local_midnight(tz, from);
        let hi = tongbu::domain::reports::local_midnight(tz, to + Duration::days(1));
        let inside: Vec<_> = latest.iter().filter(|l| l.4 >= lo && l.4 < hi).collect();
        assert!(
            !inside.is_empty() && inside.len() < latest.len(),
            "{tz_name}: the range cuts the data"
        );
        for g in GroupBy::ALL {
            let r = w
                .report(&from.to_string(), &to.to_string(), tz_name, g)
                .await;
            // Independent sums, per group key.
            let mut want: BTreeMap<String, [Option<i64>; 7]> = BTreeMap::new();
            for (post, channel, platform, _, _, v) in &inside {
                let key = match g {
                    GroupBy::Platform => platform.as_str().to_owned(),
                    GroupBy::Channel => channel.to_string(),
                    GroupBy::Post => post.id.to_string(),
                    GroupBy::Campaign => post.campaign.clone().unwrap_or_default(),
                };
                let e = want.entry(key).or_insert([None; 7]);
                for m in 0..7 {
                    if let Some(x) = v[m] {
                        e[m] = Some(e[m].unwrap_or(0) + x);
                    }
                }
            }
            let got: BTreeMap<String, [Option<i64>; 7]> = r
                .rows
                .iter()
                .map(|row| (row.key.clone(), row.totals.figures.values()))
                .collect();
            assert_eq!(got, want, "{tz_name} by {g:?}");
            let total: i64 = inside.iter().map(|l| l.5[0].unwrap()).sum();
            assert_eq!(r.total.figures.views, Some(total), "{tz_name}");
            assert_eq!(r.total.deliveries as usize, inside.len());
            // X reports no reach: the total reach counts Facebook only.
            let fb_reach: Option<i64> = inside
                .iter()
                .filter(|l| l.2 == Platform::Facebook)
                .map(|l| l.5[1])
                .reduce(|a, b| Some(a.unwrap_or(0) + b.unwrap_or(0)))
                .flatten();
            assert_eq!(r.total.figures.reach, fb_reach, "{tz_name}");
            // The growth lines end at the deliveries' latest views.
            let grown: i64 = r
                .growth
                .series
                .iter()
                .filter_map(|s| s.points.last().and_then(|p| p.views))
                .sum();
            assert!(
                grown <= total,
                "{tz_name}: growth {grown} within total {total}"
            );
        }
    }
}

/// The API's JSON and CSV agree row for row, and other workspaces' members
/// see nothing.
#[tokio::test]
async fn the_csv_export_equals_the_table_and_is_scoped_to_members() {
    let w = World::new(Backend::Sqlite).await;
    let x = w.channel(Platform::X, "Brand on X").await;
    let fb = w.channel(Platform::Facebook, "Brand, \"Page\"").await;
    w.publish("First", Some("spring"), &[x, fb]).await;
    w.publish("Second", None, &[x]).await;
    w.travel_to(w.now() + Duration::hours(2));
    w.collect().await;

    let token = tongbu::server::tokens::create(&w.app.state, &w.owner, "reports")
        .await
        .expect("token")
        .token;
    let c = reqwest::Client::new();
    let day = w.now().date_naive();
    let q = format!(
        "from={}&to={}&tz=UTC&group_by=channel",
        day - Duration::days(1),
        day
    );
    let json: ReachReport = c
        .get(w.app.url(&format!("/api/v1/reports/reach?{q}")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("json")
        .json()
        .await
        .expect("report json");
    let csv = c
        .get(w.app.url(&format!("/api/v1/reports/reach.csv?{q}")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = csv.text().await.expect("csv text");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let lines: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(lines.len(), json.rows.len() + 1);
    for (line, row) in lines.iter().zip(&json.rows) {
        assert_eq!(&line[1], row.key);
        assert_eq!(&line[2], row.label);
        for (i, m) in Metric::ALL.iter().enumerate() {
            let cell = &line[6 + i];
            let want = row
                .totals
                .figures
                .get(*m)
                .map(|v| v.to_string())
                .unwrap_or_default();
            assert_eq!(cell, want, "{m:?} of {}", row.label);
        }
    }
    assert_eq!(&lines[lines.len() - 1][0], "total");
    assert_eq!(
        lines[lines.len() - 1][6].parse::<i64>().ok(),
        json.total.figures.views
    );

    // Bad input is named; another workspace's member gets nothing.
    let bad = c
        .get(w.app.url("/api/v1/reports/reach?from=2026-13-01"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("bad");
    assert_eq!(bad.status(), 422);
    let (stranger, _) = accounts::provision_user(
        &w.app.state,
        "stranger@example.com",
        "Elsewhere",
        Role::Owner,
        "long-password-123".into(),
    )
    .await
    .expect("stranger");
    // Membership is proven before any report is read: a stranger's call
    // stops there, as not found.
    let err = tongbu::server::access::Member::resolve(&w.app.state, &stranger, w.ws)
        .await
        .expect_err("not a member");
    assert_eq!(err.status(), 404);
}
