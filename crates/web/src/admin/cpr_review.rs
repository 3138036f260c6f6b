//! The CPR review list (`/admin/cpr-review`): accepted seats that new CPR
//! data would take away close to the task. Staff either remove the person
//! with the "removed because of new CPR data" message, or keep them with a
//! reason; both are audited by the repository. Administrators set the
//! review window (how close to the task a seat must be to come here) in the
//! page's header.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{NaiveDate, Utc};
use domain::revalidation::ReviewWindow;
use sea_orm::EntityTrait;
use serde::Deserialize;
use store::entity::{elections, seats};
use store::repo::cpr_review::{self as repo, Resolution, review};
use store::repo::participants;
use uuid::Uuid;

use super::catalogue::render;
use super::flash::redirect_with_flash;
use super::{AdminUser, Chrome, Section};
use crate::error::Result;

const LIST: &str = "/admin/cpr-review";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cpr-review", get(list))
        .route("/cpr-review/{id}/remove", post(remove))
        .route("/cpr-review/{id}/keep", post(keep))
        .route("/cpr-review/settings", post(save_window))
}

use crate::state::AppState;

/// One entry as shown.
struct Row {
    id: Uuid,
    participant_id: Uuid,
    name: String,
    election: String,
    task_date: Option<NaiveDate>,
    reasons: Vec<&'static str>,
    created: String,
    resolution: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/cpr_review/list.html")]
struct ListPage {
    chrome: Chrome,
    open: Vec<Row>,
    resolved: Vec<Row>,
    /// The stored review window, in days.
    window: ReviewWindow,
    /// What the window field shows: the stored value, or what was typed.
    window_input: String,
    window_error: Option<String>,
}

async fn row(db: &sea_orm::DatabaseConnection, entry: review::Model) -> Result<Row> {
    let name = match participants::get(db, entry.participant_id).await {
        Ok(p) => participants::full_name(&p),
        Err(e) if e.is_not_found() => "(slettet deltager)".to_owned(),
        Err(e) => return Err(e.into()),
    };
    let seat = seats::Entity::find_by_id(entry.seat_id).one(db).await.map_err(store::Error::db("reading a seat"))?;
    let election = match &seat {
        Some(s) => elections::Entity::find_by_id(s.election_id)
            .one(db)
            .await
            .map_err(store::Error::db("reading an election"))?
            .map(|e| e.title)
            .unwrap_or_default(),
        None => String::new(),
    };
    let resolution = entry.resolution.as_deref().map(|r| {
        let what = match r {
            "removed" => "Fjernet med besked",
            "eligible" => "Lukket automatisk",
            _ => "Beholdt",
        };
        match &entry.resolution_reason {
            Some(reason) => format!("{what}: {reason} ({})", entry.resolved_by.clone().unwrap_or_default()),
            None => format!("{what} ({})", entry.resolved_by.clone().unwrap_or_default()),
        }
    });
    Ok(Row {
        id: entry.id,
        participant_id: entry.participant_id,
        name,
        election,
        task_date: seat.map(|s| s.task_date),
        reasons: repo::reasons(&entry).into_iter().map(domain::Rule::description).collect(),
        created: entry.created_at.format("%d-%m-%Y %H:%M").to_string(),
        resolution,
    })
}

async fn list(admin: AdminUser) -> Result<Response> {
    render(&list_page(&admin, None).await?, StatusCode::OK)
}

/// The page; `refused` is a window value that did not parse, with why.
async fn list_page(admin: &AdminUser, refused: Option<(String, String)>) -> Result<ListPage> {
    let mut open = Vec::new();
    let mut resolved = Vec::new();
    for entry in repo::list(admin.db(), true).await? {
        let is_open = entry.resolved_at.is_none();
        let shown = row(admin.db(), entry).await?;
        if is_open { open.push(shown) } else { resolved.push(shown) }
    }
    resolved.reverse();
    resolved.truncate(50);
    let window = repo::review_window(admin.db()).await?;
    let (window_input, window_error) = match refused {
        Some((input, error)) => (input, Some(error)),
        None => (window.to_string(), None),
    };
    Ok(ListPage { chrome: admin.chrome(Section::Participants), open, resolved, window, window_input, window_error })
}

#[derive(Debug, Default, Deserialize)]
struct WindowForm {
    #[serde(default)]
    review_window_days: String,
}

async fn save_window(admin: AdminUser, Form(form): Form<WindowForm>) -> Result<Response> {
    admin.require_administer()?;
    match ReviewWindow::parse(&form.review_window_days) {
        Ok(window) => {
            repo::set_review_window(admin.db(), &admin.actor(), window).await?;
            Ok(redirect_with_flash(LIST, "Gennemsynsvinduet er gemt."))
        }
        Err(e) => {
            let page = list_page(&admin, Some((form.review_window_days, e.to_string()))).await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct Decision {
    #[serde(default)]
    reason: String,
}

async fn remove(admin: AdminUser, Path(id): Path<Uuid>, Form(form): Form<Decision>) -> Result<Response> {
    admin.require_edit()?;
    let entry = repo::get(admin.db(), id).await?;
    let seat =
        seats::Entity::find_by_id(entry.seat_id).one(admin.db()).await.map_err(store::Error::db("reading a seat"))?;
    let message = seat.map(|s| {
        jobs::cpr::sync::removed_message_job(jobs::cpr::sync::RemovedPayload {
            participant: entry.participant_id,
            seat: s.id,
            election: s.election_id,
        })
    });
    repo::resolve(admin.db(), &admin.actor(), id, Resolution::Removed, &form.reason, message, Utc::now()).await?;
    Ok(redirect_with_flash(LIST, "Deltageren er fjernet fra opgaven og får besked."))
}

async fn keep(admin: AdminUser, Path(id): Path<Uuid>, Form(form): Form<Decision>) -> Result<Response> {
    admin.require_edit()?;
    match repo::resolve(admin.db(), &admin.actor(), id, Resolution::Kept, &form.reason, None, Utc::now()).await {
        Ok(_) => Ok(redirect_with_flash(LIST, "Deltageren beholder opgaven.")),
        Err(e) if e.is_conflict() => Ok(redirect_with_flash(LIST, &e.to_string())),
        Err(e) => Err(e.into()),
    }
}
