//! Post use cases: compose, revise, schedule, review, cancel, comment, and
//! the lists, history and notifications around them. The rules live in the
//! shared domain modules (`post::check_post`, `workflow::apply`,
//! `schedule::plan`); this file loads the facts, asks the rules, and writes
//! the outcome in one store transaction that fails if the post changed in
//! between.

use super::access::{Member, Need};
use super::error::{internal, schedule_error, workflow_error};
use super::state::AppState;
use crate::domain::delivery::DeliveryState;
use crate::domain::post::{
    self, ApprovalView, AuditView, ChannelView, CommentKind, CommentView, MediaRef,
    NotificationKind, NotificationView, PostChannelDue, PostChannelView, PostContent, PostFilter,
    PostInput, PostSummary, PostView, RevisionView, UserRef, CAMPAIGN_MAX_CHARS, COMMENT_MAX_CHARS,
    TEXT_MAX_BYTES,
};
use crate::domain::schedule::{self, ChannelClock, When};
use crate::domain::workflow::{
    self, Action, ActionKind, ApprovalChange, Notice, Policy, PostFacts, PostState,
};
use crate::domain::{AppError, ChannelId, PostId, UserId, WorkspaceId};
use crate::i18n::Msg;
use crate::store::{
    AuditRow, Conflict, Json, PostHead, PostRecord, PostWrite, PostWritten, StoreError, UserRow,
};
use chrono::{DateTime, Duration, Utc};

/// How far ahead of "now" a scheduled time must be. Zero: any time that has
/// not passed yet is accepted.
const MIN_LEAD: Duration = Duration::zero();
/// Longest list the list view and the API return in one answer.
pub const LIST_LIMIT: i64 = 500;

// ---------------------------------------------------------------------------
// Errors of the store, in the app's wire shape
// ---------------------------------------------------------------------------

/// The store's refusals of a post write: a write that lost a race to
/// another one is stale (409, like a stale `expected_revision`), a target
/// that is not a live channel of the workspace is invalid input (422).
fn write_refused(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(Conflict::Stale) => AppError::conflict(Msg::ErrStale),
        StoreError::Conflict(Conflict::UnknownChannel) => {
            AppError::invalid(Some("channels"), Msg::ErrUnknownChannel)
        }
        other => other.into(),
    }
}

// ---------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------

pub async fn policy(state: &AppState, m: &Member) -> Result<Policy, AppError> {
    m.require(Need::Read)?;
    let ws = m.ws();
    Ok(state.store.policy(ws).await?)
}

pub async fn set_policy(state: &AppState, m: &Member, policy: Policy) -> Result<Policy, AppError> {
    m.require(Need::Configure)?;
    let ws = m.ws();
    if policy.approvals_required > 10 {
        return Err(AppError::invalid(
            Some("approvals_required"),
            Msg::ErrApprovalsRequired,
        ));
    }
    state
        .store
        .set_policy(ws, policy, m.id(), state.now())
        .await?;
    Ok(policy)
}

// ---------------------------------------------------------------------------
// Reading posts
// ---------------------------------------------------------------------------

fn facts(record: &PostRecord, schedule: Option<&When>) -> PostFacts {
    PostFacts {
        author_id: record.post.author_id,
        approvals: record.approvals.iter().map(|a| a.user_id).collect(),
        any_channel_published: record
            .channels
            .iter()
            .any(|c| c.delivery_state == DeliveryState::Published),
        publish_immediately: matches!(schedule, Some(When::WhenApproved)),
    }
}

