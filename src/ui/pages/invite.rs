//! Accepting an invitation: with the signed-in account, by signing in first,
//! or by creating an account for the invited email.

use super::auth::navigate_on_success;
use crate::api::workspace::{get_invitation_preview, AcceptInvitation};
use crate::i18n::Msg;
use crate::ui::components::feedback::{error_of, ActionError, ErrorNote};
use crate::ui::i18n::{role_name, use_i18n};
use crate::ui::session::use_session;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InvitePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let secret = move || params.read().get("secret").unwrap_or_default();
    let preview = Resource::new(secret, get_invitation_preview);
    let session = use_session();
    let action = ServerAction::<AcceptInvitation>::new();
    navigate_on_success(action.value());
    view! {
        <Title text=move || i18n.t(Msg::JoinSubmit)/>
        <main class="center-page">
            <div class="card narrow">
                <Suspense fallback=move || view! { <p>{move || i18n.t(Msg::Loading)}</p> }>
                    {move || Suspend::new(async move {
                        let signed_in = matches!(session.await, Ok(ref s) if s.viewer.is_some());
                        match preview.await {
                            Err(e) => view! {
                                <h1>{move || i18n.t(Msg::InvitationInvalid)}</h1>
                                <ErrorNote error=e/>
                            }.into_any(),
                            Ok(p) => {
                                let ws = p.workspace_name.clone();
                                let role = p.role;
                                let s = secret();
                                let login_href = format!("/login?next=/invite/{s}");
                                view! {
                                    <h1>{move || i18n.tf(Msg::JoinTitle, &[("workspace", &ws)])}</h1>
                                    <p>{move || i18n.tf(Msg::JoinIntro, &[("role", i18n.t(role_name(role)))])}</p>
                                    <p class="muted">{p.email.to_string()}</p>
                                    {if signed_in || !p.account_exists {
                                        view! {
                                            <ActionForm action=action attr:class="form">
                                                <input type="hidden" name="secret" value=s/>
                                                {(!signed_in).then(|| view! {
                                                    <label>
                                                        <span>{move || i18n.t(Msg::FieldDisplayName)}</span>
                                                        <input name="display_name" required maxlength="80"/>
                                                    </label>
                                                    <label>
                                                        <span>{move || i18n.t(Msg::FieldPassword)}</span>
                                                        <input name="password" type="password" autocomplete="new-password" required minlength="10"/>
                                                        <small class="hint">{move || i18n.t(Msg::PasswordHint)}</small>
                                                    </label>
                                                })}
                                                <ActionError error=error_of(action.value())/>
                                                <button type="submit" class="button button-primary">{move || i18n.t(Msg::JoinSubmit)}</button>
                                            </ActionForm>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <p>{move || i18n.t(Msg::JoinExisting)}</p>
                                            <a class="button button-primary" href=login_href rel="external">{move || i18n.t(Msg::LoginSubmit)}</a>
                                        }.into_any()
                                    }}
                                }.into_any()
                            }
                        }
                    })}
                </Suspense>
            </div>
        </main>
    }
}
