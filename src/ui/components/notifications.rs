//! The notification bell of the top bar: the unread count (rendered on the
//! server too), and a panel listing the latest notifications of every
//! workspace. Polls every 30 seconds once hydrated, and whenever the panel
//! opens; opening a notification marks it read.

use super::workspace::use_workspace;
use crate::api::posts::{get_notifications, MarkNotificationsRead};
use crate::domain::post::NotificationView;
use crate::domain::WorkspaceId;
use crate::i18n::Msg;
use crate::ui::format::{browser_zone, local_time, notification_text};
use crate::ui::i18n::use_i18n;
use chrono_tz::Tz;
use leptos::prelude::*;

/// How often the count is refreshed while the page is open.
#[cfg(feature = "hydrate")]
const POLL: std::time::Duration = std::time::Duration::from_secs(30);

fn badge_text(unread: i64) -> String {
    if unread > 99 {
        "99+".to_owned()
    } else {
        unread.to_string()
    }
}

#[component]
pub fn NotificationBell() -> impl IntoView {
    let i18n = use_i18n();
    let current = use_workspace();
    let open = RwSignal::new(false);
    // Bumped by the poll timer and by opening the panel; the list reloads
    // after every mark-as-read too.
    let tick = RwSignal::new(0u32);
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let notes = Resource::new(
        move || (tick.get(), mark.version().get()),
        |_| get_notifications(),
    );
    let zone = RwSignal::new(Tz::UTC);
    Effect::new(move |_| zone.set(browser_zone()));
    let root = NodeRef::<leptos::html::Div>::new();
    let button = NodeRef::<leptos::html::Button>::new();

    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if let Ok(handle) = set_interval_with_handle(
            move || {
                let hidden = document().hidden();
                if !hidden {
                    tick.try_update(|t| *t = t.wrapping_add(1));
                }
            },
            POLL,
        ) {
            on_cleanup(move || handle.clear());
        }
        // Close on a press outside the bell, and on Escape.
        let outside = window_event_listener(leptos::ev::pointerdown, move |ev| {
            if !open.get_untracked() {
                return;
            }
            let inside = match (root.get_untracked(), ev.target()) {
                (Some(el), Some(target)) => target
                    .dyn_ref::<leptos::web_sys::Node>()
                    .is_some_and(|n| el.contains(Some(n))),
                _ => false,
            };
            if !inside {
                open.set(false);
            }
        });
        let escape = window_event_listener(leptos::ev::keydown, move |ev| {
            if ev.key() == "Escape" && open.get_untracked() {
                open.set(false);
                if let Some(b) = button.get_untracked() {
                    let _ = b.focus();
                }
            }
        });
        on_cleanup(move || {
            outside.remove();
            escape.remove();
        });
    }

    let toggle = move |_| {
        let now = !open.get_untracked();
        open.set(now);
        if now {
            tick.update(|t| *t = t.wrapping_add(1));
        }
    };
    let mark_all = move |_| {
        mark.dispatch(MarkNotificationsRead { ids: None });
    };
    let ws = current.id;
    let workspaces = StoredValue::new(current.viewer.workspaces.clone());
    // The resource is read only inside this component's own <Transition>s:
    // a read anywhere else would register with the page's <Suspense> and
    // blank the whole page on every poll.
    view! {
        <div class="notif" node_ref=root>
            <button type="button" class="notif-button" data-testid="notification-button" node_ref=button
                aria-haspopup="true" aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls="notification-panel" title=move || i18n.t(Msg::NotificationsTitle)
                on:click=toggle>
                <svg class="notif-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"
                    fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                    <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9"/>
                    <path d="M13.73 21a2 2 0 0 1-3.46 0"/>
                </svg>
                <span class="visually-hidden">{move || i18n.t(Msg::NotificationsTitle)}</span>
                <Transition>
                    {move || Suspend::new(async move {
                        let n = notes.await.map(|n| n.unread).unwrap_or(0);
                        (n > 0).then(|| {
                            let count = n.to_string();
                            view! {
                                <span class="notif-badge" data-testid="notification-badge" aria-hidden="true">
                                    {badge_text(n)}
                                </span>
                                <span class="visually-hidden">
                                    {move || format!(" ({})", i18n.tf(Msg::NotificationsUnread, &[("n", &count)]))}
                                </span>
                            }
                        })
                    })}
                </Transition>
            </button>
            <Show when=move || open.get()>
                <div class="notif-panel" id="notification-panel" data-testid="notification-panel"
                    role="region" aria-label=move || i18n.t(Msg::NotificationsTitle)>
                    <Transition fallback=move || view! {
                        <div class="notif-head"><h2>{move || i18n.t(Msg::NotificationsTitle)}</h2></div>
                        <p class="notif-empty muted">{move || i18n.t(Msg::Loading)}</p>
                    }>
                        {move || Suspend::new(async move {
                            let result = notes.await;
                            let unread = result.as_ref().map(|n| n.unread).unwrap_or(0);
                            let body = match result {
                                Err(e) => {
                                    let text = i18n.error(&e);
                                    view! { <p class="notif-empty notice notice-error" role="alert">{text}</p> }.into_any()
                                }
                                Ok(n) if n.items.is_empty() => view! {
                                    <p class="notif-empty muted">{move || i18n.t(Msg::NotificationsEmpty)}</p>
                                }.into_any(),
                                Ok(n) => view! {
                                    <ul class="notif-list">
                                        {n.items.into_iter().map(|item| {
                                            let ws_name = (item.workspace_id.0 != 0 && item.workspace_id != ws)
                                                .then(|| workspaces.with_value(|all| {
                                                    all.iter().find(|w| w.id == item.workspace_id).map(|w| w.name.clone())
                                                }))
                                                .flatten();
                                            view! { <NotificationItem item ws_name fallback_ws=ws zone open mark/> }
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                            };
                            view! {
                                <div class="notif-head">
                                    <h2>{move || i18n.t(Msg::NotificationsTitle)}</h2>
                                    <button type="button" class="button button-ghost button-small"
                                        data-testid="notification-mark-all"
                                        disabled=move || unread == 0 || mark.pending().get()
                                        on:click=mark_all>
                                        {move || i18n.t(Msg::NotificationsMarkAll)}
                                    </button>
                                </div>
                                {body}
                            }
                        })}
                    </Transition>
                </div>
            </Show>
        </div>
    }
}

#[component]
fn NotificationItem(
    item: NotificationView,
    /// The workspace's name when it is not the current one.
    ws_name: Option<String>,
    fallback_ws: WorkspaceId,
    zone: RwSignal<Tz>,
    open: RwSignal<bool>,
    mark: ServerAction<MarkNotificationsRead>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = item.id;
    let unread = !item.read;
    let at = item.at;
    let kind = item.kind;
    let actor = item.actor.as_ref().map(|a| a.name.clone());
    let workspace = if item.workspace_id.0 != 0 {
        item.workspace_id
    } else {
        fallback_ws
    };
    let text = move || {
        let who = actor
            .clone()
            .unwrap_or_else(|| i18n.t(Msg::NotificationsSomeone).to_owned());
        i18n.tf(notification_text(kind), &[("actor", &who)])
    };
    let on_click = move |_| {
        if unread {
            mark.dispatch(MarkNotificationsRead {
                ids: Some(vec![id]),
            });
        }
        open.set(false);
    };
    view! {
        <li class="notif-entry" class:unread=unread>
            <a class="notif-item" href=format!("/w/{}/posts/{}", workspace, item.post_id)
                data-testid="notification-item" data-unread=if unread { "true" } else { "false" }
                on:click=on_click>
                <span class="notif-dot" aria-hidden="true"></span>
                <span class="notif-body">
                    <span class="notif-text">{text}</span>
                    {(!item.excerpt.trim().is_empty()).then(|| view! {
                        <span class="notif-excerpt">{item.excerpt.clone()}</span>
                    })}
                    <span class="notif-meta">
                        <time datetime=at.to_rfc3339()>{move || local_time(at, zone.get())}</time>
                        {ws_name.map(|name| view! { <span class="notif-ws">{name}</span> })}
                    </span>
                </span>
            </a>
        </li>
    }
}
