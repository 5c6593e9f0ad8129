//! The signed-in person's own settings: profile, password, API tokens, and
//! new workspaces.

use crate::domain::{ApiTokenView, AppError, NewApiToken, WorkspaceSummary};
use leptos::prelude::*;

#[server(prefix = "/rpc", endpoint = "update_profile")]
pub async fn update_profile(display_name: String) -> Result<(), AppError> {
    let (state, user) = super::ctx::user()?;
    crate::server::accounts::update_profile(&state, &user, &display_name).await
}

/// Changes the password; every other session of the account ends, this one
/// stays signed in.
#[server(prefix = "/rpc", endpoint = "change_password")]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    let (state, user) = super::ctx::user()?;
    let epoch = crate::server::accounts::change_password(&state, &user, current, new).await?;
    crate::server::auth::session::adopt_epoch(&super::ctx::session().await?, epoch).await
}

#[server(prefix = "/rpc", endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<Vec<ApiTokenView>, AppError> {
    let (state, user) = super::ctx::user()?;
    crate::server::tokens::list(&state, &user).await
}

#[server(prefix = "/rpc", endpoint = "create_token")]
pub async fn create_token(name: String) -> Result<NewApiToken, AppError> {
    let (state, user) = super::ctx::user()?;
    crate::server::tokens::create(&state, &user, &name).await
}

#[server(prefix = "/rpc", endpoint = "revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    let (state, user) = super::ctx::user()?;
    crate::server::tokens::revoke(&state, &user, id).await
}

#[server(prefix = "/rpc", endpoint = "create_workspace")]
pub async fn create_workspace(name: String) -> Result<WorkspaceSummary, AppError> {
    let (state, user) = super::ctx::user()?;
    crate::server::workspaces::create(&state, &user, &name).await
}
