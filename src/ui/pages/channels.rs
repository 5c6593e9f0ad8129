//! The workspace's channels: which account each is connected to and how it
//! is doing (last success, last error, "reconnect" when its authorization
//! stopped working), its time zone and posting slots, and where its traffic
//! goes. Admins add, connect and edit channels in place; everyone else sees
//! the list. The server refuses changes from other roles anyway. Under each
//! channel, its recent deliveries, fetched when first opened.

use crate::api::channels::{
    emulator_available, list_channels, CheckChannel, ConnectBluesky, ConnectWechat, CreateChannel,
    SetChannelEgress, UpdateChannel,
};
use crate::api::deliveries::channel_attempts;
use crate::domain::content::Platform;
use crate::domain::post::ChannelView;
use crate::domain::post::ConnectionStatus;
use crate::domain::{ChannelId, WorkspaceId};
use crate::i18n::Msg;
use crate::ui::components::deliveries::AttemptItem;
use crate::ui::components::feedback::{error_of, ActionError, EmptyState, ErrorNote};
use crate::ui::components::layout::use_workspace;
use crate::ui::format::{browser_zone, platform_mark, viewer_zone, COMMON_ZONES};
use crate::ui::i18n::use_i18n;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Which inline panel of which row is open.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Panel {
    Edit,
    Wechat,
    Bluesky,
    Mastodon,
    Egress,
}

/// The page's actions and open panel, handed to every row.
#[derive(Clone, Copy)]
struct Rows {
    ws: WorkspaceId,
    admin: bool,
    open: RwSignal<Option<(ChannelId, Panel)>>,
    update: ServerAction<UpdateChannel>,
    wechat: ServerAction<ConnectWechat>,
    bluesky: ServerAction<ConnectBluesky>,
    egress: ServerAction<SetChannelEgress>,
    check: ServerAction<CheckChannel>,
}

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
    let rows = Rows {
        ws,
        admin,
        open: RwSignal::new(None),
        update: ServerAction::new(),
        wechat: ServerAction::new(),
        bluesky: ServerAction::new(),
        egress: ServerAction::new(),
        check: ServerAction::new(),
    };
    // Reload the list after a change succeeded only: a failed save keeps
    // the form (and what was typed into it) on screen.
    let changed = RwSignal::new(0u32);
    let saved = move || {
        rows.open.set(None);
        changed.update(|n| *n += 1);
    };
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            changed.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if matches!(rows.update.value().get(), Some(Ok(_))) {
            saved();
        }
    });
    Effect::new(move |_| {
        if matches!(rows.wechat.value().get(), Some(Ok(_))) {
            saved();
        }
    });
    Effect::new(move |_| {
        if matches!(rows.bluesky.value().get(), Some(Ok(_))) {
            saved();
        }
    });
    Effect::new(move |_| {
        if matches!(rows.egress.value().get(), Some(Ok(_))) {
            saved();
        }
    });
    Effect::new(move |_| {
        if rows.check.value().get().is_some() {
            changed.update(|n| *n += 1);
        }
    });
    let channels = Resource::new(move || (ws, changed.get()), |(ws, _)| list_channels(ws));
    let query = use_query_map();
    let banner = move || {
        let q = query.get();
        if q.get("connected").is_some() {
            Some(view! { <p class="notice notice-ok" role="status" data-testid="connect-ok">{i18n.t(Msg::ChannelConnectedBanner)}</p> }.into_any())
        } else {
            q.get("connect_error").map(|key| {
                let detail = q.get("detail").unwrap_or_default();
                let text = match Msg::from_key(&key) {
                    Some(m) => i18n.tf(m, &[("detail", &detail)]),
                    None => i18n.t(Msg::ErrOauthState).to_owned(),
                };
                view! { <p class="notice notice-error" role="alert" data-testid="connect-error">{text}</p> }.into_any()
            })
        }
    };
    view! {
        <Title text=move || i18n.t(Msg::ChannelsTitle)/>
        <div class="page-header"><h1>{move || i18n.t(Msg::ChannelsTitle)}</h1></div>
        {zone_datalist()}
        <div class="channels-page">
            {banner}
            <ActionError error=error_of(rows.check.value())/>
            <Transition fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match channels.await {
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <EmptyState icon="⇄" title=Msg::ChannelsEmpty body=Msg::ChannelAddIntro/>
                        }.into_any(),
                        Ok(list) => view! {
                            <ChannelTable list rows/>
                        }.into_any(),
                    }
                })}
            </Transition>
            {admin.then(|| view! { <AddChannel ws create/> })}
        </div>
    }
}

