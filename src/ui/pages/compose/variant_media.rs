//! Which of the post's attachments one channel's variant gets. Keeps the
//! post's order, since the first image is WeChat's cover.

use super::form::Form;
use crate::domain::ChannelId;
use crate::i18n::Msg;
use crate::ui::i18n::use_i18n;
use leptos::prelude::*;

/// Which of the post's attachments this channel gets (all, unless the
/// variant narrows them down).
#[component]
pub(super) fn VariantMedia(id: ChannelId, form: RwSignal<Form>) -> impl IntoView {
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
