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

use crate::api::channels::list_channels;
use crate::api::posts::{get_policy, get_post, post_action, save_post};
use crate::domain::content::{MediaKind, Platform};
use crate::domain::post::{
    check_post, ChannelCheck, ChannelView, MediaRef, PostContent, PostInput, PostView, UtmSettings,
    Variant,
};
use crate::domain::schedule::{resolve_local, DstChoice, LocalResolution, When};
use crate::domain::workflow::{Action, ActionKind};
use crate::domain::{AppError, WorkspaceId};
use crate::i18n::Msg;
use crate::ui::components::feedback::ErrorNote;
use crate::ui::components::layout::use_workspace;
use crate::ui::format::{browser_zone, issue_text, local_time, platform_mark, COMMON_ZONES};
use crate::ui::i18n::use_i18n;
use chrono::NaiveDateTime;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde::{Deserialize, Serialize};

/// Debounce of the automatic save.
const AUTOSAVE_MS: u64 = 3_000;

/// Everything the composer holds, in the shape of its inputs. Copied to
/// local storage as JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Form {
    text: String,
    title: String,
    digest: String,
    link: String,
    campaign: String,
    media: Vec<MediaRef>,
    variants: Vec<Variant>,
    utm: bool,
    allow_thread: bool,
    channels: Vec<i64>,
    /// none | at | same_local | when_approved | next_free_slot
    mode: String,
    /// `YYYY-MM-DDTHH:MM`, as a datetime-local input gives it.
    local: String,
    zone: String,
    dst: Option<DstChoice>,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn parse_local(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

impl Form {
    fn content(&self) -> PostContent {
        PostContent {
            text: self.text.clone(),
            title: opt(&self.title),
            digest: opt(&self.digest),
            link: opt(&self.link),
            media: self.media.clone(),
            variants: self.variants.clone(),
            utm: self.utm.then(UtmSettings::default),
            allow_thread: self.allow_thread,
        }
    }

    fn schedule(&self) -> Option<When> {
        let local = parse_local(&self.local);
        match self.mode.as_str() {
            "at" => local.map(|local| When::At {
                local,
                zone: self.zone.trim().to_owned(),
                dst: self.dst,
            }),
            "same_local" => local.map(|local| When::SameLocalTimePerChannel {
                local,
                dst: self.dst,
            }),
            "when_approved" => Some(When::WhenApproved),
            "next_free_slot" => Some(When::NextFreeSlot),
            _ => None,
        }
    }

    fn input(&self) -> PostInput {
        PostInput {
            content: self.content(),
            channels: self.channels.clone(),
            schedule: self.schedule(),
            campaign: opt(&self.campaign),
        }
    }

    fn from_view(v: &PostView, default_zone: &str) -> Form {
        let c = &v.content;
        let (mode, local, zone, dst) = match &v.schedule {
            None => ("none", String::new(), default_zone.to_owned(), None),
            Some(When::At { local, zone, dst }) => (
                "at",
                local.format("%Y-%m-%dT%H:%M").to_string(),
                zone.clone(),
                *dst,
            ),
            Some(When::SameLocalTimePerChannel { local, dst }) => (
                "same_local",
                local.format("%Y-%m-%dT%H:%M").to_string(),
                default_zone.to_owned(),
                *dst,
            ),
            Some(When::WhenApproved) => (
                "when_approved",
                String::new(),
                default_zone.to_owned(),
                None,
            ),
            Some(When::NextFreeSlot) => (
                "next_free_slot",
                String::new(),
                default_zone.to_owned(),
                None,
            ),
        };
        Form {
            text: c.text.clone(),
            title: c.title.clone().unwrap_or_default(),
            digest: c.digest.clone().unwrap_or_default(),
            link: c.link.clone().unwrap_or_default(),
            campaign: v.campaign.clone().unwrap_or_default(),
            media: c.media.clone(),
            variants: c.variants.clone(),
            utm: c.utm.is_some(),
            allow_thread: c.allow_thread,
            channels: v.channels.iter().map(|c| c.channel_id).collect(),
            mode: mode.to_owned(),
            local,
            zone,
            dst,
        }
    }
}

fn storage_key(ws: WorkspaceId, post: Option<i64>) -> String {
    match post {
        Some(id) => format!("tongbu.compose.{}.{id}", ws.0),
        None => format!("tongbu.compose.{}.new", ws.0),
    }
}

fn local_get(key: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        window()
            .local_storage()
            .ok()
            .flatten()?
            .get_item(key)
            .ok()
            .flatten()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        None
    }
}

