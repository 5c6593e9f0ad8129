//! Errors, notices and empty states, always in the reader's language.

use crate::domain::AppError;
use crate::i18n::Msg;
use crate::ui::i18n::use_i18n;
use leptos::prelude::*;

/// The error of an action's last attempt, if it failed.
pub fn error_of<T, S>(value: S) -> Signal<Option<AppError>>
where
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    Signal::derive(move || match value.get() {
        Some(Err(e)) => Some(e),
        _ => None,
    })
}

/// Shows an action's failure in place; announced to screen readers.
#[component]
pub fn ActionError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|e| {
            let text = i18n.error(&e);
            view! { <p class="notice notice-error" role="alert">{text}</p> }
        })
    }
}

#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="notice notice-error" role="alert">{move || i18n.error(&error)}</p> }
}

/// What an area will hold, said plainly, for areas without content yet.
#[component]
pub fn EmptyState(
    icon: &'static str,
    title: Msg,
    body: Msg,
    #[prop(optional)] later: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="empty-state">
            <div class="empty-icon" aria-hidden="true">{icon}</div>
            <h2>{move || i18n.t(title)}</h2>
            <p>{move || i18n.t(body)}</p>
            {later.then(|| view! { <span class="badge badge-muted">{move || i18n.t(Msg::ComingNext)}</span> })}
        </section>
    }
}
