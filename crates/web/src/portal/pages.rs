//! The signed-in person's pages: "Mine opgaver" for participants, and the
//! first pages of the team- and work-location-responsible roles.

use askama::Template;
use axum::Router;
use axum::response::Html;
use axum::routing::get;
use chrono::NaiveTime;
use store::repo::portal::{self, MySeat};

use super::PortalChrome;
use super::auth::Citizen;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/mine-opgaver", get(my_tasks))
        .route("/mine-hold", get(my_teams))
        .route("/mine-arbejdssteder", get(my_work_locations))
}

/// A seat as the page shows it.
pub struct SeatRow {
    pub election: String,
    pub date: String,
    pub time: String,
    pub task_type: String,
    pub work_location: String,
    pub address: String,
    pub team: String,
    pub state: &'static str,
}

impl From<MySeat> for SeatRow {
    fn from(s: MySeat) -> Self {
        let hm = |t: NaiveTime| t.format("%H:%M").to_string();
        SeatRow {
            election: s.election,
            date: s.date.format("%d-%m-%Y").to_string(),
            time: format!("{}–{}", hm(s.start), hm(s.end)),
            task_type: s.task_type,
            work_location: s.work_location,
            address: s.address,
            team: s.team,
            state: match s.state.as_str() {
                "invited" => "Inviteret – mangler dit svar",
                "accepted" => "Du har sagt ja",
                "checked_in" => "Mødt",
                "no_show" => "Ikke mødt",
                _ => "Anden status",
            },
        }
    }
}

#[derive(Template)]
#[template(path = "portal/my_tasks.html")]
struct MyTasksPage {
    chrome: PortalChrome,
    seats: Vec<SeatRow>,
}

async fn my_tasks(citizen: Citizen) -> Result<Html<String>> {
    let participant = citizen.require_participant()?;
    let seats = portal::my_seats(&citizen.tenant.db, participant.id).await?.into_iter().map(SeatRow::from).collect();
    let page = MyTasksPage { chrome: PortalChrome::of(&citizen), seats };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}

#[derive(Template)]
#[template(path = "portal/my_list.html")]
struct ListPage {
    chrome: PortalChrome,
    heading: &'static str,
    intro: &'static str,
    names: Vec<String>,
}

async fn my_teams(citizen: Citizen) -> Result<Html<String>> {
    let names = citizen.require_team_responsible()?.iter().map(|(_, n)| n.clone()).collect();
    let page = ListPage {
        chrome: PortalChrome::of(&citizen),
        heading: "Mine hold",
        intro: "Du er holdansvarlig for disse hold.",
        names,
    };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}

async fn my_work_locations(citizen: Citizen) -> Result<Html<String>> {
    let names = citizen.require_work_location_responsible()?.iter().map(|(_, n)| n.clone()).collect();
    let page = ListPage {
        chrome: PortalChrome::of(&citizen),
        heading: "Mine arbejdssteder",
        intro: "Du er ansvarlig for disse arbejdssteder.",
        names,
    };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}