fn view(record: &PostRecord, m: &Member, policy: &Policy) -> Result<PostView, AppError> {
    let p = &record.post;
    let state = p.state;
    let schedule = p.schedule_json.clone().map(|j| j.0);
    let member = m.actor();
    let channels = record
        .channels
        .iter()
        .map(|c| {
            Ok(PostChannelView {
                channel_id: c.channel_id,
                platform: c.platform,
                name: c.name.clone(),
                time_zone: c.time_zone.clone(),
                due_at: c.due_at,
                delivery_state: c.delivery_state,
                remote_id: c.remote_id.clone(),
                remote_url: c.remote_url.clone(),
                last_error: c.last_error.clone(),
                attempts: c.attempts,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(PostView {
        id: p.id,
        workspace_id: p.workspace_id,
        state,
        author: UserRef {
            id: p.author_id,
            name: p.author_name.clone(),
        },
        campaign: p.campaign.clone(),
        allowed_actions: workflow::allowed_actions(
            state,
            &member,
            &facts(record, schedule.as_ref()),
            policy,
        ),
        schedule,
        content: p.content_json.0.clone(),
        channels,
        revision: p.revision,
        approvals: record
            .approvals
            .iter()
            .map(|a| ApprovalView {
                user: UserRef {
                    id: a.user_id,
                    name: a.user_name.clone(),
                },
                revision: a.revision,
                at: a.created_at,
            })
            .collect(),
        approvals_required: policy.approvals_required,
        created_at: p.created_at,
        updated_at: p.updated_at,
    })
}

async fn load(state: &AppState, ws: WorkspaceId, id: PostId) -> Result<PostRecord, AppError> {
    state.store.post(ws, id).await?.ok_or(AppError::NotFound)
}

pub async fn get(state: &AppState, m: &Member, id: PostId) -> Result<PostView, AppError> {
    let ws = m.ws();
    let policy = state.store.policy(ws).await?;
    view(&load(state, ws, id).await?, m, &policy)
}

pub async fn list(
    state: &AppState,
    m: &Member,
    filter: &PostFilter,
) -> Result<Vec<PostSummary>, AppError> {
    m.require(Need::Read)?;
    let ws = m.ws();
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if to < from {
            return Err(AppError::invalid(Some("to"), Msg::ErrRangeOrder));
        }
    }
    state
        .store
        .posts(ws, filter, LIST_LIMIT)
        .await?
        .into_iter()
        .map(|(p, channels)| {
            let content = p.content_json.0.clone();
            Ok(PostSummary {
                id: p.id,
                state: p.state,
                excerpt: post::excerpt(&content, 120),
                schedule: p.schedule_json.clone().map(|j| j.0),
                campaign: p.campaign,
                author: UserRef {
                    id: p.author_id,
                    name: p.author_name,
                },
                channels: channels
                    .iter()
                    .map(|c| {
                        Ok(PostChannelDue {
                            channel_id: c.channel_id,
                            platform: c.platform,
                            due_at: c.due_at,
                        })
                    })
                    .collect::<Result<_, AppError>>()?,
                updated_at: p.updated_at,
            })
        })
        .collect()
}

pub async fn history(
    state: &AppState,
    m: &Member,
    id: PostId,
) -> Result<Vec<RevisionView>, AppError> {
    m.require(Need::Read)?;
    let ws = m.ws();
    load(state, ws, id).await?;
    let rows = state.store.revisions(ws, id).await?;
    let mut previous: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let content = r.content_json.0;
        let channels = r.channels_json.0;
        let schedule = r.schedule_json.clone().map(|j| j.0);
        let mut lines = post::diff_lines(&content, &channels, schedule.as_ref());
        if let Some(c) = r.campaign.as_deref() {
            lines.push(format!("[campaign] {c}"));
        }
        out.push(RevisionView {
            number: r.number,
            author: UserRef {
                id: r.author_id,
                name: r.author_name,
            },
            at: r.created_at,
            diff: post::diff(&previous, &lines),
        });
        previous = lines;
    }
    out.reverse();
    Ok(out)
}

pub async fn comments(
    state: &AppState,
    m: &Member,
    id: PostId,
) -> Result<Vec<CommentView>, AppError> {
    m.require(Need::Read)?;
    let ws = m.ws();
    load(state, ws, id).await?;
    state
        .store
        .comments(ws, id)
        .await?
        .into_iter()
        .map(|c| {
            Ok(CommentView {
                id: c.id,
                author: UserRef {
                    id: c.author_id,
                    name: c.author_name,
                },
                kind: c.kind,
                body: c.body,
                revision: c.revision,
                at: c.created_at,
            })
        })
        .collect()
}

pub async fn audit_views(
    state: &AppState,
    rows: Vec<AuditRow>,
    ws: WorkspaceId,
) -> Result<Vec<AuditView>, AppError> {
    let members = state.store.members(ws).await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditView {
            id: r.id,
            actor: r.actor_user_id.map(|id| UserRef {
                id,
                name: members
                    .iter()
                    .find(|m| m.user_id == id)
                    .map(|m| m.display_name.clone())
                    .unwrap_or_else(|| format!("#{id}")),
            }),
            action: r.action,
            subject: r.subject,
            detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null),
            at: r.at,
        })
        .collect())
}

