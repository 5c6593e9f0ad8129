//! Who is signed in, loaded once per page load and shared through context.

use crate::api::auth::{get_session_info, SessionInfo};
use crate::domain::AppError;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct SessionResource(pub Resource<Result<SessionInfo, AppError>>);

pub fn provide_session() {
    provide_context(SessionResource(Resource::new(
        || (),
        |_| get_session_info(),
    )));
}

pub fn use_session() -> Resource<Result<SessionInfo, AppError>> {
    expect_context::<SessionResource>().0
}

/// Leaves the single-page app for `path` with a full page load, so the
/// server renders the new signed-in (or signed-out) state from scratch.
pub fn hard_navigate(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}
