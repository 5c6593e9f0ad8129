//! The calendar: month and week views in the viewer's time zone (or any
//! zone picked), posts with channel marks and state colours, drag and drop
//! to another day to reschedule, filters by channel, state and campaign, and
//! a searchable list view. Above it, a notice when deliveries are late, in
//! doubt or waiting for a person.

use crate::api::channels::list_channels;
use crate::api::deliveries::get_delivery_health;
use crate::api::posts::{list_posts, reschedule_post};
use crate::domain::delivery::DeliveryHealth;
use crate::domain::post::{PostFilter, PostSummary};
use crate::domain::schedule::When;
use crate::domain::workflow::PostState;
use crate::domain::{AppError, ChannelId, WorkspaceId};
use crate::i18n::Msg;
use crate::ui::components::feedback::ErrorNote;
use crate::ui::components::layout::use_workspace;
use crate::ui::format::{
    browser_zone, local_time, platform_mark, state_class, state_name, COMMON_ZONES,
};
use crate::ui::i18n::use_i18n;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum View {
    Month,
    Week,
    List,
}

impl View {
    fn parse(s: Option<&str>) -> View {
        match s {
            Some("week") => View::Week,
            Some("list") => View::List,
            _ => View::Month,
        }
    }
}

const WEEKDAYS: [Msg; 7] = [
    Msg::WeekdayMon,
    Msg::WeekdayTue,
    Msg::WeekdayWed,
    Msg::WeekdayThu,
    Msg::WeekdayFri,
    Msg::WeekdaySat,
    Msg::WeekdaySun,
];

/// One post at one instant (a post scheduled at the same local time in each
/// channel's zone shows once per distinct instant).
#[derive(Clone, Debug, PartialEq)]
struct Entry {
    post: PostSummary,
    at: DateTime<Utc>,
    date: NaiveDate,
    time: String,
    marks: Vec<&'static str>,
}

fn entries(posts: &[PostSummary], tz: Tz) -> Vec<Entry> {
    let mut out = Vec::new();
    for p in posts {
        let mut instants: Vec<DateTime<Utc>> = p.channels.iter().filter_map(|c| c.due_at).collect();
        instants.sort();
        instants.dedup();
        for at in instants {
            let local = at.with_timezone(&tz);
            out.push(Entry {
                post: p.clone(),
                at,
                date: local.date_naive(),
                time: local.format("%H:%M").to_string(),
                marks: p
                    .channels
                    .iter()
                    .filter(|c| c.due_at == Some(at))
                    .map(|c| platform_mark(c.platform))
                    .collect(),
            });
        }
    }
    out.sort_by_key(|e| e.at);
    out
}

/// Midnight of `date` in `tz` (the earliest instant, if the day starts in a
/// daylight-saving gap or fold).
fn start_of(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| midnight.and_utc())
}

