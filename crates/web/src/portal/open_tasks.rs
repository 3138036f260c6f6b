//! "Ledige opgaver": the free seats a participant may take on their own (in
//! the teams they are in or responsible for, not trusted, future, active
//! elections), narrowed by team, date, task type and work location, and
//! self sign-up onto one with the same checks as every yes.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use store::repo::{Actor, portal};
use uuid::Uuid;

use super::PortalChrome;
use super::auth::Citizen;
use super::invitation::{ResultPage, answer_page};
use super::offers::{FilterQuery, Filters, Offer, offers};
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/opgaver", get(list)).route("/opgaver/{seat}/tilmeld", post(sign_up))
}

#[derive(Template)]
#[template(path = "portal/open_tasks.html")]
struct OpenTasksPage {
    chrome: PortalChrome,
    /// Whether there is anything free at all (the filters show only then).
    any: bool,
    filters: Filters,
    tasks: Vec<Offer>,
}

async fn list(citizen: Citizen, Query(query): Query<FilterQuery>) -> Result<Response> {
    let participant = citizen.require_participant()?;
    let today = domain::danish_date(Utc::now());
    let seats = portal::open_seats(&citizen.tenant.db, participant.id, today).await?;
    let lines = offers(&seats, citizen.lang);
    let any = !lines.is_empty();
    let (filters, tasks) = Filters::apply(lines, &query);
    let status = if filters.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = OpenTasksPage { chrome: PortalChrome::of(&citizen), any, filters, tasks };
    Ok((status, Html(page.render().map_err(anyhow::Error::from)?)).into_response())
}

async fn sign_up(citizen: Citizen, Path(seat_id): Path<Uuid>) -> Result<Response> {
    let participant = citizen.require_participant()?.id;
    let db = &citizen.tenant.db;
    // Only what the list offers this person: their teams, not trusted, future, active.
    let open = portal::open_seats(db, participant, domain::danish_date(Utc::now())).await?;
    let Some(seat) = open.into_iter().find(|s| s.seat_id == seat_id) else {
        return ResultPage {
            chrome: PortalChrome::of(&citizen),
            heading: "Opgaven er ikke ledig".into(),
            message: "Opgaven er taget af en anden eller kan ikke vælges af dig. Se de ledige opgaver igen.".into(),
            reasons: Vec::new(),
            success: false,
            task: None,
        }
        .respond(StatusCode::CONFLICT);
    };
    let actor = Actor::citizen(citizen.name.clone());
    let own = &citizen.tenant.municipality;
    let answer = store::repo::seats::accept(db, &actor, seat_id, participant, None, own, Utc::now()).await;
    answer_page(&citizen, &seat, answer)
}
