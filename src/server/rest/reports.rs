//! Reach reports over REST: the workspace's report as JSON or as the CSV of
//! its table, and one post's figures per channel.

use super::common::{pick_workspace, post_workspace, tag, ApiQuery, ApiUser, ErrorBody};
use crate::domain::reports::{to_csv, PostMetrics, ReachReport};
use crate::server::error::ApiError;
use crate::server::reports::{self, ReportQuery};
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReachQuery {
    /// Workspace id (see the posts routes).
    workspace: Option<i64>,
    /// First day of publication, `YYYY-MM-DD` (default: 29 days before `to`).
    from: Option<String>,
    /// Last day, inclusive (default: today in `tz`).
    to: Option<String>,
    /// IANA time zone the days and hours are in (default `UTC`).
    tz: Option<String>,
    /// `platform` (default), `channel`, `post` or `campaign`.
    group_by: Option<String>,
}

async fn report(
    state: &AppState,
    user: &crate::store::UserRow,
    headers: &HeaderMap,
    q: ReachQuery,
) -> Result<ReachReport, ApiError> {
    let m = pick_workspace(state, user, q.workspace, headers).await?;
    let req = ReportQuery {
        from: q.from,
        to: q.to,
        tz: q.tz,
        group_by: q.group_by,
    }
    .parse(state.now())?;
    Ok(reports::reach(state, &m, &req).await?)
}

/// Posts published in the range (days in `tz`), their latest figures
/// grouped as asked, totals, growth per platform by day, top posts, best
/// publishing hours per channel, and what each platform's metric means.
#[utoipa::path(get, path = "/reports/reach", tag = tag::REPORTS, params(ReachQuery),
    responses((status = 200, body = ReachReport), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reach(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ReachQuery>,
) -> Result<Json<ReachReport>, ApiError> {
    Ok(Json(report(&state, &user, &headers, q).await?))
}

/// The report's table as CSV (one line per group, then the total; an empty
/// cell is a figure the platforms do not provide).
#[utoipa::path(get, path = "/reports/reach.csv", tag = tag::REPORTS, params(ReachQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reach_csv(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ReachQuery>,
) -> Result<Response, ApiError> {
    let r = report(&state, &user, &headers, q).await?;
    let name = format!(
        "tongbu-reach-{}-{}-by-{}.csv",
        r.from,
        r.to,
        r.group_by.as_str()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        to_csv(&r),
    )
        .into_response())
}

/// A post's figures on each channel it was published to: latest values,
/// every snapshot, totals and metric definitions.
#[utoipa::path(get, path = "/posts/{id}/metrics", tag = tag::REPORTS,
    params(("id" = i64, Path, description = "Post id")),
    responses((status = 200, body = PostMetrics), (status = 404, body = ErrorBody)))]
pub async fn post_metrics(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<PostMetrics>, ApiError> {
    let (m, id) = post_workspace(&state, &user, &id).await?;
    Ok(Json(reports::post_metrics(&state, &m, id).await?))
}
