//! Set-up, sign-in, sign-out, language and "who am I".

use crate::domain::{AppError, Viewer};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub viewer: Option<Viewer>,
    pub setup_needed: bool,
}

#[server(prefix = "/rpc", endpoint = "session_info")]
pub async fn get_session_info() -> Result<SessionInfo, AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let req = ctx::request()?;
    let viewer = match &req.user {
        Some(u) => Some(crate::server::accounts::viewer(&state, u).await?),
        None => None,
    };
    let setup_needed = viewer.is_none() && crate::server::accounts::setup_needed(&state).await?;
    Ok(SessionInfo {
        viewer,
        setup_needed,
    })
}

/// Creates the first owner and workspace, signs in, and returns where to go.
#[server(prefix = "/rpc", endpoint = "setup")]
pub async fn setup(
    display_name: String,
    email: String,
    password: String,
    workspace: String,
) -> Result<String, AppError> {
    use super::ctx;
    use crate::server::accounts;
    let state = ctx::state()?;
    let (user, ws) = accounts::setup(
        &state,
        accounts::SetupInput {
            display_name,
            email,
            password,
            workspace,
        },
    )
    .await?;
    // Keep the language chosen on the set-up page as the owner's preference.
    let locale = ctx::request()?.locale;
    accounts::set_locale(&state, user.id(), Some(locale)).await?;
    crate::server::auth::session::sign_in(&ctx::session().await?, &user, state.now()).await?;
    let path = format!("/w/{}/calendar", ws.id);
    ctx::redirect_form_post(&path);
    Ok(path)
}

#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<String, AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let req = ctx::request()?;
    let user = crate::server::accounts::authenticate(&state, &email, password, req.ip).await?;
    crate::server::auth::session::sign_in(&ctx::session().await?, &user, state.now()).await?;
    tracing::info!(user = %user.id, "signed in");
    let path = super::safe_next(next.as_deref());
    ctx::redirect_form_post(&path);
    Ok(path)
}

#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<String, AppError> {
    use super::ctx;
    crate::server::auth::session::sign_out(&ctx::session().await?).await?;
    let path = "/login?signed_out=1".to_owned();
    ctx::redirect_form_post(&path);
    Ok(path)
}

/// Switches the interface language: saved on the account when signed in,
/// and in a cookie so the sign-in page speaks it too. An empty tag goes back
/// to following the browser.
#[server(prefix = "/rpc", endpoint = "set_language")]
pub async fn set_language(tag: String, next: Option<String>) -> Result<String, AppError> {
    use super::ctx;
    use crate::i18n::Locale;
    let state = ctx::state()?;
    let req = ctx::request()?;
    let locale = if tag.is_empty() {
        None
    } else {
        Some(
            Locale::from_tag(&tag)
                .ok_or_else(|| AppError::invalid(Some("tag"), crate::i18n::Msg::ErrInvalidBody))?,
        )
    };
    if let Some(user) = &req.user {
        crate::server::accounts::set_locale(&state, user.id(), locale).await?;
    }
    if let (Some(res), Ok(cookie)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(&crate::server::request::lang_cookie(
            locale,
            state.config.secure_cookies(),
        )),
    ) {
        res.append_header(axum::http::header::SET_COOKIE, cookie);
    }
    let path = super::safe_next(next.as_deref());
    ctx::redirect_form_post(&path);
    // Without a preference, the page now follows the browser again.
    let effective = locale.unwrap_or_else(|| {
        use_context::<axum::http::request::Parts>()
            .map(|p| crate::server::request::browser_locale(&p.headers))
            .unwrap_or_default()
    });
    Ok(effective.tag().to_owned())
}
