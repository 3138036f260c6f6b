//! The integration status page (SPEC §7): per integration of the tenant its
//! state, last success, last error, breaker state and latency, and a
//! "Test nu" button that runs the health probe for real.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use integrations::resilience::{BreakerState, HealthState, ProbeReport, StatusSnapshot};

use super::catalogue::render;
use super::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/integrations", get(page)).route("/integrations/{name}/test", post(test_now))
}

pub struct Line {
    pub name: String,
    pub state: &'static str,
    pub state_key: &'static str,
    pub breaker: &'static str,
    pub last_success: String,
    pub last_error: String,
    pub latency: String,
    pub calls: u64,
    pub failures: u64,
}

pub struct Probed {
    pub name: String,
    pub ok: bool,
    pub at: String,
    pub latency_ms: u128,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "admin/integrations.html")]
struct StatusPage {
    chrome: Chrome,
    lines: Vec<Line>,
    probed: Option<Probed>,
}

fn line(s: StatusSnapshot) -> Line {
    let (state, state_key) = match s.state {
        HealthState::Unknown => ("Ukendt (ikke brugt endnu)", "unknown"),
        HealthState::Up => ("Kører", "up"),
        HealthState::Degraded => ("Fejl ved seneste kald", "degraded"),
        HealthState::Down => ("Nede", "down"),
    };
    let breaker = match s.breaker {
        BreakerState::Closed => "Lukket (kald slippes igennem)",
        BreakerState::HalfOpen => "Halvåben (prøver forsigtigt)",
        BreakerState::Open => "Åben (kald afvises)",
    };
    Line {
        name: s.integration,
        state,
        state_key,
        breaker,
        last_success: s.last_success.map(|t| super::participants::datetime(&t)).unwrap_or_else(|| "—".into()),
        last_error: s
            .last_error
            .map(|e| format!("{}: {}", super::participants::datetime(&e.at), e.message))
            .unwrap_or_else(|| "—".into()),
        latency: s.last_latency.map(|d| format!("{} ms", d.as_millis())).unwrap_or_else(|| "—".into()),
        calls: s.calls,
        failures: s.failures,
    }
}

async fn render_page(admin: &AdminUser, state: &AppState, probed: Option<ProbeReport>) -> Result<Response> {
    let lines = state.integrations_for(&admin.tenant).into_iter().map(|m| line(m.status())).collect();
    let probed = probed.map(|r| Probed {
        name: r.integration,
        ok: r.ok,
        at: super::participants::datetime(&r.checked_at),
        latency_ms: r.latency.as_millis(),
        detail: r.detail,
    });
    render(&StatusPage { chrome: admin.chrome(Section::Integrations), lines, probed }, StatusCode::OK)
}

async fn page(admin: AdminUser, State(state): State<AppState>) -> Result<Response> {
    render_page(&admin, &state, None).await
}

/// Runs the probe and shows its result on the page; the probe's outcome is
/// also recorded in the integration's status, so the table reflects it.
async fn test_now(admin: AdminUser, State(state): State<AppState>, Path(name): Path<String>) -> Result<Response> {
    admin.require_edit()?;
    let monitor =
        state.integrations_for(&admin.tenant).into_iter().find(|m| m.name() == name).ok_or(Error::NotFound)?;
    let report = monitor.probe.probe().await;
    render_page(&admin, &state, Some(report)).await
}
