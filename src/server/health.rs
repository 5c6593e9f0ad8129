//! `GET /healthz`: 200 with what an operator (or a load balancer) needs to
//! know, 503 when the database cannot be reached. The delivery counts say
//! whether posts are going out: overdue ones mean no worker keeps up,
//! stuck ones that leases are not swept, unknown ones that reconciliation
//! lags; all should be zero.

use super::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::json;

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let backend = match state.store.backend() {
        crate::store::Backend::Sqlite => "sqlite",
        crate::store::Backend::Postgres => "postgres",
    };
    let deliveries = match state.store.ping().await {
        Ok(()) => state.store.delivery_health(state.now(), None).await,
        Err(e) => Err(e),
    };
    match deliveries {
        Ok(d) => (
            StatusCode::OK,
            Json(json!({
                "status": if d.overdue + d.stuck + d.unknown == 0 { "ok" } else { "attention" },
                "version": env!("CARGO_PKG_VERSION"),
                "database": { "backend": backend, "reachable": true },
                "deliveries": d,
            })),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({
                    "status": "degraded",
                    "version": env!("CARGO_PKG_VERSION"),
                    "database": { "backend": backend, "reachable": false },
                })),
            )
        }
    }
}