fn local_set(key: &str, value: Option<&str>) {
    #[cfg(feature = "hydrate")]
    if let Some(store) = window().local_storage().ok().flatten() {
        let _ = match value {
            Some(v) => store.set_item(key, v),
            None => store.remove_item(key),
        };
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, value);
}

#[component]
pub fn ComposePage() -> impl IntoView {
    let i18n = use_i18n();
    let current = use_workspace();
    let ws = current.id;
    let query = use_query_map();
    let post_id = move || query.read().get("post").and_then(|p| p.parse::<i64>().ok());
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

/// One channel's live verdict: counter, problems, preview, and its variant.
#[component]
fn ChannelPanel(check: ChannelCheck, channel: ChannelView, form: RwSignal<Form>) -> impl IntoView {
    let i18n = use_i18n();
    let id = channel.id;
    let report = check.report.clone();
    let over = report.length > report.limit;
    let (length, limit) = (report.length.to_string(), report.limit.to_string());
    let counter = format!("{length} / {limit}");
    let issues = report
        .issues
        .iter()
        .map(|issue| {
            let blocking = issue.is_blocking();
            let issue = issue.clone();
            view! {
                <li class=if blocking { "issue issue-blocking" } else { "issue issue-advice" }>
                    {move || issue_text(&i18n, &issue)}
                </li>
            }
        })
        .collect_view();
    let thread = report.thread.clone();
    let ok = report.ok();
    let variant_text = move || {
        form.with(|f| {
            f.variants
                .iter()
                .find(|v| v.channel_id == id)
                .and_then(|v| v.text.clone())
                .unwrap_or_default()
        })
    };
    let name = channel.name.clone();
    view! {
        <section class="channel-check" class:channel-ok=ok data-testid=format!("check-{id}")>
            <header>
                <span class=format!("platform-mark platform-{}", channel.platform.as_str()) aria-hidden="true">{platform_mark(channel.platform)}</span>
                <strong>{channel.platform.display_name()}</strong>
                <span class="muted">{channel.name.clone()}</span>
                <span class="counter" class:over=over data-testid=format!("counter-{id}")
                    aria-label=move || i18n.tf(Msg::ComposeCounter, &[("length", &length), ("limit", &limit)])>{counter}</span>
            </header>
            {if report.issues.is_empty() {
                view! { <p class="issue-none">{move || i18n.t(Msg::ComposeAllGood)}</p> }.into_any()
            } else {
                view! { <ul class="issues" data-testid=format!("issues-{id}")>{issues}</ul> }.into_any()
            }}
            {match thread {
                Some(parts) => {
                    let n = parts.len().to_string();
                    view! {
                        <p class="muted">{move || i18n.tf(Msg::ComposeThreadParts, &[("n", &n)])}</p>
                        <ol class="thread-preview">
                            {parts.into_iter().map(|p| view! { <li class="preview-text">{p}</li> }).collect_view()}
                        </ol>
                    }.into_any()
                }
                None => view! { <div class="preview-text" data-testid=format!("preview-{id}")>{check.preview.clone()}</div> }.into_any(),
            }}
            {if check.has_variant {
                let label = name.clone();
                view! {
                    <label class="field">
                        <span>{move || i18n.tf(Msg::ComposeVariantText, &[("channel", &label)])}</span>
                        <textarea rows="4" data-testid=format!("variant-text-{id}") prop:value=variant_text
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                form.update(|f| {
                                    if let Some(var) = f.variants.iter_mut().find(|v| v.channel_id == id) {
                                        var.text = Some(v);
                                    }
                                });
                            }></textarea>
                    </label>
                    <label class="field">
                        <span>{move || i18n.t(Msg::ComposeVariantLink)}</span>
                        <input type="url" inputmode="url" placeholder="https://" data-testid=format!("variant-link-{id}")
                            prop:value=move || form.with(|f| f.variants.iter().find(|v| v.channel_id == id).and_then(|v| v.link.clone()).unwrap_or_default())
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                form.update(|f| {
                                    if let Some(var) = f.variants.iter_mut().find(|v| v.channel_id == id) {
                                        var.link = Some(v).filter(|l| !l.trim().is_empty());
                                    }
                                });
                            }/>
                    </label>
                    <VariantMedia id form/>
                    <button type="button" class="button button-ghost" data-testid=format!("variant-remove-{id}")
                        on:click=move |_| form.update(|f| f.variants.retain(|v| v.channel_id != id))>
                        {move || i18n.t(Msg::ComposeVariantRemove)}
                    </button>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="button button-ghost" data-testid=format!("variant-toggle-{id}")
                        on:click=move |_| form.update(|f| {
                            let text = Some(f.text.clone());
                            f.variants.push(Variant { channel_id: id, text, ..Variant::default() });
                        })>
                        {move || i18n.t(Msg::ComposeVariant)}
                    </button>
                }.into_any()
            }}
        </section>
    }
}

