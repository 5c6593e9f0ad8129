//! One post: what it says per channel, where each channel stands, what the
//! viewer may do next (submit, approve, request changes, withdraw, cancel),
//! the delivery timeline, its reach per channel, the comment thread, the
//! revision history with diffs, and the audit trail.

mod reach;
mod timeline;

use crate::api::deliveries::post_attempts;
use crate::api::posts::{
    add_comment, get_post, post_action, post_audit, post_comments, post_history,
};
use crate::api::reports::get_post_metrics;
use crate::domain::delivery::AttemptView;
use crate::domain::post::{AuditView, CommentKind, CommentView, DiffOp, PostView, RevisionView};
use crate::domain::reports::PostMetrics;
use crate::domain::schedule::When;
use crate::domain::workflow::{Action, ActionKind};
use crate::domain::{AppError, PostId, WorkspaceId};
use crate::i18n::Msg;
use crate::ui::components::feedback::ErrorNote;
use crate::ui::components::layout::use_workspace;
use crate::ui::format::{
    delivery_class, delivery_text, local_time, parse_tz, platform_mark, state_class, state_name,
    viewer_zone,
};
use crate::ui::i18n::use_i18n;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use reach::ReachPanel;
use timeline::DeliveryTimeline;

#[component]
pub fn PostPage() -> impl IntoView {
    let i18n = use_i18n();
    let ws = use_workspace().id;
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<PostId>().ok())
            .unwrap_or_default()
    };
    // Bumped after every change, so the dependent lists reload.
    let version = RwSignal::new(0u32);
    let post = Resource::new(
        move || (id(), version.get()),
        move |(id, _)| get_post(ws, id),
    );
    let loads = Loads {
        comments: Resource::new(
            move || (id(), version.get()),
            move |(id, _)| post_comments(ws, id),
        ),
        history: Resource::new(
            move || (id(), version.get()),
            move |(id, _)| post_history(ws, id),
        ),
        audit: Resource::new(
            move || (id(), version.get()),
            move |(id, _)| post_audit(ws, id),
        ),
        attempts: Resource::new(
            move || (id(), version.get()),
            move |(id, _)| post_attempts(ws, id),
        ),
        metrics: Resource::new(
            move || (id(), version.get()),
            move |(id, _)| get_post_metrics(ws, id),
        ),
    };
    view! {
        <Title text=move || i18n.tf(Msg::PostTitle, &[("id", &id().to_string())])/>
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match post.await {
                    Ok(p) => view! { <PostDetail ws post=p version loads/> }.into_any(),
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The lists the page shows beside the post. They are made when the page
/// is, never after an await: the server numbers resources in the order they
/// are made, and one made inside a suspended view gets whatever number the
/// server's timing gives it, which the browser then cannot match when it
/// hydrates.
#[derive(Clone, Copy)]
struct Loads {
    comments: Resource<Result<Vec<CommentView>, AppError>>,
    history: Resource<Result<Vec<RevisionView>, AppError>>,
    audit: Resource<Result<Vec<AuditView>, AppError>>,
    attempts: Resource<Result<Vec<AttemptView>, AppError>>,
    metrics: Resource<Result<PostMetrics, AppError>>,
}

#[component]
fn PostDetail(
    ws: WorkspaceId,
    post: PostView,
    version: RwSignal<u32>,
    loads: Loads,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = post.id;
    let state = post.state;
    let zone = viewer_zone();
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let review_comment = RwSignal::new(String::new());
    let run = move |action: Action| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match post_action(ws, id, action).await {
                Ok(_) => {
                    review_comment.set(String::new());
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let allowed = post.allowed_actions.clone();
    let can = move |k: ActionKind| allowed.contains(&k);
    let schedule_text = match &post.schedule {
        None => i18n.t(Msg::PostUnscheduled).to_owned(),
        Some(When::WhenApproved) => i18n.t(Msg::ComposeWhenApproved).to_owned(),
        Some(When::NextFreeSlot) => i18n.t(Msg::ComposeWhenSlot).to_owned(),
        Some(When::At { local, zone, .. }) => {
            format!("{} ({zone})", local.format("%Y-%m-%d %H:%M"))
        }
        Some(When::SameLocalTimePerChannel { local, .. }) => format!(
            "{} · {}",
            local.format("%Y-%m-%d %H:%M"),
            i18n.t(Msg::ComposeWhenSameLocal)
        ),
    };
    let channel_rows = post
        .channels
        .iter()
        .map(|c| {
            let due = c.due_at.map(|at| {
                let channel_zone = parse_tz(&c.time_zone);
                (move || local_time(at, zone.get()), local_time(at, channel_zone))
            });
            let delivery = c.delivery_state.as_str().to_owned();
            let words = delivery.clone();
            view! {
                <tr data-testid="post-channel">
                    <td><span class=format!("platform-mark platform-{}", c.platform.as_str()) aria-hidden="true">{platform_mark(c.platform)}</span>
                        " " {c.platform.display_name()} " · " {c.name.clone()}</td>
                    <td>{match due {
                        Some((mine, theirs)) => view! { <span>{mine}</span><br/><small class="muted">{theirs}</small> }.into_any(),
                        None => view! { <span class="muted">{move || i18n.t(Msg::PostNoDue)}</span> }.into_any(),
                    }}</td>
                    <td data-testid="delivery-state" data-state=delivery.clone()>
                        <span class=delivery_class(Some(&delivery))>{move || delivery_text(&i18n, &words)}</span>
                        {c.remote_url.clone().map(|u| {
                            let text = u.clone();
                            view! { " " <a href=u rel="noopener" target="_blank">{text}</a> }
                        })}
                        {c.last_error.clone().map(|e| view! { <br/><small class="issue-blocking">{e}</small> })}
                    </td>
                    <td>{c.attempts}</td>
                </tr>
            }
        })
        .collect_view();
    let variants = post
        .content
        .variants
        .iter()
        .map(|v| {
            let name = post
                .channels
                .iter()
                .find(|c| c.channel_id == v.channel_id)
                .map(|c| format!("{} · {}", c.platform.display_name(), c.name))
                .unwrap_or_default();
            view! {
                <div class="variant-view">
                    <h3>{name}</h3>
                    <div class="preview-text">{v.text.clone().unwrap_or_default()}</div>
                </div>
            }
        })
        .collect_view();
    let have = post.approvals.len().to_string();
    let need = post.approvals_required.to_string();
    let approvers = post
        .approvals
        .iter()
        .map(|a| a.user.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let timeline = timeline::worth_showing(&post.channels).then(|| {
        let channels = post.channels.clone();
        view! { <DeliveryTimeline ws id channels attempts=loads.attempts version/> }
    });
    let edit_href = format!("/w/{}/compose?post={id}", ws.0);
    let can_edit = can(ActionKind::Edit);
    let actions = view! {
        <div class="post-actions">
            {can_edit.then(|| view! { <a class="button button-ghost" href=edit_href data-testid="post-edit">{move || i18n.t(Msg::ActEdit)}</a> })}
            {can(ActionKind::Submit).then(|| view! {
                <button type="button" class="button" data-testid="post-submit" disabled=move || busy.get()
                    on:click=move |_| run(Action::Submit)>{move || i18n.t(Msg::ActSubmit)}</button>
            })}
            {can(ActionKind::Withdraw).then(|| view! {
                <button type="button" class="button button-ghost" data-testid="post-withdraw" disabled=move || busy.get()
                    on:click=move |_| run(Action::Withdraw)>{move || i18n.t(Msg::ActWithdraw)}</button>
            })}
            {can(ActionKind::Retry).then(|| view! {
                <button type="button" class="button" data-testid="post-retry" disabled=move || busy.get()
                    on:click=move |_| run(Action::Retry)>{move || i18n.t(Msg::ActRetry)}</button>
            })}
            {can(ActionKind::Cancel).then(|| view! {
                <button type="button" class="button button-danger" data-testid="post-cancel" disabled=move || busy.get()
                    on:click=move |_| {
                        #[cfg(feature = "hydrate")]
                        if !window().confirm_with_message(i18n.t(Msg::ConfirmCancelPost)).unwrap_or(false) {
                            return;
                        }
                        run(Action::Cancel)
                    }>{move || i18n.t(Msg::ActCancel)}</button>
            })}
        </div>
    };
    let review = (can(ActionKind::Approve) || can(ActionKind::Reject)).then(|| {
        let may_approve = can(ActionKind::Approve);
        let may_reject = can(ActionKind::Reject);
        view! {
            <section class="card review-box" data-testid="review-box">
                <label class="field">
                    <span>{move || i18n.t(Msg::PostReviewComment)}</span>
                    <textarea rows="3" data-testid="review-comment" prop:value=move || review_comment.get()
                        on:input=move |ev| review_comment.set(event_target_value(&ev))></textarea>
                </label>
                <div class="post-actions">
                    {may_approve.then(|| view! {
                        <button type="button" class="button" data-testid="post-approve" disabled=move || busy.get()
                            on:click=move |_| {
                                let c = review_comment.get_untracked();
                                run(Action::Approve { comment: (!c.trim().is_empty()).then_some(c) })
                            }>{move || i18n.t(Msg::ActApprove)}</button>
                    })}
                    {may_reject.then(|| view! {
                        <button type="button" class="button button-ghost" data-testid="post-reject" disabled=move || busy.get()
                            on:click=move |_| run(Action::Reject { comment: review_comment.get_untracked() })>
                            {move || i18n.t(Msg::ActReject)}
                        </button>
                    })}
                </div>
            </section>
        }
    });
    view! {
        <div class="page-header">
            <h1>{i18n.tf(Msg::PostTitle, &[("id", &id.to_string())])}</h1>
            <span class=state_class(state) data-testid="post-state" data-state=state.as_str()>{move || i18n.t(state_name(state))}</span>
        </div>
        <p class="muted">
            {i18n.tf(Msg::PostBy, &[("name", &post.author.name)])}
            {post.campaign.clone().map(|c| view! { " · " <span class="badge">{c}</span> })}
            " · " {schedule_text}
        </p>
        {actions}
        {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        {review}
        <div class="post-grid">
            <section class="card">
                <h2>{move || i18n.t(Msg::ComposeText)}</h2>
                {post.content.title.clone().map(|t| view! { <h3>{t}</h3> })}
                <div class="preview-text" data-testid="post-text">{post.content.text.clone()}</div>
                {variants}
                <p class="muted" data-testid="post-approvals">
                    {i18n.tf(Msg::PostApprovals, &[("have", &have), ("need", &need)])}
                    {(!approvers.is_empty()).then(|| format!(" · {approvers}"))}
                </p>
            </section>
            <section class="card">
                <h2>{move || i18n.t(Msg::PostChannels)}</h2>
                <table class="table">
                    <thead><tr>
                        <th>{move || i18n.t(Msg::FilterChannel)}</th>
                        <th>{move || i18n.t(Msg::PostDue)}</th>
                        <th>{move || i18n.t(Msg::PostDelivery)}</th>
                        <th>{move || i18n.t(Msg::PostAttempts)}</th>
                    </tr></thead>
                    <tbody>{channel_rows}</tbody>
                </table>
            </section>
        </div>
        {timeline}
        <ReachPanel metrics=loads.metrics/>
        <Comments ws id version list=loads.comments/>
        <History list=loads.history/>
        <AuditTrail list=loads.audit/>
    }
}

#[component]
fn Comments(
    ws: WorkspaceId,
    id: PostId,
    version: RwSignal<u32>,
    list: Resource<Result<Vec<CommentView>, AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let zone = viewer_zone();
    let body = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let send = move |_| {
        let text = body.get_untracked();
        spawn_local(async move {
            match add_comment(ws, id, text).await {
                Ok(_) => {
                    body.set(String::new());
                    error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{move || i18n.t(Msg::PostComments)}</h2>
            <Suspense>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => view! { <p class="muted">{move || i18n.t(Msg::PostNoComments)}</p> }.into_any(),
                        Ok(items) => view! {
                            <ul class="comments" data-testid="comments">
                                {items.into_iter().map(|c| {
                                    let tag = match c.kind {
                                        CommentKind::Approval => Some(Msg::PostCommentApproval),
                                        CommentKind::ChangesRequested => Some(Msg::PostCommentChanges),
                                        CommentKind::Comment => None,
                                    };
                                    view! {
                                        <li class="comment">
                                            <strong>{c.author.name.clone()}</strong>
                                            {tag.map(|m| view! { " " <span class="badge">{move || i18n.t(m)}</span> })}
                                            " " <small class="muted">{move || local_time(c.at, zone.get())}</small>
                                            <p>{c.body.clone()}</p>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <div class="form">
                <textarea rows="3" data-testid="comment-body" aria-label=move || i18n.t(Msg::PostAddComment)
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                <button type="button" class="button" data-testid="comment-send" on:click=send>{move || i18n.t(Msg::PostAddComment)}</button>
            </div>
        </section>
    }
}

#[component]
fn History(list: Resource<Result<Vec<RevisionView>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let zone = viewer_zone();
    view! {
        <section class="card">
            <h2>{move || i18n.t(Msg::PostHistory)}</h2>
            <Suspense>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(revisions) => view! {
                            <ol class="revisions" data-testid="history">
                                {revisions.into_iter().map(|r| {
                                    let n = r.number.to_string();
                                    // The first revision is all additions: start it closed.
                                    let later = r.number > 1;
                                    view! {
                                        <li>
                                            <details open=later>
                                                <summary>
                                                    <strong>{move || i18n.tf(Msg::PostRevision, &[("n", &n)])}</strong>
                                                    " · " {r.author.name.clone()} " · " {move || local_time(r.at, zone.get())}
                                                </summary>
                                                <pre class="diff">
                                                    {r.diff.into_iter().filter(|l| l.op != DiffOp::Same || r.number == 1).map(|l| {
                                                        let (class, sign) = match l.op {
                                                            DiffOp::Added => ("diff-add", "+ "),
                                                            DiffOp::Removed => ("diff-del", "- "),
                                                            DiffOp::Same => ("diff-same", "  "),
                                                        };
                                                        view! { <span class=class>{sign}{l.text}"\n"</span> }
                                                    }).collect_view()}
                                                </pre>
                                            </details>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }.into_any(),
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn AuditTrail(list: Resource<Result<Vec<AuditView>, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let zone = viewer_zone();
    view! {
        <section class="card">
            <h2>{move || i18n.t(Msg::PostAudit)}</h2>
            <Suspense>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(entries) => view! {
                            <ul class="audit" data-testid="post-audit">
                                {entries.into_iter().map(|e| view! {
                                    <li>
                                        <small class="muted">{move || local_time(e.at, zone.get())}</small>
                                        " " <strong>{e.actor.map(|a| a.name).unwrap_or_default()}</strong>
                                        " " <code>{e.action}</code>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
