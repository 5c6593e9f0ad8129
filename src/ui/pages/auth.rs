//! First-run set-up and sign-in. Both are plain forms that work before the
//! page hydrates; once hydrated they submit without a reload and show errors
//! in place.

use crate::api::auth::{Login, Setup};
use crate::i18n::Msg;
use crate::ui::components::feedback::{error_of, ActionError};
use crate::ui::components::language::LanguageSwitch;
use crate::ui::i18n::use_i18n;
use crate::ui::session::hard_navigate;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Follows a successful action's returned path with a full page load.
pub(crate) fn navigate_on_success<S>(value: S)
where
    S: Get<Value = Option<Result<String, crate::domain::AppError>>> + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(path)) = value.get() {
            hard_navigate(&path);
        }
    });
}

#[component]
fn AuthFrame(title: Msg, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || i18n.t(title)/>
        <div class="auth-page">
            <header class="auth-top">
                <span class="brand">
                    <span class="brand-mark" aria-hidden="true">"同"</span>
                    <span class="brand-name">{move || i18n.t(Msg::AppName)}</span>
                </span>
                <LanguageSwitch/>
            </header>
            <main class="auth-main">
                <div class="card auth-card">{children()}</div>
                <p class="tagline">{move || i18n.t(Msg::AppTagline)}</p>
            </main>
        </div>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<Setup>::new();
    navigate_on_success(action.value());
    view! {
        <AuthFrame title=Msg::SetupTitle>
            <h1>{move || i18n.t(Msg::SetupTitle)}</h1>
            <p class="muted">{move || i18n.t(Msg::SetupIntro)}</p>
            <ActionForm action=action attr:class="form" attr:data-testid="setup-form">
                <label>
                    <span>{move || i18n.t(Msg::FieldDisplayName)}</span>
                    <input name="display_name" autocomplete="name" required maxlength="80"/>
                </label>
                <label>
                    <span>{move || i18n.t(Msg::FieldEmail)}</span>
                    <input name="email" type="email" autocomplete="email" required/>
                </label>
                <label>
                    <span>{move || i18n.t(Msg::FieldPassword)}</span>
                    <input name="password" type="password" autocomplete="new-password" required minlength="10"/>
                    <small class="hint">{move || i18n.t(Msg::PasswordHint)}</small>
                </label>
                <label>
                    <span>{move || i18n.t(Msg::FieldWorkspaceName)}</span>
                    <input name="workspace" required maxlength="80"/>
                    <small class="hint">{move || i18n.t(Msg::FieldWorkspaceHint)}</small>
                </label>
                <ActionError error=error_of(action.value())/>
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { i18n.t(Msg::Working) } else { i18n.t(Msg::SetupSubmit) }}
                </button>
            </ActionForm>
        </AuthFrame>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<Login>::new();
    navigate_on_success(action.value());
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let signed_out = move || query.read().get("signed_out").is_some();
    view! {
        <AuthFrame title=Msg::LoginTitle>
            <h1>{move || i18n.t(Msg::LoginTitle)}</h1>
            <p class="muted">{move || i18n.t(Msg::LoginIntro)}</p>
            <Show when=signed_out>
                <p class="notice notice-info" role="status" data-testid="signed-out">{move || i18n.t(Msg::SignedOut)}</p>
            </Show>
            <ActionForm action=action attr:class="form" attr:data-testid="login-form">
                <input type="hidden" name="next" prop:value=next/>
                <label>
                    <span>{move || i18n.t(Msg::FieldEmail)}</span>
                    <input name="email" type="email" autocomplete="username" required/>
                </label>
                <label>
                    <span>{move || i18n.t(Msg::FieldPassword)}</span>
                    <input name="password" type="password" autocomplete="current-password" required/>
                </label>
                <ActionError error=error_of(action.value())/>
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { i18n.t(Msg::Working) } else { i18n.t(Msg::LoginSubmit) }}
                </button>
            </ActionForm>
        </AuthFrame>
    }
}
