//! "Kopiér valg": a new election from an existing one, with its seats (not
//! its participants) moved to the new election date.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::response::{Html, Response};
use domain::election::{CopyPlan, CopyPlanError, MAX_WINDOW_DAYS};
use store::entity::elections::Model as Election;
use store::repo::elections::{self as repo, Duplicate};
use uuid::Uuid;

use super::form::{AreaBoxes, keep_conflict, parse_lock, parse_title, parse_type, parse_work_locations, seats_text};
use super::submitted::Submitted;
use super::{dk, election, href, render, store_error, unprocessable};
use crate::admin::flash::redirect_with_flash;
use crate::admin::{AdminUser, Chrome, Section};
use crate::error::Result;
use crate::forms::{self, FieldErrors};

#[derive(Debug, Default, Clone)]
pub struct Fields {
    pub title: String,
    pub election_type_id: String,
    pub lock_days: String,
    pub election_date: String,
    pub days_before: String,
    pub days_after: String,
}

impl Fields {
    fn from_form(form: &Submitted) -> Self {
        Fields {
            title: form.text("title"),
            election_type_id: form.text("election_type_id"),
            lock_days: form.text("lock_days"),
            election_date: form.text("election_date"),
            days_before: form.text("days_before"),
            days_after: form.text("days_after"),
        }
    }

    /// The source's settings, and its own distance from first to last task
    /// date, so that by default everything is copied.
    fn from_source(e: &Election) -> Self {
        Fields {
            title: format!("{} (kopi)", e.title),
            election_type_id: e.election_type_id.to_string(),
            lock_days: e.lock_days.to_string(),
            election_date: String::new(),
            days_before: (e.election_date - e.first_task_date).num_days().to_string(),
            days_after: (e.last_task_date - e.election_date).num_days().to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/elections/duplicate.html")]
struct DuplicatePage {
    chrome: Chrome,
    source: Election,
    source_dates: String,
    action: String,
    cancel: String,
    fields: Fields,
    errors: FieldErrors,
    types: Vec<(Uuid, String)>,
    areas: Vec<AreaBoxes>,
}

pub async fn form(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Html<String>> {
    admin.require_edit()?;
    let source = election(&admin, id).await?;
    let ticked = source_locations(&admin, id).await?.keys().map(Uuid::to_string).collect();
    render(&page(&admin, Fields::from_source(&source), source, ticked, FieldErrors::new()).await?)
}

pub async fn create(
    admin: AdminUser,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    admin.require_edit()?;
    let source = election(&admin, id).await?;
    let form = Submitted::new(pairs);
    let mut errors = FieldErrors::new();
    if let Some(copy) = parse(&source, &form, &mut errors)? {
        let title = copy.title.to_string();
        match repo::duplicate(admin.db(), &admin.actor(), id, copy).await {
            Ok(copied) => {
                let message =
                    format!("Valget »{title}« er oprettet med {} fra »{}«.", seats_text(copied.seats), source.title);
                return Ok(redirect_with_flash(&href(copied.id), &message));
            }
            Err(e) => keep_conflict(e, &mut errors)?,
        }
    }
    unprocessable(&page(&admin, Fields::from_form(&form), source, form.ticked.clone(), errors).await?)
}

fn parse(source: &Election, form: &Submitted, errors: &mut FieldErrors) -> Result<Option<Duplicate>> {
    let title = parse_title(form, errors);
    let election_type_id = parse_type(form, errors);
    let lock = parse_lock(form, errors);
    let work_locations = parse_work_locations(form, errors)?;
    let plan = parse_plan(source, form, errors);
    let (Some(title), Some(election_type_id), Some(lock), Some(plan)) = (title, election_type_id, lock, plan) else {
        return Ok(None);
    };
    if !errors.is_empty() {
        return Ok(None);
    }
    Ok(Some(Duplicate { title, election_type_id, lock, plan, work_locations }))
}

fn parse_plan(source: &Election, form: &Submitted, errors: &mut FieldErrors) -> Option<CopyPlan> {
    let max = i64::from(MAX_WINDOW_DAYS);
    let date = errors.check("election_date", forms::date(&form.text("election_date"), "ny valgdato"));
    let before = errors
        .check("days_before", forms::whole_number(&form.text("days_before"), "antal dage før valgdatoen", 0, max));
    let after = errors
        .check("days_after", forms::whole_number(&form.text("days_after"), "antal dage efter valgdatoen", 0, max));
    // Within 0..=MAX_WINDOW_DAYS after the checks above.
    let (before, after) = (u32::try_from(before?).ok()?, u32::try_from(after?).ok()?);
    match CopyPlan::new(source.election_date, date?, before, after) {
        Ok(plan) => Some(plan),
        Err(e) => {
            let field = match e {
                CopyPlanError::BeforeTooLong => "days_before",
                CopyPlanError::AfterTooLong => "days_after",
                CopyPlanError::OutOfCalendar => "election_date",
            };
            errors.add(field, e.to_string());
            None
        }
    }
}

/// The source's work locations: id → seats there.
async fn source_locations(admin: &AdminUser, id: Uuid) -> Result<HashMap<Uuid, u64>> {
    let detail = repo::detail(admin.db(), id).await.map_err(store_error)?;
    Ok(detail.work_locations.into_iter().map(|w| (w.id, w.seats)).collect())
}

async fn page(
    admin: &AdminUser,
    fields: Fields,
    source: Election,
    ticked: BTreeSet<String>,
    errors: FieldErrors,
) -> Result<DuplicatePage> {
    let seats = source_locations(admin, source.id).await?;
    let only: BTreeSet<Uuid> = seats.keys().copied().collect();
    let notes = seats.iter().map(|(id, n)| (*id, seats_text(*n))).collect();
    Ok(DuplicatePage {
        chrome: admin.chrome(Section::Elections),
        source_dates: format!(
            "valgdato {}, opgaver {} – {}",
            dk(source.election_date),
            dk(source.first_task_date),
            dk(source.last_task_date)
        ),
        action: format!("{}/duplicate", href(source.id)),
        cancel: href(source.id),
        fields,
        errors,
        types: store::repo::election_types::choices(admin.db()).await.map_err(store_error)?,
        areas: super::form::area_boxes(admin, &ticked, &notes, Some(&only)).await?,
        source,
    })
}
