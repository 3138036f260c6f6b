//! Delete one participant, or several at once (the bulk delete asks the
//! admin to type "SLET"). Seats they held become available again and no
//! message is sent; the confirmation warns about seats in active elections
//! and about responsibilities (reference §2.5).

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use store::repo::begin_write;
use store::repo::participant_details::{self as details, DeleteWarnings};
use store::repo::participants as repo;
use uuid::Uuid;

use super::super::catalogue::render;
use super::super::flash::redirect_with_flash;
use super::super::staffing::Pairs;
use super::super::{AdminUser, Chrome, Section};
use super::LIST;
use crate::error::{Error, Result};

/// The word the bulk delete must be confirmed with.
const CONFIRM_WORD: &str = "SLET";

pub struct Target {
    pub id: Uuid,
    pub name: String,
    pub warnings: Vec<String>,
}

fn warning_lines(w: &DeleteWarnings) -> Vec<String> {
    let mut lines = Vec::new();
    if w.seats_in_active_elections > 0 {
        lines.push(format!(
            "Har {} opgave(r) i et aktivt valg; de bliver ledige uden besked.",
            w.seats_in_active_elections
        ));
    } else if w.seats > 0 {
        lines.push(format!("Har {} opgave(r); de bliver ledige.", w.seats));
    }
    if w.team_responsible {
        lines.push("Er teamansvarlig.".to_owned());
    }
    if w.work_location_responsible {
        lines.push("Er ansvarlig for et arbejdssted.".to_owned());
    }
    lines
}

async fn target(admin: &AdminUser, id: Uuid) -> Result<Target> {
    let participant = repo::get(admin.db(), id).await.map_err(|_| Error::NotFound)?;
    let warnings = warning_lines(&details::delete_warnings(admin.db(), id).await?);
    Ok(Target { id, name: repo::full_name(&participant), warnings })
}

#[derive(Template)]
#[template(path = "admin/participants/delete.html")]
struct ConfirmPage {
    chrome: Chrome,
    target: Target,
}

pub async fn confirm(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let target = target(&admin, id).await?;
    render(&ConfirmPage { chrome: admin.chrome(Section::Participants), target }, StatusCode::OK)
}

pub async fn delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let participant = repo::get(admin.db(), id).await.map_err(|_| Error::NotFound)?;
    repo::delete(admin.db(), &admin.actor(), id).await?;
    Ok(redirect_with_flash(LIST, &format!("Deltageren {} er slettet.", repo::full_name(&participant))))
}

#[derive(Template)]
#[template(path = "admin/participants/bulk_delete.html")]
struct BulkPage {
    chrome: Chrome,
    targets: Vec<Target>,
    error: Option<String>,
}

/// First post (from the list): shows who would be deleted. Second post,
/// with "SLET" typed: deletes them all in one transaction.
pub async fn bulk_delete(admin: AdminUser, Form(pairs): Form<Pairs>) -> Result<Response> {
    admin.require_edit()?;
    let ids = pairs.ids("ids");
    if ids.is_empty() {
        return Ok(redirect_with_flash(LIST, "Vælg de deltagere, der skal slettes."));
    }
    let confirmed = pairs.0.iter().any(|(k, _)| k == "confirm");
    let typed = pairs.text("confirm");
    if typed.trim() == CONFIRM_WORD {
        let tx = begin_write(admin.db()).await?;
        for id in &ids {
            repo::delete(&tx, &admin.actor(), *id).await?;
        }
        tx.commit().await.map_err(store::Error::db("committing a bulk delete"))?;
        return Ok(redirect_with_flash(LIST, &format!("{} deltager(e) er slettet.", ids.len())));
    }
    let mut targets = Vec::with_capacity(ids.len());
    for id in ids {
        targets.push(target(&admin, id).await?);
    }
    let error = confirmed.then(|| format!("Skriv {CONFIRM_WORD} for at bekræfte sletningen"));
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(&BulkPage { chrome: admin.chrome(Section::Participants), targets, error }, status)
}
