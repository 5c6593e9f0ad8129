//! Database rows and their conversion into domain types. Rows stay inside the
//! server; the browser only ever sees the domain types.

use crate::domain::{
    ApiTokenView, Email, Invitation, Member, Role, UserId, UserView, WorkspaceId, WorkspaceSummary,
};
use chrono::{DateTime, Utc};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub email: Email,
    pub display_name: String,
    pub password_hash: String,
    pub locale: Option<String>,
    /// Bumped when the password changes; sessions remember the epoch they
    /// were created in and die when it moves.
    pub session_epoch: i64,
    pub created_at: DateTime<Utc>,
}

impl UserRow {
    pub fn id(&self) -> UserId {
        self.id
    }
    pub fn view(&self) -> UserView {
        UserView {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            locale: self.locale.clone(),
        }
    }
}

/// Secrets never reach logs: the hash is left out of Debug output.
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub password_hash: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct WorkspaceRow {
    pub id: WorkspaceId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl WorkspaceRow {
    pub fn id(&self) -> WorkspaceId {
        self.id
    }
    pub fn summary(&self, role: Role) -> WorkspaceSummary {
        WorkspaceSummary {
            id: self.id,
            name: self.name.clone(),
            role,
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: UserId,
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl MemberRow {
    pub fn into_member(self) -> Member {
        Member {
            user_id: self.user_id,
            role: self.role,
            email: self.email,
            display_name: self.display_name,
            joined_at: self.created_at,
        }
    }
}

pub struct NewInvitation {
    pub workspace_id: WorkspaceId,
    pub email: Email,
    pub role: Role,
    pub token_hash: String,
    pub invited_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: i64,
    pub workspace_id: WorkspaceId,
    pub email: Email,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl InvitationRow {
    pub fn view(&self) -> Invitation {
        Invitation {
            id: self.id,
            email: self.email.clone(),
            role: self.role,
            created_at: self.created_at,
            expires_at: self.expires_at,
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiTokenRow {
    pub fn view(&self) -> ApiTokenView {
        ApiTokenView {
            id: self.id,
            name: self.name.clone(),
            prefix: self.prefix.clone(),
            created_at: self.created_at,
            last_used_at: self.last_used_at,
        }
    }
}

pub struct NewAudit {
    pub workspace_id: Option<WorkspaceId>,
    pub actor: Option<UserId>,
    pub action: &'static str,
    pub subject: String,
    pub detail: serde_json::Value,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub workspace_id: Option<WorkspaceId>,
    pub actor_user_id: Option<UserId>,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub at: DateTime<Utc>,
}
