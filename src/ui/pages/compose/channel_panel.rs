//! One channel's panel beside the composer: its live counter, problems and
//! preview (or thread), and the fields of its variant when it has one. Reads
//! the verdict the shared platform rules gave, so it shows exactly what the
//! server will refuse.

use super::form::Form;
use super::variant_media::VariantMedia;
use crate::domain::post::{ChannelCheck, ChannelView, Variant};
use crate::i18n::Msg;
use crate::ui::format::{issue_text, platform_mark};
use crate::ui::i18n::use_i18n;
use leptos::prelude::*;

/// One channel's live verdict: counter, problems, preview, and its variant.
#[component]
pub(super) fn ChannelPanel(
    check: ChannelCheck,
    channel: ChannelView,
    form: RwSignal<Form>,
) -> impl IntoView {
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
