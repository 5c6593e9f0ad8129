//! Reach reports as people and API clients ask for them: the workspace's
//! report over a date range in the reader's time zone (page, JSON, CSV)
//! and one post's figures per channel. Every member may read them.

use super::access::{Member, Need};
use super::AppState;
use crate::domain::reports::{
    self, GroupBy, PostMetrics, ReachReport, ReportInputError, ReportRequest,
};
use crate::domain::{AppError, PostId};
use crate::i18n::Msg;
use chrono::NaiveDate;

/// The raw query of a report, as it arrives from a form or a URL.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct ReportQuery {
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day, inclusive (default: today in `tz`).
    pub to: Option<String>,
    /// IANA time zone (default UTC).
    pub tz: Option<String>,
    /// `platform` (default), `channel`, `post` or `campaign`.
    pub group_by: Option<String>,
}

impl ReportQuery {
    /// Checks every part; the error names the field and what is wrong.
    pub fn parse(&self, now: chrono::DateTime<chrono::Utc>) -> Result<ReportRequest, AppError> {
        let tz_name = self
            .tz
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("UTC");
        let tz: chrono_tz::Tz = tz_name.parse().map_err(|_| {
            invalid(
                "tz",
                Msg::ErrReportTimeZone,
                &ReportInputError::TimeZone(tz_name.into()).to_string(),
            )
        })?;
        let date = |field: &str, v: &Option<String>| -> Result<Option<NaiveDate>, AppError> {
            match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| {
                        invalid(
                            field,
                            Msg::ErrReportDate,
                            &format!("{field} must be a date like 2026-03-01, not {s:?}"),
                        )
                    }),
            }
        };
        let to = date("to", &self.to)?.unwrap_or_else(|| now.with_timezone(&tz).date_naive());
        let from = date("from", &self.from)?.unwrap_or_else(|| reports::days_back(to, 29));
        let group_by = match self
            .group_by
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => GroupBy::Platform,
            Some(g) => GroupBy::parse(g).ok_or_else(|| {
                invalid(
                    "group_by",
                    Msg::ErrReportGroup,
                    &format!("group_by must be platform, channel, post or campaign, not {g:?}"),
                )
            })?,
        };
        ReportRequest::new(from, to, tz_name, group_by).map_err(|e| {
            let key = match e {
                ReportInputError::TimeZone(_) => Msg::ErrReportTimeZone,
                ReportInputError::Reversed | ReportInputError::TooLong => Msg::ErrReportRange,
            };
            invalid("from", key, &e.to_string())
        })
    }
}

fn invalid(field: &str, key: Msg, message: &str) -> AppError {
    AppError::Invalid {
        field: Some(field.to_owned()),
        key: key.key().to_owned(),
        message: message.to_owned(),
    }
}

/// The workspace's reach report.
pub async fn reach(
    state: &AppState,
    m: &Member,
    req: &ReportRequest,
) -> Result<ReachReport, AppError> {
    m.require(Need::Read)?;
    let ws = m.ws();
    let (start, end) = req.bounds();
    let (rows, growth) = tokio::try_join!(
        state
            .store
            .report_deliveries(ws, start.timestamp(), end.timestamp()),
        state
            .store
            .report_growth(ws, start.timestamp(), end.timestamp()),
    )?;
    Ok(reports::build(req, &rows, &growth, state.now()))
}

/// One post's figures per channel, with every snapshot.
pub async fn post_metrics(
    state: &AppState,
    m: &Member,
    post_id: PostId,
) -> Result<PostMetrics, AppError> {
    m.require(Need::Read)?;
    let ws = m.ws();
    // The post must be the workspace's (a foreign id reads as not found).
    state
        .store
        .post(ws, post_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(PostMetrics::new(
        post_id,
        state.store.post_metrics(ws, post_id).await?,
    ))
}
