//! Message templates (issue 6): one text per message kind with placeholders,
//! the election's choice of template per kind, and a per-task-type override.
//! Every text is tokenised by `domain::template` before it is stored, so a
//! template with an unknown placeholder never reaches a citizen.

use chrono::Utc;
use domain::master::{Name, danish_order};
use domain::{MessageKind, PdfUpload, Template};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionSession,
};
use uuid::Uuid;

use super::catalogue::{self, Names};
use super::files::{self, FileInfo};
use super::{Conn, begin_write};
use crate::entity::{election_message_templates as slots, election_task_type_message_templates as overrides};
use crate::entity::{elections, files as file_rows, message_template_files, message_templates, task_types};
use crate::error::{Error, Result, Unique};
use crate::repo::audit::{Actor, AuditAction};

mod compose;

pub use compose::{Composed, ComposedAttachment, Links, compose, sample_values};

const TABLE: &str = "message_templates";
const WHAT: &str = "Skabelonen";

const NAMES: Names = Names {
    table: TABLE,
    key_column: "title_key",
    field: "title",
    taken: "Der findes allerede en skabelon med den titel",
};

const UNIQUE: &[Unique] = &[NAMES.unique()];

/// What staff enter for a template. The texts are checked by [`create`] and
/// [`update`]; the body is HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateInput {
    pub kind: MessageKind,
    pub title: Name,
    pub subject: String,
    pub body: String,
    pub sms_text: String,
}

/// One row of the template list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSummary {
    pub id: Uuid,
    pub kind: MessageKind,
    pub title: String,
    pub is_default: bool,
}

/// An election's template slot of one kind and its per-task-type overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub kind: MessageKind,
    /// `None`: the default template of the kind is used.
    pub template: Option<Uuid>,
    pub overrides: Vec<(Uuid, Uuid)>,
}

/// Every template, grouped by kind (in [`MessageKind::ALL`] order), then by title.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<TemplateSummary>> {
    let mut rows: Vec<TemplateSummary> = message_templates::Entity::find()
        .all(db)
        .await
        .map_err(Error::db("listing message templates"))?
        .into_iter()
        .filter_map(|row| {
            let kind = MessageKind::parse(&row.kind).ok()?;
            Some(TemplateSummary { id: row.id, kind, title: row.title, is_default: row.is_default })
        })
        .collect();
    rows.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| danish_order(&a.title, &b.title)));
    Ok(rows)
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<message_templates::Model>> {
    message_templates::Entity::find_by_id(id).one(db).await.map_err(Error::db("reading a message template"))
}

pub async fn create<C: Conn>(db: &C, actor: &Actor, input: &TemplateInput) -> Result<Uuid> {
    check(input)?;
    let txn = begin_write(db).await?;
    ensure_unique(&txn, None, &input.title).await?;
    let now = Utc::now();
    let id = Uuid::new_v4();
    let mut row = message_templates::ActiveModel {
        id: Set(id),
        is_default: Set(false),
        created_at: Set(now),
        ..Default::default()
    };
    fill(&mut row, input);
    row.insert(&txn).await.map_err(Error::db_unique("creating a message template", UNIQUE))?;
    let text = format!("Skabelon oprettet: {} ({})", input.title, input.kind.label());
    catalogue::audit(&txn, actor, AuditAction::Create, TABLE, id, text).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(id)
}

/// Changes the texts. The kind of a template in use cannot change, since
/// slots of that kind point to it; a default template keeps its kind too.
pub async fn update<C: Conn>(db: &C, actor: &Actor, id: Uuid, input: &TemplateInput) -> Result<()> {
    check(input)?;
    let txn = begin_write(db).await?;
    let old = get(&txn, id).await?.ok_or(Error::not_found(WHAT))?;
    if old.kind != input.kind.as_str() && (old.is_default || in_use(&txn, id).await?) {
        return Err(Error::conflict(
            "kind",
            "Typen kan ikke ændres, når skabelonen er i brug eller er en standardskabelon",
        ));
    }
    ensure_unique(&txn, Some(id), &input.title).await?;
    let mut row: message_templates::ActiveModel = old.into();
    fill(&mut row, input);
    row.update(&txn).await.map_err(Error::db_unique("updating a message template", UNIQUE))?;
    let text = format!("Skabelon ændret: {}", input.title);
    catalogue::audit(&txn, actor, AuditAction::Update, TABLE, id, text).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(())
}

