//! Creating and editing an election: one form, in two modes. On create the
//! election type is chosen; on edit it is fixed, and work locations with
//! seats in the election may not be unticked.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::response::{Html, Response};
use domain::election::{DatesError, ElectionDates, LockPeriod, channel_order_label};
use domain::master::Name;
use store::repo::elections::{self as repo, ElectionChanges, NewElection};
use uuid::Uuid;

use super::submitted::{Submitted, WORK_LOCATIONS};
use super::{election, href, render, store_error, unprocessable};
use crate::admin::flash::redirect_with_flash;
use crate::admin::{AdminUser, Chrome, Section};
use crate::error::Result;
use crate::forms::{self, FieldErrors};

/// The text fields as typed (or as stored, when the form is first shown).
#[derive(Debug, Default, Clone)]
pub struct Fields {
    pub title: String,
    pub election_type_id: String,
    pub election_date: String,
    pub first_task_date: String,
    pub last_task_date: String,
    pub lock_days: String,
}

impl Fields {
    fn from_form(form: &Submitted) -> Self {
        Fields {
            title: form.text("title"),
            election_type_id: form.text("election_type_id"),
            election_date: form.text("election_date"),
            first_task_date: form.text("first_task_date"),
            last_task_date: form.text("last_task_date"),
            lock_days: form.text("lock_days"),
        }
    }

    fn from_stored(e: &store::entity::elections::Model) -> Self {
        Fields {
            title: e.title.clone(),
            election_type_id: e.election_type_id.to_string(),
            election_date: forms::iso_date(&e.election_date),
            first_task_date: forms::iso_date(&e.first_task_date),
            last_task_date: forms::iso_date(&e.last_task_date),
            lock_days: e.lock_days.to_string(),
        }
    }
}

/// One checkbox of the work-location list.
pub struct LocationBox {
    pub id: String,
    pub title: String,
    pub checked: bool,
    /// Shown after the title, e.g. how many seats the location has.
    pub note: String,
}

/// The work locations of one area.
pub struct AreaBoxes {
    pub area: String,
    pub locations: Vec<LocationBox>,
}

#[derive(Template)]
#[template(path = "admin/elections/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    cancel: String,
    submit: &'static str,
    fields: Fields,
    errors: FieldErrors,
    types: Vec<(Uuid, String)>,
    /// Set when editing: the type cannot be changed.
    fixed_type: Option<String>,
    areas: Vec<AreaBoxes>,
    channel_order: String,
}

pub async fn new_form(admin: AdminUser) -> Result<Html<String>> {
    admin.require_edit()?;
    let page =
        new_page(&admin, Fields { lock_days: "7".into(), ..Fields::default() }, BTreeSet::new(), FieldErrors::new())
            .await?;
    render(&page)
}

