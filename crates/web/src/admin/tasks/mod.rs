//! Tasks ("Opgaver") of an election: the overview drill-down (area → work
//! location → team / date / task type), one work location's seats with their
//! actions, distributing seats, and the rejection history. The rules live
//! in `domain::SeatState`, the writes in `store::repo::seats`.

mod distribute;
mod group;
mod links;
mod location;
mod overview;
mod progress;
mod seat;

use axum::Router;
use axum::routing::{get, post};
use chrono::NaiveDate;
use uuid::Uuid;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/elections/{id}/tasks", get(overview::overview))
        .route("/elections/{id}/rejected", get(overview::rejected))
        .route("/elections/{id}/queue-messages", post(overview::queue_messages))
        .route("/elections/{id}/group-message", get(group::form).post(group::submit))
        .route("/elections/{id}/links", get(links::list).post(links::create))
        .route("/elections/{id}/links/{link}/revoke", post(links::revoke))
        .route("/elections/{id}/tasks/{wl}", get(location::location))
        .route("/elections/{id}/tasks/{wl}/distribute", get(distribute::form).post(distribute::save))
        .route("/elections/{id}/tasks/{wl}/move", post(location::move_seats))
        .route("/seats/{seat}/assign", get(seat::assign_form).post(seat::assign))
        .route("/seats/{seat}/remove", post(seat::remove))
        .route("/seats/{seat}/reply", post(seat::reply))
}

fn location_href(election: Uuid, work_location: Uuid) -> String {
    format!("/admin/elections/{election}/tasks/{work_location}")
}

/// An optional id from a filter field ("" is "all").
fn id_param(value: &str) -> Option<Uuid> {
    Uuid::parse_str(value.trim()).ok()
}

/// An optional date from a filter field (ISO, as date inputs send it).
fn date_param(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

/// dd-mm-åååå.
fn dk(date: NaiveDate) -> String {
    crate::forms::dk_date(&date)
}
