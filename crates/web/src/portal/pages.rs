//! The signed-in person's own pages: "Mine opgaver". The responsibles'
//! pages are in [`super::responsible`].

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
    Router::new().route("/mine-opgaver", get(my_tasks))
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
