//! The composer: one master text with media, the channels it goes to, a
//! variant per channel where needed, and when it goes out. Every keystroke
//! re-runs the shared platform rules (`domain::post::check_post`) in the
//! browser, so counters, problems and previews are live; the server runs the
//! same rules again before the post enters the workflow.
//!
//! Nothing typed is lost: the form is copied to the browser's local storage
//! on every change (restored after a reload or a crash), and saved to the
//! server a few seconds after typing stops. A failed save keeps the local
//! copy and says why.
//!
//! This file holds the page and the composer's frame: loading, the local
//! copy, saving and submitting, the channel picker and the master fields.
//! Each part with its own component has its own file: the form's shape
//! (`form`), the local-storage copy (`storage`), one channel's live verdict
//! and variant (`channel_panel`, `variant_media`), the schedule picker
//! (`schedule_picker`) and attachments (`media`).

mod channel_panel;
mod form;
mod media;
mod schedule_picker;
mod storage;
mod variant_media;

use crate::api::channels::list_channels;
use crate::api::posts::{get_policy, get_post, post_action, save_post};
use crate::domain::content::Platform;
use crate::domain::post::{check_post, ChannelCheck, ChannelView, PostView};
use crate::domain::workflow::{Action, ActionKind};
use crate::domain::{AppError, PostId, WorkspaceId};
use crate::i18n::Msg;
use crate::ui::components::feedback::ErrorNote;
use crate::ui::components::layout::use_workspace;
use crate::ui::format::{browser_zone, platform_mark};
use crate::ui::i18n::use_i18n;
use channel_panel::ChannelPanel;
use form::{opt, Form};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use media::MediaPicker;
use schedule_picker::SchedulePicker;
use storage::{local_get, local_set, storage_key};

/// Debounce of the automatic save.
const AUTOSAVE_MS: u64 = 3_000;

