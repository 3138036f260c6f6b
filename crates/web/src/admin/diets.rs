//! Special diets: list with search, create, edit and delete. Deleting one
//! removes it from the participants who chose it; while an election is
//! active the confirmation page warns about that.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use domain::master::Name;
use serde::Deserialize;
use store::repo::diets::{self as repo, DietInput, DietSummary};
use uuid::Uuid;

use super::catalogue::{Search, into_field_error, render, render_form};
use super::flash::redirect_with_flash;
use super::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};
use crate::forms::FieldErrors;
use crate::state::AppState;

const LIST: &str = "/admin/diets";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/diets", get(list))
        .route("/diets/new", get(new_form).post(create))
        .route("/diets/{id}/edit", get(edit_form).post(update))
        .route("/diets/{id}/delete", get(confirm_delete).post(delete))
}

#[derive(Template)]
#[template(path = "admin/diets/list.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    rows: Vec<DietSummary>,
}

async fn list(admin: AdminUser, Query(search): Query<Search>) -> Result<Response> {
    let rows = repo::list(admin.db(), &search.q).await?;
    render(&ListPage { chrome: admin.chrome(Section::Diets), q: search.q, rows }, StatusCode::OK)
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct DietForm {
    #[serde(default)]
    title: String,
}

impl DietForm {
    fn parse(&self) -> Result<DietInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        match errors.check("title", Name::parse(&self.title).map_err(|e| e.message("titel"))) {
            Some(title) => Ok(DietInput { title }),
            None => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/diets/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    submit: &'static str,
    form: DietForm,
    errors: FieldErrors,
}

fn form_page(admin: &AdminUser, id: Option<Uuid>, form: DietForm, errors: FieldErrors) -> FormPage {
    let (heading, action, submit) = match id {
        None => ("Opret specialkost".to_owned(), format!("{LIST}/new"), "Opret specialkost"),
        Some(id) => (format!("Redigér specialkosten »{}«", form.title), format!("{LIST}/{id}/edit"), "Gem ændringer"),
    };
    FormPage { chrome: admin.chrome(Section::Diets), heading, action, submit, form, errors }
}

async fn new_form(admin: AdminUser) -> Result<Response> {
    admin.require_edit()?;
    let page = form_page(&admin, None, DietForm::default(), FieldErrors::new());
    render_form(&page, &page.errors)
}

async fn create(admin: AdminUser, Form(form): Form<DietForm>) -> Result<Response> {
    admin.require_edit()?;
    let errors = match form.parse() {
        Ok(input) => match repo::create(admin.db(), &admin.actor(), &input).await {
            Ok(_) => return Ok(redirect_with_flash(LIST, &format!("Specialkosten »{}« er oprettet.", input.title))),
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
    let page = form_page(&admin, Some(id), DietForm { title: row.title }, FieldErrors::new());
    render_form(&page, &page.errors)
}

async fn update(admin: AdminUser, Path(id): Path<Uuid>, Form(form): Form<DietForm>) -> Result<Response> {
    admin.require_edit()?;
    let errors = match form.parse() {
        Ok(input) => match repo::update(admin.db(), &admin.actor(), id, &input).await {
            Ok(()) => return Ok(redirect_with_flash(LIST, &format!("Specialkosten »{}« er gemt.", input.title))),
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
#[template(path = "admin/diets/delete.html")]
struct DeletePage {
    chrome: Chrome,
    id: Uuid,
    title: String,
    warning: Option<String>,
}

async fn confirm_delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let warning = repo::delete_warning(admin.db(), id).await?;
    render(&DeletePage { chrome: admin.chrome(Section::Diets), id, title: row.title, warning }, StatusCode::OK)
}

async fn delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let removed = repo::delete(admin.db(), &admin.actor(), id).await?;
    let people = match removed {
        0 => String::new(),
        1 => " Den er fjernet fra 1 deltager.".to_owned(),
        n => format!(" Den er fjernet fra {n} deltagere."),
    };
    Ok(redirect_with_flash(LIST, &format!("Specialkosten »{}« er slettet.{people}", row.title)))
}