/// Deletes a template; the election slots that used it fall back to the
/// default template of their kind. Default templates cannot be deleted.
pub async fn delete<C: Conn>(db: &C, actor: &Actor, id: Uuid) -> Result<()> {
    let txn = begin_write(db).await?;
    let old = get(&txn, id).await?.ok_or(Error::not_found(WHAT))?;
    if old.is_default {
        return Err(Error::conflict("delete", "En standardskabelon kan ikke slettes, men du kan rette dens tekst"));
    }
    for file in attachment_ids(&txn, id).await? {
        message_template_files::Entity::delete_by_id((id, file))
            .exec(&txn)
            .await
            .map_err(Error::db("detaching a file"))?;
        files::delete_if_unused(&txn, file).await?;
    }
    message_templates::Entity::delete_by_id(id).exec(&txn).await.map_err(Error::db("deleting a message template"))?;
    let text = format!("Skabelon slettet: {}", old.title);
    catalogue::audit(&txn, actor, AuditAction::Delete, TABLE, id, text).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(())
}

/// The PDF files sent with every message of the template, by name, without their content.
pub async fn attachments(db: &impl ConnectionTrait, template: Uuid) -> Result<Vec<FileInfo>> {
    let ids = attachment_ids(db, template).await?;
    let mut found: Vec<FileInfo> = file_rows::Entity::find()
        .select_only()
        .columns([
            file_rows::Column::Id,
            file_rows::Column::FileName,
            file_rows::Column::MimeType,
            file_rows::Column::SizeBytes,
            file_rows::Column::CreatedAt,
        ])
        .filter(file_rows::Column::Id.is_in(ids))
        .into_model()
        .all(db)
        .await
        .map_err(Error::db("listing a template's files"))?;
    found.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    Ok(found)
}

/// Stores a checked PDF and sends it with every message of the template.
pub async fn attach<C: Conn>(db: &C, actor: &Actor, template: Uuid, upload: &PdfUpload) -> Result<Uuid> {
    let txn = begin_write(db).await?;
    let row = get(&txn, template).await?.ok_or(Error::not_found(WHAT))?;
    let file_id = files::insert(&txn, &upload.file_name, PdfUpload::MIME_TYPE, &upload.content).await?;
    message_template_files::ActiveModel { template_id: Set(template), file_id: Set(file_id) }
        .insert(&txn)
        .await
        .map_err(Error::db("attaching a file to a template"))?;
    let text = format!("Bilag tilføjet til skabelonen {}: {}", row.title, upload.file_name);
    catalogue::audit(&txn, actor, AuditAction::Update, TABLE, template, text).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(file_id)
}

/// Removes one attachment (and the file, once nothing else uses it); returns its name.
pub async fn detach<C: Conn>(db: &C, actor: &Actor, template: Uuid, file: Uuid) -> Result<String> {
    let txn = begin_write(db).await?;
    let row = get(&txn, template).await?.ok_or(Error::not_found(WHAT))?;
    let removed = message_template_files::Entity::delete_by_id((template, file))
        .exec(&txn)
        .await
        .map_err(Error::db("detaching a file"))?;
    if removed.rows_affected == 0 {
        return Err(Error::not_found("Bilaget"));
    }
    let name = files::get(&txn, file).await?.map(|f| f.file_name).unwrap_or_default();
    files::delete_if_unused(&txn, file).await?;
    let text = format!("Bilag fjernet fra skabelonen {}: {name}", row.title);
    catalogue::audit(&txn, actor, AuditAction::Update, TABLE, template, text).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(name)
}

