//! Accounts, workspaces, memberships and API tokens as the UI and the API see
//! them, plus the input rules both sides enforce (parse once, at the edge).

use super::{AppError, Role, UserId, WorkspaceId};
use crate::i18n::Msg;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: UserId,
    pub email: Email,
    pub display_name: String,
    pub locale: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorkspaceSummary {
    pub id: WorkspaceId,
    pub name: String,
    pub role: Role,
}

/// Who is looking at the dashboard: enough to draw the shell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Viewer {
    pub user: UserView,
    pub workspaces: Vec<WorkspaceSummary>,
}

impl Viewer {
    pub fn role_in(&self, ws: WorkspaceId) -> Option<Role> {
        self.workspaces.iter().find(|w| w.id == ws).map(|w| w.role)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Member {
    pub user_id: UserId,
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub id: i64,
    pub email: Email,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An invitation as its recipient sees it before accepting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvitationPreview {
    pub workspace_name: String,
    pub email: Email,
    pub role: Role,
    pub account_exists: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiTokenView {
    pub id: i64,
    pub name: String,
    /// The first characters of the token, so a person can tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Returned once, when a token is created; the secret is never shown again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewApiToken {
    pub token: String,
    pub view: ApiTokenView,
}

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// A syntactically plausible, lower-cased email address: made only by
/// [`parse_email`] (or read back from the store, which only ever stored
/// parsed ones), so holding one means it was checked.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(value_type = String, format = Email))]
pub struct Email(String);

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = AppError;
    fn try_from(raw: String) -> Result<Self, AppError> {
        parse_email(&raw)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

impl PartialEq<&str> for Email {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Trims and lower-cases `raw` and checks it looks like an address.
pub fn parse_email(raw: &str) -> Result<Email, AppError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
                && domain.matches('@').count() == 0
        });
    if valid {
        Ok(Email(email))
    } else {
        Err(AppError::invalid(Some("email"), Msg::ErrEmailInvalid))
    }
}

/// Length is what matters for passphrases; composition rules only annoy.
pub fn check_new_password(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(AppError::invalid(
            Some("password"),
            Msg::ErrPasswordTooShort,
        ));
    }
    if n > PASSWORD_MAX_CHARS {
        return Err(AppError::invalid(Some("password"), Msg::ErrPasswordTooLong));
    }
    Ok(())
}

pub fn parse_display_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid(Some("display_name"), Msg::ErrNameInvalid));
    }
    Ok(name.to_owned())
}

pub fn parse_workspace_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid(
            Some("workspace"),
            Msg::ErrWorkspaceNameInvalid,
        ));
    }
    Ok(name.to_owned())
}

pub fn parse_token_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(AppError::invalid(Some("name"), Msg::ErrTokenNameInvalid));
    }
    Ok(name.to_owned())
}

pub fn parse_role(raw: &str) -> Result<Role, AppError> {
    Role::parse(raw).ok_or_else(|| AppError::invalid(Some("role"), Msg::ErrRoleInvalid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(
            parse_email("  Ann@Example.COM ").unwrap(),
            "ann@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ann",
            "@example.com",
            "ann@",
            "a b@example.com",
            "ann@.com",
            "a@b@c",
        ] {
            assert!(parse_email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn an_email_on_the_wire_is_checked_like_one_typed_in() {
        let ok: Email = serde_json::from_str("\" Ann@Example.COM\"").unwrap();
        assert_eq!(ok.as_str(), "ann@example.com");
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"ann@example.com\"");
        assert!(serde_json::from_str::<Email>("\"not an address\"").is_err());
    }

    #[test]
    fn short_and_huge_passwords_are_refused() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password(&"x".repeat(300)).is_err());
        assert!(check_new_password("correct horse battery").is_ok());
        // Length counts characters, not bytes: ten CJK characters are enough.
        assert!(check_new_password("一二三四五六七八九十").is_ok());
    }
}