/// Which of the post's attachments this channel gets (all, unless the
/// variant narrows them down).
#[component]
fn VariantMedia(id: i64, form: RwSignal<Form>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let master = form.with(|f| f.media.clone());
        if master.is_empty() {
            return None;
        }
        let chosen = form.with(|f| {
            f.variants
                .iter()
                .find(|v| v.channel_id == id)
                .and_then(|v| v.media.clone())
        });
        let items = master
            .into_iter()
            .enumerate()
            .map(|(index, m)| {
                let included = chosen.as_ref().is_none_or(|c| c.iter().any(|x| x.id == m.id));
                let media_id = m.id;
                let label = format!(
                    "#{} {}",
                    index + 1,
                    if m.alt.is_empty() { m.content_type.clone() } else { m.alt.clone() }
                );
                view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=included data-testid=format!("variant-media-{id}-{media_id}")
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                form.update(|f| {
                                    let all = f.media.clone();
                                    if let Some(var) = f.variants.iter_mut().find(|v| v.channel_id == id) {
                                        let mut list = var.media.clone().unwrap_or_else(|| all.clone());
                                        list.retain(|x| x.id != media_id);
                                        if on {
                                            list.push(m.clone());
                                            // Keep the post's order (the first image is WeChat's cover).
                                            list.sort_by_key(|x| all.iter().position(|a| a.id == x.id));
                                        }
                                        var.media = if list.len() == all.len() { None } else { Some(list) };
                                    }
                                });
                            }/>
                        <span>{label}</span>
                    </label>
                }
            })
            .collect_view();
        Some(view! {
            <fieldset class="variant-media">
                <legend>{move || i18n.t(Msg::ComposeVariantMedia)}</legend>
                {items}
            </fieldset>
        })
    }
}

