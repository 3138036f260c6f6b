//! Teams: list with search, create, edit and delete. A team with seats in an
//! active election, or one that some participant has as their only team,
//! cannot be deleted.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use domain::master::Name;
use store::repo::teams::{self as repo, TeamInput, TeamSummary};
use uuid::Uuid;

use super::catalogue::{Search, into_field_error, refusal, render, render_form};
use super::flash::redirect_with_flash;
use super::staffing::{Choice, Pairs, participant_choices};
use super::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};
use crate::forms::{FieldErrors, optional_max};
use crate::state::AppState;

const LIST: &str = "/admin/teams";
const MAX_DESCRIPTION: usize = 2000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/teams", get(list))
        .route("/teams/new", get(new_form).post(create))
        .route("/teams/{id}/edit", get(edit_form).post(update))
        .route("/teams/{id}/delete", get(confirm_delete).post(delete))
}

#[derive(Template)]
#[template(path = "admin/teams/list.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    rows: Vec<TeamSummary>,
}

async fn list(admin: AdminUser, Query(search): Query<Search>) -> Result<Response> {
    let rows = repo::list(admin.db(), &search.q).await?;
    render(&ListPage { chrome: admin.chrome(Section::Teams), q: search.q, rows }, StatusCode::OK)
}

/// The form as posted (or as loaded for editing).
#[derive(Debug, Default)]
pub struct TeamForm {
    name: String,
    short_name: String,
    description: String,
    responsibles: BTreeSet<Uuid>,
}

impl TeamForm {
    fn from_pairs(pairs: &Pairs) -> TeamForm {
        TeamForm {
            name: pairs.text("name"),
            short_name: pairs.text("short_name"),
            description: pairs.text("description"),
            responsibles: pairs.ids("responsibles"),
        }
    }

    fn parse(&self) -> Result<TeamInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", Name::parse(&self.name).map_err(|e| e.message("navn")));
        let short_name = errors.check("short_name", Name::parse(&self.short_name).map_err(|e| e.message("kort navn")));
        let description = errors.check("description", optional_max(&self.description, "beskrivelsen", MAX_DESCRIPTION));
        match (name, short_name, description) {
            (Some(name), Some(short_name), Some(description)) => Ok(TeamInput {
                name,
                short_name,
                description: description.unwrap_or_default(),
                responsibles: self.responsibles.clone(),
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/teams/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    submit: &'static str,
    id: Option<Uuid>,
    form: TeamForm,
    participants: Vec<Choice>,
    errors: FieldErrors,
}

async fn form_page(admin: &AdminUser, id: Option<Uuid>, form: TeamForm, errors: FieldErrors) -> Result<FormPage> {
    let (heading, action, submit) = match id {
        None => ("Opret team".to_owned(), format!("{LIST}/new"), "Opret team"),
        Some(id) => (format!("Redigér teamet »{}«", form.name), format!("{LIST}/{id}/edit"), "Gem ændringer"),
    };
    let participants = participant_choices(admin.db(), &form.responsibles).await?;
    Ok(FormPage { chrome: admin.chrome(Section::Teams), heading, action, submit, id, form, participants, errors })
}

async fn new_form(admin: AdminUser) -> Result<Response> {
    admin.require_edit()?;
    let page = form_page(&admin, None, TeamForm::default(), FieldErrors::new()).await?;
    render_form(&page, &page.errors)
}

async fn create(admin: AdminUser, Form(pairs): Form<Pairs>) -> Result<Response> {
    admin.require_edit()?;
    let form = TeamForm::from_pairs(&pairs);
    let errors = match form.parse() {
        Ok(input) => match repo::create(admin.db(), &admin.actor(), &input).await {
            Ok(_) => return Ok(redirect_with_flash(LIST, &format!("Teamet »{}« er oprettet.", input.name))),
            Err(e) => conflict(e)?,
        },
        Err(errors) => errors,
    };
    let page = form_page(&admin, None, form, errors).await?;
    render_form(&page, &page.errors)
}

async fn edit_form(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let team = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let form = TeamForm {
        name: team.team.name,
        short_name: team.team.short_name,
        description: team.team.description,
        responsibles: team.responsibles,
    };
    let page = form_page(&admin, Some(id), form, FieldErrors::new()).await?;
    render_form(&page, &page.errors)
}

async fn update(admin: AdminUser, Path(id): Path<Uuid>, Form(pairs): Form<Pairs>) -> Result<Response> {
    admin.require_edit()?;
    let form = TeamForm::from_pairs(&pairs);
    let errors = match form.parse() {
        Ok(input) => match repo::update(admin.db(), &admin.actor(), id, &input).await {
            Ok(()) => return Ok(redirect_with_flash(LIST, &format!("Teamet »{}« er gemt.", input.name))),
            Err(e) => conflict(e)?,
        },
        Err(errors) => errors,
    };
    let page = form_page(&admin, Some(id), form, errors).await?;
    render_form(&page, &page.errors)
}

fn conflict(error: store::Error) -> Result<FieldErrors> {
    let mut errors = FieldErrors::new();
    into_field_error(error, &mut errors)?;
    Ok(errors)
}

#[derive(Template)]
#[template(path = "admin/teams/delete.html")]
struct DeletePage {
    chrome: Chrome,
    id: Uuid,
    name: String,
    seats: u64,
    refusal: Option<String>,
}

async fn delete_page(admin: &AdminUser, id: Uuid, refusal: Option<String>) -> Result<DeletePage> {
    let team = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let seats = repo::seat_count(admin.db(), id).await?;
    Ok(DeletePage { chrome: admin.chrome(Section::Teams), id, name: team.team.name, seats, refusal })
}

async fn confirm_delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let refusal = repo::delete_refusal(admin.db(), id).await?.map(|r| r.to_string());
    render(&delete_page(&admin, id, refusal).await?, StatusCode::OK)
}

async fn delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let team = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    match repo::delete(admin.db(), &admin.actor(), id).await {
        Ok(()) => Ok(redirect_with_flash(LIST, &format!("Teamet »{}« er slettet.", team.team.name))),
        Err(e) => {
            let reason = refusal(e)?;
            render(&delete_page(&admin, id, Some(reason)).await?, StatusCode::CONFLICT)
        }
    }
}
