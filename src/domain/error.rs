//! The one error type that crosses the wire, from server functions and from
//! the REST API alike. Messages are written for people; internal causes are
//! never sent, only a reference id that points into the server log.

use crate::i18n::{t, tf, Locale, Msg};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    #[error("You need to sign in first.")]
    Unauthenticated,
    #[error("Your role in this workspace does not allow that.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    /// `key` names a translated message (see `i18n::Msg`); `message` is the
    /// English text, used by API clients and as a fallback.
    #[error("{message}")]
    Invalid {
        field: Option<String>,
        key: String,
        message: String,
    },
    #[error("{message}")]
    Conflict { key: String, message: String },
    #[error("The email or password is wrong.")]
    BadCredentials,
    #[error("Too many failed sign-in attempts. Try again in {retry_after_secs} seconds.")]
    Throttled { retry_after_secs: u64 },
    #[error("Cross-site request refused.")]
    CrossSite,
    #[error("Something went wrong on our side (reference {reference}).")]
    Internal { reference: String },
    /// The browser could not reach the server or could not read its answer.
    #[error("The server could not be reached: {message}")]
    Transport { message: String },
}

impl AppError {
    pub fn invalid(field: Option<&str>, key: crate::i18n::Msg) -> Self {
        AppError::Invalid {
            field: field.map(str::to_owned),
            key: key.key().to_owned(),
            message: crate::i18n::t(crate::i18n::Locale::En, key).to_owned(),
        }
    }

    pub fn conflict(key: crate::i18n::Msg) -> Self {
        AppError::Conflict {
            key: key.key().to_owned(),
            message: crate::i18n::t(crate::i18n::Locale::En, key).to_owned(),
        }
    }

    /// Stable machine-readable code, as used in `{"error":{"code":...}}`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Invalid { .. } => "invalid",
            AppError::Conflict { .. } => "conflict",
            AppError::BadCredentials => "bad_credentials",
            AppError::Throttled { .. } => "throttled",
            AppError::CrossSite => "cross_site",
            AppError::Internal { .. } => "internal",
            AppError::Transport { .. } => "transport",
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden | AppError::CrossSite => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } => 422,
            AppError::Conflict { .. } => 409,
            AppError::Throttled { .. } => 429,
            AppError::Internal { .. } => 500,
            AppError::Transport { .. } => 502,
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        AppError::Transport {
            message: value.to_string(),
        }
    }
}

impl AppError {
    /// What a person should read for this error, in their language.
    pub fn text(&self, locale: Locale) -> String {
        use AppError as E;
        match self {
            E::Unauthenticated => t(locale, Msg::ErrUnauthenticated).to_owned(),
            E::Forbidden => t(locale, Msg::ErrForbidden).to_owned(),
            E::NotFound => t(locale, Msg::ErrNotFound).to_owned(),
            // A message with a `{detail}` slot carries the specifics (a
            // platform's own reason, say) in `message`.
            E::Invalid { key, message, .. } | E::Conflict { key, message } => Msg::from_key(key)
                .map(|m| tf(locale, m, &[("detail", message)]))
                .unwrap_or_else(|| message.clone()),
            E::BadCredentials => t(locale, Msg::ErrBadCredentials).to_owned(),
            E::Throttled { retry_after_secs } => {
                let minutes = retry_after_secs.div_ceil(60).max(1).to_string();
                tf(locale, Msg::ErrThrottled, &[("minutes", &minutes)])
            }
            E::CrossSite => t(locale, Msg::ErrCrossSite).to_owned(),
            E::Internal { reference } => tf(locale, Msg::ErrInternal, &[("reference", reference)]),
            E::Transport { .. } => t(locale, Msg::ErrTransport).to_owned(),
        }
    }
}
