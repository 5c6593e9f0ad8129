//! The workspace's channels: what is connected, in which time zone, with
//! which posting slots. Admins add channels and edit them in place; everyone
//! else sees the list. The server refuses changes from other roles anyway.

use crate::api::posts::{list_channels, CreateChannel, UpdateChannel};
use crate::domain::content::Platform;
use crate::domain::post::ChannelView;
use crate::domain::WorkspaceId;
use crate::i18n::Msg;
use crate::ui::components::feedback::{error_of, ActionError, EmptyState, ErrorNote};
use crate::ui::components::layout::use_workspace;
use crate::ui::format::{browser_zone, platform_mark, COMMON_ZONES};
use crate::ui::i18n::use_i18n;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

const ZONE_LIST_ID: &str = "channel-zones";

/// The `<datalist>` of [`COMMON_ZONES`], shared by the add and edit forms.
fn zone_datalist() -> impl IntoView {
    view! {
        <datalist id=ZONE_LIST_ID>
            {COMMON_ZONES.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}
        </datalist>
    }
}

/// The platform's short mark, with its full name for screen readers.
pub(crate) fn platform_badge(p: Platform) -> impl IntoView {
    view! {
        <span class="chan-mark" data-platform=p.as_str() title=p.display_name()>
            <span aria-hidden="true">{platform_mark(p)}</span>
            <span class="visually-hidden">{p.display_name()}</span>
        </span>
    }
}

#[component]
pub fn ChannelsPage() -> impl IntoView {
    let i18n = use_i18n();
    let current = use_workspace();
    let ws = current.id;
    let admin = current.role.can_configure();
    let create = ServerAction::<CreateChannel>::new();
    let update = ServerAction::<UpdateChannel>::new();
    // Reload the list after a change succeeded only: a failed save keeps
    // the edit form (and what was typed into it) on screen.
    let changed = RwSignal::new(0u32);
    let editing = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            changed.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if matches!(update.value().get(), Some(Ok(_))) {
            editing.set(None);
            changed.update(|n| *n += 1);
        }
    });
    let channels = Resource::new(move || (ws, changed.get()), |(ws, _)| list_channels(ws));
    view! {
        <Title text=move || i18n.t(Msg::ChannelsTitle)/>
        <div class="page-header"><h1>{move || i18n.t(Msg::ChannelsTitle)}</h1></div>
        {zone_datalist()}
        <div class="channels-page">
            <Transition fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match channels.await {
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <EmptyState icon="⇄" title=Msg::ChannelsEmpty body=Msg::ChannelAddIntro/>
                        }.into_any(),
                        Ok(list) => view! {
                            <ChannelTable ws list admin editing update/>
                        }.into_any(),
                    }
                })}
            </Transition>
            {admin.then(|| view! { <AddChannel ws create/> })}
        </div>
    }
}

