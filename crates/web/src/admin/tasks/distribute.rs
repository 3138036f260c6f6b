//! "Fordel opgaver": the number of seats of every kind (date × team × task
//! type) at one work location, in one form. Lowering a number never takes
//! an accepted seat; the result says how many could not be removed.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use store::repo::seats::{self as repo, Distributed, KindCount, OverviewFilter};
use uuid::Uuid;

use super::location::Place;
use super::{dk, location_href};
use crate::admin::catalogue::render_form;
use crate::admin::flash::redirect_with_flash;
use crate::admin::{AdminUser, Chrome, Section};
use crate::error::Result;
use crate::forms::{FieldErrors, whole_number};

/// Most seats of one kind at one place; a typo like 1000 is caught.
const MAX_PER_KIND: i64 = 500;

pub struct Cell {
    pub name: String,
    pub label: String,
    pub value: String,
}

pub struct Row {
    pub date: String,
    pub team: String,
    pub cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "admin/tasks/distribute.html")]
struct DistributePage {
    chrome: Chrome,
    place: Place,
    href: String,
    rows: Vec<Row>,
    errors: FieldErrors,
}

fn field(date: NaiveDate, team: Uuid, task_type: Uuid) -> String {
    format!("n_{date}_{team}_{task_type}")
}

fn page(admin: &AdminUser, place: Place, values: &HashMap<String, String>, errors: FieldErrors) -> DistributePage {
    let mut rows = Vec::new();
    for date in &place.dates {
        for (team, team_name) in &place.teams {
            let cells = place
                .task_types
                .iter()
                .map(|(task_type, title)| {
                    let name = field(*date, *team, *task_type);
                    Cell {
                        label: format!("{title}, {team_name}, {}", dk(*date)),
                        value: values.get(&name).cloned().unwrap_or_else(|| "0".into()),
                        name,
                    }
                })
                .collect();
            rows.push(Row { date: dk(*date), team: team_name.clone(), cells });
        }
    }
    let href = location_href(place.election.id, place.work_location.id);
    DistributePage { chrome: admin.chrome(Section::Elections), place, href, rows, errors }
}

pub async fn form(admin: AdminUser, Path((id, wl)): Path<(Uuid, Uuid)>) -> Result<Response> {
    admin.require_edit()?;
    let place = Place::load(&admin, id, wl).await?;
    let filter = OverviewFilter { work_location: Some(wl), ..OverviewFilter::default() };
    let values = repo::overview(admin.db(), id, filter)
        .await?
        .into_iter()
        .map(|r| (field(r.date, r.team_id, r.task_type_id), r.counts.total().to_string()))
        .collect();
    render_form(&page(&admin, place, &values, FieldErrors::new()), &FieldErrors::new())
}

pub async fn save(
    admin: AdminUser,
    Path((id, wl)): Path<(Uuid, Uuid)>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response> {
    admin.require_edit()?;
    let place = Place::load(&admin, id, wl).await?;
    let mut errors = FieldErrors::new();
    let mut wanted = Vec::new();
    for date in &place.dates {
        for (team, _) in &place.teams {
            for (task_type, _) in &place.task_types {
                let name = field(*date, *team, *task_type);
                let Some(value) = values.get(&name) else { continue };
                let parsed = whole_number(value, "antal", 0, MAX_PER_KIND);
                if let Some(count) = errors.check(&name, parsed) {
                    wanted.push(KindCount { date: *date, team: *team, task_type: *task_type, count: count as u32 });
                }
            }
        }
    }
    if !errors.is_empty() {
        let page = page(&admin, place, &values, errors);
        return render_form(&page, &page.errors);
    }
    let done = repo::distribute(admin.db(), &admin.actor(), id, wl, &wanted, Utc::now()).await?;
    Ok(redirect_with_flash(&location_href(id, wl), &summary(&done)))
}

/// The flash after saving, in words.
fn summary(done: &Distributed) -> String {
    let mut text = format!(
        "Opgaverne er fordelt: {} oprettet, {} ledige fjernet, {} invitationer trukket tilbage.",
        done.added, done.removed, done.retracted
    );
    let kept: u32 = done.not_removed.iter().map(|(_, n)| n).sum();
    if kept > 0 {
        text.push_str(&format!(
            " {kept} opgaver kunne ikke fjernes, fordi deltagere har sagt ja til dem – fjern deltagerne først."
        ));
    }
    text
}
