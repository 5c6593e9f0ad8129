//! Line and bar charts as inline SVG, drawn from plain numbers.
//!
//! Colours come from CSS (`series-{key}` classes set `--series`), so charts
//! follow the light and dark themes. Each point and bar carries its value
//! as a tooltip, and each chart has an accessible name and a summary for
//! screen readers. A missing value (`None`) is drawn as nothing, never as 0.

use leptos::prelude::*;

/// One line, or one set of bars.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    /// Colour: CSS class `series-{key}` (a platform key, or `c0` to `c7`).
    pub key: String,
    pub values: Vec<Option<f64>>,
}

/// The palette keys for series that are not platforms (channels, say).
pub fn palette_key(i: usize) -> String {
    format!("c{}", i % 8)
}

// The drawing area, in viewBox units; the SVG scales to its container.
// Bar charts sit in a narrower column, so their box is narrower too and
// their text stays as large on screen.
const LINE_W: f64 = 640.0;
const BAR_W: f64 = 400.0;
const H: f64 = 240.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 30.0;
/// Keeps the first and last x labels inside the box.
const INSET: f64 = 28.0;

fn plot_h() -> f64 {
    H - TOP - BOTTOM
}

fn baseline() -> f64 {
    H - BOTTOM
}

/// The y axis: a rounded top and a step of 1, 2 or 5 × 10ⁿ giving three
/// to six steps. Counts never get steps below 1.
pub fn nice_scale(max: f64) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 1.0);
    }
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let step = if norm <= 1.5 {
        1.0
    } else if norm <= 3.0 {
        2.0
    } else if norm <= 7.0 {
        5.0
    } else {
        10.0
    } * mag;
    let step = step.max(1.0);
    ((max / step).ceil() * step, step)
}

/// Which x labels to print: the first and the last, and those between that
/// keep `min_gap` apart (positions ascending).
pub fn pick_ticks(xs: &[f64], min_gap: f64) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for (i, x) in xs.iter().enumerate() {
        match out.last() {
            None => out.push(i),
            Some(&j) if x - xs[j] >= min_gap => out.push(i),
            _ => {}
        }
    }
    let last = xs.len().saturating_sub(1);
    if !xs.is_empty() && out.last() != Some(&last) {
        // Make room for the last label by dropping a crowded neighbour.
        if out.len() > 1 && xs[last] - xs[out[out.len() - 1]] < min_gap {
            out.pop();
        }
        out.push(last);
    }
    out
}

/// Horizontal positions of `n` points: proportional to `positions` when
/// given (times, say), else evenly spaced.
fn x_positions(n: usize, positions: Option<&[f64]>) -> Vec<f64> {
    let (lo, hi) = (LEFT + INSET, LINE_W - RIGHT - INSET);
    let span = hi - lo;
    match positions.filter(|p| p.len() == n) {
        Some(p) => {
            let min = p.iter().copied().fold(f64::INFINITY, f64::min);
            let max = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if max > min {
                p.iter()
                    .map(|v| lo + span * (v - min) / (max - min))
                    .collect()
            } else {
                vec![lo + span / 2.0; n]
            }
        }
        None if n <= 1 => vec![lo + span / 2.0; n],
        None => (0..n)
            .map(|i| lo + span * i as f64 / (n - 1) as f64)
            .collect(),
    }
}

fn y_of(v: f64, top: f64) -> f64 {
    TOP + plot_h() * (1.0 - (v / top).clamp(0.0, 1.0))
}

/// SVG path through the points that have a value; gaps are bridged, since
/// a missing value means "not reported yet", not a fall to zero.
pub fn line_path(xs: &[f64], values: &[Option<f64>], top: f64) -> String {
    let mut d = String::new();
    for (x, v) in xs.iter().zip(values) {
        if let Some(v) = v {
            let cmd = if d.is_empty() { 'M' } else { 'L' };
            d.push_str(&format!("{cmd}{:.1} {:.1} ", x, y_of(*v, top)));
        }
    }
    d.trim_end().to_owned()
}

/// `text` cut to `max` characters, the last one an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

fn coord(v: f64) -> String {
    format!("{v:.1}")
}

fn max_value<'a>(series: impl IntoIterator<Item = &'a Series>) -> Option<f64> {
    series
        .into_iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .filter(|v| v.is_finite())
        .reduce(f64::max)
}

/// Grid lines and labels of the y axis.
fn y_axis(w: f64, top: f64, step: f64, axis_format: fn(f64) -> String) -> impl IntoView {
    let count = (top / step).round() as usize;
    (0..=count)
        .map(|i| {
            let v = step * i as f64;
            let y = y_of(v, top);
            view! {
                <g class="chart-y">
                    <line class="chart-grid" x1=coord(LEFT) x2=coord(w - RIGHT) y1=coord(y) y2=coord(y)></line>
                    <text class="chart-tick chart-tick-y" x=coord(LEFT - 8.0) y=coord(y + 4.0)>{axis_format(v)}</text>
                </g>
            }
        })
        .collect_view()
}