pub async fn post_audit(
    state: &AppState,
    m: &Member,
    id: PostId,
) -> Result<Vec<AuditView>, AppError> {
    m.require(Need::Read)?;
    let ws = m.ws();
    load(state, ws, id).await?;
    let rows = state.store.post_audit(ws, id).await?;
    audit_views(state, rows, ws).await
}

/// The workspace's audit log, newest first (admins only).
pub async fn workspace_audit(state: &AppState, m: &Member) -> Result<Vec<AuditView>, AppError> {
    m.require(Need::Configure)?;
    let ws = m.ws();
    let rows = state.store.audit_log(ws, 500).await?;
    audit_views(state, rows, ws).await
}

// ---------------------------------------------------------------------------
// Writing posts
// ---------------------------------------------------------------------------

/// Checks what a person typed that no platform rule covers, and replaces
/// every media reference by the stored file's facts (kind, size, type), so a
/// client cannot claim an image is smaller than it is.
async fn normalize_input(
    state: &AppState,
    ws: WorkspaceId,
    mut input: PostInput,
) -> Result<PostInput, AppError> {
    input.campaign = input
        .campaign
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if input
        .campaign
        .as_deref()
        .is_some_and(|c| c.chars().count() > CAMPAIGN_MAX_CHARS)
    {
        return Err(AppError::invalid(Some("campaign"), Msg::ErrCampaignTooLong));
    }
    let c = &input.content;
    let total: usize = c.text.len()
        + c.variants
            .iter()
            .map(|v| v.text.as_deref().map_or(0, str::len))
            .sum::<usize>();
    if total > TEXT_MAX_BYTES || c.variants.len() > 50 || c.media.len() > 20 {
        return Err(AppError::invalid(Some("text"), Msg::ErrTextTooLarge));
    }
    let mut seen = input.channels.clone();
    seen.sort_unstable();
    seen.dedup();
    if seen.len() != input.channels.len() {
        return Err(AppError::invalid(Some("channels"), Msg::ErrUnknownChannel));
    }
    for v in &input.content.variants {
        if !input.channels.contains(&v.channel_id) {
            return Err(AppError::invalid(Some("variants"), Msg::ErrUnknownChannel));
        }
    }
    input.content.media = resolve_media(state, ws, &input.content.media).await?;
    for i in 0..input.content.variants.len() {
        if let Some(media) = input.content.variants[i].media.clone() {
            input.content.variants[i].media = Some(resolve_media(state, ws, &media).await?);
        }
    }
    Ok(input)
}

async fn resolve_media(
    state: &AppState,
    ws: WorkspaceId,
    refs: &[MediaRef],
) -> Result<Vec<MediaRef>, AppError> {
    let mut out = Vec::with_capacity(refs.len());
    for r in refs {
        let row = state
            .store
            .media(ws, r.id)
            .await?
            .ok_or_else(|| AppError::invalid(Some("media"), Msg::ErrUnknownMedia))?;
        out.push(super::media::media_ref(&row, r.alt.trim())?);
    }
    Ok(out)
}

