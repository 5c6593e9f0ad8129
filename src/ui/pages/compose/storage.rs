//! The browser's local copy of the form, one key per workspace and post, so
//! nothing typed is lost to a reload or a crash. On the server there is no
//! local storage: reads find nothing and writes do nothing.

use crate::domain::{PostId, WorkspaceId};
#[cfg(feature = "hydrate")]
use leptos::prelude::window;

pub(super) fn storage_key(ws: WorkspaceId, post: Option<PostId>) -> String {
    match post {
        Some(id) => format!("tongbu.compose.{}.{id}", ws.0),
        None => format!("tongbu.compose.{}.new", ws.0),
    }
}

pub(super) fn local_get(key: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        window()
            .local_storage()
            .ok()
            .flatten()?
            .get_item(key)
            .ok()
            .flatten()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        None
    }
}

pub(super) fn local_set(key: &str, value: Option<&str>) {
    #[cfg(feature = "hydrate")]
    if let Some(store) = window().local_storage().ok().flatten() {
        let _ = match value {
            Some(v) => store.set_item(key, v),
            None => store.remove_item(key),
        };
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, value);
}