/// The schedule that puts `entry` on `target` instead of its day, keeping
/// the time of day (and the mode, where it has a local time).
fn moved(entry: &Entry, target: NaiveDate, tz: Tz) -> When {
    let days = (target - entry.date).num_days();
    match &entry.post.schedule {
        Some(When::At { local, zone, .. }) => When::At {
            local: *local + Duration::days(days),
            zone: zone.clone(),
            dst: None,
        },
        Some(When::SameLocalTimePerChannel { local, .. }) => When::SameLocalTimePerChannel {
            local: *local + Duration::days(days),
            dst: None,
        },
        _ => When::At {
            local: entry.at.with_timezone(&tz).naive_local() + Duration::days(days),
            zone: tz.name().to_owned(),
            dst: None,
        },
    }
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let i18n = use_i18n();
    let current = use_workspace();
    let ws = current.id;
    let may_move = current.role.can_write();
    let query = use_query_map();
    let initial_zone = query
        .read_untracked()
        .get("tz")
        .and_then(|z| z.parse::<Tz>().ok());
    let zone = RwSignal::new(initial_zone.unwrap_or(Tz::UTC));
    if initial_zone.is_none() {
        // After hydration, the viewer's own zone.
        Effect::new(move |_| zone.set(browser_zone()));
    }
    let view_mode = RwSignal::new(View::parse(query.read_untracked().get("view").as_deref()));
    let anchor = RwSignal::new(
        query
            .read_untracked()
            .get("date")
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            .unwrap_or_else(|| Utc::now().date_naive()),
    );
    let channel = RwSignal::new(None::<ChannelId>);
    let state = RwSignal::new(
        query
            .read_untracked()
            .get("state")
            .and_then(|s| PostState::parse(&s)),
    );
    // A link to this page from this page (the health notice's) changes only
    // the query: follow it. The first run only notes what the page began with.
    Effect::new(move |seen: Option<(Option<String>, Option<String>)>| {
        let asked = query.with(|q| (q.get("view"), q.get("state")));
        if seen.as_ref().is_some_and(|s| *s != asked) {
            view_mode.set(View::parse(asked.0.as_deref()));
            state.set(asked.1.as_deref().and_then(PostState::parse));
        }
        asked
    });
    let campaign = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let version = RwSignal::new(0u32);
    let error = RwSignal::new(None::<AppError>);
    let notice = RwSignal::new(false);

    // The days on screen.
    let days = Memo::new(move |_| {
        let a = anchor.get();
        match view_mode.get() {
            View::Month => {
                let first = a.with_day(1).unwrap_or(a);
                let start =
                    first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
                (0..42)
                    .map(|i| start + Duration::days(i))
                    .collect::<Vec<_>>()
            }
            View::Week => {
                let start = a - Duration::days(i64::from(a.weekday().num_days_from_monday()));
                (0..7).map(|i| start + Duration::days(i)).collect()
            }
            View::List => Vec::new(),
        }
    });
    let filter = Memo::new(move |_| {
        let tz = zone.get();
        let d = days.get();
        PostFilter {
            states: state.get().into_iter().collect(),
            from: d.first().map(|f| start_of(*f, tz)),
            to: d.last().map(|l| start_of(*l + Duration::days(1), tz)),
            channel: channel.get(),
            campaign: Some(campaign.get()).filter(|c| !c.trim().is_empty()),
            q: Some(search.get()).filter(|q| !q.trim().is_empty()),
        }
    });
    let posts = Resource::new(
        move || (filter.get(), version.get()),
        move |(f, _)| list_posts(ws, f),
    );
    let channels = Resource::new(move || ws, list_channels);

    let dragging = RwSignal::new(None::<Entry>);
    let drop_on = move |date: NaiveDate| {
        let Some(entry) = dragging.get_untracked() else {
            return;
        };
        dragging.set(None);
        if entry.date == date {
            return;
        }
        let when = moved(&entry, date, zone.get_untracked());
        spawn_local(async move {
            match reschedule_post(ws, entry.post.id, when).await {
                Ok(_) => {
                    error.set(None);
                    notice.set(true);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };

    let step = move |forward: bool| {
        let sign = if forward { 1 } else { -1 };
        anchor.update(|a| {
            *a = match view_mode.get_untracked() {
                View::Week => *a + Duration::days(7 * sign),
                _ => {
                    let m = a.with_day(1).unwrap_or(*a);
                    if forward {
                        m.checked_add_months(chrono::Months::new(1)).unwrap_or(m)
                    } else {
                        m.checked_sub_months(chrono::Months::new(1)).unwrap_or(m)
                    }
                }
            }
        });
    };

    let title = move || match view_mode.get() {
        View::Month => anchor.get().format("%Y-%m").to_string(),
        View::Week => {
            let d = days.get();
            match (d.first(), d.last()) {
                (Some(a), Some(b)) => format!("{} – {}", a.format("%Y-%m-%d"), b.format("%m-%d")),
                _ => String::new(),
            }
        }
        View::List => i18n.t(Msg::ListTitle).to_owned(),
    };

    let zone_options = COMMON_ZONES
        .into_iter()
        .map(|z| view! { <option value=z></option> })
        .collect_view();

    view! {
        <Title text=move || i18n.t(Msg::CalendarTitle)/>
        <div class="page-header">
            <h1>{move || i18n.t(Msg::CalendarTitle)}</h1>
            <a class="button" href=format!("/w/{}/compose", ws.0)>{move || i18n.t(Msg::ComposeNew)}</a>
        </div>
        <DeliveryHealthNotice ws/>
        <div class="cal-toolbar">
            <div class="segmented" role="group">
                {[(View::Month, Msg::CalendarMonth, "month"), (View::Week, Msg::CalendarWeek, "week"), (View::List, Msg::CalendarList, "list")]
                    .into_iter()
                    .map(|(v, label, id)| view! {
                        <button type="button" class:active=move || view_mode.get() == v data-testid=format!("view-{id}")
                            aria-pressed=move || if view_mode.get() == v { "true" } else { "false" }
                            on:click=move |_| view_mode.set(v)>{move || i18n.t(label)}</button>
                    })
                    .collect_view()}
            </div>
            <Show when=move || view_mode.get() != View::List>
                <button type="button" class="button button-ghost" data-testid="cal-prev" aria-label=move || i18n.t(Msg::CalendarPrev)
                    on:click=move |_| step(false)>"‹"</button>
                <button type="button" class="button button-ghost" on:click=move |_| anchor.set(Utc::now().with_timezone(&zone.get_untracked()).date_naive())>
                    {move || i18n.t(Msg::CalendarToday)}</button>
                <button type="button" class="button button-ghost" data-testid="cal-next" aria-label=move || i18n.t(Msg::CalendarNext)
                    on:click=move |_| step(true)>"›"</button>
            </Show>
            <strong class="cal-title" data-testid="cal-title">{title}</strong>
            <label class="inline-field">
                <span>{move || i18n.t(Msg::CalendarZone)}</span>
                <input list="cal-zones" data-testid="cal-zone" prop:value=move || zone.get().name().to_owned()
                    on:change=move |ev| {
                        if let Ok(tz) = event_target_value(&ev).trim().parse::<Tz>() { zone.set(tz); }
                    }/>
                <datalist id="cal-zones">{zone_options}</datalist>
            </label>
        </div>
        <div class="cal-filters">
            <label class="inline-field">
                <span>{move || i18n.t(Msg::FilterChannel)}</span>
                <select data-testid="filter-channel" on:change=move |ev| channel.set(event_target_value(&ev).parse().ok())>
                    <option value="">{move || i18n.t(Msg::FilterAll)}</option>
                    <Suspense>
                        {move || Suspend::new(async move {
                            channels.await.unwrap_or_default().into_iter().map(|c| view! {
                                <option value=c.id.to_string()>{format!("{} {} · {}", platform_mark(c.platform), c.platform.display_name(), c.name)}</option>
                            }).collect_view()
                        })}
                    </Suspense>
                </select>
            </label>
            <label class="inline-field">
                <span>{move || i18n.t(Msg::FilterState)}</span>
                <select data-testid="filter-state" prop:value=move || state.get().map(PostState::as_str).unwrap_or_default()
                    on:change=move |ev| state.set(PostState::parse(&event_target_value(&ev)))>
                    <option value="">{move || i18n.t(Msg::FilterAll)}</option>
                    {PostState::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || state.get() == Some(s)>{move || i18n.t(state_name(s))}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="inline-field">
                <span>{move || i18n.t(Msg::FilterCampaign)}</span>
                <input data-testid="filter-campaign" prop:value=move || campaign.get() on:change=move |ev| campaign.set(event_target_value(&ev))/>
            </label>
            <label class="inline-field grow">
                <span class="visually-hidden">{move || i18n.t(Msg::ListSearch)}</span>
                <input type="search" data-testid="search" placeholder=move || i18n.t(Msg::ListSearch)
                    prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            </label>
        </div>
        {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        <Show when=move || notice.get()>
            <p class="notice notice-ok" role="status" data-testid="cal-notice">{move || i18n.t(Msg::CalendarRescheduled)}</p>
        </Show>
        {move || (may_move && view_mode.get() != View::List).then(|| view! { <p class="muted small">{move || i18n.t(Msg::CalendarDragHint)}</p> })}
        <Transition fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match posts.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(list) => {
                        let tz = zone.get();
                        match view_mode.get() {
                            View::List => view! { <PostList ws posts=list tz/> }.into_any(),
                            mode => {
                                let all = entries(&list, tz);
                                let month = anchor.get_untracked().month();
                                let today = Utc::now().with_timezone(&tz).date_naive();
                                let cells = days.get().into_iter().map(|date| {
                                    let mine: Vec<Entry> = all.iter().filter(|e| e.date == date).cloned().collect();
                                    let outside = mode == View::Month && date.month() != month;
                                    view! {
                                        <div class="cal-cell" class:outside=outside class:today=date == today
                                            data-date=date.format("%Y-%m-%d").to_string() data-testid="cal-cell"
                                            on:dragover=move |ev| ev.prevent_default()
                                            on:drop=move |ev| { ev.prevent_default(); drop_on(date); }>
                                            <div class="cal-day">{date.day()}</div>
                                            {mine.into_iter().map(|e| {
                                                let href = format!("/w/{}/posts/{}", ws.0, e.post.id);
                                                let s = e.post.state;
                                                let draggable = may_move && s.is_editable();
                                                let dragged = e.clone();
                                                view! {
                                                    <a class=format!("cal-entry {}", state_class(s)) href=href
                                                        draggable=if draggable { "true" } else { "false" }
                                                        data-testid="cal-entry" data-post=e.post.id.to_string()
                                                        title=move || i18n.t(state_name(s))
                                                        on:dragstart=move |ev: leptos::ev::DragEvent| {
                                                            // Firefox starts a drag only with data set.
                                                            #[cfg(feature = "hydrate")]
                                                            if let Some(dt) = ev.data_transfer() {
                                                                let _ = dt.set_data("text/plain", &dragged.post.id.to_string());
                                                            }
                                                            #[cfg(not(feature = "hydrate"))]
                                                            let _ = ev;
                                                            dragging.set(Some(dragged.clone()));
                                                        }>
                                                        <span class="cal-time">{e.time.clone()}</span>
                                                        <span class="cal-marks" aria-hidden="true">{e.marks.concat()}</span>
                                                        <span class="cal-excerpt">{e.post.excerpt.clone()}</span>
                                                    </a>
                                                }
                                            }).collect_view()}
                                        </div>
                                    }
                                }).collect_view();
                                let class = if mode == View::Week { "cal-grid cal-week" } else { "cal-grid cal-month" };
                                view! {
                                    <div class=class data-testid="calendar" data-zone=tz.name()>
                                        {WEEKDAYS.into_iter().map(|d| view! { <div class="cal-head">{move || i18n.t(d)}</div> }).collect_view()}
                                        {cells}
                                    </div>
                                }.into_any()
                            }
                        }
                    }
                }
            })}
        </Transition>
    }
}

/// One line of the health notice: its count, its words for one and for
/// many, and the post state that lists the posts behind it.
struct HealthLine {
    kind: &'static str,
    count: i64,
    one: Msg,
    many: Msg,
    posts: PostState,
}

/// The non-zero counts, most urgent for the team first. Overdue deliveries
/// mostly belong to posts still scheduled; in-doubt and interrupted ones
/// keep their posts publishing.
fn health_lines(h: &DeliveryHealth) -> Vec<HealthLine> {
    let line = |kind, count, one, many, posts| HealthLine {
        kind,
        count,
        one,
        many,
        posts,
    };
    [
        line(
            "overdue",
            h.overdue,
            Msg::HealthOverdueOne,
            Msg::HealthOverdue,
            PostState::Scheduled,
        ),
        line(
            "unknown",
            h.unknown,
            Msg::HealthUnknownOne,
            Msg::HealthUnknown,
            PostState::Publishing,
        ),
        line(
            "needs_attention",
            h.needs_attention,
            Msg::HealthAttentionOne,
            Msg::HealthAttention,
            PostState::NeedsAttention,
        ),
        line(
            "stuck",
            h.stuck,
            Msg::HealthStuckOne,
            Msg::HealthStuck,
            PostState::Publishing,
        ),
    ]
    .into_iter()
    .filter(|l| l.count > 0)
    .collect()
}

/// Deliveries that are late, in doubt or waiting for a person, said plainly
/// and linked to the posts behind them. Nothing at all when all is well.
#[component]
fn DeliveryHealthNotice(ws: WorkspaceId) -> impl IntoView {
    let i18n = use_i18n();
    let health = Resource::new(move || ws, get_delivery_health);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                // The check is advice: if it cannot be had, the calendar
                // still says everything else, so nothing is shown.
                let lines = health.await.map(|h| health_lines(&h)).unwrap_or_default();
                (!lines.is_empty()).then(|| view! {
                    <section class="notice notice-warn health-notice" data-testid="delivery-health"
                        aria-label=move || i18n.t(Msg::HealthTitle)>
                        <ul>
                            {lines.into_iter().map(|l| {
                                let n = l.count.to_string();
                                let href = format!("/w/{}/calendar?view=list&state={}", ws.0, l.posts.as_str());
                                let (one, many) = (l.one, l.many);
                                view! {
                                    <li data-kind=l.kind>
                                        {move || if n == "1" { i18n.t(one).to_owned() } else { i18n.tf(many, &[("n", &n)]) }}
                                        " · " <a href=href>{move || i18n.t(Msg::HealthShowPosts)}</a>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

#[component]
fn PostList(ws: WorkspaceId, posts: Vec<PostSummary>, tz: Tz) -> impl IntoView {
    let i18n = use_i18n();
    if posts.is_empty() {
        return view! { <p class="muted" data-testid="list-empty">{move || i18n.t(Msg::ListEmpty)}</p> }.into_any();
    }
    view! {
        <table class="table post-list" data-testid="post-list">
            <thead><tr>
                <th>{move || i18n.t(Msg::PostDue)}</th>
                <th>{move || i18n.t(Msg::FilterState)}</th>
                <th>{move || i18n.t(Msg::ComposeText)}</th>
                <th>{move || i18n.t(Msg::FilterChannel)}</th>
                <th>{move || i18n.t(Msg::FilterCampaign)}</th>
            </tr></thead>
            <tbody>
                {posts.into_iter().map(|p| {
                    let s = p.state;
                    let due = p.first_due().map(|at| local_time(at, tz)).unwrap_or_default();
                    let marks: String = p.channels.iter().map(|c| platform_mark(c.platform)).collect::<Vec<_>>().join(" ");
                    let names = p.channels.iter().map(|c| c.platform.display_name()).collect::<Vec<_>>().join(", ");
                    view! {
                        <tr data-testid="list-row">
                            <td>{due}</td>
                            <td><span class=state_class(s)>{move || i18n.t(state_name(s))}</span></td>
                            <td><a href=format!("/w/{}/posts/{}", ws.0, p.id)>{p.excerpt.clone()}</a></td>
                            <td aria-label=names>{marks}</td>
                            <td>{p.campaign.clone().unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_health_notice_says_only_what_is_wrong() {
        assert!(health_lines(&DeliveryHealth::default()).is_empty());
        let lines = health_lines(&DeliveryHealth {
            overdue: 3,
            stuck: 1,
            unknown: 0,
            needs_attention: 2,
        });
        let kinds: Vec<_> = lines.iter().map(|l| (l.kind, l.count)).collect();
        assert_eq!(
            kinds,
            [("overdue", 3), ("needs_attention", 2), ("stuck", 1)]
        );
        assert_eq!(lines[1].posts, PostState::NeedsAttention);
    }
}