/// Due times of the targets for `when`, checked against `now`.
async fn due_times(
    state: &AppState,
    ws: WorkspaceId,
    post_id: Option<PostId>,
    when: &When,
    targets: &[ChannelId],
    channels: &[ChannelView],
) -> Result<Vec<(ChannelId, Option<DateTime<Utc>>)>, AppError> {
    let now = state.now();
    let mut clocks = Vec::with_capacity(targets.len());
    for id in targets {
        let ch = channels
            .iter()
            .find(|c| c.id == *id)
            .ok_or_else(|| AppError::invalid(Some("channels"), Msg::ErrUnknownChannel))?;
        let zone = schedule::parse_zone(&ch.time_zone).map_err(|e| schedule_error(&e))?;
        let (slots, taken) = if matches!(when, When::NextFreeSlot) {
            (
                // Checked when the channel was saved (empty: no slots), so
                // unreadable now is corrupt data, not "no slots".
                if ch.slots.trim().is_empty() {
                    Vec::new()
                } else {
                    schedule::parse_slots(&ch.slots)
                        .map_err(|e| internal(format!("stored slots of channel {id}: {e:?}")))?
                },
                state.store.taken_times(ws, *id, now, post_id).await?,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        clocks.push(ChannelClock {
            id: *id,
            zone,
            slots,
            taken,
        });
    }
    schedule::plan(when, &clocks, now, MIN_LEAD).map_err(|e| schedule_error(&e))
}

/// Refuses a post that some target platform would refuse.
fn require_publishable(
    content: &PostContent,
    targets: &[ChannelId],
    channels: &[ChannelView],
    campaign: Option<&str>,
    schedule: Option<&When>,
) -> Result<(), AppError> {
    if targets.is_empty() {
        return Err(AppError::invalid(Some("channels"), Msg::ErrNoChannels));
    }
    if schedule.is_none() {
        return Err(AppError::invalid(Some("schedule"), Msg::ErrNoSchedule));
    }
    let checks = post::check_post(content, targets, channels, campaign);
    let problems: Vec<String> = checks
        .iter()
        .filter(|c| !c.report.ok())
        .map(|c| {
            let name = channels
                .iter()
                .find(|ch| ch.id == c.channel_id)
                .map_or("?", |ch| ch.name.as_str());
            let codes: Vec<String> = c
                .report
                .issues
                .iter()
                .filter(|i| i.is_blocking())
                .map(|i| serde_json::to_string(i).unwrap_or_else(|_| i.code().to_owned()))
                .collect();
            format!("{name}: {}", codes.join(", "))
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid {
            field: Some("content".into()),
            key: Msg::ErrPostInvalid.key().to_owned(),
            message: format!(
                "{} {}",
                crate::i18n::t(crate::i18n::Locale::En, Msg::ErrPostInvalid),
                problems.join("; ")
            ),
        })
    }
}

fn head(
    state: PostState,
    content: &PostContent,
    campaign: Option<String>,
    schedule: Option<&When>,
    targets: &[(ChannelId, Option<DateTime<Utc>>)],
) -> PostHead {
    PostHead {
        state,
        search_text: post::search_text(content, campaign.as_deref()),
        campaign,
        schedule_json: schedule.cloned().map(Json),
        content_json: Json(content.clone()),
        first_due_at: targets.iter().filter_map(|t| t.1).min(),
    }
}

/// Who hears about a transition.
async fn recipients(
    state: &AppState,
    ws: WorkspaceId,
    notices: &[Notice],
    author: UserId,
    actor: UserId,
    policy: &Policy,
) -> Result<Vec<(UserId, NotificationKind)>, AppError> {
    let mut out = Vec::new();
    for notice in notices {
        match notice {
            Notice::ReviewersNeeded => {
                for member in state.store.members(ws).await? {
                    let id = member.user_id;
                    let may_review = Need::Approve.met_by(member.role)
                        && (id != author || policy.author_may_approve);
                    if may_review && id != actor {
                        out.push((id, NotificationKind::ReviewNeeded));
                    }
                }
            }
            Notice::AuthorApproved => out.push((author, NotificationKind::Approved)),
            Notice::AuthorChangesRequested => {
                out.push((author, NotificationKind::ChangesRequested))
            }
            Notice::AuthorPublished => out.push((author, NotificationKind::Published)),
            Notice::AuthorFailed => out.push((author, NotificationKind::Failed)),
            Notice::AttentionNeeded => out.push((author, NotificationKind::AttentionNeeded)),
        }
    }
    // Nobody is told about what they just did themselves.
    out.retain(|(u, _)| *u != actor);
    out.dedup();
    Ok(out)
}

pub async fn create(state: &AppState, m: &Member, input: PostInput) -> Result<PostView, AppError> {
    m.require(Need::Write)?;
    let ws = m.ws();
    let input = normalize_input(state, ws, input).await?;
    let channels = super::channels::channels(state, m).await?;
    // Unknown channels are refused by the store (tenant-scoped), and
    // "as soon as approved" has no due time until then (see `schedule::plan`).
    let targets = match &input.schedule {
        Some(when) => due_times(state, ws, None, when, &input.channels, &channels).await?,
        None => input.channels.iter().map(|id| (*id, None)).collect(),
    };
    let written = state
        .store
        .write_post(PostWrite {
            ws,
            id: None,
            expected_version: 0,
            actor: m.id(),
            head: head(
                PostState::Draft,
                &input.content,
                input.campaign.clone(),
                input.schedule.as_ref(),
                &targets,
            ),
            targets,
            new_revision: true,
            approvals: ApprovalChange::Keep,
            comment: None,
            notify: Vec::new(),
            audit_action: "post.create",
            audit_detail: serde_json::json!({ "channels": input.channels }),
            now: state.now(),
        })
        .await
        .map_err(write_refused)?;
    get(state, m, written.id).await
}

/// Saves a new revision (content, channels, campaign or schedule). Editing
/// content after approval voids the approvals and returns the post to
/// review; changing only the time is a reschedule, under the policy.
pub async fn update(
    state: &AppState,
    m: &Member,
    id: PostId,
    expected_revision: Option<i64>,
    input: PostInput,
) -> Result<PostView, AppError> {
    m.require(Need::Write)?;
    let ws = m.ws();
    let record = load(state, ws, id).await?;
    if let Some(expected) = expected_revision {
        if expected != record.post.revision {
            return Err(AppError::conflict(Msg::ErrStale));
        }
    }
    let input = normalize_input(state, ws, input).await?;
    let current_content = record.post.content_json.0.clone();
    let current_schedule = record.post.schedule_json.clone().map(|j| j.0);
    let current_targets: Vec<ChannelId> = record.channels.iter().map(|c| c.channel_id).collect();
    let content_changed = current_content != input.content
        || current_targets != input.channels
        || record.post.campaign != input.campaign;
    let schedule_changed = current_schedule != input.schedule;
    if !content_changed && !schedule_changed {
        return get(state, m, id).await;
    }
    let action = if content_changed {
        Action::Edit
    } else {
        Action::Reschedule
    };
    write_change(state, m, &record, input, action, None).await
}

/// Moves a post to another time (the calendar's drag and drop).
pub async fn reschedule(
    state: &AppState,
    m: &Member,
    id: PostId,
    when: When,
) -> Result<PostView, AppError> {
    let ws = m.ws();
    let record = load(state, ws, id).await?;
    let input = PostInput {
        content: record.post.content_json.0.clone(),
        channels: record.channels.iter().map(|c| c.channel_id).collect(),
        schedule: Some(when),
        campaign: record.post.campaign.clone(),
    };
    write_change(state, m, &record, input, Action::Reschedule, None).await
}

/// Submit, approve, reject, withdraw, cancel or retry.
pub async fn act(
    state: &AppState,
    m: &Member,
    id: PostId,
    action: Action,
) -> Result<PostView, AppError> {
    let ws = m.ws();
    if matches!(
        action.kind(),
        ActionKind::Edit
            | ActionKind::Reschedule
            | ActionKind::StartPublishing
            | ActionKind::ChannelsSettled
    ) {
        return Err(AppError::Forbidden);
    }
    let comment = match &action {
        Action::Approve { comment } => comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| (CommentKind::Approval, c.to_owned())),
        Action::Reject { comment } => {
            Some((CommentKind::ChangesRequested, comment.trim().to_owned()))
        }
        _ => None,
    };
    if comment
        .as_ref()
        .is_some_and(|(_, c)| c.chars().count() > COMMENT_MAX_CHARS)
    {
        return Err(AppError::invalid(Some("comment"), Msg::ErrCommentTooLong));
    }
    let record = load(state, ws, id).await?;
    let input = PostInput {
        content: record.post.content_json.0.clone(),
        channels: record.channels.iter().map(|c| c.channel_id).collect(),
        schedule: record.post.schedule_json.clone().map(|j| j.0),
        campaign: record.post.campaign.clone(),
    };
    write_change(state, m, &record, input, action, comment).await
}

async fn write_change(
    state: &AppState,
    m: &Member,
    record: &PostRecord,
    input: PostInput,
    action: Action,
    comment: Option<(CommentKind, String)>,
) -> Result<PostView, AppError> {
    let ws = m.ws();
    let policy = state.store.policy(ws).await?;
    let from = record.post.state;
    let current_schedule = record.post.schedule_json.clone().map(|j| j.0);
    let mut facts = facts(record, input.schedule.as_ref());
    // A schedule edit in the same save decides whether approval publishes
    // at once; the other facts describe the stored post.
    facts.publish_immediately = matches!(
        input.schedule.as_ref().or(current_schedule.as_ref()),
        Some(When::WhenApproved)
    );
    let member = m.actor();
    let transition =
        workflow::apply(from, &action, &member, &facts, &policy).map_err(workflow_error)?;

    let channels = super::channels::channels(state, m).await?;
    let entering_workflow = !matches!(
        transition.to,
        PostState::Draft | PostState::ChangesRequested | PostState::Cancelled
    );
    if entering_workflow {
        require_publishable(
            &input.content,
            &input.channels,
            &channels,
            input.campaign.as_deref(),
            input.schedule.as_ref(),
        )?;
    }

    // Due times: recomputed when the schedule or the targets change, when
    // the post is submitted and when it becomes scheduled (a time that
    // passed while the post waited is refused rather than published late by
    // surprise).
    let kind = action.kind();
    let recompute = kind == ActionKind::Edit
        || kind == ActionKind::Reschedule
        || kind == ActionKind::Submit
        || (transition.to == PostState::Scheduled && from != PostState::Scheduled);
    let mut targets: Vec<(ChannelId, Option<DateTime<Utc>>)> = if kind == ActionKind::Cancel {
        record
            .channels
            .iter()
            .map(|c| (c.channel_id, c.due_at))
            .collect()
    } else if recompute {
        match &input.schedule {
            Some(when) => {
                due_times(
                    state,
                    ws,
                    Some(record.post.id),
                    when,
                    &input.channels,
                    &channels,
                )
                .await?
            }
            None => input.channels.iter().map(|id| (*id, None)).collect(),
        }
    } else {
        record
            .channels
            .iter()
            .map(|c| (c.channel_id, c.due_at))
            .collect()
    };
    let now = state.now();
    let when_approved = matches!(input.schedule, Some(When::WhenApproved));
    for t in &mut targets {
        if when_approved {
            // Due the moment it is scheduled, not before.
            t.1 = (transition.to == PostState::Scheduled).then_some(now);
        }
    }

    let notify = recipients(
        state,
        ws,
        &transition.notify,
        record.post.author_id,
        m.user.id,
        &policy,
    )
    .await?;
    let detail = serde_json::json!({
        "from": from.as_str(),
        "to": transition.to.as_str(),
        "revision": record.post.revision + i64::from(kind == ActionKind::Edit || kind == ActionKind::Reschedule),
    });
    let written: PostWritten = state
        .store
        .write_post(PostWrite {
            ws,
            id: Some(record.post.id),
            expected_version: record.post.version,
            actor: m.id(),
            head: head(
                transition.to,
                &input.content,
                input.campaign.clone(),
                input.schedule.as_ref(),
                &targets,
            ),
            targets,
            new_revision: kind == ActionKind::Edit || kind == ActionKind::Reschedule,
            approvals: transition.approvals,
            comment,
            notify,
            audit_action: audit_action(kind),
            audit_detail: detail,
            now,
        })
        .await
        .map_err(write_refused)?;
    get(state, m, written.id).await
}

fn audit_action(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Edit => "post.edit",
        ActionKind::Submit => "post.submit",
        ActionKind::Approve => "post.approve",
        ActionKind::Reject => "post.reject",
        ActionKind::Withdraw => "post.withdraw",
        ActionKind::Reschedule => "post.reschedule",
        ActionKind::Cancel => "post.cancel",
        ActionKind::Retry => "post.retry",
        ActionKind::StartPublishing => "post.start_publishing",
        ActionKind::ChannelsSettled => "post.settled",
    }
}

