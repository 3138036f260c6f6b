//! Elections (`/admin/elections`): list, create, show, edit, duplicate,
//! activate, deactivate and delete. Rules come from `domain::election`, the
//! writes (each with its audit row, in one transaction) from
//! `store::repo::elections`.

mod confirm;
mod delete;
mod detail;
mod duplicate;
mod form;
mod list;
mod status;
mod submitted;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use uuid::Uuid;

use super::AdminUser;
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/elections", get(list::list))
        .route("/elections/new", get(form::new_form).post(form::create))
        .route("/elections/{id}", get(detail::show))
        .route("/elections/{id}/edit", get(form::edit_form).post(form::update))
        .route("/elections/{id}/duplicate", get(duplicate::form).post(duplicate::create))
        .route("/elections/{id}/activate", get(status::confirm_activate).post(status::activate))
        .route("/elections/{id}/deactivate", get(status::confirm_deactivate).post(status::deactivate))
        .route("/elections/{id}/delete", get(delete::confirm).post(delete::delete))
}

fn href(id: Uuid) -> String {
    format!("/admin/elections/{id}")
}

/// A store error as the web error, for failures that are not a form
/// field's business.
fn store_error(e: store::Error) -> Error {
    match e {
        store::Error::NotFound { .. } => Error::NotFound,
        other => Error::Internal(anyhow::Error::new(other).context("elections")),
    }
}

async fn election(admin: &AdminUser, id: Uuid) -> Result<store::entity::elections::Model> {
    store::repo::elections::get(admin.db(), id).await.map_err(store_error)?.ok_or(Error::NotFound)
}

fn render(page: &impl Template) -> Result<Html<String>> {
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}

/// A rejected form: the same page again, with what was typed and why.
fn unprocessable(page: &impl Template) -> Result<Response> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

/// dd-mm-åååå.
fn dk(date: chrono::NaiveDate) -> String {
    crate::forms::dk_date(&date)
}
