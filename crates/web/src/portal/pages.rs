//! The signed-in person's own pages: "Mine opgaver". The responsibles'
//! pages are in [`super::responsible`].

use axum::Router;
use axum::routing::get;
use chrono::NaiveTime;
use store::repo::portal::MySeat;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/mine-opgaver", get(super::my_tasks::show))
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
