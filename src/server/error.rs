//! Turning server-side failures into the `AppError` people see. Internal
//! causes are logged with a short reference id; only the id leaves the
//! server, never SQL or upstream text.

use crate::domain::schedule::ScheduleError;
use crate::domain::workflow::WorkflowError;
use crate::domain::AppError;
use crate::i18n::Msg;
use crate::store::{Conflict, StoreError};
use axum::response::{IntoResponse, Response};

/// Logs the cause and returns an opaque error carrying a reference.
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    tracing::error!(%reference, error = %cause, "internal error");
    AppError::Internal { reference }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(c) => AppError::conflict(match c {
                Conflict::EmailTaken => Msg::ErrEmailTaken,
                Conflict::AlreadySetUp => Msg::ErrAlreadySetUp,
                Conflict::AlreadyMember => Msg::ErrAlreadyMember,
                Conflict::LastOwner => Msg::ErrLastOwner,
                _ => return internal(format!("unexpected conflict {c}")),
            }),
            other => internal(other),
        }
    }
}

/// The workflow's refusals, in the app's wire shape.
pub fn workflow_error(e: WorkflowError) -> AppError {
    match e {
        WorkflowError::Forbidden | WorkflowError::SystemOnly => AppError::Forbidden,
        WorkflowError::NotAllowedInState { .. } => AppError::conflict(Msg::ErrNotAllowedInState),
        WorkflowError::SelfApproval => AppError::conflict(Msg::ErrSelfApproval),
        WorkflowError::AlreadyApproved => AppError::conflict(Msg::ErrAlreadyApproved),
        WorkflowError::CommentRequired => {
            AppError::invalid(Some("comment"), Msg::ErrCommentRequired)
        }
        WorkflowError::AlreadyPublished => AppError::conflict(Msg::ErrAlreadyPublished),
        WorkflowError::InvalidChannelCounts => internal("invalid channel counts"),
    }
}

/// A schedule the shared rules refuse, as invalid input on its field.
pub fn schedule_error(e: &ScheduleError) -> AppError {
    let msg = match e {
        ScheduleError::UnknownZone { .. } => Msg::ErrUnknownZone,
        ScheduleError::NonexistentLocalTime { .. } => Msg::ErrNonexistentLocalTime,
        ScheduleError::AmbiguousLocalTime { .. } => Msg::ErrAmbiguousLocalTime,
        ScheduleError::LocalTimeOutOfRange { .. } => Msg::ErrInvalidTime,
        ScheduleError::InPast { .. } => Msg::ErrInPast,
        ScheduleError::InvalidSlotSpec { .. } => Msg::ErrInvalidSlotSpec,
        ScheduleError::NoFreeSlot { .. } => Msg::ErrNoFreeSlot,
    };
    let field = if matches!(e, ScheduleError::InvalidSlotSpec { .. }) {
        "slots"
    } else {
        "schedule"
    };
    match AppError::invalid(Some(field), msg) {
        // API clients get the machine-readable detail too.
        AppError::Invalid {
            field,
            key,
            message,
        } => AppError::Invalid {
            field,
            key,
            message: format!(
                "{message} ({})",
                serde_json::to_string(e).unwrap_or_else(|_| e.code().to_owned())
            ),
        },
        other => other,
    }
}

/// `{"error":{"code":..., "message":...}}` with the matching status, for
/// the REST API and for refusals made by middleware.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = axum::http::StatusCode::from_u16(self.0.status())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = serde_json::json!({
            "error": { "code": self.0.code(), "message": self.0.to_string() }
        });
        if let AppError::Invalid { field: Some(f), .. } = &self.0 {
            body["error"]["field"] = serde_json::Value::String(f.clone());
        }
        let mut res = (status, axum::Json(body)).into_response();
        if let AppError::Throttled { retry_after_secs } = self.0 {
            if let Ok(v) = axum::http::HeaderValue::from_str(&retry_after_secs.to_string()) {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        res
    }
}
