//! One delivery attempt as a line of a timeline, shared by the post page
//! (a post's attempts per channel) and the channels page (a channel's
//! latest attempts, each linking to its post).

use crate::domain::delivery::AttemptView;
use crate::domain::WorkspaceId;
use crate::i18n::Msg;
use crate::ui::format::{delivery_class, local_time, outcome_text};
use crate::ui::i18n::use_i18n;
use chrono_tz::Tz;
use leptos::prelude::*;

#[component]
pub fn AttemptItem(
    attempt: AttemptView,
    zone: Signal<Tz>,
    /// Where the published post can be seen, when the platform said.
    remote_url: Option<String>,
    /// Set on lists of several posts, to link the attempt to its post.
    post_link: Option<WorkspaceId>,
) -> impl IntoView {
    let i18n = use_i18n();
    let a = attempt;
    let n = a.number.to_string();
    let outcome = a.outcome.clone();
    let class = delivery_class(outcome.as_deref());
    let code = outcome.clone().unwrap_or_default();
    let post = post_link.map(|ws| {
        let href = format!("/w/{}/posts/{}", ws.0, a.post_id);
        let id = a.post_id.to_string();
        view! {
            <a href=href data-testid="attempt-post">{move || i18n.tf(Msg::PostTitle, &[("id", &id)])}</a>
            " · "
        }
    });
    let started = a.started_at;
    // A link when the platform gave one; otherwise its id, so a person can
    // still find the post on the platform.
    let remote = match (remote_url, a.remote_id.clone()) {
        (Some(url), _) => Some(
            view! {
                <a href=url rel="noopener" target="_blank" data-testid="attempt-link">
                    {move || i18n.t(Msg::TimelineViewPost)}
                </a>
            }
            .into_any(),
        ),
        (None, Some(id)) => Some(
            view! { <small class="muted">{move || i18n.tf(Msg::TimelineRemoteId, &[("id", &id)])}</small> }
                .into_any(),
        ),
        (None, None) => None,
    };
    view! {
        <li class="attempt" data-testid="attempt" data-outcome=code>
            <div class="attempt-head">
                {post}
                <strong>{move || i18n.tf(Msg::TimelineAttempt, &[("n", &n)])}</strong>
                " · "
                <time datetime=started.to_rfc3339()>{move || local_time(started, zone.get())}</time>
                " "
                <span class=class data-testid="attempt-outcome">{move || outcome_text(&i18n, outcome.as_deref())}</span>
                {remote.map(|r| view! { " " {r} })}
            </div>
            {a.error.map(|e| view! {
                <p class="attempt-error">{move || i18n.tf(Msg::TimelineError, &[("error", &e)])}</p>
            })}
        </li>
    }
}
