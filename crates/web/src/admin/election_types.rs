//! Election types: list with search, create, edit and delete. A type names
//! which eligibility rules its elections apply; Alive always applies.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use domain::master::Name;
use domain::{Rule, RuleSet};
use serde::Deserialize;
use store::repo::election_types::{self as repo, ElectionTypeInput, ElectionTypeSummary};
use uuid::Uuid;

use super::catalogue::{Search, into_field_error, refusal, render, render_form};
use super::flash::redirect_with_flash;
use super::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};
use crate::forms::FieldErrors;
use crate::state::AppState;

const LIST: &str = "/admin/election-types";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/election-types", get(list))
        .route("/election-types/new", get(new_form).post(create))
        .route("/election-types/{id}/edit", get(edit_form).post(update))
        .route("/election-types/{id}/delete", get(confirm_delete).post(delete))
}

#[derive(Template)]
#[template(path = "admin/election_types/list.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    rows: Vec<Row>,
}

struct Row {
    summary: ElectionTypeSummary,
    rules: Vec<&'static str>,
}

async fn list(admin: AdminUser, Query(search): Query<Search>) -> Result<Response> {
    let rows = repo::list(admin.db(), &search.q)
        .await?
        .into_iter()
        .map(|summary| Row { rules: summary.rules.optional_rules().iter().map(|r| r.label()).collect(), summary })
        .collect();
    render(&ListPage { chrome: admin.chrome(Section::ElectionTypes), q: search.q, rows }, StatusCode::OK)
}

/// The form as posted: ticked rules arrive as `<rule key>=on`.
#[derive(Debug, Default, Deserialize)]
pub struct ElectionTypeForm {
    #[serde(default)]
    title: String,
    age18: Option<String>,
    resident_in_municipality: Option<String>,
    danish_citizen: Option<String>,
    not_under_guardianship: Option<String>,
}

impl ElectionTypeForm {
    fn rules(&self) -> RuleSet {
        RuleSet {
            age18: self.age18.is_some(),
            resident_in_municipality: self.resident_in_municipality.is_some(),
            danish_citizen: self.danish_citizen.is_some(),
            not_under_guardianship: self.not_under_guardianship.is_some(),
        }
    }

    fn from_row(row: &store::entity::election_types::Model) -> Self {
        let rules = repo::rules_of(row);
        let tick = |on: bool| on.then(|| "on".to_owned());
        ElectionTypeForm {
            title: row.title.clone(),
            age18: tick(rules.age18),
            resident_in_municipality: tick(rules.resident_in_municipality),
            danish_citizen: tick(rules.danish_citizen),
            not_under_guardianship: tick(rules.not_under_guardianship),
        }
    }

    fn parse(&self) -> Result<ElectionTypeInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", Name::parse(&self.title).map_err(|e| e.message("titel")));
        match title {
            Some(title) if errors.is_empty() => Ok(ElectionTypeInput { title, rules: self.rules() }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/election_types/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    submit: &'static str,
    title: String,
    rules: Vec<RuleBox>,
    errors: FieldErrors,
}

/// One tick box of the rule list.
struct RuleBox {
    key: &'static str,
    label: &'static str,
    checked: bool,
}

fn form_page(admin: &AdminUser, id: Option<Uuid>, form: &ElectionTypeForm, errors: FieldErrors) -> FormPage {
    let ticked = form.rules();
    let rules = Rule::ALL
        .into_iter()
        .filter(|r| *r != Rule::Alive)
        .map(|r| RuleBox { key: r.as_str(), label: r.label(), checked: ticked.applies(r) })
        .collect();
    let (heading, action, submit) = match id {
        None => ("Opret valgtype".to_owned(), format!("{LIST}/new"), "Opret valgtype"),
        Some(id) => (format!("Redigér valgtypen »{}«", form.title), format!("{LIST}/{id}/edit"), "Gem ændringer"),
    };
    FormPage {
        chrome: admin.chrome(Section::ElectionTypes),
        heading,
        action,
        submit,
        title: form.title.clone(),
        rules,
        errors,
    }
}

async fn new_form(admin: AdminUser) -> Result<Response> {
    admin.require_edit()?;
    render_form(&form_page(&admin, None, &ElectionTypeForm::default(), FieldErrors::new()), &FieldErrors::new())
}

async fn create(admin: AdminUser, Form(form): Form<ElectionTypeForm>) -> Result<Response> {
    admin.require_edit()?;
    let errors = match form.parse() {
        Ok(input) => match repo::create(admin.db(), &admin.actor(), &input).await {
            Ok(_) => return Ok(redirect_with_flash(LIST, &format!("Valgtypen »{}« er oprettet.", input.title))),
            Err(e) => conflict(e)?,
        },
        Err(errors) => errors,
    };
    let page = form_page(&admin, None, &form, errors);
    render_form(&page, &page.errors)
}

async fn edit_form(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let page = form_page(&admin, Some(id), &ElectionTypeForm::from_row(&row), FieldErrors::new());
    render_form(&page, &page.errors)
}

async fn update(admin: AdminUser, Path(id): Path<Uuid>, Form(form): Form<ElectionTypeForm>) -> Result<Response> {
    admin.require_edit()?;
    let errors = match form.parse() {
        Ok(input) => match repo::update(admin.db(), &admin.actor(), id, &input).await {
            Ok(()) => return Ok(redirect_with_flash(LIST, &format!("Valgtypen »{}« er gemt.", input.title))),
            Err(e) => conflict(e)?,
        },
        Err(errors) => errors,
    };
    let page = form_page(&admin, Some(id), &form, errors);
    render_form(&page, &page.errors)
}

fn conflict(error: store::Error) -> Result<FieldErrors> {
    let mut errors = FieldErrors::new();
    into_field_error(error, &mut errors)?;
    Ok(errors)
}

#[derive(Template)]
#[template(path = "admin/election_types/delete.html")]
struct DeletePage {
    chrome: Chrome,
    id: Uuid,
    title: String,
    refusal: Option<String>,
}

async fn confirm_delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let refusal = repo::delete_refusal(admin.db(), id).await?.map(|r| r.to_string());
    let page = DeletePage { chrome: admin.chrome(Section::ElectionTypes), id, title: row.title, refusal };
    render(&page, StatusCode::OK)
}

async fn delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    match repo::delete(admin.db(), &admin.actor(), id).await {
        Ok(()) => Ok(redirect_with_flash(LIST, &format!("Valgtypen »{}« er slettet.", row.title))),
        Err(e) => {
            let refusal = Some(refusal(e)?);
            let page = DeletePage { chrome: admin.chrome(Section::ElectionTypes), id, title: row.title, refusal };
            render(&page, StatusCode::CONFLICT)
        }
    }
}
