//! Account use cases: first-run set-up, sign-in, profile, password, and the
//! dashboard's view of who is signed in. Shared by server functions, the
//! REST API and the command line.

use super::auth::{password, throttle};
use super::error::internal;
use super::state::AppState;
use crate::domain::{
    check_new_password, parse_display_name, parse_email, parse_workspace_name, AppError, Email,
    Role, UserId, Viewer,
};
use crate::i18n::{Locale, Msg};
use crate::store::{NewAudit, NewUser, UserRow, WorkspaceRow};
use std::net::IpAddr;

pub struct SetupInput {
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub workspace: String,
}

/// Whether the first owner still has to be created.
pub async fn setup_needed(state: &AppState) -> Result<bool, AppError> {
    Ok(state.store.count_users().await? == 0)
}

/// Creates the first owner and workspace. Refused once anyone exists.
pub async fn setup(
    state: &AppState,
    input: SetupInput,
) -> Result<(UserRow, WorkspaceRow), AppError> {
    let display_name = parse_display_name(&input.display_name)?;
    let email = parse_email(&input.email)?;
    check_new_password(&input.password)?;
    let workspace = parse_workspace_name(&input.workspace)?;
    if !setup_needed(state).await? {
        return Err(AppError::conflict(Msg::ErrAlreadySetUp));
    }
    let password_hash = password::hash(input.password).await.map_err(internal)?;
    let now = state.now();
    let (user, ws) = state
        .store
        .create_first_owner(
            NewUser {
                email,
                display_name,
                password_hash,
            },
            &workspace,
            now,
        )
        .await?;
    audit(
        state,
        Some(&ws),
        Some(user.id()),
        "workspace.create",
        &ws.name,
        serde_json::json!({}),
    )
    .await;
    tracing::info!(user = %user.id, workspace = %ws.id, "first owner created");
    if state.config.demo {
        let owner = super::access::Member::resolve(state, &user, ws.id()).await?;
        super::demo::add_demo_channels(state, &owner).await?;
    }
    Ok((user, ws))
}

/// Checks a sign-in attempt. Unknown emails cost the same time as wrong
/// passwords and give the same answer; failures count towards throttling
/// per account and per address.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    password_text: String,
    ip: IpAddr,
) -> Result<UserRow, AppError> {
    let email = email.trim().to_lowercase();
    let now = state.now();
    throttle::check(state.store.as_ref(), &email, ip, now).await?;
    let user = if let Ok(email) = parse_email(&email) {
        state.store.user_by_email(&email).await?
    } else {
        None
    };
    let ok = password::verify(
        password_text,
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await
    .map_err(internal)?;
    match user {
        Some(user) if ok => {
            throttle::record_success(state.store.as_ref(), &email).await?;
            Ok(user)
        }
        _ => {
            throttle::record_failure(state.store.as_ref(), &email, ip, now).await?;
            Err(AppError::BadCredentials)
        }
    }
}

/// Creates an account (from the command line or an accepted invitation).
pub async fn create_user(
    state: &AppState,
    email: &Email,
    display_name: &str,
    password_text: String,
) -> Result<UserRow, AppError> {
    let display_name = parse_display_name(display_name)?;
    check_new_password(&password_text)?;
    let password_hash = password::hash(password_text).await.map_err(internal)?;
    Ok(state
        .store
        .create_user(
            NewUser {
                email: email.clone(),
                display_name,
                password_hash,
            },
            state.now(),
        )
        .await?)
}

/// Changes the user's own password. Returns the new session epoch: every
/// other session of the user ends.
pub async fn change_password(
    state: &AppState,
    user: &UserRow,
    current: String,
    new: String,
) -> Result<i64, AppError> {
    check_new_password(&new)?;
    if !password::verify(current, Some(user.password_hash.clone()))
        .await
        .map_err(internal)?
    {
        return Err(AppError::invalid(
            Some("current_password"),
            Msg::ErrWrongCurrentPassword,
        ));
    }
    let hash = password::hash(new).await.map_err(internal)?;
    state
        .store
        .set_password(user.id(), &hash, state.now())
        .await?;
    Ok(user.session_epoch + 1)
}

pub async fn update_profile(
    state: &AppState,
    user: &UserRow,
    display_name: &str,
) -> Result<(), AppError> {
    let name = parse_display_name(display_name)?;
    Ok(state
        .store
        .set_display_name(user.id(), &name, state.now())
        .await?)
}

pub async fn set_locale(
    state: &AppState,
    user: UserId,
    locale: Option<Locale>,
) -> Result<(), AppError> {
    Ok(state
        .store
        .set_locale(user, locale.map(Locale::tag), state.now())
        .await?)
}

pub async fn viewer(state: &AppState, user: &UserRow) -> Result<Viewer, AppError> {
    let workspaces = state
        .store
        .workspaces_of(user.id())
        .await?
        .into_iter()
        .map(|(w, role)| w.summary(role))
        .collect();
    Ok(Viewer {
        user: user.view(),
        workspaces,
    })
}

/// For scripts: creates the user if needed and gives them `role` in the
/// workspace named `workspace` (created when it does not exist yet).
pub async fn provision_user(
    state: &AppState,
    email: &str,
    workspace: &str,
    role: Role,
    password_text: String,
) -> Result<(UserRow, WorkspaceRow), AppError> {
    let email = parse_email(email)?;
    let ws_name = parse_workspace_name(workspace)?;
    let display_name = email
        .as_str()
        .split('@')
        .next()
        .unwrap_or("member")
        .to_owned();
    let user = match state.store.user_by_email(&email).await? {
        Some(u) => u,
        None => create_user(state, &email, &display_name, password_text).await?,
    };
    let now = state.now();
    let ws = match state.store.workspace_by_name(&ws_name).await? {
        Some(ws) => {
            match state.store.workspace_for_member(ws.id(), user.id()).await? {
                Some(_) => {
                    state
                        .store
                        .set_member_role(ws.id(), user.id(), role)
                        .await?
                }
                None => {
                    state
                        .store
                        .add_member(ws.id(), user.id(), role, now)
                        .await?
                }
            }
            ws
        }
        None => {
            let ws = state
                .store
                .create_workspace(&ws_name, user.id(), now)
                .await?;
            if role != Role::Owner {
                // A new workspace needs an owner; the first member is it.
                tracing::warn!(workspace = %ws_name, "new workspace: its first member is made owner");
            }
            ws
        }
    };
    audit(
        state,
        Some(&ws),
        None,
        "member.provision",
        user.email.as_str(),
        serde_json::json!({"role": role}),
    )
    .await;
    Ok((user, ws))
}

/// Appends to the audit log. A failure to audit is logged, not shown: the
/// action itself already happened and must not be reported as failed.
pub async fn audit(
    state: &AppState,
    ws: Option<&WorkspaceRow>,
    actor: Option<UserId>,
    action: &'static str,
    subject: &str,
    detail: serde_json::Value,
) {
    let entry = NewAudit {
        workspace_id: ws.map(|w| w.id()),
        actor,
        action,
        subject: subject.to_owned(),
        detail,
        at: state.now(),
    };
    if let Err(e) = state.store.append_audit(entry).await {
        tracing::error!(error = %e, action, "could not append to the audit log");
    }
}
