//! The reach report: what published posts gathered over a date range, in
//! the reader's time zone. Summary cards, growth and per-platform charts, a
//! table grouped by platform, channel, post or campaign (its CSV holds the
//! same rows), top posts, publishing hours and what each platform's metric
//! means. The query lives in the URL, so a report can be linked.

use crate::api::reports::get_reach_report;
use crate::domain::metrics::Metric;
use crate::domain::reports::{
    day_label, days_back, BestHours, GroupBy, MetricNote, ReachReport, ReportRow, TopPost, Totals,
};
use crate::domain::WorkspaceId;
use crate::i18n::Msg;
use crate::ui::components::charts::{BarChart, LineChart, Series};
use crate::ui::components::feedback::{EmptyState, ErrorNote};
use crate::ui::components::layout::use_workspace;
use crate::ui::format::{
    browser_zone, compact_number, figure_text, local_time, metric_name, number_text, parse_tz,
    platform_short, COMMON_ZONES,
};
use crate::ui::i18n::use_i18n;
use crate::ui::pages::channels::platform_badge;
use chrono::{NaiveDate, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// What the page asks the server for. Every part is in the URL.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Ask {
    from: String,
    to: String,
    tz: String,
    group_by: String,
}

impl Ask {
    fn query(&self) -> String {
        [
            ("from", &self.from),
            ("to", &self.to),
            ("tz", &self.tz),
            ("group_by", &self.group_by),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// Percent-encodes a query value (time zones hold `/` and `+`).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn today_in(tz: &str) -> NaiveDate {
    Utc::now().with_timezone(&parse_tz(tz)).date_naive()
}

/// The CSV of exactly the report on screen: same range, zone and grouping.
fn csv_href(ws: WorkspaceId, r: &ReachReport) -> String {
    format!(
        "/api/v1/reports/reach.csv?workspace={}&from={}&to={}&tz={}&group_by={}",
        ws.0,
        day_label(r.from),
        day_label(r.to),
        encode(&r.tz),
        r.group_by.as_str()
    )
}

fn group_name(g: GroupBy) -> Msg {
    match g {
        GroupBy::Platform => Msg::ReportGroupPlatform,
        GroupBy::Channel => Msg::ReportGroupChannel,
        GroupBy::Post => Msg::ReportGroupPost,
        GroupBy::Campaign => Msg::ReportGroupCampaign,
    }
}

fn as_f64(v: Option<i64>) -> Option<f64> {
    v.map(|v| v as f64)
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let i18n = use_i18n();
    let ws = use_workspace().id;
    let query = use_query_map();
    // UTC while the server renders and the page hydrates, then the
    // browser's own zone unless the URL names one.
    let browser_tz = RwSignal::new("UTC".to_owned());
    Effect::new(move |_| browser_tz.set(browser_zone().name().to_owned()));
    let ask = Memo::new(move |_| {
        let (from, to, tz, group_by) = query.with(|q| {
            let get = |k: &str| {
                q.get(k)
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
            };
            (get("from"), get("to"), get("tz"), get("group_by"))
        });
        let tz = tz.unwrap_or_else(|| browser_tz.get());
        // The server's defaults, made explicit so the inputs show them.
        let to = to.unwrap_or_else(|| day_label(today_in(&tz)));
        let from = from.unwrap_or_else(|| {
            NaiveDate::parse_from_str(&to, "%Y-%m-%d")
                .map(|t| day_label(days_back(t, 29)))
                .unwrap_or_default()
        });
        Ask {
            from,
            to,
            tz,
            group_by: group_by.unwrap_or_else(|| GroupBy::Platform.as_str().to_owned()),
        }
    });
    let report = Resource::new(
        move || ask.get(),
        move |a| get_reach_report(ws, Some(a.from), Some(a.to), Some(a.tz), Some(a.group_by)),
    );
    let metric = RwSignal::new(Metric::Views);

    let navigate = use_navigate();
    let location = use_location();
    let go = Callback::new(move |next: Ask| {
        let path = location.pathname.get_untracked();
        navigate(
            &format!("{path}?{}", next.query()),
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    });
    let change = move |edit: &dyn Fn(&mut Ask)| {
        let mut next = ask.get_untracked();
        edit(&mut next);
        go.run(next);
    };
    let last_days = move |n: i64| {
        change(&|a: &mut Ask| {
            let today = today_in(&a.tz);
            a.from = day_label(days_back(today, n - 1));
            a.to = day_label(today);
        })
    };
    let is_last = move |n: i64| {
        let a = ask.get();
        let today = today_in(&a.tz);
        a.to == day_label(today) && a.from == day_label(days_back(today, n - 1))
    };

    let quick = [
        (7, Msg::ReportLast7),
        (30, Msg::ReportLast30),
        (90, Msg::ReportLast90),
    ]
    .into_iter()
    .map(|(n, label)| {
        view! {
            <button type="button" data-testid=format!("range-{n}") class:active=move || is_last(n)
                aria-pressed=move || if is_last(n) { "true" } else { "false" }
                on:click=move |_| last_days(n)>{move || i18n.t(label)}</button>
        }
    })
    .collect_view();
    let groups = GroupBy::ALL
        .into_iter()
        .map(|g| {
            let on = move || ask.get().group_by == g.as_str();
            view! {
                <button type="button" data-testid=format!("group-{}", g.as_str()) class:active=on
                    aria-pressed=move || if on() { "true" } else { "false" }
                    on:click=move |_| change(&|a: &mut Ask| a.group_by = g.as_str().to_owned())>
                    {move || i18n.t(group_name(g))}
                </button>
            }
        })
        .collect_view();
    let zone_options = COMMON_ZONES
        .into_iter()
        .map(|z| view! { <option value=z></option> })
        .collect_view();

    view! {
        <Title text=move || i18n.t(Msg::ReportsTitle)/>
        <div class="page-header">
            <h1>{move || i18n.t(Msg::ReportsTitle)}</h1>
        </div>
        <p class="muted report-intro">{move || i18n.t(Msg::ReportIntro)}</p>
        <div class="report-controls" data-testid="report-controls">
            <div class="report-control-row" role="group" aria-label=move || i18n.t(Msg::ReportRangeLabel)>
                <label class="inline-field">
                    <span>{move || i18n.t(Msg::ReportFrom)}</span>
                    <input type="date" data-testid="report-from" prop:value=move || ask.get().from
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            change(&|a: &mut Ask| a.from = v.clone());
                        }/>
                </label>
                <label class="inline-field">
                    <span>{move || i18n.t(Msg::ReportTo)}</span>
                    <input type="date" data-testid="report-to" prop:value=move || ask.get().to
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            change(&|a: &mut Ask| a.to = v.clone());
                        }/>
                </label>
                <div class="segmented" role="group" aria-label=move || i18n.t(Msg::ReportRangeLabel)>{quick}</div>
            </div>
            <div class="report-control-row">
                <div class="inline-field">
                    <span id="report-group-label">{move || i18n.t(Msg::ReportGroupBy)}</span>
                    <div class="segmented" role="group" aria-labelledby="report-group-label" data-testid="report-group">{groups}</div>
                </div>
                <label class="inline-field">
                    <span>{move || i18n.t(Msg::ReportZone)}</span>
                    <input list="report-zones" data-testid="report-zone" autocomplete="off" spellcheck="false"
                        prop:value=move || ask.get().tz
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            change(&|a: &mut Ask| a.tz = v.trim().to_owned());
                        }/>
                    <datalist id="report-zones">{zone_options}</datalist>
                </label>
            </div>
        </div>
        <Transition fallback=move || view! { <p class="muted" aria-busy="true">{move || i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(r) if r.total.deliveries == 0 => view! {
                        <div data-testid="report-empty">
                            <EmptyState icon="▤" title=Msg::ReportsEmpty body=Msg::ReportsEmptyHint/>
                        </div>
                    }.into_any(),
                    Ok(r) => view! { <ReportBody ws report=r metric/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ReportBody(ws: WorkspaceId, report: ReachReport, metric: RwSignal<Metric>) -> impl IntoView {
    let i18n = use_i18n();
    let tz = parse_tz(&report.tz);
    let from = day_label(report.from);
    let to = day_label(report.to);
    let zone = report.tz.clone();
    let generated = local_time(report.generated_at, tz);
    let info = {
        let (from, to) = (from.clone(), to.clone());
        move || {
            format!(
                "{} · {}",
                i18n.tf(
                    Msg::ReportRangeInfo,
                    &[("from", &from), ("to", &to), ("zone", &zone)]
                ),
                i18n.tf(Msg::ReportGeneratedAt, &[("when", &generated)])
            )
        }
    };
    let csv = csv_href(ws, &report);
    let ReachReport {
        rows,
        total,
        by_platform,
        growth,
        top_posts,
        best_hours,
        notes,
        group_by,
        tz: zone_name,
        ..
    } = report;

    // The growth chart's data for the chosen figure.
    let days: Vec<String> = growth.days.iter().map(|d| day_label(*d)).collect();
    let day_ticks: Vec<String> = growth
        .days
        .iter()
        .map(|d| d.format("%m-%d").to_string())
        .collect();
    let growth_chart = {
        let (from, to) = (from.clone(), to.clone());
        move || {
            let m = metric.get();
            let name = i18n.t(metric_name(m));
            let series: Vec<Series> = growth
                .series
                .iter()
                .map(|s| Series {
                    name: platform_short(s.platform).to_owned(),
                    key: s.platform.as_str().to_owned(),
                    values: s.points.iter().map(|p| as_f64(p.get(m))).collect(),
                })
                .collect();
            let summary = series_summary(&series);
            view! {
                <LineChart
                    label=i18n.tf(Msg::ReportGrowthLabel, &[("metric", name), ("from", &from), ("to", &to)])
                    summary
                    labels=days.clone()
                    ticks=day_ticks.clone()
                    series
                    format=number_text
                    axis_format=compact_number
                    empty=i18n.t(Msg::ReportGrowthEmpty)
                    testid="growth-chart"
                />
            }
        }
    };
    let platform_chart = move || {
        let m = metric.get();
        let name = i18n.t(metric_name(m));
        let labels: Vec<String> = by_platform
            .iter()
            .map(|r| {
                r.platform
                    .map(|p| platform_short(p).to_owned())
                    .unwrap_or_else(|| r.label.clone())
            })
            .collect();
        let keys: Vec<String> = by_platform.iter().map(|r| r.key.clone()).collect();
        let values: Vec<Option<f64>> = by_platform
            .iter()
            .map(|r| as_f64(r.totals.figures.get(m)))
            .collect();
        let summary = labels
            .iter()
            .zip(&values)
            .map(|(l, v)| format!("{l}: {}", v.map(number_text).unwrap_or_else(|| "—".into())))
            .collect::<Vec<_>>()
            .join("; ");
        view! {
            <BarChart
                label=i18n.tf(Msg::ReportByPlatformLabel, &[("metric", name), ("from", &from), ("to", &to)])
                summary
                labels
                keys
                series=vec![Series { name: name.to_owned(), key: String::new(), values }]
                format=number_text
                axis_format=compact_number
                absent=i18n.t(Msg::ReportNotProvided)
                empty=i18n.t(Msg::ReportGrowthEmpty)
                testid="platform-chart"
            />
        }
    };
    let metric_options = Metric::ALL
        .into_iter()
        .map(|m| {
            view! { <option value=m.key() selected=move || metric.get() == m>{move || i18n.t(metric_name(m))}</option> }
        })
        .collect_view();

    view! {
        <p class="muted small" data-testid="report-info">{info}</p>
        <SummaryCards total=total.clone()/>
        <section class="card report-charts">
            <div class="card-head">
                <h2>{move || i18n.t(Msg::ReportChartsTitle)}</h2>
                <label class="inline-field">
                    <span>{move || i18n.t(Msg::ReportMetric)}</span>
                    <select data-testid="report-metric" on:change=move |ev| {
                        if let Some(m) = Metric::parse(&event_target_value(&ev)) { metric.set(m); }
                    }>{metric_options}</select>
                </label>
            </div>
            <div class="report-chart-grid">
                <div>
                    <h3>{move || i18n.t(Msg::ReportGrowthTitle)}</h3>
                    {growth_chart}
                </div>
                <div>
                    <h3>{move || i18n.t(Msg::ReportByPlatformTitle)}</h3>
                    {platform_chart}
                </div>
            </div>
        </section>
        <ReportTable ws group_by rows total csv/>
        <div class="report-grid">
            <TopPosts ws posts=top_posts tz=zone_name.clone()/>
            <PublishingHours hours=best_hours zone=zone_name/>
        </div>
        <MetricNotes notes/>
    }
}

/// "X: 120; Facebook: —" from each series' last value.
fn series_summary(series: &[Series]) -> String {
    series
        .iter()
        .map(|s| {
            let last = s.values.iter().rev().flatten().next().copied();
            format!(
                "{}: {}",
                s.name,
                last.map(number_text).unwrap_or_else(|| "—".into())
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// "Reported by 3 of 5 deliveries" when some but not every delivery gave
/// a figure (none at all shows as —).
fn reported_note(t: &Totals, m: Metric) -> Option<(u32, u32)> {
    let n = t.reported.get(m.index()).copied().unwrap_or(0);
    (n > 0 && n < t.deliveries).then_some((n, t.deliveries))
}

#[component]
fn SummaryCards(total: Totals) -> impl IntoView {
    let i18n = use_i18n();
    let f = total.figures;
    let parts = total.clone();
    let part = move |m: Metric| {
        let note = reported_note(&parts, m);
        view! {
            <li>
                <span>{move || i18n.t(metric_name(m))}</span> " "
                <strong data-value=f.get(m).map(|v| v.to_string()).unwrap_or_default()>{figure_text(f.get(m))}</strong>
                {note.map(|(n, of)| view! {
                    " " <small class="muted">{move || i18n.tf(Msg::ReportReportedBy, &[("n", &n.to_string()), ("m", &of.to_string())])}</small>
                })}
            </li>
        }
    };
    view! {
        <div class="report-cards" data-testid="report-cards">
            <SummaryCard testid="card-views" title=Msg::MetricViews hint=Msg::ReportCardViewsHint
                value=f.views reported=reported_note(&total, Metric::Views)/>
            <SummaryCard testid="card-reach" title=Msg::MetricReach hint=Msg::ReportCardReachHint
                value=f.reach reported=reported_note(&total, Metric::Reach)/>
            <SummaryCard testid="card-engagement" title=Msg::ReportCardEngagement hint=Msg::ReportCardEngagementHint
                value=f.engagement() reported=None>
                <ul class="card-parts">
                    {part(Metric::Reactions)}
                    {part(Metric::Comments)}
                    {part(Metric::Shares)}
                </ul>
            </SummaryCard>
            <SummaryCard testid="card-clicks" title=Msg::MetricLinkClicks hint=Msg::ReportCardClicksHint
                value=f.link_clicks reported=reported_note(&total, Metric::LinkClicks)/>
        </div>
    }
}

#[component]
fn SummaryCard(
    testid: &'static str,
    title: Msg,
    hint: Msg,
    value: Option<i64>,
    reported: Option<(u32, u32)>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card summary-card" data-testid=testid>
            <h2>{move || i18n.t(title)}</h2>
            <p class="summary-value" data-value=value.map(|v| v.to_string()).unwrap_or_default()>
                {match value {
                    Some(v) => figure_text(Some(v)).into_any(),
                    None => view! { <Absent/> }.into_any(),
                }}
            </p>
            <p class="summary-hint">{move || i18n.t(hint)}</p>
            {reported.map(|(n, of)| view! {
                <p class="summary-reported" data-testid="reported-by">
                    {move || i18n.tf(Msg::ReportReportedBy, &[("n", &n.to_string()), ("m", &of.to_string())])}
                </p>
            })}
            {children.map(|c| c())}
        </section>
    }
}

/// The mark of a figure the platform does not provide: a dash on screen,
/// words for screen readers.
#[component]
pub(crate) fn Absent() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="absent" title=move || i18n.t(Msg::ReportNotProvided)>
            <span aria-hidden="true">"—"</span>
            <span class="visually-hidden">{move || i18n.t(Msg::ReportNotProvided)}</span>
        </span>
    }
}

/// One figure in a table: its raw value in `data-value` (empty when
/// absent), and how many deliveries reported it when not all did.
pub(crate) fn figure_cell(m: Metric, t: &Totals) -> impl IntoView {
    let i18n = use_i18n();
    let v = t.figures.get(m);
    let partial = reported_note(t, m);
    view! {
        <td class="num" class:partial=partial.is_some() data-metric=m.key()
            data-value=v.map(|v| v.to_string()).unwrap_or_default()
            title=move || partial.map(|(n, of)| i18n.tf(Msg::ReportReportedBy, &[("n", &n.to_string()), ("m", &of.to_string())]))>
            {match v {
                Some(v) => figure_text(Some(v)).into_any(),
                None => view! { <Absent/> }.into_any(),
            }}
        </td>
    }
}

/// The column headers of the figures, in `Metric::ALL` order.
pub(crate) fn figure_headers() -> impl IntoView {
    let i18n = use_i18n();
    Metric::ALL
        .into_iter()
        .map(|m| view! { <th class="num" scope="col" data-metric=m.key()>{move || i18n.t(metric_name(m))}</th> })
        .collect_view()
}

#[component]
fn ReportTable(
    ws: WorkspaceId,
    group_by: GroupBy,
    rows: Vec<ReportRow>,
    total: Totals,
    csv: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let body = rows
        .into_iter()
        .map(|r| {
            let name = row_name(ws, group_by, &r);
            view! {
                <tr data-testid="report-row" data-key=r.key.clone() data-name=r.label.clone()>
                    <th scope="row" class="report-name">{name}</th>
                    <td class="num" data-col="posts">{r.totals.posts}</td>
                    <td class="num" data-col="deliveries">{r.totals.deliveries}</td>
                    {Metric::ALL.into_iter().map(|m| figure_cell(m, &r.totals)).collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card report-table-card">
            <div class="card-head">
                <h2>{move || i18n.t(Msg::ReportTableTitle)}</h2>
                <a class="button" href=csv download="" data-testid="export-csv"
                    title=move || i18n.t(Msg::ReportExportHint)>
                    "⇩ " {move || i18n.t(Msg::ReportExportCsv)}
                </a>
            </div>
            <div class="table-scroll">
                <table class="table report-table" data-testid="report-table" data-group=group_by.as_str()>
                    <thead><tr>
                        <th scope="col">{move || i18n.t(group_name(group_by))}</th>
                        <th class="num" scope="col">{move || i18n.t(Msg::ReportPosts)}</th>
                        <th class="num" scope="col">{move || i18n.t(Msg::ReportDeliveries)}</th>
                        {figure_headers()}
                    </tr></thead>
                    <tbody>{body}</tbody>
                    <tfoot>
                        <tr data-testid="report-total" class="report-total">
                            <th scope="row">{move || i18n.t(Msg::ReportTotal)}</th>
                            <td class="num" data-col="posts">{total.posts}</td>
                            <td class="num" data-col="deliveries">{total.deliveries}</td>
                            {Metric::ALL.into_iter().map(|m| figure_cell(m, &total)).collect_view()}
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}

/// A row's name as a person reads it: the platform, the channel, the post
/// (linked) or the campaign tag.
fn row_name(ws: WorkspaceId, group_by: GroupBy, r: &ReportRow) -> AnyView {
    let i18n = use_i18n();
    let badge = r.platform.map(platform_badge);
    match group_by {
        GroupBy::Platform => {
            let name = r
                .platform
                .map(|p| p.display_name().to_owned())
                .unwrap_or_else(|| r.label.clone());
            view! { {badge} " " <span>{name}</span> }.into_any()
        }
        GroupBy::Channel => view! { {badge} " " <span>{r.label.clone()}</span> }.into_any(),
        GroupBy::Post => {
            let text = if r.label.trim().is_empty() {
                format!("#{}", r.key)
            } else {
                r.label.clone()
            };
            view! { <a href=format!("/w/{}/posts/{}", ws.0, r.key) data-testid="report-post-link">{text}</a> }
                .into_any()
        }
        GroupBy::Campaign if r.label.is_empty() => {
            view! { <span class="muted">{move || i18n.t(Msg::ReportNoCampaign)}</span> }.into_any()
        }
        GroupBy::Campaign => view! { <span class="badge">{r.label.clone()}</span> }.into_any(),
    }
}

#[component]
fn TopPosts(ws: WorkspaceId, posts: Vec<TopPost>, tz: String) -> impl IntoView {
    let i18n = use_i18n();
    let tz = parse_tz(&tz);
    let items = posts
        .into_iter()
        .map(|p| {
            let title = if p.title.trim().is_empty() {
                format!("#{}", p.post_id)
            } else {
                p.title.clone()
            };
            let f = p.totals.figures;
            let views = f.views;
            let engagement = f.engagement();
            view! {
                <li data-testid="top-post" data-post=p.post_id.to_string()>
                    <a class="top-post-title" href=format!("/w/{}/posts/{}", ws.0, p.post_id)>{title}</a>
                    <span class="top-post-marks">{p.platforms.iter().map(|pl| platform_badge(*pl)).collect_view()}</span>
                    <span class="top-post-figures">
                        <span>{move || i18n.t(Msg::MetricViews)} " "
                            <strong>{match views { Some(v) => figure_text(Some(v)).into_any(), None => view! { <Absent/> }.into_any() }}</strong></span>
                        " · "
                        <span>{move || i18n.t(Msg::ReportCardEngagement)} " "
                            <strong>{match engagement { Some(v) => figure_text(Some(v)).into_any(), None => view! { <Absent/> }.into_any() }}</strong></span>
                    </span>
                    <small class="muted">{local_time(p.published_at, tz)}</small>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>{move || i18n.t(Msg::ReportTopPosts)}</h2>
            <ol class="top-posts" data-testid="top-posts">{items}</ol>
        </section>
    }
}

#[component]
fn PublishingHours(hours: Vec<BestHours>, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let channels = hours
        .into_iter()
        .map(|c| {
            let top = c
                .hours
                .iter()
                .filter_map(|h| h.avg_engagement)
                .fold(0.0, f64::max);
            let cells = (0u8..24)
                .map(|hour| {
                    let cell = c.hours.iter().find(|h| h.hour == hour).cloned();
                    let best = c.best == Some(hour);
                    let label = format!("{hour:02}:00");
                    match cell {
                        None => view! { <li class="hour" data-hour=hour></li> }.into_any(),
                        Some(h) => {
                            let level = match (h.avg_engagement, top > 0.0) {
                                (Some(e), true) => e / top,
                                _ => 0.0,
                            };
                            let avg = h.avg_engagement.map(number_text).unwrap_or_else(|| "—".into());
                            let posts = h.posts.to_string();
                            let tip = move || i18n.tf(Msg::ReportHourCell, &[("hour", &label), ("posts", &posts), ("avg", &avg)]);
                            let tip2 = tip.clone();
                            view! {
                                <li class="hour has-posts" class:best=best data-hour=hour
                                    style=format!("--level: {level:.2}") title=tip>
                                    <span class="visually-hidden">{tip2}</span>
                                </li>
                            }
                            .into_any()
                        }
                    }
                })
                .collect_view();
            let best = c.best.map(|h| format!("{h:02}:00"));
            view! {
                <div class="hours-channel" data-testid="hours-channel" data-channel-id=c.channel_id.0>
                    <h3>{platform_badge(c.platform)} " " {c.channel_name.clone()}</h3>
                    <ol class="hour-strip">{cells}</ol>
                    <div class="hour-scale" aria-hidden="true">
                        <span>"0"</span><span>"6"</span><span>"12"</span><span>"18"</span><span>"23"</span>
                    </div>
                    <p class="small" data-testid="best-hour">
                        {match best {
                            Some(h) => view! { <strong>{move || i18n.tf(Msg::ReportBestHour, &[("hour", &h)])}</strong> }.into_any(),
                            None => view! { <span class="muted">{move || i18n.t(Msg::ReportNoBestHour)}</span> }.into_any(),
                        }}
                    </p>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="card" data-testid="best-hours">
            <h2>{move || i18n.t(Msg::ReportBestHours)}</h2>
            <p class="muted small">{move || i18n.tf(Msg::ReportBestHoursHint, &[("zone", &zone)])}</p>
            {channels}
        </section>
    }
}

/// Footnotes: each platform's own name for a figure, and what it counts.
#[component]
pub(crate) fn MetricNotes(notes: Vec<MetricNote>) -> impl IntoView {
    let i18n = use_i18n();
    if notes.is_empty() {
        return ().into_any();
    }
    let items = notes
        .into_iter()
        .map(|n| {
            let m = n.metric;
            view! {
                <li>
                    <strong>{n.platform.display_name()}</strong> " · " {move || i18n.t(metric_name(m))} ": "
                    <code>{n.source.clone()}</code> " — "
                    {match n.definition.clone() {
                        Some(d) => d.into_any(),
                        None => view! { <span class="muted">{move || i18n.t(Msg::ReportNoteUnknown)}</span> }.into_any(),
                    }}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card report-notes" data-testid="report-notes">
            <h2>{move || i18n.t(Msg::ReportNotes)}</h2>
            <ol>{items}</ol>
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_survive_the_url() {
        let a = Ask {
            from: "2026-03-01".into(),
            to: "2026-03-31".into(),
            tz: "Etc/GMT+8".into(),
            group_by: "post".into(),
        };
        assert_eq!(
            a.query(),
            "from=2026-03-01&to=2026-03-31&tz=Etc%2FGMT%2B8&group_by=post"
        );
        assert_eq!(encode("America/New_York"), "America%2FNew_York");
    }
}