#[component]
fn SchedulePicker<LV, LI, ZV, ZI>(
    form: RwSignal<Form>,
    channels: Vec<ChannelView>,
    local_value: LV,
    local_input: LI,
    zone_value: ZV,
    zone_input: ZI,
) -> impl IntoView
where
    LV: Fn() -> String + Send + Sync + Copy + 'static,
    LI: Fn(leptos::ev::Event) + Send + Sync + Copy + 'static,
    ZV: Fn() -> String + Send + Sync + Copy + 'static,
    ZI: Fn(leptos::ev::Event) + Send + Sync + Copy + 'static,
{
    let i18n = use_i18n();
    let mode = move || form.with(|f| f.mode.clone());
    let modes = [
        ("none", Msg::ComposeWhenNone),
        ("at", Msg::ComposeWhenAt),
        ("same_local", Msg::ComposeWhenSameLocal),
        ("when_approved", Msg::ComposeWhenApproved),
        ("next_free_slot", Msg::ComposeWhenSlot),
    ];
    let options = modes
        .into_iter()
        .map(|(value, label)| {
            view! { <option value=value selected=move || mode() == value>{move || i18n.t(label)}</option> }
        })
        .collect_view();
    let zones = COMMON_ZONES
        .into_iter()
        .map(|z| view! { <option value=z></option> })
        .collect_view();
    let channels = StoredValue::new(channels);
    // Daylight-saving trouble with the typed time, in the zone it is read in:
    // the picked zone, or each chosen channel's own zone.
    let dst_problem = move || {
        let f = form.get();
        let local = parse_local(&f.local)?;
        let zones: Vec<String> = match f.mode.as_str() {
            "at" => vec![f.zone.clone()],
            "same_local" => channels.with_value(|all| {
                all.iter()
                    .filter(|c| f.channels.contains(&c.id))
                    .map(|c| c.time_zone.clone())
                    .collect()
            }),
            _ => Vec::new(),
        };
        zones.into_iter().find_map(|zone| {
            let tz = zone.parse::<chrono_tz::Tz>().ok()?;
            match resolve_local(local, tz) {
                LocalResolution::Gap { before, after } => Some((true, zone, before, after, tz)),
                LocalResolution::Fold { earlier, later } => Some((false, zone, earlier, later, tz)),
                _ => None,
            }
        })
    };
    let in_past = move || {
        let f = form.get();
        let local = parse_local(&f.local)?;
        if f.mode != "at" {
            return None;
        }
        let tz = f.zone.parse::<chrono_tz::Tz>().ok()?;
        let at = match resolve_local(local, tz) {
            LocalResolution::Exact(at) => at,
            _ => return None,
        };
        (at < chrono::Utc::now()).then_some(())
    };
    let unknown_zone = move || {
        let f = form.get();
        f.mode == "at" && !f.zone.trim().is_empty() && f.zone.parse::<chrono_tz::Tz>().is_err()
    };
    view! {
        <label class="field">
            <select data-testid="schedule-mode" on:change=move |ev| {
                let v = event_target_value(&ev);
                form.update(|f| { f.mode = v; f.dst = None; });
            }>{options}</select>
        </label>
        <Show when=move || matches!(mode().as_str(), "at" | "same_local")>
            <div class="grid-2">
                <label class="field">
                    <span>{move || i18n.t(Msg::ComposeDate)}</span>
                    <input type="datetime-local" data-testid="schedule-local" prop:value=local_value on:input=local_input/>
                </label>
                <Show when=move || mode() == "at">
                    <label class="field">
                        <span>{move || i18n.t(Msg::ComposeZone)}</span>
                        <input list="tz-list" data-testid="schedule-zone" prop:value=zone_value on:input=zone_input/>
                    </label>
                </Show>
            </div>
        </Show>
        <datalist id="tz-list">{zones}</datalist>
        <Show when=unknown_zone>
            <p class="notice notice-error" role="alert">{move || i18n.t(Msg::ErrUnknownZone)}</p>
        </Show>
        <Show when=move || in_past().is_some()>
            <p class="notice notice-error" role="alert" data-testid="schedule-past">{move || i18n.t(Msg::ErrInPast)}</p>
        </Show>
        {move || dst_problem().map(|(gap, zone, first, second, tz)| {
            let first_label = local_time(first, tz);
            let second_label = local_time(second, tz);
            let choice = move || form.with(|f| f.dst);
            view! {
                <fieldset class="dst-choice" data-testid="dst-choice">
                    <legend>{move || i18n.tf(if gap { Msg::ComposeDstGap } else { Msg::ComposeDstFold }, &[("zone", &zone)])}</legend>
                    <label class="check">
                        <input type="radio" name="dst" data-testid="dst-earlier" prop:checked=move || choice() == Some(DstChoice::Earlier)
                            on:change=move |_| form.update(|f| f.dst = Some(DstChoice::Earlier))/>
                        <span>{move || i18n.tf(Msg::ComposeDstEarlier, &[("at", &first_label)])}</span>
                    </label>
                    <label class="check">
                        <input type="radio" name="dst" data-testid="dst-later" prop:checked=move || choice() == Some(DstChoice::Later)
                            on:change=move |_| form.update(|f| f.dst = Some(DstChoice::Later))/>
                        <span>{move || i18n.tf(Msg::ComposeDstLater, &[("at", &second_label)])}</span>
                    </label>
                </fieldset>
            }
        })}
    }
}

