//! Who may do what, in one place.
//!
//! Every request that acts on a workspace resolves the caller's
//! [`Member`] once, at the edge (server function or REST handler), and
//! hands it to the use case; the use case states what it needs with
//! [`Member::require`]. No use case reads a role and decides by itself.
//!
//! Invariants:
//! - a person who is not a member of a workspace gets `NotFound`, never
//!   `Forbidden`: other tenants' workspaces, posts and channels stay
//!   invisible, not merely closed;
//! - a member whose role lacks the need gets `Forbidden`;
//! - every store call a use case makes is scoped by [`Member::ws`], the
//!   workspace the membership was proven for.

use super::state::AppState;
use crate::domain::{AppError, Role, UserId, WorkspaceId};
use crate::store::{UserRow, WorkspaceRow};

/// What a use case needs the caller to be allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// See the workspace's posts, channels, reports and members.
    Read,
    /// Draft, edit, comment on and upload media for posts.
    Write,
    /// Sign off on posts and decide deliveries the scheduler could not.
    Approve,
    /// Connect and edit channels, change the workspace's policy, read its
    /// audit log.
    Configure,
    /// Invite, remove and change the roles of members; reset passwords.
    ManageMembers,
}

impl Need {
    /// Whether `role` meets this need (the rules are `Role`'s own).
    pub fn met_by(self, role: Role) -> bool {
        match self {
            Need::Read => true,
            Need::Write => role.can_write(),
            Need::Approve => role.can_approve(),
            Need::Configure => role.can_configure(),
            Need::ManageMembers => role.can_manage_members(),
        }
    }
}

/// The caller as a member of one workspace, proven against the store.
#[derive(Clone, Debug)]
pub struct Member {
    pub user: UserRow,
    pub workspace: WorkspaceRow,
    pub role: Role,
}

impl Member {
    /// The caller's membership of `ws`; `NotFound` for non-members.
    pub async fn resolve(
        state: &AppState,
        user: &UserRow,
        ws: WorkspaceId,
    ) -> Result<Member, AppError> {
        let (workspace, role) = state
            .store
            .workspace_for_member(ws, user.id())
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Member {
            user: user.clone(),
            workspace,
            role,
        })
    }

    /// The workspace every query of the request is scoped by.
    pub fn ws(&self) -> WorkspaceId {
        self.workspace.id()
    }

    pub fn id(&self) -> UserId {
        self.user.id()
    }

    pub fn may(&self, need: Need) -> bool {
        need.met_by(self.role)
    }

    /// `Forbidden` unless the member's role meets `need`.
    pub fn require(&self, need: Need) -> Result<(), AppError> {
        if self.may(need) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// `Forbidden` unless the member may give `target` to someone, or
    /// change or remove someone who holds it (`Role::may_assign`).
    pub fn require_assign(&self, target: Role) -> Result<(), AppError> {
        if self.role.may_assign(target) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The workflow's view of this member.
    pub fn actor(&self) -> crate::domain::workflow::Actor {
        crate::domain::workflow::Actor::Member {
            user_id: self.user.id,
            role: self.role,
        }
    }
}

/// Resolves the membership and checks `need` in one step: what most edges
/// do before calling their use case.
pub async fn require(
    state: &AppState,
    user: &UserRow,
    ws: WorkspaceId,
    need: Need,
) -> Result<Member, AppError> {
    let m = Member::resolve(state, user, ws).await?;
    m.require(need)?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_follow_the_roles_rules() {
        for role in Role::ALL {
            assert!(Need::Read.met_by(role));
            assert_eq!(Need::Write.met_by(role), role.can_write());
            assert_eq!(Need::Approve.met_by(role), role.can_approve());
            assert_eq!(Need::Configure.met_by(role), role.can_configure());
            assert_eq!(Need::ManageMembers.met_by(role), role.can_manage_members());
        }
        assert!(!Need::Write.met_by(Role::Viewer));
        assert!(!Need::Configure.met_by(Role::Approver));
    }
}
