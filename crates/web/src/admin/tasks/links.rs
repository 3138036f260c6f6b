//! An election's public links: team sign-up links, task links (one seat
//! kind) and filtered task-list links, created and revoked here, opened in
//! the portal. A revoked link stops working at once.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use store::repo::links::{self, LinkTarget, SeatKind, TaskFilter};
use uuid::Uuid;

use super::{date_param, dk, id_param};
use crate::admin::catalogue::render;
use crate::admin::flash::redirect_with_flash;
use crate::admin::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};
use crate::state::AppState;

pub struct LinkView {
    pub id: Uuid,
    pub kind: &'static str,
    pub what: String,
    pub url: String,
    pub active: bool,
    pub created: String,
}

#[derive(Template)]
#[template(path = "admin/tasks/links.html")]
struct LinksPage {
    chrome: Chrome,
    election_id: Uuid,
    title: String,
    links: Vec<LinkView>,
    teams: Vec<(Uuid, String)>,
    work_locations: Vec<(Uuid, String)>,
    task_types: Vec<(Uuid, String)>,
    dates: Vec<(String, String)>,
}

/// Where a link opens in the portal.
fn portal_path(target: &LinkTarget, token: &str) -> String {
    match target {
        LinkTarget::Team { .. } => format!("/tilmelding/hold/{token}"),
        LinkTarget::Task { .. } => format!("/tilmelding/opgave/{token}"),
        LinkTarget::Filtered { .. } => format!("/opgaveliste/{token}"),
    }
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    admin: AdminUser,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    let db = admin.db();
    let election = store::repo::elections::get(db, id).await?.ok_or(Error::NotFound)?;
    let detail = store::repo::elections::detail(db, id).await?;
    let teams: Vec<(Uuid, String)> =
        store::repo::teams::list(db, "").await?.into_iter().map(|t| (t.id, t.name)).collect();
    let task_types: Vec<(Uuid, String)> =
        store::repo::task_types::list(db, "").await?.into_iter().map(|t| (t.task_type.id, t.task_type.title)).collect();
    let work_locations: Vec<(Uuid, String)> = detail.work_locations.iter().map(|w| (w.id, w.title.clone())).collect();
    let names: HashMap<Uuid, String> =
        teams.iter().chain(&task_types).chain(&work_locations).map(|(id, n)| (*id, n.clone())).collect();
    let name = |id: &Uuid| names.get(id).cloned().unwrap_or_default();
    let origin = state.portal_origin(&admin.tenant, &headers);
    let links = links::list(db, Some(id), None)
        .await?
        .into_iter()
        .map(|link| {
            let path = portal_path(&link.target, &link.token);
            let (kind, what) = match &link.target {
                LinkTarget::Team { team, .. } => ("Hold", name(team)),
                LinkTarget::Task { team, kind, .. } => (
                    "Opgave",
                    format!(
                        "{} · {} · {} · {}",
                        name(&kind.task_type),
                        name(&kind.work_location),
                        dk(kind.date),
                        name(team)
                    ),
                ),
                LinkTarget::Filtered { team, filter, .. } => {
                    let parts = [
                        team.map(|t| name(&t)),
                        filter.work_location.map(|w| name(&w)),
                        filter.task_type.map(|t| name(&t)),
                        filter.date.map(dk),
                    ];
                    let parts: Vec<String> = parts.into_iter().flatten().collect();
                    let what = if parts.is_empty() { "Alle ledige opgaver".to_owned() } else { parts.join(" · ") };
                    ("Opgaveliste", what)
                }
            };
            LinkView {
                id: link.id,
                kind,
                what,
                url: format!("{origin}{path}"),
                active: link.is_active(),
                created: link.created_at.format("%d-%m-%Y").to_string(),
            }
        })
        .collect();
    let dates = election
        .first_task_date
        .iter_days()
        .take_while(|d| *d <= election.last_task_date)
        .map(|d| (d.to_string(), dk(d)))
        .collect();
    let page = LinksPage {
        chrome: admin.chrome(Section::Elections),
        election_id: id,
        title: election.title,
        links,
        teams,
        work_locations,
        task_types,
        dates,
    };
    render(&page, StatusCode::OK)
}