/// Attachments: upload, alt text, remove. The first image is WeChat's cover.
#[component]
fn MediaPicker(ws: WorkspaceId, form: RwSignal<Form>) -> impl IntoView {
    let i18n = use_i18n();
    let uploading = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let on_files = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(files) = input.files() else { return };
            let files: Vec<web_sys::File> =
                (0..files.length()).filter_map(|i| files.get(i)).collect();
            input.set_value("");
            uploading.set(true);
            error.set(None);
            spawn_local(async move {
                for file in files {
                    match upload(ws, file).await {
                        Ok(m) => form.update(|f| f.media.push(m)),
                        Err(e) => error.set(Some(e)),
                    }
                }
                uploading.set(false);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, ws);
    };
    let items = move || {
        form.with(|f| f.media.clone())
            .into_iter()
            .enumerate()
            .map(|(index, m)| {
                let url = m.url(ws);
                let is_image = m.kind != MediaKind::Video;
                let alt = m.alt.clone();
                view! {
                    <li class="media-item" data-testid="media-item">
                        {if is_image {
                            view! { <img src=url alt=alt.clone() loading="lazy"/> }.into_any()
                        } else {
                            view! { <video src=url controls=true preload="metadata"></video> }.into_any()
                        }}
                        <input placeholder=move || i18n.t(Msg::ComposeAltText) aria-label=move || i18n.t(Msg::ComposeAltText)
                            prop:value=alt on:input=move |ev| {
                                let v = event_target_value(&ev);
                                form.update(|f| if let Some(m) = f.media.get_mut(index) { m.alt = v; });
                            }/>
                        <button type="button" class="button button-ghost" on:click=move |_| form.update(|f| {
                            if index < f.media.len() {
                                let gone = f.media.remove(index).id;
                                for v in &mut f.variants {
                                    if let Some(list) = &mut v.media {
                                        list.retain(|m| m.id != gone);
                                    }
                                }
                            }
                        })>
                            {move || i18n.t(Msg::Remove)}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="field media-picker">
            <span>{move || i18n.t(Msg::ComposeMedia)}</span>
            <ul class="media-list">{items}</ul>
            <input type="file" multiple=true accept="image/png,image/jpeg,image/gif,image/webp,video/mp4"
                data-testid="media-input" on:change=on_files/>
            <small class="muted">{move || i18n.t(Msg::ComposeMediaHint)}</small>
            <Show when=move || uploading.get()>
                <p class="muted" role="status">{move || i18n.t(Msg::ComposeUploading)}</p>
            </Show>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        </div>
    }
}

/// Uploads one file to the media route of the REST API (same session).
#[cfg(feature = "hydrate")]
async fn upload(ws: WorkspaceId, file: web_sys::File) -> Result<MediaRef, AppError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let transport = |e: wasm_bindgen::JsValue| AppError::Transport {
        message: format!("{e:?}"),
    };
    let body = web_sys::FormData::new().map_err(transport)?;
    body.append_with_blob("file", &file).map_err(transport)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&body);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let url = format!("/api/v1/workspaces/{}/media", ws.0);
    let request = web_sys::Request::new_with_str_and_init(&url, &init).map_err(transport)?;
    let response: web_sys::Response = JsFuture::from(window().fetch_with_request(&request))
        .await
        .map_err(transport)?
        .dyn_into()
        .map_err(transport)?;
    let text = JsFuture::from(response.text().map_err(transport)?)
        .await
        .map_err(transport)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&text).map_err(|e| AppError::Transport {
            message: e.to_string(),
        })
    } else {
        #[derive(Deserialize)]
        struct Body {
            error: ErrorBody,
        }
        #[derive(Deserialize)]
        struct ErrorBody {
            message: String,
        }
        let message = serde_json::from_str::<Body>(&text)
            .map(|b| b.error.message)
            .unwrap_or(text);
        Err(AppError::Invalid {
            field: Some("file".into()),
            key: String::new(),
            message,
        })
    }
}
