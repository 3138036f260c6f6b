//! Operator endpoints: liveness, readiness per tenant database, Prometheus
//! metrics, and the request counter that feeds them.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/health/live", get(live)).route("/health/ready", get(ready)).route("/metrics", get(metrics))
}

async fn live() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "live" }))
}

#[derive(Serialize)]
struct Readiness {
    status: &'static str,
    tenants: Vec<TenantReadiness>,
}

#[derive(Serialize)]
struct TenantReadiness {
    tenant: String,
    database: &'static str,
}

/// Ready when every tenant's database answers; 503 names the ones that don't.
async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let mut tenants = Vec::new();
    for tenant in state.tenants.all() {
        let ok = tenant.db.ping().await.is_ok();
        tenants.push(TenantReadiness { tenant: tenant.key.clone(), database: if ok { "ok" } else { "unreachable" } });
    }
    let all_ok = tenants.iter().all(|t| t.database == "ok");
    let status = if all_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(Readiness { status: if all_ok { "ready" } else { "degraded" }, tenants }))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let body = state.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    ([("content-type", "text/plain; version=0.0.4")], body)
}

/// Counts requests and their latency per route template (not per raw path,
/// which could carry ids).
pub async fn count_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route).record(started.elapsed().as_secs_f64());
    response
}
