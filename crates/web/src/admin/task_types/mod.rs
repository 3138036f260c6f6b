//! Task types: list with search, create, edit (with PDF attachments) and
//! delete. Deleting a task type deletes its seats; the confirmation page says
//! how many.

mod files;
mod form;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use domain::staffing::task_type_delete_warning;
use store::repo::files::FileInfo;
use store::repo::task_types as repo;
use uuid::Uuid;

use super::catalogue::{Search, render};
use super::flash::redirect_with_flash;
use super::staffing::kroner;
use super::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};
use crate::state::AppState;

const LIST: &str = "/admin/task-types";

/// A form with one attachment of at most 10 MB, plus the other fields.
const UPLOAD_LIMIT: usize = 11 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/task-types", get(list))
        .route("/task-types/new", get(form::new_form).post(form::create).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
        .route(
            "/task-types/{id}/edit",
            get(form::edit_form).post(form::update).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/task-types/{id}/delete", get(confirm_delete).post(delete))
        .route("/task-types/{id}/files/{file_id}", get(files::download))
        .route("/task-types/{id}/files/{file_id}/delete", post(files::remove))
}

/// One row of the list, ready to show.
struct Row {
    id: Uuid,
    title: String,
    short_name: String,
    times: String,
    payment: String,
    tags: Vec<&'static str>,
    files: Vec<FileInfo>,
}

impl From<repo::TaskTypeSummary> for Row {
    fn from(summary: repo::TaskTypeSummary) -> Row {
        let t = summary.task_type;
        let times = match summary.times {
            Some(times) => times.to_string(),
            None => format!("{}–{}", t.start_time.format("%H:%M"), t.end_time.format("%H:%M")),
        };
        let tags = [(t.trusted, "Betroet"), (t.validation_off, "Uden validering"), (t.send_reminder, "Påmindelse")]
            .into_iter()
            .filter_map(|(on, tag)| on.then_some(tag))
            .collect();
        Row {
            id: t.id,
            title: t.title,
            short_name: t.short_name,
            times,
            payment: t.payment_kr.map(kroner).unwrap_or_else(|| "–".to_owned()),
            tags,
            files: summary.files,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/task_types/list.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    rows: Vec<Row>,
}

async fn list(admin: AdminUser, Query(search): Query<Search>) -> Result<Response> {
    let rows = repo::list(admin.db(), &search.q).await?.into_iter().map(Row::from).collect();
    render(&ListPage { chrome: admin.chrome(Section::TaskTypes), q: search.q, rows }, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "admin/task_types/delete.html")]
struct DeletePage {
    chrome: Chrome,
    id: Uuid,
    title: String,
    warning: String,
    files: usize,
}

async fn confirm_delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let task_type = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let counts = repo::seat_counts(admin.db(), id).await?;
    let page = DeletePage {
        chrome: admin.chrome(Section::TaskTypes),
        id,
        title: task_type.task_type.title,
        warning: task_type_delete_warning(counts.seats, counts.occupied),
        files: task_type.files.len(),
    };
    render(&page, StatusCode::OK)
}

async fn delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let task_type = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let counts = repo::delete(admin.db(), &admin.actor(), id).await?;
    let seats = match counts.seats {
        0 => String::new(),
        1 => " med 1 opgave".to_owned(),
        n => format!(" med {n} opgaver"),
    };
    Ok(redirect_with_flash(LIST, &format!("Opgavetypen »{}« er slettet{seats}.", task_type.task_type.title)))
}
