//! The templates an election uses (`/admin/templates/elections/{id}`): one
//! slot per message kind, and per task type an override of it. An empty slot
//! uses the default template of its kind.

use std::collections::HashMap;

use askama::Template as Page;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use domain::MessageKind;
use serde::Deserialize;
use store::repo::templates as repo;
use uuid::Uuid;

use crate::admin::catalogue::{refusal, render};
use crate::admin::flash::redirect_with_flash;
use crate::admin::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};

/// One message kind of the election.
struct KindRow {
    key: &'static str,
    label: &'static str,
    /// Title of the template in the slot.
    current: String,
    /// The kind's own templates (the default is the empty choice).
    choices: Vec<Choice>,
    overrides: Vec<OverrideRow>,
}

struct Choice {
    id: Uuid,
    title: String,
    selected: bool,
}

struct OverrideRow {
    task_type: Uuid,
    task_type_title: String,
    template_title: String,
}

#[derive(Page)]
#[template(path = "admin/templates/election.html")]
struct SlotsPage {
    chrome: Chrome,
    election: Uuid,
    title: String,
    kinds: Vec<KindRow>,
    task_types: Vec<(Uuid, String)>,
    error: Option<String>,
}

pub async fn show(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    render(&page(&admin, id, None).await?, StatusCode::OK)
}

async fn page(admin: &AdminUser, id: Uuid, error: Option<String>) -> Result<SlotsPage> {
    let db = admin.db();
    let election = store::repo::elections::get(db, id).await?.ok_or(Error::NotFound)?;
    let templates = repo::list(db).await?;
    let titles: HashMap<Uuid, String> = templates.iter().map(|t| (t.id, t.title.clone())).collect();
    let task_types = store::repo::task_types::choices(db).await?;
    let task_type_titles: HashMap<Uuid, String> = task_types.iter().cloned().collect();
    let kinds = repo::slots(db, id)
        .await?
        .into_iter()
        .map(|slot| KindRow {
            key: slot.kind.as_str(),
            label: slot.kind.label(),
            current: slot.template.and_then(|t| titles.get(&t).cloned()).unwrap_or_else(|| "Standardskabelonen".into()),
            choices: templates
                .iter()
                .filter(|t| t.kind == slot.kind && !t.is_default)
                .map(|t| Choice { id: t.id, title: t.title.clone(), selected: slot.template == Some(t.id) })
                .collect(),
            overrides: slot
                .overrides
                .iter()
                .map(|(task_type, template)| OverrideRow {
                    task_type: *task_type,
                    task_type_title: task_type_titles.get(task_type).cloned().unwrap_or_default(),
                    template_title: titles.get(template).cloned().unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    Ok(SlotsPage {
        chrome: admin.chrome(Section::Templates),
        election: id,
        title: election.title,
        kinds,
        task_types,
        error,
    })
}

/// One slot as posted: an empty `task_type` is the election's own slot, an
/// empty `template` empties the slot (or removes the override).
#[derive(Debug, Default, Deserialize)]
pub struct SlotForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    task_type: String,
    #[serde(default)]
    template: String,
}

fn optional_id(value: &str) -> Result<Option<Uuid>> {
    match value.trim() {
        "" => Ok(None),
        text => Uuid::parse_str(text).map(Some).map_err(|_| Error::BadRequest("ugyldigt id".into())),
    }
}

pub async fn save(admin: AdminUser, Path(id): Path<Uuid>, Form(form): Form<SlotForm>) -> Result<Response> {
    admin.require_edit()?;
    store::repo::elections::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let kind = MessageKind::parse(&form.kind).map_err(|_| Error::BadRequest("ukendt beskedtype".into()))?;
    let task_type = optional_id(&form.task_type)?;
    let template = optional_id(&form.template)?;
    match repo::set_slot(admin.db(), &admin.actor(), id, task_type, kind, template).await {
        Ok(()) => {
            let back = format!("/admin/templates/elections/{id}");
            Ok(redirect_with_flash(&back, &format!("Skabelonen for »{}« er gemt.", kind.label())))
        }
        Err(e) => {
            let message = refusal(e)?;
            render(&page(&admin, id, Some(message)).await?, StatusCode::CONFLICT)
        }
    }
}
