//! Workspace roles and what each may do.
//!
//! Roles are ordered by rank; a member may only grant, change or remove roles
//! ranked at or below their own, and only owners may create other owners.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Role {
    Owner,
    Admin,
    Approver,
    Editor,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::Approver,
        Role::Editor,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Approver => "approver",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
    }

    /// Higher is more powerful.
    pub fn rank(self) -> u8 {
        match self {
            Role::Owner => 4,
            Role::Admin => 3,
            Role::Approver => 2,
            Role::Editor => 1,
            Role::Viewer => 0,
        }
    }

    /// Invite, remove and change the roles of members; reset their passwords.
    pub fn can_manage_members(self) -> bool {
        self.rank() >= Role::Admin.rank()
    }

    /// Connect channels, change workspace policy.
    pub fn can_configure(self) -> bool {
        self.rank() >= Role::Admin.rank()
    }

    /// Sign off on posts.
    pub fn can_approve(self) -> bool {
        matches!(self, Role::Owner | Role::Admin | Role::Approver)
    }

    /// Draft and edit posts. Approvers may edit too: the person signing off
    /// often fixes a typo rather than sending the post back.
    pub fn can_write(self) -> bool {
        self != Role::Viewer
    }

    /// Whether a member holding `self` may give `target` to someone, or change
    /// or remove a member who currently holds `target`.
    pub fn may_assign(self, target: Role) -> bool {
        if !self.can_manage_members() {
            return false;
        }
        if target == Role::Owner {
            return self == Role::Owner;
        }
        self.rank() >= target.rank()
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse(" Admin "), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_admins_and_owners_manage_members() {
        assert!(Role::Owner.can_manage_members());
        assert!(Role::Admin.can_manage_members());
        for r in [Role::Approver, Role::Editor, Role::Viewer] {
            assert!(!r.can_manage_members(), "{r}");
            for t in Role::ALL {
                assert!(!r.may_assign(t), "{r} must not assign {t}");
            }
        }
    }

    #[test]
    fn admins_cannot_create_or_touch_owners() {
        assert!(!Role::Admin.may_assign(Role::Owner));
        assert!(Role::Admin.may_assign(Role::Admin));
        assert!(Role::Admin.may_assign(Role::Viewer));
        assert!(Role::Owner.may_assign(Role::Owner));
    }

    #[test]
    fn viewers_only_read() {
        assert!(!Role::Viewer.can_write());
        assert!(!Role::Viewer.can_approve());
        assert!(Role::Editor.can_write());
        assert!(!Role::Editor.can_approve());
        assert!(Role::Approver.can_approve());
    }
}
