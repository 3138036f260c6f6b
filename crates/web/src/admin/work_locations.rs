//! Work locations: list with search, create, edit and delete. While a work
//! location is part of an active election its task types and teams are
//! shown read-only (the repository refuses a change too), and it cannot be
//! deleted.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use domain::PostalCode;
use domain::master::Name;
use store::repo::work_locations::{self as repo, WorkLocationInput, WorkLocationSummary};
use uuid::Uuid;

use super::catalogue::{Search, into_field_error, refusal, render, render_form};
use super::flash::redirect_with_flash;
use super::staffing::{Choice, Pairs, choices, participant_choices, selected_labels};
use super::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};
use crate::forms::{FieldErrors, optional_whole_number};
use crate::state::AppState;

const LIST: &str = "/admin/work-locations";
/// Afstemningsområde numbers are small; this only keeps typos out.
const MAX_VOTE_LOCATION: i64 = 9999;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work-locations", get(list))
        .route("/work-locations/new", get(new_form).post(create))
        .route("/work-locations/{id}/edit", get(edit_form).post(update))
        .route("/work-locations/{id}/delete", get(confirm_delete).post(delete))
}

#[derive(Template)]
#[template(path = "admin/work_locations/list.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    rows: Vec<WorkLocationSummary>,
}

async fn list(admin: AdminUser, Query(search): Query<Search>) -> Result<Response> {
    let rows = repo::list(admin.db(), &search.q).await?;
    render(&ListPage { chrome: admin.chrome(Section::WorkLocations), q: search.q, rows }, StatusCode::OK)
}

/// The form as posted (or as loaded for editing).
#[derive(Debug, Default)]
pub struct WorkLocationForm {
    title: String,
    area_id: String,
    address: String,
    postal_code: String,
    city: String,
    vote_location: String,
    task_types: BTreeSet<Uuid>,
    teams: BTreeSet<Uuid>,
    responsibles: BTreeSet<Uuid>,
}

impl WorkLocationForm {
    fn from_pairs(pairs: &Pairs) -> WorkLocationForm {
        WorkLocationForm {
            title: pairs.text("title"),
            area_id: pairs.text("area_id"),
            address: pairs.text("address"),
            postal_code: pairs.text("postal_code"),
            city: pairs.text("city"),
            vote_location: pairs.text("vote_location"),
            task_types: pairs.ids("task_types"),
            teams: pairs.ids("teams"),
            responsibles: pairs.ids("responsibles"),
        }
    }

    fn from_row(found: repo::WorkLocation) -> WorkLocationForm {
        let w = found.work_location;
        WorkLocationForm {
            title: w.title,
            area_id: w.area_id.to_string(),
            address: w.address,
            postal_code: w.postal_code,
            city: w.city,
            vote_location: w.vote_location.map(|n| n.to_string()).unwrap_or_default(),
            task_types: found.task_types,
            teams: found.teams,
            responsibles: found.responsibles,
        }
    }

    fn parse(&self) -> Result<WorkLocationInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.check("title", Name::parse(&self.title).map_err(|err| err.message("titel")));
        let area_id = e.check("area_id", Uuid::parse_str(self.area_id.trim()).map_err(|_| "Vælg et område"));
        let address = e.check("address", Name::parse(&self.address).map_err(|err| err.message("adresse")));
        let postal_code = e.check("postal_code", PostalCode::parse(&self.postal_code));
        let city = e.check("city", Name::parse(&self.city).map_err(|err| err.message("by")));
        let vote_location = e.check(
            "vote_location",
            optional_whole_number(&self.vote_location, "afstemningsområdets nummer", 0, MAX_VOTE_LOCATION),
        );
        match (title, area_id, address, postal_code, city, vote_location) {
            (Some(title), Some(area_id), Some(address), Some(postal_code), Some(city), Some(vote_location)) => {
                Ok(WorkLocationInput {
                    title,
                    area_id,
                    address,
                    postal_code,
                    city,
                    vote_location: vote_location.map(|n| u32::try_from(n).unwrap_or(0)),
                    task_types: self.task_types.clone(),
                    teams: self.teams.clone(),
                    responsibles: self.responsibles.clone(),
                })
            }
            _ => Err(e),
        }
    }
}

/// An area option of the select.
struct AreaOption {
    id: String,
    name: String,
}

#[derive(Template)]
#[template(path = "admin/work_locations/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    submit: &'static str,
    id: Option<Uuid>,
    form: WorkLocationForm,
    areas: Vec<AreaOption>,
    task_types: Vec<Choice>,
    teams: Vec<Choice>,
    participants: Vec<Choice>,
    /// Set while an active election includes the location: task types and
    /// teams are shown, not offered.
    locked: bool,
    errors: FieldErrors,
}

