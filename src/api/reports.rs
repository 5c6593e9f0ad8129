//! Reach reports for the dashboard. Bodies call `server::reports`, which
//! checks membership.

use crate::domain::reports::{PostMetrics, ReachReport};
use crate::domain::{AppError, PostId, WorkspaceId};
use leptos::prelude::*;

/// The workspace's report: `from`/`to` as `YYYY-MM-DD` (inclusive; empty
/// for the last 30 days), `tz` an IANA zone, `group_by` one of platform,
/// channel, post, campaign.
#[server(prefix = "/rpc", endpoint = "reach_report")]
pub async fn get_reach_report(
    ws: WorkspaceId,
    from: Option<String>,
    to: Option<String>,
    tz: Option<String>,
    group_by: Option<String>,
) -> Result<ReachReport, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    let query = crate::server::reports::ReportQuery {
        from,
        to,
        tz,
        group_by,
    };
    let req = query.parse(state.now())?;
    crate::server::reports::reach(&state, &m, &req).await
}

/// One post's figures on each channel, with their growth.
#[server(prefix = "/rpc", endpoint = "post_metrics")]
pub async fn get_post_metrics(ws: WorkspaceId, id: PostId) -> Result<PostMetrics, AppError> {
    let (state, m) = super::ctx::member(ws).await?;
    crate::server::reports::post_metrics(&state, &m, id).await
}
