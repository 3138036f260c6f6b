//! "Send besked": a group message to the people selected by work location,
//! team, task type, seat status and date in an election — counted before it
//! is sent, one message per person — and how the sent ones are doing.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use store::repo::group::{self, Selection, Words};
use store::repo::messages::Batch;
use uuid::Uuid;

use super::progress::DeliveryBar;
use super::{date_param, dk, id_param};
use crate::admin::catalogue::render;
use crate::admin::flash::redirect_with_flash;
use crate::admin::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};
use crate::forms::FieldErrors;

#[derive(Debug, Default, Deserialize)]
pub struct GroupForm {
    #[serde(default)]
    work_location: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    task_type: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    sms_text: String,
    #[serde(default)]
    action: String,
}

impl GroupForm {
    fn selection(&self, election: Uuid) -> Selection {
        Selection {
            election,
            work_location: id_param(&self.work_location),
            team: id_param(&self.team),
            task_type: id_param(&self.task_type),
            date: date_param(&self.date),
            status: Some(self.status.clone()).filter(|s| ["invited", "accepted", "rejected"].contains(&s.as_str())),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/tasks/group.html")]
struct GroupPage {
    chrome: Chrome,
    election_id: Uuid,
    title: String,
    form: GroupForm,
    errors: FieldErrors,
    work_locations: Vec<(Uuid, String)>,
    teams: Vec<(Uuid, String)>,
    task_types: Vec<(Uuid, String)>,
    dates: Vec<(String, String)>,
    count: Option<usize>,
    delivery: DeliveryBar,
}

async fn page(
    admin: &AdminUser,
    id: Uuid,
    form: GroupForm,
    errors: FieldErrors,
    count: Option<usize>,
) -> Result<GroupPage> {
    let db = admin.db();
    let election = store::repo::elections::get(db, id).await?.ok_or(Error::NotFound)?;
    let detail = store::repo::elections::detail(db, id).await?;
    let teams = store::repo::teams::list(db, "").await?.into_iter().map(|t| (t.id, t.name)).collect();
    let task_types =
        store::repo::task_types::list(db, "").await?.into_iter().map(|t| (t.task_type.id, t.task_type.title)).collect();
    let dates = election
        .first_task_date
        .iter_days()
        .take_while(|d| *d <= election.last_task_date)
        .map(|d| (d.to_string(), dk(d)))
        .collect();
    Ok(GroupPage {
        chrome: admin.chrome(Section::Elections),
        election_id: id,
        title: election.title,
        form,
        errors,
        work_locations: detail.work_locations.into_iter().map(|w| (w.id, w.title)).collect(),
        teams,
        task_types,
        dates,
        count,
        delivery: DeliveryBar::of(db, id, Batch::Group).await?,
    })
}

pub async fn form(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    render(&page(&admin, id, GroupForm::default(), FieldErrors::new(), None).await?, StatusCode::OK)
}

pub async fn submit(admin: AdminUser, Path(id): Path<Uuid>, Form(form): Form<GroupForm>) -> Result<Response> {
    admin.require_edit()?;
    store::repo::elections::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let selection = form.selection(id);
    let words = Words { subject: form.subject.clone(), body: form.body.clone(), sms_text: form.sms_text.clone() };
    let mut errors = FieldErrors::new();
    if let Err(store::Error::Conflict { field, message }) = group::check(&words) {
        errors.add(field, message);
    }
    if form.action != "send" || !errors.is_empty() {
        let count = group::recipients(admin.db(), &selection).await?.len();
        let status =
            if errors.is_empty() || form.action != "send" { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        let errors = if form.action == "send" { errors } else { FieldErrors::new() };
        return render(&page(&admin, id, form, errors, Some(count)).await?, status);
    }
    let sent = group::send(admin.db(), &admin.actor(), &selection, &words, Utc::now()).await?;
    let href = format!("/admin/elections/{id}/group-message");
    Ok(redirect_with_flash(&href, &format!("Beskeden er sat i kø til {sent} personer.")))
}