#[component]
fn ChannelTable(
    ws: WorkspaceId,
    list: Vec<ChannelView>,
    admin: bool,
    editing: RwSignal<Option<i64>>,
    update: ServerAction<UpdateChannel>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rows = list
        .into_iter()
        .map(|c| {
            let id = c.id;
            let channel = c.clone();
            view! {
                {move || if editing.get() == Some(id) {
                    view! { <EditRow ws channel=channel.clone() editing update/> }.into_any()
                } else {
                    view! { <ChannelRow channel=channel.clone() admin editing update/> }.into_any()
                }}
            }
        })
        .collect_view();
    view! {
        <section class="card channels-card">
            <table class="table channel-table" data-testid="channels">
                <thead><tr>
                    <th>{move || i18n.t(Msg::ChannelPlatform)}</th>
                    <th>{move || i18n.t(Msg::ChannelName)}</th>
                    <th>{move || i18n.t(Msg::ChannelZone)}</th>
                    <th>{move || i18n.t(Msg::ChannelSlots)}</th>
                    {admin.then(|| view! { <th><span class="visually-hidden">{move || i18n.t(Msg::ActEdit)}</span></th> })}
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

#[component]
fn ChannelRow(
    channel: ChannelView,
    admin: bool,
    editing: RwSignal<Option<i64>>,
    update: ServerAction<UpdateChannel>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = channel.id;
    let name = channel.name.clone();
    let slots = channel.slots.clone();
    view! {
        <tr data-testid="channel-row" data-channel-id=id>
            <td class="chan-platform">
                {platform_badge(channel.platform)}
                <span class="chan-platform-name">{channel.platform.display_name()}</span>
            </td>
            <td class="chan-name">
                <span>{channel.name.clone()}</span>
                {channel.emulated.then(|| view! {
                    " "
                    <span class="badge badge-muted" data-testid="channel-emulated"
                        title=move || i18n.t(Msg::ChannelEmulatedHint)>
                        {move || i18n.t(Msg::ChannelEmulated)}
                    </span>
                })}
            </td>
            <td><code class="chan-zone">{channel.time_zone.clone()}</code></td>
            <td class="chan-slots">{if slots.trim().is_empty() {
                view! { <span class="muted">{move || i18n.t(Msg::ChannelNoSlots)}</span> }.into_any()
            } else {
                view! { <span>{slots.clone()}</span> }.into_any()
            }}</td>
            {admin.then(|| view! {
                <td class="row-actions">
                    <button type="button" class="button button-small" data-testid="channel-edit"
                        aria-label=move || i18n.tf(Msg::ChannelEdit, &[("name", &name)])
                        on:click=move |_| {
                            update.value().set(None);
                            editing.set(Some(id));
                        }>
                        {move || i18n.t(Msg::ActEdit)}
                    </button>
                </td>
            })}
        </tr>
    }
}

#[component]
fn EditRow(
    ws: WorkspaceId,
    channel: ChannelView,
    editing: RwSignal<Option<i64>>,
    update: ServerAction<UpdateChannel>,
) -> impl IntoView {
    let i18n = use_i18n();
    let pending = update.pending();
    view! {
        <tr data-testid="channel-row" data-channel-id=channel.id class="chan-editing">
            <td colspan="5">
                <ActionForm action=update attr:class="form chan-edit-form" attr:data-testid="channel-edit-form">
                    <input type="hidden" name="ws" value=ws.0/>
                    <input type="hidden" name="id" value=channel.id/>
                    <div class="chan-edit-head">
                        {platform_badge(channel.platform)}
                        <strong>{channel.platform.display_name()}</strong>
                    </div>
                    <div class="chan-fields">
                        <label>
                            <span>{move || i18n.t(Msg::ChannelName)}</span>
                            <input name="name" value=channel.name.clone() required maxlength="80" autocomplete="off"/>
                        </label>
                        <label>
                            <span>{move || i18n.t(Msg::ChannelZone)}</span>
                            <input name="time_zone" value=channel.time_zone.clone() required list=ZONE_LIST_ID
                                autocomplete="off" spellcheck="false"/>
                        </label>
                        <label class="chan-slots-field">
                            <span>{move || i18n.t(Msg::ChannelSlots)}</span>
                            <input name="slots" value=channel.slots.clone() autocomplete="off" spellcheck="false"/>
                            <small class="hint">{move || i18n.t(Msg::ChannelSlotsHint)}</small>
                        </label>
                    </div>
                    <ActionError error=error_of(update.value())/>
                    <div class="chan-form-actions">
                        <button type="submit" class="button button-primary" disabled=move || pending.get()>
                            {move || if pending.get() { i18n.t(Msg::Working) } else { i18n.t(Msg::Save) }}
                        </button>
                        <button type="button" class="button button-ghost" on:click=move |_| editing.set(None)>
                            {move || i18n.t(Msg::Cancel)}
                        </button>
                    </div>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn AddChannel(ws: WorkspaceId, create: ServerAction<CreateChannel>) -> impl IntoView {
    let i18n = use_i18n();
    let pending = create.pending();
    // The browser's zone is only known after hydration; the server renders UTC.
    let zone = RwSignal::new(String::from("UTC"));
    Effect::new(move |_| zone.set(browser_zone().name().to_owned()));
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            if let Some(f) = form.get_untracked() {
                f.reset();
            }
        }
    });
    let options = Platform::ALL
        .into_iter()
        .map(|p| view! { <option value=p.as_str()>{p.display_name()}</option> })
        .collect_view();
    view! {
        <section class="card chan-add" id="add-channel">
            <h2>{move || i18n.t(Msg::ChannelAdd)}</h2>
            <p class="muted">{move || i18n.t(Msg::ChannelAddIntro)}</p>
            <ActionForm action=create node_ref=form attr:class="form" attr:data-testid="channel-form">
                <input type="hidden" name="ws" value=ws.0/>
                <div class="chan-fields">
                    <label>
                        <span>{move || i18n.t(Msg::ChannelPlatform)}</span>
                        <select name="platform" required>{options}</select>
                    </label>
                    <label>
                        <span>{move || i18n.t(Msg::ChannelName)}</span>
                        <input name="name" required maxlength="80" autocomplete="off"/>
                    </label>
                    <label>
                        <span>{move || i18n.t(Msg::ChannelZone)}</span>
                        <input name="time_zone" value=move || zone.get() required list=ZONE_LIST_ID
                            autocomplete="off" spellcheck="false"/>
                    </label>
                    <label class="chan-slots-field">
                        <span>{move || i18n.t(Msg::ChannelSlots)}</span>
                        <input name="slots" autocomplete="off" spellcheck="false"
                            placeholder="Mon-Fri 09:00, 18:00"/>
                        <small class="hint">{move || i18n.t(Msg::ChannelSlotsHint)}</small>
                    </label>
                </div>
                <ActionError error=error_of(create.value())/>
                <Show when=move || matches!(create.value().get(), Some(Ok(_)))>
                    <p class="notice notice-ok" role="status">{move || i18n.t(Msg::ChannelAdded)}</p>
                </Show>
                <button type="submit" class="button button-primary" disabled=move || pending.get()>
                    {move || if pending.get() { i18n.t(Msg::Working) } else { i18n.t(Msg::ChannelAdd) }}
                </button>
            </ActionForm>
        </section>
    }
}