pub async fn comment(
    state: &AppState,
    m: &Member,
    id: PostId,
    body: &str,
) -> Result<Vec<CommentView>, AppError> {
    m.require(Need::Write)?;
    let ws = m.ws();
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid(Some("body"), Msg::ErrCommentEmpty));
    }
    if body.chars().count() > COMMENT_MAX_CHARS {
        return Err(AppError::invalid(Some("body"), Msg::ErrCommentTooLong));
    }
    let record = load(state, ws, id).await?;
    // The author and everyone who took part in the thread hear about it.
    let mut notify: Vec<UserId> = vec![record.post.author_id];
    for c in state.store.comments(ws, id).await? {
        notify.push(c.author_id);
    }
    notify.retain(|u| *u != m.user.id);
    notify.sort_unstable();
    notify.dedup();
    state
        .store
        .add_comment(ws, id, m.id(), body, &notify, state.now())
        .await?;
    comments(state, m, id).await
}

// ---------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------

pub async fn notifications(
    state: &AppState,
    actor: &UserRow,
) -> Result<(i64, Vec<NotificationView>), AppError> {
    let unread = state.store.unread_notifications(actor.id()).await?;
    let rows = state.store.notifications(actor.id(), 50).await?;
    let list = rows
        .into_iter()
        .map(|n| {
            let content = n.content_json.0.clone();
            Ok(NotificationView {
                id: n.id,
                workspace_id: n.workspace_id,
                kind: n.kind,
                post_id: n.post_id,
                excerpt: post::excerpt(&content, 80),
                actor: match (n.actor_id, n.actor_name) {
                    (Some(id), Some(name)) => Some(UserRef {
                        id: UserId(id),
                        name,
                    }),
                    _ => None,
                },
                at: n.created_at,
                read: n.read_at.is_some(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok((unread, list))
}

pub async fn mark_read(
    state: &AppState,
    actor: &UserRow,
    ids: Option<Vec<i64>>,
) -> Result<(), AppError> {
    state
        .store
        .mark_notifications_read(actor.id(), ids.as_deref(), state.now())
        .await?;
    Ok(())
}