#[component]
fn ChannelTable(list: Vec<ChannelView>, rows: Rows) -> impl IntoView {
    let i18n = use_i18n();
    let admin = rows.admin;
    let columns = if admin { 6 } else { 5 };
    let body = list
        .into_iter()
        .map(|c| {
            let id = c.id;
            view! {
                {move || {
                    let channel = c.clone();
                    match rows.open.get() {
                        Some((open, Panel::Edit)) if open == id => view! { <EditRow channel rows/> }.into_any(),
                        Some((open, Panel::Wechat)) if open == id => view! {
                            <ChannelRow channel=channel.clone() rows/>
                            <WechatRow channel rows/>
                        }.into_any(),
                        Some((open, Panel::Bluesky)) if open == id => view! {
                            <ChannelRow channel=channel.clone() rows/>
                            <BlueskyRow channel rows/>
                        }.into_any(),
                        Some((open, Panel::Mastodon)) if open == id => view! {
                            <ChannelRow channel=channel.clone() rows/>
                            <MastodonRow channel rows/>
                        }.into_any(),
                        Some((open, Panel::Egress)) if open == id => view! {
                            <ChannelRow channel=channel.clone() rows/>
                            <EgressRow channel rows/>
                        }.into_any(),
                        _ => view! { <ChannelRow channel rows/> }.into_any(),
                    }
                }}
                <RecentDeliveries ws=rows.ws channel=id columns/>
            }
        })
        .collect_view();
    view! {
        <section class="card channels-card">
            <table class="table channel-table" data-testid="channels">
                <thead><tr>
                    <th>{move || i18n.t(Msg::ChannelPlatform)}</th>
                    <th>{move || i18n.t(Msg::ChannelName)}</th>
                    <th>{move || i18n.t(Msg::ChannelAccount)}</th>
                    <th>{move || i18n.t(Msg::ChannelZone)}</th>
                    <th>{move || i18n.t(Msg::ChannelSlots)}</th>
                    {admin.then(|| view! { <th><span class="visually-hidden">{move || i18n.t(Msg::ActEdit)}</span></th> })}
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </section>
    }
}

/// A channel's latest attempts in a disclosure, fetched the first time it
/// opens: most visits to this page are about connections, not history.
#[component]
fn RecentDeliveries(ws: WorkspaceId, channel: ChannelId, columns: usize) -> impl IntoView {
    let i18n = use_i18n();
    let opened = RwSignal::new(false);
    view! {
        <tr class="chan-recent">
            <td colspan=columns>
                <details data-testid="channel-recent" data-channel-id=channel.0 on:toggle=move |_| opened.set(true)>
                    <summary>{move || i18n.t(Msg::ChannelRecent)}</summary>
                    {move || opened.get().then(|| view! { <RecentList ws channel/> })}
                </details>
            </td>
        </tr>
    }
}

