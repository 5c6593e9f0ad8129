//! The post page's delivery timeline: each channel's attempts in order, and
//! where the scheduler could not finish (in doubt, failed, signed out), what
//! a person may decide. Approvers and above decide; the server checks it too.

use crate::api::deliveries::resolve_delivery;
use crate::domain::delivery::{AttemptView, DeliveryState, ResolveAction};
use crate::domain::post::PostChannelView;
use crate::domain::{AppError, ChannelId, PostId, WorkspaceId};
use crate::i18n::Msg;
use crate::ui::components::deliveries::AttemptItem;
use crate::ui::components::feedback::ErrorNote;
use crate::ui::components::layout::use_workspace;
use crate::ui::format::{delivery_class, delivery_text, platform_mark, viewer_zone};
use crate::ui::i18n::use_i18n;
use chrono_tz::Tz;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Whether the timeline has anything to tell: an attempt was made, or a
/// channel is past waiting for its time.
pub fn worth_showing(channels: &[PostChannelView]) -> bool {
    channels.iter().any(|c| {
        c.attempts > 0
            || !matches!(
                Some(c.delivery_state),
                Some(DeliveryState::Pending | DeliveryState::Scheduled | DeliveryState::Cancelled)
            )
    })
}

#[component]
pub fn DeliveryTimeline(
    ws: WorkspaceId,
    id: PostId,
    channels: Vec<PostChannelView>,
    attempts: Resource<Result<Vec<AttemptView>, AppError>>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let zone = viewer_zone();
    let may_resolve = use_workspace().role.can_approve();
    let channels = StoredValue::new(channels);
    view! {
        <section class="card timeline" data-testid="delivery-timeline">
            <h2>{move || i18n.t(Msg::TimelineTitle)}</h2>
            <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match attempts.await {
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        Ok(all) => channels.get_value().into_iter().map(|channel| {
                            let mine: Vec<AttemptView> = all.iter()
                                .filter(|a| a.channel_id == channel.channel_id)
                                .cloned()
                                .collect();
                            view! { <ChannelTimeline ws id channel attempts=mine zone may_resolve version/> }
                        }).collect_view().into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ChannelTimeline(
    ws: WorkspaceId,
    id: PostId,
    channel: PostChannelView,
    attempts: Vec<AttemptView>,
    zone: Signal<Tz>,
    may_resolve: bool,
    version: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = Some(channel.delivery_state);
    let code = channel.delivery_state.as_str().to_owned();
    let class = delivery_class(Some(&code));
    let words = code.clone();
    let list = if attempts.is_empty() {
        // Stopped before sending (a channel to reconnect, say): say why.
        let why = channel.last_error.clone().map(|e| {
            view! { <p class="attempt-error">{move || i18n.tf(Msg::TimelineError, &[("error", &e)])}</p> }
        });
        view! { <p class="muted small">{move || i18n.t(Msg::TimelineNothing)}</p> {why} }.into_any()
    } else {
        let items = attempts
            .into_iter()
            .map(|a| {
                // The channel knows the address of what it published last.
                let url = channel
                    .remote_url
                    .clone()
                    .filter(|_| a.remote_id.is_some() && a.remote_id == channel.remote_id);
                view! { <AttemptItem attempt=a zone remote_url=url post_link=None/> }
            })
            .collect_view();
        view! { <ol class="attempts">{items}</ol> }.into_any()
    };
    let decide = match state {
        Some(
            s @ (DeliveryState::NeedsAttention | DeliveryState::Failed | DeliveryState::FailedAuth),
        ) => Some(if may_resolve {
            view! { <ResolvePanel ws id channel=channel.channel_id state=s version/> }.into_any()
        } else {
            view! { <p class="muted small">{move || i18n.t(Msg::ResolveAskApprover)}</p> }
                .into_any()
        }),
        _ => None,
    };
    view! {
        <div class="timeline-channel" data-testid="timeline-channel" data-channel-id=channel.channel_id.0 data-state=code>
            <h3>
                <span class=format!("platform-mark platform-{}", channel.platform.as_str()) aria-hidden="true">
                    {platform_mark(channel.platform)}
                </span>
                " " {channel.platform.display_name()} " · " {channel.name.clone()} " "
                <span class=class>{move || delivery_text(&i18n, &words)}</span>
            </h3>
            {list}
            {decide}
        </div>
    }
}

/// A person's decision on a channel the scheduler could not finish:
/// whether it went out after all (only when in doubt), publish it now, or
/// stop it on this channel.
#[component]
fn ResolvePanel(
    ws: WorkspaceId,
    id: PostId,
    channel: ChannelId,
    state: DeliveryState,
    version: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let url = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let in_doubt = state == DeliveryState::NeedsAttention;
    let run = move |action: ResolveAction| {
        // Publishing again after a possible send may post twice, and a
        // cancel cannot be undone: both are asked once more.
        let confirm = match action {
            ResolveAction::Cancel => Some(Msg::ConfirmResolveCancel),
            ResolveAction::Retry if in_doubt => Some(Msg::ConfirmResolveRetry),
            _ => None,
        };
        #[cfg(feature = "hydrate")]
        if let Some(m) = confirm {
            if !window().confirm_with_message(i18n.t(m)).unwrap_or(false) {
                return;
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = confirm;
        let link = (action == ResolveAction::Published).then(|| url.get_untracked());
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = resolve_delivery(ws, id, channel, action, link).await;
            busy.set(false);
            match result {
                // The post reloads, and this panel with it.
                Ok(_) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let intro = if in_doubt {
        Msg::ResolveDoubtIntro
    } else {
        Msg::ResolveFailedIntro
    };
    let channels_href = format!("/w/{}/channels", ws.0);
    let retry_class = if in_doubt {
        "button"
    } else {
        "button button-primary"
    };
    view! {
        <div class="resolve-panel" data-testid="resolve-panel">
            <p>{move || i18n.t(intro)}</p>
            {(state == DeliveryState::FailedAuth).then(|| view! {
                <p class="notice notice-info" data-testid="resolve-reconnect">
                    {move || i18n.t(Msg::ResolveReconnectHint)} " "
                    <a href=channels_href>{move || i18n.t(Msg::ResolveOpenChannels)}</a>
                </p>
            })}
            {in_doubt.then(|| view! {
                <label class="field">
                    <span>{move || i18n.t(Msg::ResolveUrl)}</span>
                    <input type="url" inputmode="url" placeholder="https://" data-testid="resolve-url"
                        prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                </label>
            })}
            <div class="post-actions">
                {in_doubt.then(|| view! {
                    <button type="button" class="button button-primary" data-testid="resolve-published"
                        disabled=move || busy.get() on:click=move |_| run(ResolveAction::Published)>
                        {move || i18n.t(Msg::ResolvePublished)}
                    </button>
                })}
                <button type="button" class=retry_class data-testid="resolve-retry"
                    disabled=move || busy.get() on:click=move |_| run(ResolveAction::Retry)>
                    {move || i18n.t(Msg::ResolveRetry)}
                </button>
                <button type="button" class="button button-danger" data-testid="resolve-cancel"
                    disabled=move || busy.get() on:click=move |_| run(ResolveAction::Cancel)>
                    {move || i18n.t(Msg::ResolveCancel)}
                </button>
            </div>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        </div>
    }
}
