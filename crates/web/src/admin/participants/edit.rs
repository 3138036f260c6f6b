//! Edit a participant's mobile, e-mail, teams and diets. The CPR data is
//! not editable: it comes from CPR. A participant cannot leave a team in
//! which they hold a seat (reference §2.5).

use std::collections::BTreeSet;

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::response::Response;
use domain::{Email, Mobile};
use store::repo::begin_write;
use store::repo::participant_details as details;
use store::repo::participants::{self as repo, Contact};
use uuid::Uuid;

use super::super::catalogue::render_form;
use super::super::flash::redirect_with_flash;
use super::super::staffing::{Choice, Pairs, choices};
use super::super::{AdminUser, Chrome, Section};
use super::LIST;
use crate::error::{Error, Result};
use crate::forms::FieldErrors;

#[derive(Debug, Default)]
pub struct EditForm {
    mobile: String,
    email: String,
    teams: BTreeSet<Uuid>,
    diets: BTreeSet<Uuid>,
}

#[derive(Template)]
#[template(path = "admin/participants/edit.html")]
struct EditPage {
    chrome: Chrome,
    id: Uuid,
    name: String,
    form: EditForm,
    errors: FieldErrors,
    teams: Vec<Choice>,
    diets: Vec<Choice>,
}

async fn page(admin: &AdminUser, id: Uuid, name: String, form: EditForm, errors: FieldErrors) -> Result<Response> {
    let teams = choices(store::repo::teams::choices(admin.db()).await?, &form.teams);
    let diets = choices(store::repo::diets::choices(admin.db()).await?, &form.diets);
    let page = EditPage { chrome: admin.chrome(Section::Participants), id, name, form, errors, teams, diets };
    render_form(&page, &page.errors)
}

pub async fn edit_form(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let participant = repo::get(admin.db(), id).await.map_err(|_| Error::NotFound)?;
    let form = EditForm {
        mobile: participant.mobile.clone().unwrap_or_default(),
        email: participant.email.clone().unwrap_or_default(),
        teams: details::team_ids_of(admin.db(), id).await?,
        diets: details::diet_ids_of(admin.db(), id).await?,
    };
    page(&admin, id, repo::full_name(&participant), form, FieldErrors::new()).await
}

pub async fn update(admin: AdminUser, Path(id): Path<Uuid>, Form(pairs): Form<Pairs>) -> Result<Response> {
    admin.require_edit()?;
    let participant = repo::get(admin.db(), id).await.map_err(|_| Error::NotFound)?;
    let name = repo::full_name(&participant);
    let form = EditForm {
        mobile: pairs.text("mobile"),
        email: pairs.text("email"),
        teams: pairs.ids("teams"),
        diets: pairs.ids("diets"),
    };
    let mut errors = FieldErrors::new();
    let mobile = match form.mobile.trim() {
        "" => Some(None),
        text => errors.check("mobile", Mobile::parse(text)).map(Some),
    };
    let email = match form.email.trim() {
        "" => Some(None),
        text => errors.check("email", Email::parse(text)).map(Some),
    };
    if form.teams.is_empty() {
        errors.add("teams", "Vælg mindst ét team");
    }
    let (Some(mobile), Some(email), true) = (mobile, email, errors.is_empty()) else {
        return page(&admin, id, name, form, errors).await;
    };
    match save(&admin, id, Contact { mobile, email }, &form).await {
        Ok(()) => Ok(redirect_with_flash(&format!("{LIST}/{id}"), "Deltageren er gemt.")),
        Err(store::Error::Conflict { field, message }) => {
            errors.add(field, message);
            page(&admin, id, name, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Contact data, teams and diets in one transaction (one audit row from
/// `update_contact`, which names what changed).
async fn save(admin: &AdminUser, id: Uuid, contact: Contact, form: &EditForm) -> std::result::Result<(), store::Error> {
    let tx = begin_write(admin.db()).await?;
    details::set_teams(&tx, id, &form.teams).await?;
    details::set_diets(&tx, id, &form.diets).await?;
    repo::update_contact(&tx, &admin.actor(), id, contact).await?;
    tx.commit().await.map_err(store::Error::db("committing a participant edit"))
}