#[component]
fn RecentList(ws: WorkspaceId, channel: ChannelId) -> impl IntoView {
    let i18n = use_i18n();
    let zone = viewer_zone();
    let attempts = Resource::new(move || (ws, channel), |(ws, c)| channel_attempts(ws, c));
    view! {
        <Suspense fallback=move || view! { <p class="muted small">{move || i18n.t(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match attempts.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="muted small">{move || i18n.t(Msg::ChannelRecentEmpty)}</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ol class="attempts" data-testid="channel-attempts">
                            {list.into_iter().map(|a| view! {
                                <AttemptItem attempt=a zone remote_url=None post_link=Some(ws)/>
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Submit (busy while the action runs) and cancel, for a row's panel.
fn form_buttons(pending: Signal<bool>, label: Msg, rows: Rows) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="chan-form-actions">
            <button type="submit" class="button button-primary" disabled=move || pending.get()>
                {move || if pending.get() { i18n.t(Msg::Working) } else { i18n.t(label) }}
            </button>
            <button type="button" class="button button-ghost" on:click=move |_| rows.open.set(None)>
                {move || i18n.t(Msg::Cancel)}
            </button>
        </div>
    }
}

/// A time in the viewer's zone.
fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    crate::domain::schedule::format_local(at, browser_zone())
}

/// The account and its health.
fn connection_cell(channel: &ChannelView) -> impl IntoView {
    let i18n = use_i18n();
    let c = channel.connection.clone();
    let (class, label, code) = match c.status {
        ConnectionStatus::Connected => ("badge badge-ok", Msg::ChannelConnected, "connected"),
        ConnectionStatus::NotConnected => (
            "badge badge-muted",
            Msg::ChannelNotConnected,
            "not_connected",
        ),
        ConnectionStatus::Reconnect => {
            ("badge badge-warn", Msg::ChannelReconnectNeeded, "reconnect")
        }
    };
    let success = c
        .last_success_at
        .map(|at| i18n.tf(Msg::ChannelLastSuccess, &[("when", &when(at))]));
    let error = match (c.last_error.clone(), c.last_error_at) {
        (Some(e), Some(at)) if c.last_success_at.is_none_or(|ok| ok < at) => {
            Some(i18n.tf(Msg::ChannelLastError, &[("when", &when(at)), ("error", &e)]))
        }
        _ => None,
    };
    let expiry = c
        .token_expires_at
        .map(|at| i18n.tf(Msg::ChannelTokenExpires, &[("when", &when(at))]));
    view! {
        <td class="chan-account" data-testid="channel-account">
            <span class=class data-testid="channel-status" data-status=code>{move || i18n.t(label)}</span>
            {c.account_name.clone().map(|n| view! { " " <span class="chan-account-name">{n}</span> })}
            {success.map(|t| view! { <small class="hint chan-health">{t}</small> })}
            {error.map(|t| view! { <small class="hint chan-health chan-health-error">{t}</small> })}
            {expiry.map(|t| view! { <small class="hint chan-health">{t}</small> })}
        </td>
    }
}

#[component]
fn ChannelRow(channel: ChannelView, rows: Rows) -> impl IntoView {
    let i18n = use_i18n();
    let id = channel.id;
    let name = channel.name.clone();
    let slots = channel.slots.clone();
    let platform = channel.platform;
    let status = channel.connection.status;
    let connect_label = if status == ConnectionStatus::NotConnected {
        Msg::ChannelConnect
    } else {
        Msg::ChannelReconnect
    };
    let connect = match platform {
        Platform::Facebook | Platform::X | Platform::Linkedin => {
            let href = format!("/oauth/{}/start?ws={}&channel={id}", platform.as_str(), rows.ws.0);
            // A full navigation: the platform's consent page is another site.
            view! {
                <a class="button button-small button-primary" rel="external" href=href data-testid="channel-connect">
                    {move || i18n.t(connect_label)}
                </a>
            }
            .into_any()
        }
        Platform::Wechat => view! {
            <button type="button" class="button button-small button-primary" data-testid="channel-connect"
                on:click=move |_| {
                    rows.wechat.value().set(None);
                    rows.open.set(Some((id, Panel::Wechat)));
                }>
                {move || i18n.t(connect_label)}
            </button>
        }
        .into_any(),
        Platform::Bluesky => view! {
            <button type="button" class="button button-small button-primary" data-testid="channel-connect"
                on:click=move |_| {
                    rows.bluesky.value().set(None);
                    rows.open.set(Some((id, Panel::Bluesky)));
                }>
                {move || i18n.t(connect_label)}
            </button>
        }
        .into_any(),
        Platform::Mastodon => view! {
            <button type="button" class="button button-small button-primary" data-testid="channel-connect"
                on:click=move |_| rows.open.set(Some((id, Panel::Mastodon)))>
                {move || i18n.t(connect_label)}
            </button>
        }
        .into_any(),
        _ => ().into_any(),
    };
    let check_pending = rows.check.pending();
    view! {
        <tr data-testid="channel-row" data-channel-id=id.0 data-platform=platform.as_str()>
            <td class="chan-platform">
                {platform_badge(platform)}
                <span class="chan-platform-name">{platform.display_name()}</span>
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
            {connection_cell(&channel)}
            <td><code class="chan-zone">{channel.time_zone.clone()}</code></td>
            <td class="chan-slots">{if slots.trim().is_empty() {
                view! { <span class="muted">{move || i18n.t(Msg::ChannelNoSlots)}</span> }.into_any()
            } else {
                view! { <span>{slots.clone()}</span> }.into_any()
            }}</td>
            {rows.admin.then(|| view! {
                <td class="row-actions">
                    {connect}
                    {(status != ConnectionStatus::NotConnected).then(|| view! {
                        <button type="button" class="button button-small" data-testid="channel-check"
                            disabled=move || check_pending.get()
                            on:click=move |_| {
                                rows.check.dispatch(CheckChannel { ws: rows.ws, id });
                            }>
                            {move || i18n.t(Msg::ChannelCheck)}
                        </button>
                    })}
                    <button type="button" class="button button-small" data-testid="channel-egress"
                        on:click=move |_| {
                            rows.egress.value().set(None);
                            rows.open.set(Some((id, Panel::Egress)));
                        }>
                        {move || i18n.t(Msg::ChannelEgress)}
                    </button>
                    <button type="button" class="button button-small" data-testid="channel-edit"
                        aria-label=move || i18n.tf(Msg::ChannelEdit, &[("name", &name)])
                        on:click=move |_| {
                            rows.update.value().set(None);
                            rows.open.set(Some((id, Panel::Edit)));
                        }>
                        {move || i18n.t(Msg::ActEdit)}
                    </button>
                </td>
            })}
        </tr>
    }
}

#[component]
fn WechatRow(channel: ChannelView, rows: Rows) -> impl IntoView {
    let i18n = use_i18n();
    let pending = rows.wechat.pending();
    view! {
        <tr class="chan-editing">
            <td colspan="6">
                <ActionForm action=rows.wechat attr:class="form chan-edit-form" attr:data-testid="wechat-connect-form">
                    <input type="hidden" name="ws" value=rows.ws.0/>
                    <input type="hidden" name="id" value=channel.id.0/>
                    <p class="hint">{move || i18n.t(Msg::WechatConnectHint)}</p>
                    <div class="chan-fields">
                        <label>
                            <span>{move || i18n.t(Msg::WechatAppId)}</span>
                            <input name="app_id" required autocomplete="off" spellcheck="false"
                                value=channel.connection.account_id.clone().unwrap_or_default()/>
                        </label>
                        <label>
                            <span>{move || i18n.t(Msg::WechatAppSecret)}</span>
                            <input name="app_secret" type="password" required autocomplete="off"/>
                        </label>
                    </div>
                    <ActionError error=error_of(rows.wechat.value())/>
                    {form_buttons(pending.into(), Msg::ChannelConnect, rows)}
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn BlueskyRow(channel: ChannelView, rows: Rows) -> impl IntoView {
    let i18n = use_i18n();
    let pending = rows.bluesky.pending();
    view! {
        <tr class="chan-editing">
            <td colspan="6">
                <ActionForm action=rows.bluesky attr:class="form chan-edit-form" attr:data-testid="bluesky-connect-form">
                    <input type="hidden" name="ws" value=rows.ws.0/>
                    <input type="hidden" name="id" value=channel.id.0/>
                    <p class="hint">{move || i18n.t(Msg::BlueskyConnectHint)}</p>
                    <div class="chan-fields">
                        <label>
                            <span>{move || i18n.t(Msg::BlueskyHandle)}</span>
                            <input name="identifier" required autocomplete="off" spellcheck="false"
                                placeholder="brand.bsky.social"
                                value=channel.connection.account_name.clone().unwrap_or_default().trim_start_matches('@').to_owned()/>
                        </label>
                        <label>
                            <span>{move || i18n.t(Msg::BlueskyAppPassword)}</span>
                            <input name="app_password" type="password" required autocomplete="off"
                                placeholder="xxxx-xxxx-xxxx-xxxx"/>
                        </label>
                    </div>
                    <ActionError error=error_of(rows.bluesky.value())/>
                    {form_buttons(pending.into(), Msg::ChannelConnect, rows)}
                </ActionForm>
            </td>
        </tr>
    }
}

/// Mastodon: the server, visibility and content warning, then off to the
/// server's consent page (a plain form: the browser leaves for another site).
#[component]
fn MastodonRow(channel: ChannelView, rows: Rows) -> impl IntoView {
    let i18n = use_i18n();
    let emulated = channel.emulated;
    view! {
        <tr class="chan-editing">
            <td colspan="6">
                <form method="get" action="/oauth/mastodon/start" class="form chan-edit-form" data-testid="mastodon-connect-form">
                    <input type="hidden" name="ws" value=rows.ws.0/>
                    <input type="hidden" name="channel" value=channel.id.0/>
                    <p class="hint">{move || i18n.t(Msg::MastodonConnectHint)}</p>
                    <div class="chan-fields">
                        {(!emulated).then(|| view! {
                            <label>
                                <span>{move || i18n.t(Msg::MastodonInstance)}</span>
                                <input name="instance" required autocomplete="off" spellcheck="false" placeholder="mastodon.social"/>
                            </label>
                        })}
                        <label>
                            <span>{move || i18n.t(Msg::MastodonVisibility)}</span>
                            <select name="visibility">
                                <option value="public">{move || i18n.t(Msg::MastodonPublic)}</option>
                                <option value="unlisted">{move || i18n.t(Msg::MastodonUnlisted)}</option>
                                <option value="private">{move || i18n.t(Msg::MastodonPrivate)}</option>
                            </select>
                        </label>
                        <label>
                            <span>{move || i18n.t(Msg::MastodonSpoiler)}</span>
                            <input name="spoiler_text" maxlength="200" autocomplete="off"/>
                        </label>
                    </div>
                    {form_buttons(Signal::stored(false), Msg::ChannelConnect, rows)}
                </form>
            </td>
        </tr>
    }
}

#[component]
fn EgressRow(channel: ChannelView, rows: Rows) -> impl IntoView {
    let i18n = use_i18n();
    let pending = rows.egress.pending();
    let c = channel.connection.clone();
    view! {
        <tr class="chan-editing">
            <td colspan="6">
                <ActionForm action=rows.egress attr:class="form chan-edit-form" attr:data-testid="egress-form">
                    <input type="hidden" name="ws" value=rows.ws.0/>
                    <input type="hidden" name="id" value=channel.id.0/>
                    <p class="hint">{move || i18n.t(Msg::EgressHint)}</p>
                    <div class="chan-fields">
                        <label>
                            <span>{move || i18n.t(Msg::EgressApiBase)}</span>
                            <input name="api_base" type="url" autocomplete="off" spellcheck="false"
                                value=c.api_base.clone().unwrap_or_default()/>
                        </label>
                        <label>
                            <span>{move || i18n.t(Msg::EgressAuthBase)}</span>
                            <input name="auth_base" type="url" autocomplete="off" spellcheck="false"
                                value=c.auth_base.clone().unwrap_or_default()/>
                        </label>
                        <label>
                            <span>{move || i18n.t(Msg::EgressProxy)}</span>
                            <input name="proxy" autocomplete="off" spellcheck="false"
                                placeholder="socks5://127.0.0.1:1080"
                                value=c.proxy.clone().unwrap_or_default()/>
                        </label>
                    </div>
                    <ActionError error=error_of(rows.egress.value())/>
                    {form_buttons(pending.into(), Msg::Save, rows)}
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn EditRow(channel: ChannelView, rows: Rows) -> impl IntoView {
    let i18n = use_i18n();
    let (ws, update) = (rows.ws, rows.update);
    let pending = update.pending();
    view! {
        <tr data-testid="channel-row" data-channel-id=channel.id.0 class="chan-editing">
            <td colspan="6">
                <ActionForm action=update attr:class="form chan-edit-form" attr:data-testid="channel-edit-form">
                    <input type="hidden" name="ws" value=ws.0/>
                    <input type="hidden" name="id" value=channel.id.0/>
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
                    {form_buttons(pending.into(), Msg::Save, rows)}
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
    let emulator = Resource::new(|| (), |_| emulator_available());
    // The platforms Tongbu can connect today.
    let options = [
        Platform::Wechat,
        Platform::Facebook,
        Platform::X,
        Platform::Bluesky,
        Platform::Mastodon,
        Platform::Linkedin,
    ]
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
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        matches!(emulator.await, Ok(true)).then(|| view! {
                            <label class="check-row">
                                <input type="checkbox" name="emulated" value="true" data-testid="channel-emulated-input"/>
                                <span>{move || i18n.t(Msg::ChannelUseEmulator)}</span>
                            </label>
                        })
                    })}
                </Transition>
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
