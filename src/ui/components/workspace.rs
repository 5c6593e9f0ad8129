//! The workspace a page is in, as the dashboard frame provides it to every
//! page and component below it. On its own so that the frame (`layout`) and
//! the pieces it draws, such as the notification bell, can both read it
//! without depending on each other.

use crate::domain::{Role, Viewer, WorkspaceId};
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct CurrentWorkspace {
    pub id: WorkspaceId,
    pub name: String,
    pub role: Role,
    pub viewer: Viewer,
}

pub fn use_workspace() -> CurrentWorkspace {
    expect_context::<CurrentWorkspace>()
}
