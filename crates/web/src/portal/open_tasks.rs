//! "Ledige opgaver": the free seats a participant may take on their own (in
//! their teams, not trusted, future, active elections), and self sign-up
//! onto one with the same checks as every yes.

use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{Html, Response};
use axum::routing::{get, post};
use chrono::Utc;
use store::repo::{Actor, portal};
use uuid::Uuid;

use super::PortalChrome;
use super::auth::Citizen;
use super::invitation::{ResultPage, answer_page};
use super::view::TaskView;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/opgaver", get(list)).route("/opgaver/{seat}/tilmeld", post(sign_up))
}

#[derive(Template)]
#[template(path = "portal/open_tasks.html")]
struct OpenTasksPage {
    chrome: PortalChrome,
    /// One line per kind of seat, with one free seat of that kind to take.
    tasks: Vec<(Uuid, TaskView, usize)>,
}

async fn list(citizen: Citizen) -> Result<Html<String>> {
    let participant = citizen.require_participant()?;
    let seats = portal::open_seats(&citizen.tenant.db, participant.id, Utc::now().date_naive()).await?;
    let mut tasks: Vec<(Uuid, TaskView, usize)> = Vec::new();
    for seat in &seats {
        let view = TaskView::new(seat, citizen.lang);
        // Seats of one kind read the same; the person takes "one of these".
        match tasks.iter_mut().find(|(_, t, _)| same_kind(t, &view)) {
            Some((_, _, count)) => *count += 1,
            None => tasks.push((seat.seat_id, view, 1)),
        }
    }
    let page = OpenTasksPage { chrome: PortalChrome::of(&citizen), tasks };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}

fn same_kind(a: &TaskView, b: &TaskView) -> bool {
    (&a.election, &a.date, &a.place, &a.team, &a.task_type) == (&b.election, &b.date, &b.place, &b.team, &b.task_type)
}

async fn sign_up(citizen: Citizen, Path(seat_id): Path<Uuid>) -> Result<Response> {
    let participant = citizen.require_participant()?.id;
    let db = &citizen.tenant.db;
    // Only what the list offers this person: their teams, not trusted, future, active.
    let open = portal::open_seats(db, participant, Utc::now().date_naive()).await?;
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