fn legend(items: Vec<(String, String)>) -> impl IntoView {
    view! {
        <ul class="chart-legend">
            {items.into_iter().map(|(key, name)| view! {
                <li class=format!("series-{key}")><span class="chart-swatch" aria-hidden="true"></span>{name}</li>
            }).collect_view()}
        </ul>
    }
}

fn empty_note(w: f64, text: String) -> impl IntoView {
    view! {
        <text class="chart-empty" x=coord(LEFT + (w - LEFT - RIGHT) / 2.0) y=coord(TOP + plot_h() / 2.0)>{text}</text>
    }
}

/// Lines over shared x values (days, snapshot times).
#[component]
pub fn LineChart(
    /// What the chart shows: its accessible name.
    #[prop(into)]
    label: String,
    /// The data in a sentence or two, for screen readers.
    #[prop(into)]
    summary: String,
    /// One per x value, shown in tooltips.
    labels: Vec<String>,
    /// Shorter labels for the x axis (default: `labels`).
    #[prop(optional)]
    ticks: Option<Vec<String>>,
    /// Where each x value lies (seconds, say); evenly spaced when absent.
    #[prop(optional)]
    positions: Option<Vec<f64>>,
    series: Vec<Series>,
    /// A value in full, for tooltips.
    format: fn(f64) -> String,
    /// A value on the y axis.
    axis_format: fn(f64) -> String,
    /// Shown instead of lines when no series has any value.
    #[prop(into)]
    empty: String,
    #[prop(into)] testid: String,
) -> impl IntoView {
    let n = labels.len();
    let xs = x_positions(n, positions.as_deref());
    let max = max_value(&series);
    let (top, step) = nice_scale(max.unwrap_or(0.0));
    let ticks = ticks
        .filter(|t| t.len() == n)
        .unwrap_or_else(|| labels.clone());
    let widest = ticks.iter().map(|t| t.chars().count()).max().unwrap_or(0) as f64;
    let x_ticks = pick_ticks(&xs, widest * 6.5 + 14.0)
        .into_iter()
        .map(|i| {
            view! { <text class="chart-tick chart-tick-x" x=coord(xs[i]) y=coord(H - 8.0)>{ticks[i].clone()}</text> }
        })
        .collect_view();
    // Dots only where they stay apart; the hover targets are always there.
    let dot_r = if n <= 62 { "3.5" } else { "0" };
    let keys: Vec<(String, String)> = series
        .iter()
        .map(|s| (s.key.clone(), s.name.clone()))
        .collect();
    let lines = series
        .into_iter()
        .map(|s| {
            let d = line_path(&xs, &s.values, top);
            let points = xs
                .iter()
                .zip(&s.values)
                .zip(&labels)
                .filter_map(|((x, v), l)| v.map(|v| (*x, v, l.clone())))
                .map(|(x, v, l)| {
                    let y = y_of(v, top);
                    let text = format(v);
                    let tip = format!("{} · {l}: {text}", s.name);
                    view! {
                        <g class="chart-point">
                            <title>{tip}</title>
                            <circle class="chart-dot" cx=coord(x) cy=coord(y) r=dot_r></circle>
                            <circle class="chart-hit" cx=coord(x) cy=coord(y) r="10"></circle>
                            <text class="chart-value" x=coord(x) y=coord(y - 10.0)>{text}</text>
                        </g>
                    }
                })
                .collect_view();
            view! {
                <g class=format!("chart-series series-{}", s.key) data-series=s.name.clone()>
                    <path class="chart-line" d=d></path>
                    {points}
                </g>
            }
        })
        .collect_view();
    let name = label.clone();
    view! {
        <figure class="chart chart-line-figure">
            <svg class="chart-svg" viewBox=format!("0 0 {LINE_W} {H}") role="img" aria-label=name data-testid=testid>
                <title>{label}</title>
                <desc>{summary}</desc>
                {y_axis(LINE_W, top, step, axis_format)}
                <line class="chart-axis" x1=coord(LEFT) x2=coord(LINE_W - RIGHT) y1=coord(baseline()) y2=coord(baseline())></line>
                {x_ticks}
                {lines}
                {max.is_none().then(|| empty_note(LINE_W, empty))}
            </svg>
            {legend(keys)}
        </figure>
    }
}

