//! Actions on one seat: assign a participant (after the checks, with every
//! failed rule and clash shown), remove the holder, answer an invitation on
//! the invitee's behalf.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use store::repo::Page;
use store::repo::participants::{self, ParticipantFilter};
use store::repo::seats::{self as repo, Answer};
use uuid::Uuid;

use super::{dk, id_param, location_href};
use crate::admin::catalogue::render;
use crate::admin::flash::redirect_with_flash;
use crate::admin::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};

#[derive(Debug, Default, Deserialize)]
pub struct AssignQuery {
    #[serde(default)]
    q: String,
}

pub struct Candidate {
    pub id: Uuid,
    pub name: String,
    pub born: String,
    pub provisional: bool,
}

#[derive(Template)]
#[template(path = "admin/tasks/assign.html")]
struct AssignPage {
    chrome: Chrome,
    seat_id: Uuid,
    what: String,
    back: String,
    q: String,
    candidates: Vec<Candidate>,
    problems: Vec<String>,
    refused_name: String,
}

/// What the seat is, in words, and the page it belongs to.
async fn describe(admin: &AdminUser, seat: &store::entity::seats::Model) -> Result<(String, String)> {
    let lines = repo::seat_lines(
        admin.db(),
        seat.election_id,
        repo::OverviewFilter {
            work_location: Some(seat.work_location_id),
            team: Some(seat.team_id),
            task_type: Some(seat.task_type_id),
            date: Some(seat.task_date),
            area: None,
        },
    )
    .await?;
    let line = lines.iter().find(|l| l.seat.id == seat.id).ok_or(Error::NotFound)?;
    let what = format!("{} · {} · {}", line.task_type, line.team, dk(seat.task_date));
    Ok((what, location_href(seat.election_id, seat.work_location_id)))
}

async fn assign_page(admin: &AdminUser, seat_id: Uuid, q: String) -> Result<AssignPage> {
    let seat = repo::get(admin.db(), seat_id).await?;
    let (what, back) = describe(admin, &seat).await?;
    let candidates = if q.trim().is_empty() {
        Vec::new()
    } else {
        let filter = ParticipantFilter { text: Some(q.clone()), ..ParticipantFilter::default() };
        participants::list(admin.db(), &filter, Page { number: 1, size: 25 })
            .await?
            .items
            .into_iter()
            .map(|p| Candidate {
                id: p.id,
                name: participants::full_name(&p),
                born: dk(p.birth_date),
                provisional: p.validation_state == participants::ValidationState::Provisional.as_str(),
            })
            .collect()
    };
    Ok(AssignPage {
        chrome: admin.chrome(Section::Elections),
        seat_id,
        what,
        back,
        q,
        candidates,
        problems: Vec::new(),
        refused_name: String::new(),
    })
}

pub async fn assign_form(
    admin: AdminUser,
    Path(seat): Path<Uuid>,
    Query(query): Query<AssignQuery>,
) -> Result<Response> {
    admin.require_edit()?;
    render(&assign_page(&admin, seat, query.q).await?, StatusCode::OK)
}

#[derive(Debug, Default, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    participant: String,
}

pub async fn assign(admin: AdminUser, Path(seat): Path<Uuid>, Form(form): Form<AssignForm>) -> Result<Response> {
    admin.require_edit()?;
    let participant = id_param(&form.participant).ok_or(Error::NotFound)?;
    let row = repo::get(admin.db(), seat).await?;
    let municipality = admin.tenant.municipality.clone();
    match repo::assign(admin.db(), &admin.actor(), seat, participant, &municipality, Utc::now()).await? {
        Answer::Done => {
            let href = location_href(row.election_id, row.work_location_id);
            Ok(redirect_with_flash(&href, "Deltageren er inviteret til opgaven."))
        }
        Answer::Refused(checks) => {
            let mut page = assign_page(&admin, seat, String::new()).await?;
            page.refused_name = participants::full_name(&participants::get(admin.db(), participant).await?);
            page.problems = checks.problems();
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

pub async fn remove(admin: AdminUser, Path(seat): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), seat).await?;
    repo::remove(admin.db(), &admin.actor(), seat, Utc::now()).await?;
    let href = location_href(row.election_id, row.work_location_id);
    Ok(redirect_with_flash(&href, "Deltageren er fjernet fra opgaven og får besked."))
}

#[derive(Debug, Default, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    answer: String,
}

pub async fn reply(admin: AdminUser, Path(seat): Path<Uuid>, Form(form): Form<ReplyForm>) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), seat).await?;
    let yes = match form.answer.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(Error::BadRequest("Vælg ja eller nej.".into())),
    };
    let municipality = admin.tenant.municipality.clone();
    let href = location_href(row.election_id, row.work_location_id);
    match repo::reply_on_behalf(admin.db(), &admin.actor(), seat, yes, &municipality, Utc::now()).await? {
        Answer::Done if yes => Ok(redirect_with_flash(&href, "Svaret »ja« er registreret for deltageren.")),
        Answer::Done => Ok(redirect_with_flash(&href, "Svaret »nej« er registreret for deltageren.")),
        Answer::Refused(checks) => {
            let message = format!("Deltageren kan ikke tilmeldes: {}", checks.problems().join("; "));
            Err(Error::BadRequest(message))
        }
    }
}
