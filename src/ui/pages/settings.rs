//! Settings: the person's profile, language, password and API tokens, and
//! (for a workspace) its members and invitations. Controls a role may not
//! use are not shown; the server refuses them anyway.

use crate::api::account::{
    list_tokens, ChangePassword, CreateToken, CreateWorkspace, RevokeToken, UpdateProfile,
};
use crate::api::auth::SetLanguage;
use crate::api::posts::{get_policy, workspace_audit, SetPolicy};
use crate::api::workspace::{
    list_invitations, list_members, ChangeMemberRole, InviteMember, RemoveMember,
    ResetMemberPassword, RevokeInvitation,
};
use crate::domain::{Role, Viewer, WorkspaceId};
use crate::i18n::{Locale, Msg};
use crate::ui::components::feedback::{error_of, ActionError, ErrorNote};
use crate::ui::components::language::LanguageSwitch;
use crate::ui::components::layout::use_workspace;
use crate::ui::format::{browser_zone, local_time};
use crate::ui::i18n::{role_name, use_i18n};
use crate::ui::session::{hard_navigate, use_session};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

fn fmt_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let current = use_workspace();
    let admin = current.role.can_configure();
    // Shared by the policy and audit cards: the log reloads after a change.
    let policy_saved = ServerAction::<SetPolicy>::new();
    view! {
        <Title text=move || i18n.t(Msg::SettingsTitle)/>
        <div class="page-header"><h1>{move || i18n.t(Msg::SettingsTitle)}</h1></div>
        <div class="settings-grid">
            <MembersSection ws=current.id role=current.role me=current.viewer.user.id.0/>
            {admin.then(|| view! { <PolicySection ws=current.id save=policy_saved/> })}
            <ProfileSection viewer=current.viewer.clone()/>
            <PasswordSection/>
            <TokensSection/>
            {admin.then(|| view! { <AuditSection ws=current.id save=policy_saved/> })}
            <NewWorkspaceSection/>
        </div>
    }
}

