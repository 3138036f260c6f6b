//! One work location in an election: its seats with their holders and the
//! actions on them, and moving free seats between its teams.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use store::repo::seats::{self as repo, KindCount, OverviewFilter, SeatLine};
use uuid::Uuid;

use super::overview::Choice;
use super::{date_param, dk, id_param, location_href};
use crate::admin::catalogue::render;
use crate::admin::flash::redirect_with_flash;
use crate::admin::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};

/// The election and work location a page is about, with the teams, task
/// types and dates that apply there.
pub struct Place {
    pub election: store::entity::elections::Model,
    pub work_location: store::entity::work_locations::Model,
    pub teams: Vec<(Uuid, String)>,
    pub task_types: Vec<(Uuid, String)>,
    pub dates: Vec<NaiveDate>,
}

impl Place {
    pub async fn load(admin: &AdminUser, election: Uuid, work_location: Uuid) -> Result<Place> {
        let db = admin.db();
        let election = store::repo::elections::get(db, election).await?.ok_or(Error::NotFound)?;
        let location = store::repo::work_locations::get(db, work_location).await?.ok_or(Error::NotFound)?;
        let teams = store::repo::teams::list(db, "")
            .await?
            .into_iter()
            .filter(|t| location.teams.contains(&t.id))
            .map(|t| (t.id, t.name))
            .collect();
        let task_types = store::repo::task_types::list(db, "")
            .await?
            .into_iter()
            .filter(|t| location.task_types.contains(&t.task_type.id))
            .map(|t| (t.task_type.id, t.task_type.title))
            .collect();
        let dates = election.first_task_date.iter_days().take_while(|d| *d <= election.last_task_date).collect();
        Ok(Place { election, work_location: location.work_location, teams, task_types, dates })
    }

    pub fn team_name(&self, id: Uuid) -> String {
        self.teams.iter().find(|t| t.0 == id).map(|t| t.1.clone()).unwrap_or_default()
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct LocationQuery {
    #[serde(default)]
    team: String,
    #[serde(default)]
    task_type: String,
    #[serde(default)]
    date: String,
}

pub struct SeatView {
    pub id: Uuid,
    pub date: String,
    pub team: String,
    pub task_type: String,
    pub status: &'static str,
    pub invited: bool,
    pub free: bool,
    pub participant: Option<(Uuid, String)>,
}

impl From<SeatLine> for SeatView {
    fn from(line: SeatLine) -> Self {
        SeatView {
            id: line.seat.id,
            date: dk(line.seat.task_date),
            team: line.team,
            task_type: line.task_type,
            status: line.status.label(),
            invited: line.status == domain::SeatStatus::Invited,
            free: line.status == domain::SeatStatus::Available,
            participant: line.participant,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/tasks/location.html")]
struct LocationPage {
    chrome: Chrome,
    place: Place,
    href: String,
    seats: Vec<SeatView>,
    teams: Vec<Choice>,
    task_types: Vec<Choice>,
    dates: Vec<(String, String, bool)>,
    back: String,
}

pub async fn location(
    admin: AdminUser,
    Path((id, wl)): Path<(Uuid, Uuid)>,
    Query(query): Query<LocationQuery>,
) -> Result<Response> {
    let place = Place::load(&admin, id, wl).await?;
    let filter = OverviewFilter {
        work_location: Some(wl),
        team: id_param(&query.team),
        task_type: id_param(&query.task_type),
        date: date_param(&query.date),
        area: None,
    };
    let seats = repo::seat_lines(admin.db(), id, filter).await?.into_iter().map(SeatView::from).collect();
    let choice = |list: &[(Uuid, String)], chosen: Option<Uuid>| -> Vec<Choice> {
        list.iter()
            .map(|(id, label)| Choice { id: id.to_string(), label: label.clone(), selected: chosen == Some(*id) })
            .collect()
    };
    let page = LocationPage {
        chrome: admin.chrome(Section::Elections),
        href: location_href(id, wl),
        back: format!("/admin/elections/{id}/tasks?work_location={wl}"),
        teams: choice(&place.teams, filter.team),
        task_types: choice(&place.task_types, filter.task_type),
        dates: place.dates.iter().map(|d| (d.to_string(), dk(*d), filter.date == Some(*d))).collect(),
        seats,
        place,
    };
    render(&page, StatusCode::OK)
}

#[derive(Debug, Default, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    from_team: String,
    #[serde(default)]
    to_team: String,
    #[serde(default)]
    task_type: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    count: String,
}

/// Moves free seats of one kind to another team at the same place.
pub async fn move_seats(
    admin: AdminUser,
    Path((id, wl)): Path<(Uuid, Uuid)>,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    admin.require_edit()?;
    let place = Place::load(&admin, id, wl).await?;
    let parsed = (
        id_param(&form.from_team),
        id_param(&form.to_team),
        id_param(&form.task_type),
        date_param(&form.date),
        form.count.trim().parse::<u32>().ok().filter(|n| *n > 0),
    );
    let (Some(from), Some(to), Some(task_type), Some(date), Some(count)) = parsed else {
        return Err(Error::BadRequest("Vælg hold, opgavetype, dato og et antal større end 0.".into()));
    };
    if from == to {
        return Err(Error::BadRequest("Vælg to forskellige hold.".into()));
    }
    let kind = KindCount { date, team: from, task_type, count };
    let moved = repo::move_free_seats(admin.db(), &admin.actor(), id, wl, kind, to, Utc::now()).await?;
    let message = format!("{moved} ledige opgaver er flyttet til holdet »{}«.", place.team_name(to));
    Ok(redirect_with_flash(&location_href(id, wl), &message))
}