/// Bars per category (platforms, say); with several series, side by side.
#[component]
pub fn BarChart(
    /// What the chart shows: its accessible name.
    #[prop(into)]
    label: String,
    /// The data in a sentence or two, for screen readers.
    #[prop(into)]
    summary: String,
    /// One per group of bars.
    labels: Vec<String>,
    /// A colour per group, when there is one series (its platform, say).
    #[prop(optional)]
    keys: Option<Vec<String>>,
    series: Vec<Series>,
    format: fn(f64) -> String,
    axis_format: fn(f64) -> String,
    /// Shown where a value is missing, and instead of bars when all are.
    #[prop(into)]
    absent: String,
    #[prop(into)] empty: String,
    #[prop(into)] testid: String,
) -> impl IntoView {
    let groups = labels.len().max(1);
    let max = max_value(&series);
    let (top, step) = nice_scale(max.unwrap_or(0.0));
    let width = BAR_W - LEFT - RIGHT;
    let group_w = width / groups as f64;
    let per = series.len().max(1);
    let bar_w = (group_w * 0.7 / per as f64).min(56.0);
    let keys = keys.filter(|k| k.len() == labels.len() && series.len() == 1);
    // Crowded names are shortened; the legend and tooltips keep them whole.
    let fit = ((group_w - 4.0) / 6.5).floor().max(2.0) as usize;
    let x_labels = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let cx = LEFT + group_w * (i as f64 + 0.5);
            let shown = shorten(l, fit);
            view! { <text class="chart-tick chart-tick-x" x=coord(cx) y=coord(H - 8.0)><title>{l.clone()}</title>{shown}</text> }
        })
        .collect_view();
    let mut bars = Vec::new();
    for (si, s) in series.iter().enumerate() {
        for (gi, group) in labels.iter().enumerate() {
            let key = keys
                .as_ref()
                .map(|k| k[gi].clone())
                .unwrap_or_else(|| s.key.clone());
            let cx =
                LEFT + group_w * (gi as f64 + 0.5) + bar_w * (si as f64 - (per as f64 - 1.0) / 2.0);
            let value = s.values.get(gi).copied().flatten();
            let name = if per > 1 {
                format!("{group} · {}", s.name)
            } else {
                group.clone()
            };
            let bar = match value {
                Some(v) => {
                    let y = y_of(v, top);
                    let text = format(v);
                    let tip = format!("{name}: {text}");
                    view! {
                        <g class=format!("chart-bar series-{key}")>
                            <title>{tip}</title>
                            <rect x=coord(cx - bar_w / 2.0) y=coord(y) width=coord(bar_w) height=coord((baseline() - y).max(0.0))></rect>
                            <text class="chart-bar-value" x=coord(cx) y=coord(y - 5.0)>{text}</text>
                        </g>
                    }
                    .into_any()
                }
                None => {
                    let tip = format!("{name}: {absent}");
                    view! {
                        <g class="chart-bar chart-bar-absent">
                            <title>{tip}</title>
                            <text class="chart-bar-value" x=coord(cx) y=coord(baseline() - 5.0)>"—"</text>
                        </g>
                    }
                    .into_any()
                }
            };
            bars.push(bar);
        }
    }
    let legend_items: Vec<(String, String)> = match &keys {
        Some(k) => k.iter().cloned().zip(labels.iter().cloned()).collect(),
        None => series
            .iter()
            .map(|s| (s.key.clone(), s.name.clone()))
            .collect(),
    };
    let name = label.clone();
    view! {
        <figure class="chart chart-bar-figure">
            <svg class="chart-svg" viewBox=format!("0 0 {BAR_W} {H}") role="img" aria-label=name data-testid=testid>
                <title>{label}</title>
                <desc>{summary}</desc>
                {y_axis(BAR_W, top, step, axis_format)}
                <line class="chart-axis" x1=coord(LEFT) x2=coord(BAR_W - RIGHT) y1=coord(baseline()) y2=coord(baseline())></line>
                {x_labels}
                {bars}
                {max.is_none().then(|| empty_note(BAR_W, empty))}
            </svg>
            {legend(legend_items)}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round_and_cover_the_data() {
        assert_eq!(nice_scale(0.0), (1.0, 1.0));
        assert_eq!(nice_scale(3.0), (3.0, 1.0));
        assert_eq!(nice_scale(97.0), (100.0, 20.0));
        let (top, step) = nice_scale(1234.0);
        assert!(top >= 1234.0 && (3.0..=6.0).contains(&(top / step)));
        assert_eq!(nice_scale(f64::NAN), (1.0, 1.0));
    }

    #[test]
    fn ticks_keep_apart_and_keep_both_ends() {
        let xs: Vec<f64> = (0..31).map(|i| i as f64 * 10.0).collect();
        let t = pick_ticks(&xs, 75.0);
        assert_eq!(t.first(), Some(&0));
        assert_eq!(t.last(), Some(&30));
        assert!(t.windows(2).all(|w| xs[w[1]] - xs[w[0]] >= 50.0));
        assert_eq!(pick_ticks(&[5.0], 10.0), vec![0]);
        assert!(pick_ticks(&[], 10.0).is_empty());
    }

    #[test]
    fn lines_skip_what_was_not_reported() {
        let d = line_path(&[0.0, 10.0, 20.0], &[None, Some(1.0), Some(0.0)], 1.0);
        assert!(d.starts_with("M10.0 "), "{d}");
        assert_eq!(d.matches('L').count(), 1);
        assert_eq!(line_path(&[0.0], &[None], 1.0), "");
    }

    #[test]
    fn crowded_names_are_shortened() {
        assert_eq!(shorten("Facebook", 8), "Facebook");
        assert_eq!(shorten("Instagram", 5), "Inst…");
    }
}
