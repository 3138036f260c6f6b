//! Areas: list with search, create, edit and delete. An area groups work
//! locations; one with work locations, or the last one, cannot be deleted.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use domain::master::Name;
use serde::Deserialize;
use store::repo::areas::{self as repo, AreaInput, AreaSummary};
use uuid::Uuid;

use super::catalogue::{Search, into_field_error, refusal, render, render_form};
use super::flash::redirect_with_flash;
use super::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};
use crate::forms::{FieldErrors, optional_max};
use crate::state::AppState;

const LIST: &str = "/admin/areas";
/// Enough for a paragraph; the column is text.
const MAX_DESCRIPTION: usize = 2000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/areas", get(list))
        .route("/areas/new", get(new_form).post(create))
        .route("/areas/{id}/edit", get(edit_form).post(update))
        .route("/areas/{id}/delete", get(confirm_delete).post(delete))
}

#[derive(Template)]
#[template(path = "admin/areas/list.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    rows: Vec<AreaSummary>,
}

async fn list(admin: AdminUser, Query(search): Query<Search>) -> Result<Response> {
    let rows = repo::list(admin.db(), &search.q).await?;
    render(&ListPage { chrome: admin.chrome(Section::Areas), q: search.q, rows }, StatusCode::OK)
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct AreaForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

impl AreaForm {
    fn parse(&self) -> Result<AreaInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", Name::parse(&self.name).map_err(|e| e.message("navn")));
        let description = errors.check("description", optional_max(&self.description, "beskrivelsen", MAX_DESCRIPTION));
        match (name, description) {
            (Some(name), Some(description)) => Ok(AreaInput { name, description: description.unwrap_or_default() }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/areas/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    submit: &'static str,
    form: AreaForm,
    errors: FieldErrors,
}

fn form_page(admin: &AdminUser, id: Option<Uuid>, form: AreaForm, errors: FieldErrors) -> FormPage {
    let (heading, action, submit) = match id {
        None => ("Opret område".to_owned(), format!("{LIST}/new"), "Opret område"),
        Some(id) => (format!("Redigér området »{}«", form.name), format!("{LIST}/{id}/edit"), "Gem ændringer"),
    };
    FormPage { chrome: admin.chrome(Section::Areas), heading, action, submit, form, errors }
}

async fn new_form(admin: AdminUser) -> Result<Response> {
    admin.require_edit()?;
    let page = form_page(&admin, None, AreaForm::default(), FieldErrors::new());
    render_form(&page, &page.errors)
}

async fn create(admin: AdminUser, Form(form): Form<AreaForm>) -> Result<Response> {
    admin.require_edit()?;
    let errors = match form.parse() {
        Ok(input) => match repo::create(admin.db(), &admin.actor(), &input).await {
            Ok(_) => return Ok(redirect_with_flash(LIST, &format!("Området »{}« er oprettet.", input.name))),
            Err(e) => conflict(e)?,
        },
        Err(errors) => errors,
    };
    let page = form_page(&admin, None, form, errors);
    render_form(&page, &page.errors)
}

async fn edit_form(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let form = AreaForm { name: row.name, description: row.description };
    let page = form_page(&admin, Some(id), form, FieldErrors::new());
    render_form(&page, &page.errors)
}

async fn update(admin: AdminUser, Path(id): Path<Uuid>, Form(form): Form<AreaForm>) -> Result<Response> {
    admin.require_edit()?;
    let errors = match form.parse() {
        Ok(input) => match repo::update(admin.db(), &admin.actor(), id, &input).await {
            Ok(()) => return Ok(redirect_with_flash(LIST, &format!("Området »{}« er gemt.", input.name))),
            Err(e) => conflict(e)?,
        },
        Err(errors) => errors,
    };
    let page = form_page(&admin, Some(id), form, errors);
    render_form(&page, &page.errors)
}

fn conflict(error: store::Error) -> Result<FieldErrors> {
    let mut errors = FieldErrors::new();
    into_field_error(error, &mut errors)?;
    Ok(errors)
}

#[derive(Template)]
#[template(path = "admin/areas/delete.html")]
struct DeletePage {
    chrome: Chrome,
    id: Uuid,
    name: String,
    refusal: Option<String>,
}

async fn confirm_delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let refusal = repo::delete_refusal(admin.db(), id).await?.map(|r| r.to_string());
    render(&DeletePage { chrome: admin.chrome(Section::Areas), id, name: row.name, refusal }, StatusCode::OK)
}

async fn delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    match repo::delete(admin.db(), &admin.actor(), id).await {
        Ok(()) => Ok(redirect_with_flash(LIST, &format!("Området »{}« er slettet.", row.name))),
        Err(e) => {
            let refusal = Some(refusal(e)?);
            render(
                &DeletePage { chrome: admin.chrome(Section::Areas), id, name: row.name, refusal },
                StatusCode::CONFLICT,
            )
        }
    }
}