pub async fn create(admin: AdminUser, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response> {
    admin.require_edit()?;
    let form = Submitted::new(pairs);
    let mut errors = FieldErrors::new();
    if let Some(new) = parse_new(&form, &mut errors)? {
        let title = new.title.to_string();
        match repo::create(admin.db(), &admin.actor(), new).await {
            Ok(id) => return Ok(redirect_with_flash(&href(id), &format!("Valget »{title}« er oprettet."))),
            Err(e) => keep_conflict(e, &mut errors)?,
        }
    }
    unprocessable(&new_page(&admin, Fields::from_form(&form), form.ticked.clone(), errors).await?)
}

pub async fn edit_form(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Html<String>> {
    admin.require_edit()?;
    let current = election(&admin, id).await?;
    let ticked = taking_part(&admin, id).await?.keys().map(Uuid::to_string).collect();
    render(&edit_page(&admin, id, Fields::from_stored(&current), ticked, FieldErrors::new()).await?)
}

pub async fn update(
    admin: AdminUser,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    admin.require_edit()?;
    election(&admin, id).await?;
    let form = Submitted::new(pairs);
    let mut errors = FieldErrors::new();
    if let Some(changes) = parse_changes(&admin, id, &form, &mut errors).await? {
        let title = changes.title.to_string();
        match repo::update(admin.db(), &admin.actor(), id, changes).await {
            Ok(()) => return Ok(redirect_with_flash(&href(id), &format!("Valget »{title}« er gemt."))),
            Err(e) => keep_conflict(e, &mut errors)?,
        }
    }
    unprocessable(&edit_page(&admin, id, Fields::from_form(&form), form.ticked.clone(), errors).await?)
}

/// A rule the store refused becomes a message next to its field; anything
/// else is a real failure.
pub fn keep_conflict(e: store::Error, errors: &mut FieldErrors) -> Result<()> {
    match e {
        store::Error::Conflict { field, message } => {
            errors.add(field, message);
            Ok(())
        }
        other => Err(store_error(other)),
    }
}

fn parse_new(form: &Submitted, errors: &mut FieldErrors) -> Result<Option<NewElection>> {
    let title = parse_title(form, errors);
    let election_type_id = parse_type(form, errors);
    let dates = parse_dates(form, errors);
    let lock = parse_lock(form, errors);
    let work_locations = parse_work_locations(form, errors)?;
    let (Some(title), Some(election_type_id), Some(dates), Some(lock)) = (title, election_type_id, dates, lock) else {
        return Ok(None);
    };
    if !errors.is_empty() {
        return Ok(None);
    }
    Ok(Some(NewElection { title, election_type_id, dates, lock, work_locations }))
}

async fn parse_changes(
    admin: &AdminUser,
    id: Uuid,
    form: &Submitted,
    errors: &mut FieldErrors,
) -> Result<Option<ElectionChanges>> {
    let title = parse_title(form, errors);
    let dates = parse_dates(form, errors);
    let lock = parse_lock(form, errors);
    let work_locations = parse_work_locations(form, errors)?;
    if let Some(dates) = dates {
        // Checked here too (the store checks again in its transaction) so
        // that both ends can be reported at once.
        let span = repo::seat_span(admin.db(), id).await.map_err(store_error)?;
        for outside in dates.check_seats(span.earliest, span.latest).err().unwrap_or_default() {
            let field = match outside {
                domain::SeatsOutside::BeforeFirst(_) => "first_task_date",
                domain::SeatsOutside::AfterLast(_) => "last_task_date",
            };
            errors.add(field, outside.to_string());
        }
    }
    for (location, (title, seats)) in taking_part(admin, id).await? {
        if !work_locations.contains(&location)
            && let Err(refusal) = domain::election::may_remove_work_location(&title, seats)
        {
            errors.add(WORK_LOCATIONS, refusal.to_string());
        }
    }
    let (Some(title), Some(dates), Some(lock)) = (title, dates, lock) else { return Ok(None) };
    if !errors.is_empty() {
        return Ok(None);
    }
    Ok(Some(ElectionChanges { title, dates, lock, work_locations }))
}

pub fn parse_title(form: &Submitted, errors: &mut FieldErrors) -> Option<Name> {
    Name::parse(&form.text("title")).map_err(|e| errors.add("title", e.message("titel"))).ok()
}

pub fn parse_type(form: &Submitted, errors: &mut FieldErrors) -> Option<Uuid> {
    let parsed = Uuid::parse_str(form.text("election_type_id").trim()).ok();
    if parsed.is_none() {
        errors.add("election_type_id", "Vælg en valgtype");
    }
    parsed
}

pub fn parse_lock(form: &Submitted, errors: &mut FieldErrors) -> Option<LockPeriod> {
    let days =
        errors.check("lock_days", forms::whole_number(&form.text("lock_days"), "låseperiode", i64::MIN, i64::MAX))?;
    errors.check("lock_days", LockPeriod::new(days))
}

/// The three dates; each must parse, and together they must follow the
/// range rule, reported next to the date that breaks it.
fn parse_dates(form: &Submitted, errors: &mut FieldErrors) -> Option<ElectionDates> {
    let election = errors.check("election_date", forms::date(&form.text("election_date"), "valgdato"));
    let first = errors.check("first_task_date", forms::date(&form.text("first_task_date"), "første opgavedato"));
    let last = errors.check("last_task_date", forms::date(&form.text("last_task_date"), "sidste opgavedato"));
    match ElectionDates::new(election?, first?, last?) {
        Ok(dates) => Some(dates),
        Err(broken) => {
            for rule in broken {
                let field = match rule {
                    DatesError::FirstAfterElection => "first_task_date",
                    DatesError::LastBeforeElection => "last_task_date",
                };
                errors.add(field, rule.to_string());
            }
            None
        }
    }
}

pub fn parse_work_locations(form: &Submitted, errors: &mut FieldErrors) -> Result<BTreeSet<Uuid>> {
    let ids = form.work_locations()?;
    if ids.is_empty() {
        errors.add(WORK_LOCATIONS, "Vælg mindst ét arbejdssted");
    }
    Ok(ids)
}

/// The election's work locations: id → (title, seats in the election).
async fn taking_part(admin: &AdminUser, id: Uuid) -> Result<HashMap<Uuid, (String, u64)>> {
    let detail = repo::detail(admin.db(), id).await.map_err(store_error)?;
    Ok(detail.work_locations.into_iter().map(|w| (w.id, (w.title, w.seats))).collect())
}

async fn new_page(
    admin: &AdminUser,
    fields: Fields,
    ticked: BTreeSet<String>,
    errors: FieldErrors,
) -> Result<FormPage> {
    Ok(FormPage {
        chrome: admin.chrome(Section::Elections),
        heading: "Opret valg".into(),
        action: "/admin/elections/new".into(),
        cancel: "/admin/elections".into(),
        submit: "Opret valg",
        fields,
        errors,
        types: store::repo::election_types::choices(admin.db()).await.map_err(store_error)?,
        fixed_type: None,
        areas: area_boxes(admin, &ticked, &HashMap::new(), None).await?,
        channel_order: channel_order_label(repo::DEFAULT_CHANNEL_ORDER),
    })
}

async fn edit_page(
    admin: &AdminUser,
    id: Uuid,
    fields: Fields,
    ticked: BTreeSet<String>,
    errors: FieldErrors,
) -> Result<FormPage> {
    let detail = repo::detail(admin.db(), id).await.map_err(store_error)?;
    let notes = detail
        .work_locations
        .iter()
        .filter(|w| w.seats > 0)
        .map(|w| (w.id, format!("{} – kan ikke fjernes", seats_text(w.seats))))
        .collect();
    Ok(FormPage {
        chrome: admin.chrome(Section::Elections),
        heading: format!("Redigér »{}«", detail.election.title),
        action: format!("{}/edit", href(id)),
        cancel: href(id),
        submit: "Gem ændringer",
        fields,
        errors,
        types: Vec::new(),
        fixed_type: Some(detail.type_title),
        areas: area_boxes(admin, &ticked, &notes, None).await?,
        channel_order: channel_order_label(&detail.election.channel_order),
    })
}

/// The work locations (all, or `only` those), grouped by area, ticked as in
/// `ticked`.
pub async fn area_boxes(
    admin: &AdminUser,
    ticked: &BTreeSet<String>,
    notes: &HashMap<Uuid, String>,
    only: Option<&BTreeSet<Uuid>>,
) -> Result<Vec<AreaBoxes>> {
    let groups = repo::work_location_options(admin.db()).await.map_err(store_error)?;
    Ok(groups
        .into_iter()
        .map(|g| AreaBoxes {
            area: g.area,
            locations: g
                .locations
                .into_iter()
                .filter(|c| only.is_none_or(|ids| ids.contains(&c.id)))
                .map(|c| LocationBox {
                    checked: ticked.contains(&c.id.to_string()),
                    note: notes.get(&c.id).cloned().unwrap_or_default(),
                    id: c.id.to_string(),
                    title: c.title,
                })
                .collect(),
        })
        .filter(|g| !g.locations.is_empty())
        .collect())
}

/// "1 opgave", "12 opgaver".
pub fn seats_text(seats: u64) -> String {
    if seats == 1 { "1 opgave".to_owned() } else { format!("{seats} opgaver") }
}
