//! The dashboard frame: navigation, workspace switcher, language switch and
//! account menu around the current page. Pages of a workspace read the
//! `CurrentWorkspace` it provides (defined in `workspace`, so that the pieces
//! of the frame can read it without importing the frame; re-exported here).

use super::feedback::ErrorNote;
use super::language::LanguageSwitch;
use super::notifications::NotificationBell;
use crate::api::auth::Logout;
use crate::domain::WorkspaceId;
use crate::i18n::Msg;
use crate::ui::i18n::{role_name, use_i18n};
use crate::ui::pages::NotFoundView;
use crate::ui::session::{hard_navigate, use_session};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_params_map};

pub use super::workspace::{use_workspace, CurrentWorkspace};

/// Nav entries: path segment, label, icon.
const NAV: [(&str, Msg, &str); 6] = [
    ("calendar", Msg::NavCalendar, "▦"),
    ("compose", Msg::NavCompose, "✎"),
    ("approvals", Msg::NavApprovals, "✓"),
    ("channels", Msg::NavChannels, "⇄"),
    ("reports", Msg::NavReports, "▤"),
    ("settings", Msg::NavSettings, "⚙"),
];

#[component]
pub fn WorkspaceShell() -> impl IntoView {
    let params = use_params_map();
    let session = use_session();
    view! {
        <Suspense fallback=|| view! { <div class="page-loading" aria-busy="true"></div> }>
            {move || {
                let ws = params.read().get("ws").and_then(|s| s.parse::<i64>().ok()).map(WorkspaceId);
                Suspend::new(async move {
                    match session.await {
                        Err(e) => view! { <main class="center-page"><ErrorNote error=e/></main> }.into_any(),
                        Ok(info) => match info.viewer {
                            None => {
                                hard_navigate("/login");
                                view! { <main class="center-page"></main> }.into_any()
                            }
                            Some(viewer) => {
                                let found = ws.and_then(|id| {
                                    viewer.workspaces.iter().find(|w| w.id == id).cloned()
                                });
                                match found {
                                    None => view! { <NotFoundView/> }.into_any(),
                                    Some(w) => {
                                        let current = CurrentWorkspace {
                                            id: w.id,
                                            name: w.name.clone(),
                                            role: w.role,
                                            viewer: viewer.clone(),
                                        };
                                        view! { <Frame current/> }.into_any()
                                    }
                                }
                            }
                        },
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Frame(current: CurrentWorkspace) -> impl IntoView {
    let i18n = use_i18n();
    provide_context(current.clone());
    let ws = current.id;
    let location = use_location();
    let menu_open = RwSignal::new(false);
    let nav = NAV
        .iter()
        .map(|&(seg, label, icon)| {
            let href = format!("/w/{ws}/{seg}");
            let active_href = href.clone();
            let active = move || location.pathname.get().starts_with(&active_href);
            view! {
                <li>
                    <A href=href attr:class=move || if active() { "nav-link active" } else { "nav-link" }
                        attr:data-nav=seg on:click=move |_| menu_open.set(false)>
                        <span class="nav-icon" aria-hidden="true">{icon}</span>
                        <span>{move || i18n.t(label)}</span>
                    </A>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="app" class:menu-open=move || menu_open.get()>
            <aside class="sidebar">
                <a class="brand" href=format!("/w/{ws}/calendar")>
                    <span class="brand-mark" aria-hidden="true">"同"</span>
                    <span class="brand-name">{move || i18n.t(Msg::AppName)}</span>
                </a>
                <WorkspaceSwitcher current=current.clone()/>
                <nav aria-label=move || i18n.t(Msg::NavMainLabel)>
                    <ul class="nav-list">{nav}</ul>
                </nav>
            </aside>
            <div class="main-column">
                <header class="topbar">
                    <button type="button" class="menu-toggle" aria-label=move || i18n.t(Msg::OpenMenu)
                        on:click=move |_| menu_open.update(|o| *o = !*o)>"☰"</button>
                    <div class="topbar-spacer"></div>
                    <NotificationBell/>
                    <LanguageSwitch/>
                    <UserMenu current=current.clone()/>
                </header>
                <main class="content" id="main">
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}

#[component]
fn WorkspaceSwitcher(current: CurrentWorkspace) -> impl IntoView {
    let i18n = use_i18n();
    let items = current
        .viewer
        .workspaces
        .iter()
        .map(|w| {
            let is_current = w.id == current.id;
            let role = w.role;
            view! {
                <li>
                    <a href=format!("/w/{}/calendar", w.id) class:current=is_current
                        aria-current=if is_current { Some("page") } else { None }>
                        <span class="ws-name">{w.name.clone()}</span>
                        <span class="ws-role">{move || i18n.t(role_name(role))}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let role = current.role;
    view! {
        <details class="ws-switcher">
            <summary aria-label=move || i18n.t(Msg::SwitchWorkspace)>
                <span class="ws-label">{move || i18n.t(Msg::Workspace)}</span>
                <span class="ws-current" data-testid="current-workspace">{current.name.clone()}</span>
                <span class="ws-role">{move || i18n.t(role_name(role))}</span>
            </summary>
            <ul>{items}</ul>
        </details>
    }
}

#[component]
fn UserMenu(current: CurrentWorkspace) -> impl IntoView {
    let i18n = use_i18n();
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(path)) = logout.value().get() {
            hard_navigate(&path);
        }
    });
    let name = current.viewer.user.display_name.clone();
    let title_name = name.clone();
    view! {
        <div class="user-menu">
            <span class="user-name" title=move || i18n.tf(Msg::SignedInAs, &[("name", &title_name)])>{name}</span>
            <ActionForm action=logout>
                <button type="submit" class="button button-ghost" data-testid="sign-out">
                    {move || i18n.t(Msg::SignOut)}
                </button>
            </ActionForm>
        </div>
    }
}
