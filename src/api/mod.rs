//! Server functions, one file per area. Bodies are thin: reach the state,
//! authenticate, authorise, call one use case in `server::`. All of them use
//! POST (the default encoding), so none can be triggered by a link, and all
//! pass the cross-site check in front of the router.

pub mod account;
pub mod auth;
pub mod channels;
pub mod deliveries;
pub mod posts;
pub mod reports;
pub mod workspace;

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use crate::domain::{AppError, WorkspaceId};
    use crate::server::access::Member;
    use crate::server::error::internal;
    use crate::server::request::RequestCtx;
    use crate::server::AppState;
    use crate::store::UserRow;
    use leptos::prelude::use_context;

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| internal("application state missing from context"))
    }

    pub fn request() -> Result<RequestCtx, AppError> {
        use_context::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<RequestCtx>().cloned())
            .ok_or_else(|| internal("request context missing"))
    }

    /// The state and the signed-in user, or `Unauthenticated`.
    pub fn user() -> Result<(AppState, UserRow), AppError> {
        let state = state()?;
        let user = request()?.user.ok_or(AppError::Unauthenticated)?;
        Ok((state, user))
    }

    /// The state and the signed-in user's membership of `ws`, resolved
    /// once for the call (`NotFound` for non-members).
    pub async fn member(ws: WorkspaceId) -> Result<(AppState, Member), AppError> {
        let (state, user) = user()?;
        let m = Member::resolve(&state, &user, ws).await?;
        Ok((state, m))
    }

    pub async fn session() -> Result<tower_sessions::Session, AppError> {
        leptos_axum::extract::<tower_sessions::Session>()
            .await
            .map_err(|e| internal(format!("session unavailable: {e}")))
    }

    /// For a plain HTML form post (no JavaScript yet), answers with a 303 to
    /// `path`; a hydrated page navigates itself using the returned path.
    pub fn redirect_form_post(path: &str) {
        let Some(parts) = use_context::<axum::http::request::Parts>() else {
            return;
        };
        let html = parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if html {
            if let (Some(res), Ok(loc)) = (
                use_context::<leptos_axum::ResponseOptions>(),
                axum::http::HeaderValue::from_str(path),
            ) {
                res.set_status(axum::http::StatusCode::SEE_OTHER);
                res.insert_header(axum::http::header::LOCATION, loc);
            }
        }
    }
}

/// A same-site path to continue to after signing in; anything else (other
/// hosts, protocol-relative URLs) falls back to the dashboard.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(super::safe_next(Some("/w/2/calendar")), "/w/2/calendar");
        assert_eq!(super::safe_next(Some("//evil.example")), "/");
        assert_eq!(super::safe_next(Some("https://evil.example")), "/");
        assert_eq!(super::safe_next(Some("/\\evil.example")), "/");
        assert_eq!(super::safe_next(None), "/");
    }
}