async fn attachment_ids(db: &impl ConnectionTrait, template: Uuid) -> Result<Vec<Uuid>> {
    let rows = message_template_files::Entity::find()
        .filter(message_template_files::Column::TemplateId.eq(template))
        .all(db)
        .await
        .map_err(Error::db("listing a template's files"))?;
    Ok(rows.into_iter().map(|row| row.file_id).collect())
}

/// The election's slot per kind (every kind, in [`MessageKind::ALL`] order).
pub async fn slots(db: &impl ConnectionTrait, election: Uuid) -> Result<Vec<Slot>> {
    let chosen = slots::Entity::find()
        .filter(slots::Column::ElectionId.eq(election))
        .all(db)
        .await
        .map_err(Error::db("reading an election's templates"))?;
    let overridden = overrides::Entity::find()
        .filter(overrides::Column::ElectionId.eq(election))
        .all(db)
        .await
        .map_err(Error::db("reading an election's template overrides"))?;
    Ok(MessageKind::ALL
        .into_iter()
        .map(|kind| Slot {
            kind,
            template: chosen.iter().find(|row| row.kind == kind.as_str()).map(|row| row.template_id),
            overrides: overridden
                .iter()
                .filter(|row| row.kind == kind.as_str())
                .map(|row| (row.task_type_id, row.template_id))
                .collect(),
        })
        .collect())
}

/// Sets (or with `None` empties) the election's slot of `kind`, or with
/// `task_type` the override of that task type.
pub async fn set_slot<C: Conn>(
    db: &C,
    actor: &Actor,
    election: Uuid,
    task_type: Option<Uuid>,
    kind: MessageKind,
    template: Option<Uuid>,
) -> Result<()> {
    let txn = begin_write(db).await?;
    let election_row = elections::Entity::find_by_id(election)
        .one(&txn)
        .await
        .map_err(Error::db("reading an election"))?
        .ok_or(Error::not_found("Valget"))?;
    let chosen = match template {
        Some(id) => Some(template_of_kind(&txn, id, kind).await?),
        None => None,
    };
    let target = match task_type {
        Some(task_type) => {
            let row = task_types::Entity::find_by_id(task_type)
                .one(&txn)
                .await
                .map_err(Error::db("reading a task type"))?
                .ok_or(Error::not_found("Opgavetypen"))?;
            write_override(&txn, election, task_type, kind, chosen.as_ref().map(|t| t.id)).await?;
            format!(" for {}", row.title)
        }
        None => {
            write_slot(&txn, election, kind, chosen.as_ref().map(|t| t.id)).await?;
            String::new()
        }
    };
    let used = chosen.map_or_else(|| "standardskabelonen".to_owned(), |t| format!("»{}«", t.title));
    let text = format!("{}: {}{target} bruger {used}", election_row.title, kind.label());
    catalogue::audit(&txn, actor, AuditAction::Update, "election_message_templates", election, text).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(())
}

/// The template to use: the task type's override, else the election's slot,
/// else the default template of the kind.
pub async fn resolve(
    db: &impl ConnectionTrait,
    election: Option<Uuid>,
    task_type: Option<Uuid>,
    kind: MessageKind,
) -> Result<message_templates::Model> {
    let chosen = match election {
        Some(election) => chosen_template(db, election, task_type, kind).await?,
        None => None,
    };
    let found = match chosen {
        Some(id) => get(db, id).await?,
        None => None,
    };
    match found {
        Some(template) => Ok(template),
        None => get(db, crate::migration::default_template_id(kind)).await?.ok_or(Error::not_found(WHAT)),
    }
}

async fn chosen_template(
    db: &impl ConnectionTrait,
    election: Uuid,
    task_type: Option<Uuid>,
    kind: MessageKind,
) -> Result<Option<Uuid>> {
    if let Some(task_type) = task_type {
        let row = overrides::Entity::find_by_id((election, task_type, kind.as_str().to_owned()))
            .one(db)
            .await
            .map_err(Error::db("reading a template override"))?;
        if let Some(row) = row {
            return Ok(Some(row.template_id));
        }
    }
    let row = slots::Entity::find_by_id((election, kind.as_str().to_owned()))
        .one(db)
        .await
        .map_err(Error::db("reading a template slot"))?;
    Ok(row.map(|row| row.template_id))
}

