//! The ids of what Tongbu stores. Each is its own type, so a post id can
//! never be passed where a channel id is meant; on the wire and in the
//! database each is a plain integer (`#[serde(transparent)]`, and the
//! store's one conversion in `store::types`).

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                $name(id)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map($name)
            }
        }
    )*};
}

ids!(
    /// A person's account.
    UserId,
    /// A workspace: one brand or client.
    WorkspaceId,
    /// A post, across its revisions.
    PostId,
    /// One account on one network, in a workspace.
    ChannelId,
    /// An uploaded file.
    MediaId,
);