impl FormPage {
    fn task_type_labels(&self) -> String {
        labels(&self.task_types)
    }

    fn team_labels(&self) -> String {
        labels(&self.teams)
    }
}

fn labels(choices: &[Choice]) -> String {
    let chosen = selected_labels(choices);
    if chosen.is_empty() { "Ingen".to_owned() } else { chosen.join(", ") }
}

async fn form_page(
    admin: &AdminUser,
    id: Option<Uuid>,
    form: WorkLocationForm,
    errors: FieldErrors,
) -> Result<FormPage> {
    let db = admin.db();
    let (heading, action, submit) = match id {
        None => ("Opret arbejdssted".to_owned(), format!("{LIST}/new"), "Opret arbejdssted"),
        Some(id) => (format!("Redigér arbejdsstedet »{}«", form.title), format!("{LIST}/{id}/edit"), "Gem ændringer"),
    };
    let mut form = form;
    let mut locked = false;
    if let Some(id) = id {
        let current = repo::get(db, id).await?.ok_or(Error::NotFound)?;
        locked = current.active_elections > 0;
        if locked {
            // Show what is saved, not what a refused post asked for.
            form.task_types = current.task_types;
            form.teams = current.teams;
        }
    }
    let areas = store::repo::areas::choices(db)
        .await?
        .into_iter()
        .map(|(id, name)| AreaOption { id: id.to_string(), name })
        .collect();
    let task_types = choices(store::repo::task_types::choices(db).await?, &form.task_types);
    let teams = choices(store::repo::teams::choices(db).await?, &form.teams);
    let participants = participant_choices(db, &form.responsibles).await?;
    Ok(FormPage {
        chrome: admin.chrome(Section::WorkLocations),
        heading,
        action,
        submit,
        id,
        form,
        areas,
        task_types,
        teams,
        participants,
        locked,
        errors,
    })
}

async fn new_form(admin: AdminUser) -> Result<Response> {
    admin.require_edit()?;
    let page = form_page(&admin, None, WorkLocationForm::default(), FieldErrors::new()).await?;
    render_form(&page, &page.errors)
}

async fn create(admin: AdminUser, Form(pairs): Form<Pairs>) -> Result<Response> {
    admin.require_edit()?;
    let form = WorkLocationForm::from_pairs(&pairs);
    let errors = match form.parse() {
        Ok(input) => match repo::create(admin.db(), &admin.actor(), &input).await {
            Ok(_) => return Ok(redirect_with_flash(LIST, &format!("Arbejdsstedet »{}« er oprettet.", input.title))),
            Err(e) => conflict(e)?,
        },
        Err(errors) => errors,
    };
    let page = form_page(&admin, None, form, errors).await?;
    render_form(&page, &page.errors)
}

async fn edit_form(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let found = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let page = form_page(&admin, Some(id), WorkLocationForm::from_row(found), FieldErrors::new()).await?;
    render_form(&page, &page.errors)
}

async fn update(admin: AdminUser, Path(id): Path<Uuid>, Form(pairs): Form<Pairs>) -> Result<Response> {
    admin.require_edit()?;
    let form = WorkLocationForm::from_pairs(&pairs);
    let errors = match form.parse() {
        Ok(input) => match repo::update(admin.db(), &admin.actor(), id, &input).await {
            Ok(()) => return Ok(redirect_with_flash(LIST, &format!("Arbejdsstedet »{}« er gemt.", input.title))),
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
#[template(path = "admin/work_locations/delete.html")]
struct DeletePage {
    chrome: Chrome,
    id: Uuid,
    title: String,
    seats: u64,
    refusal: Option<String>,
}

async fn delete_page(admin: &AdminUser, id: Uuid, refusal: Option<String>) -> Result<DeletePage> {
    let found = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let seats = repo::seat_count(admin.db(), id).await?;
    let chrome = admin.chrome(Section::WorkLocations);
    Ok(DeletePage { chrome, id, title: found.work_location.title, seats, refusal })
}

async fn confirm_delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let refusal = repo::delete_refusal(admin.db(), id).await?.map(|r| r.to_string());
    render(&delete_page(&admin, id, refusal).await?, StatusCode::OK)
}

async fn delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let found = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    match repo::delete(admin.db(), &admin.actor(), id).await {
        Ok(()) => Ok(redirect_with_flash(LIST, &format!("Arbejdsstedet »{}« er slettet.", found.work_location.title))),
        Err(e) => {
            let reason = refusal(e)?;
            render(&delete_page(&admin, id, Some(reason)).await?, StatusCode::CONFLICT)
        }
    }
}