async fn template_of_kind(db: &impl ConnectionTrait, id: Uuid, kind: MessageKind) -> Result<message_templates::Model> {
    let template = get(db, id).await?.ok_or(Error::not_found(WHAT))?;
    if template.kind != kind.as_str() {
        return Err(Error::conflict("template", format!("Skabelonen er ikke af typen »{}«", kind.label())));
    }
    Ok(template)
}

async fn write_slot(
    db: &impl ConnectionTrait,
    election: Uuid,
    kind: MessageKind,
    template: Option<Uuid>,
) -> Result<()> {
    slots::Entity::delete_by_id((election, kind.as_str().to_owned()))
        .exec(db)
        .await
        .map_err(Error::db("emptying a template slot"))?;
    if let Some(template_id) = template {
        let row = slots::ActiveModel {
            election_id: Set(election),
            kind: Set(kind.as_str().to_owned()),
            template_id: Set(template_id),
        };
        row.insert(db).await.map_err(Error::db("filling a template slot"))?;
    }
    Ok(())
}

async fn write_override(
    db: &impl ConnectionTrait,
    election: Uuid,
    task_type: Uuid,
    kind: MessageKind,
    template: Option<Uuid>,
) -> Result<()> {
    overrides::Entity::delete_by_id((election, task_type, kind.as_str().to_owned()))
        .exec(db)
        .await
        .map_err(Error::db("removing a template override"))?;
    if let Some(template_id) = template {
        let row = overrides::ActiveModel {
            election_id: Set(election),
            task_type_id: Set(task_type),
            kind: Set(kind.as_str().to_owned()),
            template_id: Set(template_id),
        };
        row.insert(db).await.map_err(Error::db("writing a template override"))?;
    }
    Ok(())
}

/// Refuses empty texts and unknown placeholders, naming the field and the
/// position so the form can show it next to the text.
fn check(input: &TemplateInput) -> Result<()> {
    let fields = [
        ("subject", "Emnet", &input.subject),
        ("body", "Teksten", &input.body),
        ("sms_text", "SMS-teksten", &input.sms_text),
    ];
    for (field, what, text) in fields {
        if text.trim().is_empty() {
            return Err(Error::conflict(field, format!("{what} skal udfyldes")));
        }
        Template::parse(text).map_err(|error| Error::conflict(field, error.to_string()))?;
    }
    Ok(())
}

async fn in_use(db: &impl ConnectionTrait, id: Uuid) -> Result<bool> {
    let slot = slots::Entity::find()
        .filter(slots::Column::TemplateId.eq(id))
        .one(db)
        .await
        .map_err(Error::db("checking template use"))?;
    let over = overrides::Entity::find()
        .filter(overrides::Column::TemplateId.eq(id))
        .one(db)
        .await
        .map_err(Error::db("checking template use"))?;
    Ok(slot.is_some() || over.is_some())
}

async fn ensure_unique(db: &impl ConnectionTrait, except: Option<Uuid>, title: &Name) -> Result<()> {
    let existing = catalogue::choices::<message_templates::Entity>(
        db,
        message_templates::Column::Id,
        message_templates::Column::Title,
    )
    .await?;
    NAMES.ensure_free(&existing, except, title, "en skabelon med titlen")
}

fn fill(row: &mut message_templates::ActiveModel, input: &TemplateInput) {
    row.kind = Set(input.kind.as_str().to_owned());
    row.title = Set(input.title.as_str().to_owned());
    row.title_key = Set(input.title.key());
    row.subject = Set(input.subject.clone());
    row.body = Set(input.body.clone());
    row.sms_text = Set(input.sms_text.clone());
    row.updated_at = Set(Utc::now());
}
