//! The approval queue: posts waiting for review (for approvers), and the
//! viewer's own posts a reviewer sent back with requested changes.

use crate::api::posts::list_posts;
use crate::domain::post::{PostFilter, PostSummary};
use crate::domain::workflow::PostState;
use crate::domain::WorkspaceId;
use crate::i18n::Msg;
use crate::ui::components::feedback::{EmptyState, ErrorNote};
use crate::ui::components::layout::use_workspace;
use crate::ui::format::{browser_zone, local_time, state_class, state_name};
use crate::ui::i18n::use_i18n;
use crate::ui::pages::channels::platform_badge;
use chrono_tz::Tz;
use leptos::prelude::*;
use leptos_meta::Title;

/// The browser's time zone once hydrated; UTC while rendering on the server,
/// so the hydrated text matches the server's until the zone is known.
fn use_zone() -> Signal<Tz> {
    let zone = RwSignal::new(Tz::UTC);
    Effect::new(move |_| zone.set(browser_zone()));
    zone.into()
}

fn filter(state: PostState) -> PostFilter {
    PostFilter {
        states: vec![state],
        ..Default::default()
    }
}

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let i18n = use_i18n();
    let current = use_workspace();
    let ws = current.id;
    let approver = current.role.can_approve();
    let me = current.viewer.user.id;
    let zone = use_zone();
    let queue = approver
        .then(|| Resource::new(move || ws, |ws| list_posts(ws, filter(PostState::InReview))));
    let returned = Resource::new(
        move || ws,
        |ws| list_posts(ws, filter(PostState::ChangesRequested)),
    );
    view! {
        <Title text=move || i18n.t(Msg::ApprovalsTitle)/>
        <div class="page-header"><h1>{move || i18n.t(Msg::ApprovalsTitle)}</h1></div>
        <Transition fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                let waiting = match queue {
                    Some(q) => q.await.map(Some),
                    None => Ok(None),
                };
                let mine = returned.await.map(|list| {
                    list.into_iter().filter(|p| p.author.id == me).collect::<Vec<_>>()
                });
                match (waiting, mine) {
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorNote error=e/> }.into_any(),
                    (Ok(waiting), Ok(mine)) => {
                        let nothing = waiting.as_ref().is_none_or(Vec::is_empty) && mine.is_empty();
                        if nothing {
                            view! {
                                <EmptyState icon="✓" title=Msg::ApprovalsEmpty body=Msg::ApprovalsEmptyHint/>
                            }.into_any()
                        } else {
                            view! {
                                <div class="approvals">
                                    {waiting.map(|list| view! {
                                        <ReviewList ws list zone title=Msg::ApprovalsQueue testid="review-item"
                                            section="review-queue"/>
                                    })}
                                    {(!mine.is_empty()).then(|| view! {
                                        <ReviewList ws list=mine zone title=Msg::ApprovalsMine testid="changes-item"
                                            section="changes-requested"/>
                                    })}
                                </div>
                            }.into_any()
                        }
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn ReviewList(
    ws: WorkspaceId,
    list: Vec<PostSummary>,
    zone: Signal<Tz>,
    title: Msg,
    testid: &'static str,
    section: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let count = list.len();
    let body = if list.is_empty() {
        view! { <p class="muted">{move || i18n.t(Msg::ApprovalsEmpty)}</p> }.into_any()
    } else {
        view! {
            <ul class="review-list">
                {list.into_iter().map(|p| view! { <ReviewItem ws post=p zone testid/> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="card review-section" data-testid=section>
            <h2>{move || i18n.t(title)}" "<span class="badge badge-muted">{count}</span></h2>
            {body}
        </section>
    }
}

#[component]
fn ReviewItem(
    ws: WorkspaceId,
    post: PostSummary,
    zone: Signal<Tz>,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let due = post.first_due();
    let state = post.state;
    let author = post.author.name.clone();
    let mut platforms = Vec::new();
    for c in &post.channels {
        if !platforms.contains(&c.platform) {
            platforms.push(c.platform);
        }
    }
    let excerpt = if post.excerpt.trim().is_empty() {
        format!("#{}", post.id)
    } else {
        post.excerpt.clone()
    };
    view! {
        <li>
            <a class="review-item" href=format!("/w/{}/posts/{}", ws.0, post.id) data-testid=testid
                data-post-id=post.id.0>
                <span class="review-marks">{platforms.into_iter().map(platform_badge).collect_view()}</span>
                <span class="review-main">
                    <span class="review-excerpt">{excerpt}</span>
                    <span class="review-meta">
                        <span>{move || i18n.tf(Msg::PostBy, &[("name", &author)])}</span>
                        {post.campaign.clone().map(|c| view! { <span class="badge badge-muted">{c}</span> })}
                        {due.map(|at| view! {
                            <span class="review-due">
                                {move || i18n.t(Msg::PostDue)}": "
                                <time datetime=at.to_rfc3339()>{move || local_time(at, zone.get())}</time>
                            </span>
                        })}
                    </span>
                </span>
                <span class=format!("badge {}", state_class(state))>{move || i18n.t(state_name(state))}</span>
            </a>
        </li>
    }
}