#[component]
pub fn ComposePage() -> impl IntoView {
    let i18n = use_i18n();
    let current = use_workspace();
    let ws = current.id;
    let query = use_query_map();
    let post_id = move || {
        query
            .read()
            .get("post")
            .and_then(|p| p.parse::<PostId>().ok())
    };
    let channels = Resource::new(move || ws, list_channels);
    let policy = Resource::new(move || ws, get_policy);
    let post = Resource::new(post_id, move |id| async move {
        match id {
            Some(id) => get_post(ws, id).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <Title text=move || i18n.t(Msg::ComposeTitle)/>
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                let loaded = (channels.await, post.await, policy.await);
                match loaded {
                    (Ok(channels), Ok(post), Ok(policy)) => view! {
                        <Composer ws channels post direct=policy.approvals_required == 0/>
                    }.into_any(),
                    (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => view! { <ErrorNote error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Saving,
    Saved { revision: i64, auto: bool },
    Failed(AppError),
}

#[component]
fn Composer(
    ws: WorkspaceId,
    channels: Vec<ChannelView>,
    post: Option<PostView>,
    /// Whether the workspace publishes without approval.
    direct: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let default_zone = browser_zone().name().to_owned();
    let initial = post
        .as_ref()
        .map(|p| Form::from_view(p, &default_zone))
        .unwrap_or_else(|| Form {
            mode: "at".into(),
            zone: default_zone.clone(),
            channels: channels.iter().map(|c| c.id).collect(),
            ..Form::default()
        });
    let form = RwSignal::new(initial.clone());
    let saved = RwSignal::new(initial);
    let post_id = RwSignal::new(post.as_ref().map(|p| p.id));
    let revision = RwSignal::new(post.as_ref().map(|p| p.revision));
    let status = RwSignal::new(Status::Idle);
    let restored = RwSignal::new(false);
    let editable = post.as_ref().is_none_or(|p| {
        p.allowed_actions.contains(&ActionKind::Edit)
            || p.allowed_actions.contains(&ActionKind::Reschedule)
    });
    let channels = StoredValue::new(channels);

    // The zone picker starts at the browser's zone once it is known.
    Effect::new(move |_| {
        let zone = browser_zone().name().to_owned();
        form.update(|f| {
            if f.zone.is_empty() || (f.zone == "UTC" && f.text.is_empty()) {
                f.zone = zone.clone();
            }
        });
    });

    // Restore what was typed before a reload, once.
    Effect::new(move |prev: Option<()>| {
        if prev.is_some() {
            return;
        }
        if let Some(json) = local_get(&storage_key(ws, post_id.get_untracked())) {
            if let Ok(local) = serde_json::from_str::<Form>(&json) {
                if local != form.get_untracked() {
                    form.set(local);
                    restored.set(true);
                }
            }
        }
    });

    // Keep a local copy of every change; drop it once the server has it.
    Effect::new(move |_| {
        let f = form.get();
        let key = storage_key(ws, post_id.get_untracked());
        if f == saved.get_untracked() {
            local_set(&key, None);
        } else if let Ok(json) = serde_json::to_string(&f) {
            local_set(&key, Some(&json));
        }
    });

    let checks = Memo::new(move |_| {
        let f = form.get();
        let campaign = opt(&f.campaign);
        channels.with_value(|all| check_post(&f.content(), &f.channels, all, campaign.as_deref()))
    });
    let has_wechat = move || {
        let f = form.get();
        channels.with_value(|all| {
            all.iter()
                .any(|c| c.platform == Platform::Wechat && f.channels.contains(&c.id))
        })
    };

    let navigate_to = StoredValue::new(navigate);
    // A post already in review or scheduled is not submitted again: saving
    // it is the whole step (the workflow sends an edit back to review).
    let in_workflow = post.as_ref().is_some_and(|p| {
        !matches!(
            p.state,
            crate::domain::workflow::PostState::Draft
                | crate::domain::workflow::PostState::ChangesRequested
        )
    });
    // Saves the form; `submit` then sends it for approval and opens the post.
    let save = move |submit: bool, auto: bool| {
        if status.get_untracked() == Status::Saving {
            return;
        }
        let f = form.get_untracked();
        let dirty = f != saved.get_untracked() || post_id.get_untracked().is_none();
        status.set(Status::Saving);
        spawn_local(async move {
            let old_key = storage_key(ws, post_id.get_untracked());
            let result = if dirty {
                save_post(
                    ws,
                    post_id.get_untracked(),
                    revision.get_untracked(),
                    f.input(),
                )
                .await
            } else {
                get_post(ws, post_id.get_untracked().unwrap_or_default()).await
            };
            let view = match result {
                Ok(view) => view,
                Err(e) => {
                    status.set(Status::Failed(e));
                    return;
                }
            };
            post_id.set(Some(view.id));
            revision.set(Some(view.revision));
            saved.set(f.clone());
            local_set(&old_key, None);
            if form.get_untracked() != f {
                // Typed on while saving: keep that under the post's key.
                if let Ok(json) = serde_json::to_string(&form.get_untracked()) {
                    local_set(&storage_key(ws, Some(view.id)), Some(&json));
                }
            }
            if !submit {
                status.set(Status::Saved {
                    revision: view.revision,
                    auto,
                });
                #[cfg(feature = "hydrate")]
                if let Ok(history) = window().history() {
                    let url = format!("/w/{}/compose?post={}", ws.0, view.id);
                    let _ = history.replace_state_with_url(
                        &wasm_bindgen::JsValue::NULL,
                        "",
                        Some(&url),
                    );
                }
                return;
            }
            if in_workflow {
                status.set(Status::Idle);
                navigate_to.with_value(|nav| {
                    nav(
                        &format!("/w/{}/posts/{}", ws.0, view.id),
                        Default::default(),
                    )
                });
                return;
            }
            match post_action(ws, view.id, Action::Submit).await {
                Ok(view) => {
                    status.set(Status::Idle);
                    navigate_to.with_value(|nav| {
                        nav(
                            &format!("/w/{}/posts/{}", ws.0, view.id),
                            Default::default(),
                        )
                    });
                }
                Err(e) => status.set(Status::Failed(e)),
            }
        });
    };

    // Automatic save a few seconds after typing stops (drafts only: a post
    // in review is saved on purpose, since an edit sends it back to review).
    let generation = StoredValue::new(0u64);
    let autosave_allowed = post.as_ref().is_none_or(|p| {
        matches!(
            p.state,
            crate::domain::workflow::PostState::Draft
                | crate::domain::workflow::PostState::ChangesRequested
        )
    });
    Effect::new(move |_| {
        let f = form.get();
        if !autosave_allowed || f == saved.get_untracked() || f.text.trim().is_empty() {
            return;
        }
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        set_timeout(
            move || {
                if generation.get_value() == mine && form.get_untracked() != saved.get_untracked() {
                    save(false, true);
                }
            },
            std::time::Duration::from_millis(AUTOSAVE_MS),
        );
    });

    let channel_toggles = move || {
        channels.with_value(|all| {
            all.iter()
                .map(|c| {
                    let id = c.id;
                    let label = format!("{} · {}", c.platform.display_name(), c.name);
                    let mark = platform_mark(c.platform);
                    view! {
                        <label class="channel-toggle">
                            <input type="checkbox" data-testid=format!("channel-toggle-{id}")
                                prop:checked=move || form.with(|f| f.channels.contains(&id))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    form.update(|f| {
                                        f.channels.retain(|c| *c != id);
                                        if on { f.channels.push(id); } else { f.variants.retain(|v| v.channel_id != id); }
                                    });
                                }/>
                            <span class="platform-mark" aria-hidden="true">{mark}</span>
                            <span>{label}</span>
                        </label>
                    }
                })
                .collect_view()
        })
    };

    let field = move |get: fn(&Form) -> &String, set: fn(&mut Form, String)| {
        (
            move || form.with(|f| get(f).clone()),
            move |ev: leptos::ev::Event| {
                let v = event_target_value(&ev);
                form.update(|f| set(f, v));
            },
        )
    };
    let (text_value, text_input) = field(|f| &f.text, |f, v| f.text = v);
    let (title_value, title_input) = field(|f| &f.title, |f, v| f.title = v);
    let (digest_value, digest_input) = field(|f| &f.digest, |f, v| f.digest = v);
    let (link_value, link_input) = field(|f| &f.link, |f, v| f.link = v);
    let (campaign_value, campaign_input) = field(|f| &f.campaign, |f, v| f.campaign = v);
    let (local_value, local_input) = field(
        |f| &f.local,
        |f, v| {
            f.local = v;
            f.dst = None;
        },
    );
    let (zone_value, zone_input) = field(
        |f| &f.zone,
        |f, v| {
            f.zone = v;
            f.dst = None;
        },
    );

    let heading = {
        let id = post_id;
        move || match id.get() {
            Some(id) => i18n.tf(Msg::ComposeEditing, &[("id", &id.to_string())]),
            None => i18n.t(Msg::ComposeNew).to_owned(),
        }
    };

    view! {
        <div class="page-header">
            <h1>{heading}</h1>
            {move || post_id.get().map(|id| view! {
                <a class="button button-ghost" href=format!("/w/{}/posts/{id}", ws.0)>{move || i18n.t(Msg::ComposeOpenPost)}</a>
            })}
        </div>
        <Show when=move || restored.get()>
            <div class="notice notice-info" role="status" data-testid="compose-restored">
                {move || i18n.t(Msg::ComposeRestored)}" "
                <button type="button" class="button button-ghost" on:click=move |_| {
                    form.set(saved.get_untracked());
                    restored.set(false);
                }>{move || i18n.t(Msg::ComposeDiscardLocal)}</button>
            </div>
        </Show>
        <div class="composer">
            <div class="composer-main">
                <section class="card">
                    <fieldset class="channel-picker">
                        <legend>{move || i18n.t(Msg::ComposeChannels)}</legend>
                        {move || if channels.with_value(Vec::is_empty) {
                            view! { <p class="muted">{move || i18n.t(Msg::ComposeNoChannels)}</p> }.into_any()
                        } else {
                            channel_toggles().into_any()
                        }}
                    </fieldset>
                    <label class="field">
                        <span>{move || i18n.t(Msg::ComposeText)}</span>
                        <textarea rows="8" data-testid="compose-text" prop:value=text_value on:input=text_input
                            disabled=!editable></textarea>
                        <small class="muted">{move || i18n.t(Msg::ComposeTextHint)}</small>
                    </label>
                    <Show when=has_wechat>
                        <div class="grid-2">
                            <label class="field">
                                <span>{move || i18n.t(Msg::ComposeTitleField)}</span>
                                <input data-testid="compose-title" prop:value=title_value on:input=title_input/>
                            </label>
                            <label class="field">
                                <span>{move || i18n.t(Msg::ComposeDigest)}</span>
                                <input data-testid="compose-digest" prop:value=digest_value on:input=digest_input/>
                            </label>
                        </div>
                    </Show>
                    <div class="grid-2">
                        <label class="field">
                            <span>{move || i18n.t(Msg::ComposeLink)}</span>
                            <input type="url" inputmode="url" placeholder="https://" data-testid="compose-link"
                                prop:value=link_value on:input=link_input/>
                        </label>
                        <label class="field">
                            <span>{move || i18n.t(Msg::ComposeCampaign)}</span>
                            <input maxlength="64" data-testid="compose-campaign" prop:value=campaign_value on:input=campaign_input/>
                        </label>
                    </div>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || form.with(|f| f.utm)
                            on:change=move |ev| { let on = event_target_checked(&ev); form.update(|f| f.utm = on); }/>
                        <span>{move || i18n.t(Msg::ComposeUtm)}</span>
                    </label>
                    <label class="check">
                        <input type="checkbox" data-testid="compose-thread" prop:checked=move || form.with(|f| f.allow_thread)
                            on:change=move |ev| { let on = event_target_checked(&ev); form.update(|f| f.allow_thread = on); }/>
                        <span>{move || i18n.t(Msg::ComposeThread)}</span>
                    </label>
                    <MediaPicker ws form/>
                </section>
                <section class="card">
                    <h2>{move || i18n.t(Msg::ComposeSchedule)}</h2>
                    <SchedulePicker form channels=channels.get_value() local_value local_input zone_value zone_input/>
                </section>
                <div class="composer-actions">
                    <button type="button" class="button button-ghost" data-testid="compose-save"
                        disabled=move || status.get() == Status::Saving
                        on:click=move |_| save(false, false)>{move || i18n.t(Msg::ComposeSaveDraft)}</button>
                    <button type="button" class="button" data-testid="compose-submit"
                        disabled=move || status.get() == Status::Saving
                        on:click=move |_| save(true, false)>
                        {move || i18n.t(if in_workflow { Msg::Save } else if direct { Msg::ActSchedule } else { Msg::ActSubmit })}
                    </button>
                    <span class="compose-status" data-testid="compose-status" role="status">
                        {move || match status.get() {
                            Status::Idle => {
                                if form.get() != saved.get() { i18n.t(Msg::ComposeUnsaved).to_owned() } else { String::new() }
                            }
                            Status::Saving => i18n.t(Msg::Working).to_owned(),
                            Status::Saved { auto: true, .. } => i18n.t(Msg::ComposeAutosaved).to_owned(),
                            Status::Saved { revision, .. } => i18n.tf(Msg::ComposeSaved, &[("n", &revision.to_string())]),
                            Status::Failed(_) => String::new(),
                        }}
                    </span>
                </div>
                {move || match status.get() {
                    Status::Failed(e) => Some(view! {
                        <div data-testid="compose-error">
                            <ErrorNote error=e/>
                            <p class="muted">{move || i18n.t(Msg::ComposeUnsaved)}</p>
                        </div>
                    }),
                    _ => None,
                }}
            </div>
            <aside class="composer-previews" aria-label=move || i18n.t(Msg::ComposePreview)>
                <For each=move || checks.get() key=|c| (c.channel_id, c.report.length, c.preview.clone(), c.report.issues.len(), c.has_variant, c.report.thread.as_ref().map(Vec::len))
                    children=move |check: ChannelCheck| {
                        let channel = channels.with_value(|all| all.iter().find(|c| c.id == check.channel_id).cloned());
                        channel.map(|channel| view! { <ChannelPanel check channel form/> })
                    }/>
            </aside>
        </div>
    }
}
