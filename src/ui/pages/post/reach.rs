//! The post page's reach panel: each channel's latest figures, when they
//! were collected and when they will be next, and how a chosen figure grew
//! over time, one line per channel. Shown once the post is tracked on any
//! channel.

use crate::domain::metrics::Metric;
use crate::domain::reports::{ChannelMetrics, PostMetrics};
use crate::domain::AppError;
use crate::i18n::Msg;
use crate::ui::components::charts::{palette_key, LineChart, Series};
use crate::ui::components::feedback::ErrorNote;
use crate::ui::format::{compact_number, local_time, metric_name, number_text, viewer_zone};
use crate::ui::i18n::use_i18n;
use crate::ui::pages::channels::platform_badge;
use crate::ui::pages::reports::{figure_cell, figure_headers, MetricNotes};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::prelude::*;

#[component]
pub fn ReachPanel(metrics: Resource<Result<PostMetrics, AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match metrics.await {
                    Ok(m) if m.channels.is_empty() => ().into_any(),
                    Ok(m) => view! { <ReachBody metrics=m/> }.into_any(),
                    Err(e) => view! {
                        <section class="card reach-panel" data-testid="post-reach"><ErrorNote error=e/></section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReachBody(metrics: PostMetrics) -> impl IntoView {
    let i18n = use_i18n();
    let zone = viewer_zone();
    let metric = RwSignal::new(Metric::Views);
    let PostMetrics {
        channels,
        total,
        notes,
        ..
    } = metrics;
    let rows = channels
        .iter()
        .map(|c| {
            let status = collection_status(c, zone);
            view! {
                <tr data-testid="reach-channel" data-channel-id=c.channel_id.0>
                    <th scope="row" class="report-name">{platform_badge(c.platform)} " " {c.channel_name.clone()}</th>
                    {Metric::ALL.into_iter().map(|m| figure_cell(m, &single(c))).collect_view()}
                    <td class="reach-status">{status}</td>
                </tr>
            }
        })
        .collect_view();
    let chart = move || {
        let m = metric.get();
        let tz = zone.get();
        let name = i18n.t(metric_name(m));
        let data = chart_data(&channels, m, tz);
        let summary = data
            .series
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
            .join("; ");
        view! {
            <LineChart
                label=i18n.tf(Msg::PostReachChart, &[("metric", name)])
                summary
                labels=data.labels
                ticks=data.ticks
                positions=data.positions
                series=data.series
                format=number_text
                axis_format=compact_number
                empty=i18n.t(Msg::ReportGrowthEmpty)
                testid="post-reach-chart"
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
        <section class="card reach-panel" data-testid="post-reach">
            <h2>{move || i18n.t(Msg::PostReachTitle)}</h2>
            <div class="table-scroll">
                <table class="table report-table" data-testid="post-reach-table">
                    <thead><tr>
                        <th scope="col">{move || i18n.t(Msg::FilterChannel)}</th>
                        {figure_headers()}
                        <th scope="col"></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        <tr class="report-total" data-testid="post-reach-total">
                            <th scope="row">{move || i18n.t(Msg::ReportTotal)}</th>
                            {Metric::ALL.into_iter().map(|m| figure_cell(m, &total)).collect_view()}
                            <td></td>
                        </tr>
                    </tfoot>
                </table>
            </div>
            <div class="card-head">
                <h3>{move || i18n.tf(Msg::PostReachChart, &[("metric", i18n.t(metric_name(metric.get())))])}</h3>
                <label class="inline-field">
                    <span>{move || i18n.t(Msg::ReportMetric)}</span>
                    <select data-testid="post-reach-metric" on:change=move |ev| {
                        if let Some(m) = Metric::parse(&event_target_value(&ev)) { metric.set(m); }
                    }>{metric_options}</select>
                </label>
            </div>
            {chart}
            <MetricNotes notes/>
        </section>
    }
}

/// A channel's latest figures as a one-delivery total, so its cells read
/// like the report's.
fn single(c: &ChannelMetrics) -> crate::domain::reports::Totals {
    crate::domain::reports::Totals {
        figures: c.latest,
        reported: c
            .latest
            .values()
            .iter()
            .map(|v| u32::from(v.is_some()))
            .collect(),
        deliveries: 1,
        posts: 1,
    }
}

/// When the figures were taken, when they will be next (or that collection
/// is over), and why the last attempt failed, if it did.
fn collection_status(c: &ChannelMetrics, zone: Signal<Tz>) -> impl IntoView {
    let i18n = use_i18n();
    let collected = c.collected_at;
    let next = c.next_at;
    let error = c.last_error.clone();
    view! {
        <span data-testid="reach-collected">
            {move || match collected {
                Some(at) => i18n.tf(Msg::PostReachCollected, &[("when", &local_time(at, zone.get()))]),
                None => i18n.t(Msg::PostReachNotYet).to_owned(),
            }}
        </span>
        <br/>
        <small class="muted" data-testid="reach-next">
            {move || match next {
                Some(at) => i18n.tf(Msg::PostReachNext, &[("when", &local_time(at, zone.get()))]),
                None => i18n.t(Msg::PostReachFinished).to_owned(),
            }}
        </small>
        {error.map(|e| view! {
            <br/>
            <small class="issue-blocking" data-testid="reach-error">{move || i18n.tf(Msg::PostReachError, &[("error", &e)])}</small>
        })}
    }
}

struct ChartData {
    labels: Vec<String>,
    ticks: Vec<String>,
    positions: Vec<f64>,
    series: Vec<Series>,
}

/// One x value per distinct snapshot time over all channels; a channel has
/// a value only at its own snapshots (the line bridges the others).
fn chart_data(channels: &[ChannelMetrics], m: Metric, tz: Tz) -> ChartData {
    let mut times: Vec<DateTime<Utc>> = channels
        .iter()
        .flat_map(|c| c.snapshots.iter().map(|s| s.collected_at))
        .collect();
    times.sort();
    times.dedup();
    // Platform colours when each channel is on its own platform, else a palette.
    let mut platforms: Vec<&str> = channels.iter().map(|c| c.platform.as_str()).collect();
    platforms.sort();
    platforms.dedup();
    let by_platform = platforms.len() == channels.len();
    let series = channels
        .iter()
        .enumerate()
        .map(|(i, c)| Series {
            name: c.channel_name.clone(),
            key: if by_platform {
                c.platform.as_str().to_owned()
            } else {
                palette_key(i)
            },
            values: times
                .iter()
                .map(|t| {
                    c.snapshots
                        .iter()
                        .find(|s| s.collected_at == *t)
                        .and_then(|s| s.figures.get(m))
                        .map(|v| v as f64)
                })
                .collect(),
        })
        .collect();
    ChartData {
        labels: times.iter().map(|t| local_time(*t, tz)).collect(),
        ticks: times
            .iter()
            .map(|t| t.with_timezone(&tz).format("%m-%d %H:%M").to_string())
            .collect(),
        positions: times.iter().map(|t| t.timestamp() as f64).collect(),
        series,
    }
}