/// Personal settings for someone who belongs to no workspace (yet).
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <Title text=move || i18n.t(Msg::SettingsTitle)/>
        <div class="auth-page">
            <header class="auth-top">
                <a class="brand" href="/" rel="external">
                    <span class="brand-mark" aria-hidden="true">"同"</span>
                    <span class="brand-name">{move || i18n.t(Msg::AppName)}</span>
                </a>
                <LanguageSwitch/>
            </header>
            <main class="content">
                <Suspense>
                    {move || Suspend::new(async move {
                        match session.await {
                            Ok(info) => match info.viewer {
                                Some(viewer) => view! {
                                    <div class="settings-grid">
                                        <NewWorkspaceSection/>
                                        <ProfileSection viewer/>
                                        <PasswordSection/>
                                        <TokensSection/>
                                    </div>
                                }.into_any(),
                                None => {
                                    hard_navigate("/login");
                                    ().into_any()
                                }
                            },
                            Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
            </main>
        </div>
    }
}

#[component]
fn ProfileSection(viewer: Viewer) -> impl IntoView {
    let i18n = use_i18n();
    let update = ServerAction::<UpdateProfile>::new();
    let language = ServerAction::<SetLanguage>::new();
    Effect::new(move |_| {
        if let Some(Ok(tag)) = language.value().get() {
            if let Some(l) = Locale::from_tag(&tag) {
                i18n.set(l);
            }
        }
    });
    // The saved preference; the language switch in the top bar saves one
    // too, so follow it once the language changes on this page.
    let pref = RwSignal::new(viewer.user.locale.clone().unwrap_or_default());
    let shown = i18n.locale();
    Effect::new(move |_| {
        let now = i18n.locale();
        if now != shown {
            pref.set(now.tag().to_owned());
        }
    });
    let options = Locale::ALL
        .into_iter()
        .map(|l| {
            view! { <option value=l.tag() selected=move || pref.get() == l.tag()>{l.native_name()}</option> }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>{move || i18n.t(Msg::ProfileTitle)}</h2>
            <ActionForm action=update attr:class="form">
                <label>
                    <span>{move || i18n.t(Msg::FieldDisplayName)}</span>
                    <input name="display_name" value=viewer.user.display_name.clone() required maxlength="80"/>
                </label>
                <p class="muted">{viewer.user.email.to_string()}</p>
                <ActionError error=error_of(update.value())/>
                <Show when=move || matches!(update.value().get(), Some(Ok(())))>
                    <p class="notice notice-ok" role="status">{move || i18n.t(Msg::Saved)}</p>
                </Show>
                <button type="submit" class="button">{move || i18n.t(Msg::Save)}</button>
            </ActionForm>
            <ActionForm action=language attr:class="form inline-form">
                <label>
                    <span>{move || i18n.t(Msg::LanguagePreference)}</span>
                    <select name="tag">
                        <option value="" selected=move || pref.get().is_empty()>{move || i18n.t(Msg::LanguageFollowBrowser)}</option>
                        {options}
                    </select>
                </label>
                <button type="submit" class="button">{move || i18n.t(Msg::Save)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PasswordSection() -> impl IntoView {
    let i18n = use_i18n();
    let change = ServerAction::<ChangePassword>::new();
    view! {
        <section class="card">
            <h2>{move || i18n.t(Msg::PasswordTitle)}</h2>
            <ActionForm action=change attr:class="form">
                <label>
                    <span>{move || i18n.t(Msg::CurrentPassword)}</span>
                    <input name="current" type="password" autocomplete="current-password" required/>
                </label>
                <label>
                    <span>{move || i18n.t(Msg::NewPassword)}</span>
                    <input name="new" type="password" autocomplete="new-password" required minlength="10"/>
                    <small class="hint">{move || i18n.t(Msg::PasswordHint)}</small>
                </label>
                <ActionError error=error_of(change.value())/>
                <Show when=move || matches!(change.value().get(), Some(Ok(())))>
                    <p class="notice notice-ok" role="status">{move || i18n.t(Msg::PasswordChanged)}</p>
                </Show>
                <button type="submit" class="button">{move || i18n.t(Msg::ChangePassword)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn TokensSection() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    view! {
        <section class="card">
            <h2>{move || i18n.t(Msg::TokensTitle)}</h2>
            <p class="muted">{move || i18n.t(Msg::TokensIntro)}</p>
            <ActionForm action=create attr:class="form inline-form">
                <label>
                    <span>{move || i18n.t(Msg::TokenName)}</span>
                    <input name="name" required maxlength="60"/>
                </label>
                <button type="submit" class="button">{move || i18n.t(Msg::CreateToken)}</button>
            </ActionForm>
            <ActionError error=error_of(create.value())/>
            {move || create.value().get().and_then(Result::ok).map(|t| view! {
                <div class="notice notice-ok secret-box" role="status">
                    <p>{move || i18n.t(Msg::TokenCreated)}</p>
                    <code data-testid="new-token">{t.token.clone()}</code>
                </div>
            })}
            <Transition>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">{move || i18n.t(Msg::NoTokens)}</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="table">
                                <thead><tr>
                                    <th>{move || i18n.t(Msg::TokenName)}</th>
                                    <th>{move || i18n.t(Msg::Created)}</th>
                                    <th>{move || i18n.t(Msg::TokenLastUsed)}</th>
                                    <th></th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|t| {
                                        let last = t.last_used_at.map(fmt_time);
                                        view! {
                                            <tr>
                                                <td>{t.name.clone()}" "<code class="muted">{t.prefix.clone()}"…"</code></td>
                                                <td>{fmt_time(t.created_at)}</td>
                                                <td>{match last {
                                                    Some(l) => l.into_any(),
                                                    None => view! { <span class="muted">{move || i18n.t(Msg::TokenNeverUsed)}</span> }.into_any(),
                                                }}</td>
                                                <td>
                                                    <ActionForm action=revoke>
                                                        <input type="hidden" name="id" value=t.id/>
                                                        <button type="submit" class="button button-danger button-small">{move || i18n.t(Msg::RevokeToken)}</button>
                                                    </ActionForm>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn NewWorkspaceSection() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateWorkspace>::new();
    Effect::new(move |_| {
        if let Some(Ok(ws)) = create.value().get() {
            hard_navigate(&format!("/w/{}/settings", ws.id));
        }
    });
    view! {
        <section class="card">
            <h2>{move || i18n.t(Msg::NewWorkspace)}</h2>
            <ActionForm action=create attr:class="form inline-form">
                <label>
                    <span>{move || i18n.t(Msg::FieldWorkspaceName)}</span>
                    <input name="name" required maxlength="80"/>
                </label>
                <button type="submit" class="button">{move || i18n.t(Msg::CreateWorkspace)}</button>
            </ActionForm>
            <ActionError error=error_of(create.value())/>
        </section>
    }
}

fn role_options(actor: Role, selected: Role) -> impl IntoView {
    let i18n = use_i18n();
    Role::ALL
        .into_iter()
        .filter(move |r| actor.may_assign(*r))
        .map(move |r| {
            view! { <option value=r.as_str() selected=r == selected>{move || i18n.t(role_name(r))}</option> }
        })
        .collect_view()
}

#[component]
fn MembersSection(ws: WorkspaceId, role: Role, me: i64) -> impl IntoView {
    let i18n = use_i18n();
    let invite = ServerAction::<InviteMember>::new();
    let change = ServerAction::<ChangeMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let reset = ServerAction::<ResetMemberPassword>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let members = Resource::new(
        move || (ws, change.version().get(), remove.version().get()),
        |(ws, _, _)| list_members(ws),
    );
    let invitations = Resource::new(
        move || (ws, invite.version().get(), revoke.version().get()),
        |(ws, _, _)| list_invitations(ws),
    );
    let manage = role.can_manage_members();
    let origin = move || {
        #[cfg(feature = "hydrate")]
        {
            window().location().origin().unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            String::new()
        }
    };
    view! {
        <section class="card wide">
            <h2>{move || i18n.t(Msg::MembersTitle)}</h2>
            <p class="muted">{move || i18n.t(Msg::MembersIntro)}</p>
            <ActionError error=error_of(change.value())/>
            <ActionError error=error_of(remove.value())/>
            <ActionError error=error_of(reset.value())/>
            {move || reset.value().get().and_then(Result::ok).map(|pw| view! {
                <div class="notice notice-ok secret-box" role="status">
                    <p>{move || i18n.t(Msg::PasswordResetDone)}</p>
                    <code>{pw.clone()}</code>
                </div>
            })}
            <Transition>
                {move || Suspend::new(async move {
                    match members.await {
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        Ok(list) => view! {
                            <table class="table" data-testid="members">
                                <thead><tr>
                                    <th>{move || i18n.t(Msg::FieldDisplayName)}</th>
                                    <th>{move || i18n.t(Msg::FieldEmail)}</th>
                                    <th>{move || i18n.t(Msg::Role)}</th>
                                    <th></th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|m| {
                                        let editable = manage && m.user_id.0 != me && role.may_assign(m.role);
                                        let member_role = m.role;
                                        view! {
                                            <tr>
                                                <td>{m.display_name.clone()}
                                                    {(m.user_id.0 == me).then(|| view! { <span class="muted">" ("{move || i18n.t(Msg::You)}")"</span> })}
                                                </td>
                                                <td>{m.email.to_string()}</td>
                                                <td>{if editable {
                                                    view! {
                                                        <ActionForm action=change attr:class="inline-form">
                                                            <input type="hidden" name="ws" value=ws.0/>
                                                            <input type="hidden" name="member" value=m.user_id.0/>
                                                            <select name="role" aria-label=move || i18n.t(Msg::Role)>{role_options(role, member_role)}</select>
                                                            <button type="submit" class="button button-small">{move || i18n.t(Msg::Save)}</button>
                                                        </ActionForm>
                                                    }.into_any()
                                                } else {
                                                    view! { <span class="badge">{move || i18n.t(role_name(member_role))}</span> }.into_any()
                                                }}</td>
                                                <td class="row-actions">{editable.then(|| view! {
                                                    <ActionForm action=reset attr:class="inline-form">
                                                        <input type="hidden" name="ws" value=ws.0/>
                                                        <input type="hidden" name="member" value=m.user_id.0/>
                                                        <button type="submit" class="button button-small">{move || i18n.t(Msg::ResetPassword)}</button>
                                                    </ActionForm>
                                                    <ActionForm action=remove attr:class="inline-form">
                                                        <input type="hidden" name="ws" value=ws.0/>
                                                        <input type="hidden" name="member" value=m.user_id.0/>
                                                        <button type="submit" class="button button-danger button-small">{move || i18n.t(Msg::Remove)}</button>
                                                    </ActionForm>
                                                })}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
            {manage.then(|| view! {
                <h3>{move || i18n.t(Msg::InviteTitle)}</h3>
                <ActionForm action=invite attr:class="form inline-form">
                    <input type="hidden" name="ws" value=ws.0/>
                    <label>
                        <span>{move || i18n.t(Msg::FieldEmail)}</span>
                        <input name="email" type="email" required/>
                    </label>
                    <label>
                        <span>{move || i18n.t(Msg::Role)}</span>
                        <select name="role">{role_options(role, Role::Editor)}</select>
                    </label>
                    <button type="submit" class="button">{move || i18n.t(Msg::InviteSubmit)}</button>
                </ActionForm>
                <ActionError error=error_of(invite.value())/>
                {move || invite.value().get().and_then(Result::ok).map(|path| view! {
                    <div class="notice notice-ok secret-box" role="status">
                        <p>{move || i18n.t(Msg::InviteCreated)}</p>
                        <code data-testid="invite-link">{format!("{}{}", origin(), path)}</code>
                    </div>
                })}
                <h3>{move || i18n.t(Msg::PendingInvitations)}</h3>
                <Transition>
                    {move || Suspend::new(async move {
                        match invitations.await {
                            Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                            Ok(list) => view! {
                                <ul class="plain-list">
                                    {list.into_iter().map(|inv| {
                                        let r = inv.role;
                                        view! {
                                            <li>
                                                <span>{inv.email.to_string()}</span>" "
                                                <span class="badge">{move || i18n.t(role_name(r))}</span>" "
                                                <span class="muted">{move || i18n.t(Msg::Expires)}" "{fmt_time(inv.expires_at)}</span>
                                                <ActionForm action=revoke attr:class="inline-form">
                                                    <input type="hidden" name="ws" value=ws.0/>
                                                    <input type="hidden" name="id" value=inv.id/>
                                                    <button type="submit" class="button button-small">{move || i18n.t(Msg::Cancel)}</button>
                                                </ActionForm>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                        }
                    })}
                </Transition>
            })}
        </section>
    }
}

// ---------------------------------------------------------------------------
// Approval policy and audit log (admins and owners)
// ---------------------------------------------------------------------------

#[component]
fn PolicySection(ws: WorkspaceId, save: ServerAction<SetPolicy>) -> impl IntoView {
    let i18n = use_i18n();
    let policy = Resource::new(move || ws, get_policy);
    let pending = save.pending();
    view! {
        <section class="card policy-card" data-testid="policy">
            <h2>{move || i18n.t(Msg::PolicyTitle)}</h2>
            <p class="muted">{move || i18n.t(Msg::PolicyIntro)}</p>
            <Transition fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match policy.await {
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        Ok(p) => view! {
                            <ActionForm action=save attr:class="form policy-form" attr:data-testid="policy-form">
                                <input type="hidden" name="ws" value=ws.0/>
                                <label>
                                    <span>{move || i18n.t(Msg::PolicyApprovals)}</span>
                                    <input name="approvals_required" type="number" min="0" max="10" step="1"
                                        inputmode="numeric" required value=p.approvals_required class="policy-number"/>
                                </label>
                                <label class="check-row">
                                    <input type="checkbox" name="author_may_approve" checked=p.author_may_approve/>
                                    <span>{move || i18n.t(Msg::PolicyAuthorMayApprove)}</span>
                                </label>
                                <label class="check-row">
                                    <input type="checkbox" name="reschedule_needs_approval" checked=p.reschedule_needs_approval/>
                                    <span>{move || i18n.t(Msg::PolicyRescheduleNeedsApproval)}</span>
                                </label>
                                <ActionError error=error_of(save.value())/>
                                <Show when=move || matches!(save.value().get(), Some(Ok(_)))>
                                    <p class="notice notice-ok" role="status">{move || i18n.t(Msg::Saved)}</p>
                                </Show>
                                <button type="submit" class="button button-primary" disabled=move || pending.get()>
                                    {move || i18n.t(Msg::Save)}
                                </button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AuditSection(ws: WorkspaceId, save: ServerAction<SetPolicy>) -> impl IntoView {
    let i18n = use_i18n();
    let entries = Resource::new(
        move || (ws, save.version().get()),
        |(ws, _)| workspace_audit(ws),
    );
    // The browser's zone is known after hydration; the server renders UTC.
    let zone = RwSignal::new(chrono_tz::Tz::UTC);
    Effect::new(move |_| zone.set(browser_zone()));
    view! {
        <section class="card wide audit-card">
            <h2>{move || i18n.t(Msg::AuditTitle)}</h2>
            <Transition fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <p class="muted" data-testid="audit-log">{move || i18n.t(Msg::AuditEmpty)}</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <div class="audit-scroll">
                                <table class="table audit-table" data-testid="audit-log">
                                    <thead><tr>
                                        <th>{move || i18n.t(Msg::AuditAt)}</th>
                                        <th>{move || i18n.t(Msg::AuditActor)}</th>
                                        <th>{move || i18n.t(Msg::AuditAction)}</th>
                                        <th>{move || i18n.t(Msg::AuditSubject)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|a| {
                                            let at = a.at;
                                            view! {
                                                <tr data-testid="audit-entry">
                                                    <td class="audit-at">
                                                        <time datetime=at.to_rfc3339()>{move || local_time(at, zone.get())}</time>
                                                    </td>
                                                    <td>{match a.actor {
                                                        Some(u) => u.name.into_any(),
                                                        None => view! { <span class="muted">{move || i18n.t(Msg::AuditSystem)}</span> }.into_any(),
                                                    }}</td>
                                                    <td><code>{a.action}</code></td>
                                                    <td class="audit-subject">{a.subject}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