#[derive(Debug, Default, Deserialize)]
pub struct NewLink {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    work_location: String,
    #[serde(default)]
    task_type: String,
    #[serde(default)]
    date: String,
}

pub async fn create(admin: AdminUser, Path(id): Path<Uuid>, Form(form): Form<NewLink>) -> Result<Response> {
    admin.require_edit()?;
    store::repo::elections::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    if form.kind == "filtered" {
        let target = filtered_target(id, &form)?;
        must_exist(&admin, &target).await?;
        links::create(admin.db(), &admin.actor(), target, Utc::now()).await?;
        return Ok(redirect_with_flash(&format!("/admin/elections/{id}/links"), "Linket er oprettet."));
    }
    let team = id_param(&form.team).ok_or_else(|| Error::BadRequest("Vælg et hold.".into()))?;
    let target = match form.kind.as_str() {
        "team" => LinkTarget::Team { team, election: Some(id) },
        "task" => {
            let parts = (id_param(&form.work_location), id_param(&form.task_type), date_param(&form.date));
            let (Some(work_location), Some(task_type), Some(date)) = parts else {
                return Err(Error::BadRequest("Vælg arbejdssted, opgavetype og dato.".into()));
            };
            LinkTarget::Task { team, election: id, kind: SeatKind { work_location, task_type, date } }
        }
        _ => return Err(Error::BadRequest("Vælg, hvilken slags link der skal oprettes.".into())),
    };
    must_exist(&admin, &target).await?;
    links::create(admin.db(), &admin.actor(), target, Utc::now()).await?;
    Ok(redirect_with_flash(&format!("/admin/elections/{id}/links"), "Linket er oprettet."))
}

/// Every team, work location and task type the link names exists (a stale
/// form or a hand-made request would otherwise meet a foreign-key error).
async fn must_exist(admin: &AdminUser, target: &LinkTarget) -> Result<()> {
    let db = admin.db();
    let (team, work_location, task_type) = match target {
        LinkTarget::Team { team, .. } => (Some(*team), None, None),
        LinkTarget::Task { team, kind, .. } => (Some(*team), Some(kind.work_location), Some(kind.task_type)),
        LinkTarget::Filtered { team, filter, .. } => (*team, filter.work_location, filter.task_type),
    };
    if let Some(id) = team
        && store::repo::teams::get(db, id).await?.is_none()
    {
        return Err(Error::BadRequest("Vælg et hold fra listen.".into()));
    }
    if let Some(id) = work_location
        && store::repo::work_locations::get(db, id).await?.is_none()
    {
        return Err(Error::BadRequest("Vælg et arbejdssted fra listen.".into()));
    }
    if let Some(id) = task_type
        && store::repo::task_types::get(db, id).await?.is_none()
    {
        return Err(Error::BadRequest("Vælg en opgavetype fra listen.".into()));
    }
    Ok(())
}

/// A task-list link: every field may be "Alle" (empty); anything else must be a real choice.
fn filtered_target(election: Uuid, form: &NewLink) -> Result<LinkTarget> {
    fn optional<T>(text: &str, parse: fn(&str) -> Option<T>, message: &str) -> Result<Option<T>> {
        match text.trim() {
            "" => Ok(None),
            value => parse(value).map(Some).ok_or_else(|| Error::BadRequest(message.into())),
        }
    }
    let team = optional(&form.team, id_param, "Vælg et hold fra listen.")?;
    let filter = TaskFilter {
        work_location: optional(&form.work_location, id_param, "Vælg et arbejdssted fra listen.")?,
        task_type: optional(&form.task_type, id_param, "Vælg en opgavetype fra listen.")?,
        date: optional(&form.date, date_param, "Vælg en dato fra listen.")?,
    };
    Ok(LinkTarget::Filtered { election, team, filter })
}

pub async fn revoke(admin: AdminUser, Path((id, link)): Path<(Uuid, Uuid)>) -> Result<Response> {
    admin.require_edit()?;
    links::revoke(admin.db(), &admin.actor(), link, Utc::now()).await?;
    Ok(redirect_with_flash(&format!("/admin/elections/{id}/links"), "Linket er tilbagekaldt og virker ikke længere."))
}
