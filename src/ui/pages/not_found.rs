use crate::i18n::Msg;
use crate::ui::i18n::use_i18n;
use leptos::prelude::*;
use leptos_meta::Title;

/// The 404 body. Also used for other workspaces' pages, which must look
/// exactly like pages that do not exist.
#[component]
pub fn NotFoundView() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=move || i18n.t(Msg::NotFoundTitle)/>
        <main class="center-page">
            <div class="card narrow">
                <h1>{move || i18n.t(Msg::NotFoundTitle)}</h1>
                <p>{move || i18n.t(Msg::NotFoundBody)}</p>
                <a class="button" href="/" rel="external">{move || i18n.t(Msg::BackHome)}</a>
            </div>
        </main>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! { <NotFoundView/> }
}
