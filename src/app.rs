//! The page shell and the route table.

use crate::i18n::{Locale, Msg};
use crate::ui::components::layout::WorkspaceShell;
use crate::ui::i18n::{provide_i18n, use_i18n};
use crate::ui::pages::*;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The HTML document around the app (server only). `lang` carries the
/// request's language to the browser, which starts hydration in it.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = request_locale().tag();
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The language the page is rendered in: on the server, decided by the
/// request middleware; in the browser, read back from `<html lang>`.
pub fn request_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .and_then(|p| {
                p.extensions
                    .get::<crate::server::request::RequestCtx>()
                    .map(|c| c.locale)
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Locale::from_tag(&l))
            .unwrap_or_default()
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_i18n(request_locale());
    crate::ui::session::provide_session();
    let i18n = use_i18n();
    view! {
        <Stylesheet id="leptos" href="/pkg/tongbu.css"/>
        <Title formatter=move |text: String| {
            if text.is_empty() { "Tongbu 同步".to_owned() } else { format!("{text} · Tongbu 同步") }
        }/>
        <Router>
            <Routes fallback=move || view! { <NotFoundPage/> }>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/invite/:secret") view=InvitePage ssr=SsrMode::Async/>
                <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("/w/:ws") view=WorkspaceShell ssr=SsrMode::Async>
                    <Route path=path!("calendar") view=CalendarPage/>
                    <Route path=path!("compose") view=ComposePage/>
                    <Route path=path!("posts/:id") view=PostPage/>
                    <Route path=path!("approvals") view=ApprovalsPage/>
                    <Route path=path!("channels") view=ChannelsPage/>
                    <Route path=path!("reports") view=ReportsPage/>
                    <Route path=path!("settings") view=SettingsPage/>
                    <Route path=path!("") view=CalendarPage/>
                </ParentRoute>
            </Routes>
        </Router>
        <noscript>{move || i18n.t(Msg::Loading)}</noscript>
    }
}
