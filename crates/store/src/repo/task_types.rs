//! Task types (tilforordnet, valgstyrer …) with their times, payment, flags
//! and PDF attachments. Every change writes its audit row in the same
//! transaction.

use chrono::Utc;
use domain::master::{Name, danish_order, matches_search};
use domain::{PdfUpload, TaskTimes};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionSession,
};
use uuid::Uuid;

use super::catalogue::{self, Names};
use super::files::{self, FileInfo};
use super::{Conn, begin_write};
use crate::entity::{seats, task_types};
use crate::error::{Error, Result, Unique};
use crate::repo::audit::{Actor, AuditAction};

const TABLE: &str = "task_types";
const WHAT: &str = "Opgavetypen";

const NAMES: Names = Names {
    table: TABLE,
    key_column: "title_key",
    field: "title",
    taken: "Der findes allerede en opgavetype med den titel",
};

const UNIQUE: &[Unique] = &[NAMES.unique()];

/// Longest short name, in characters.
pub const MAX_SHORT_NAME: usize = 50;

/// What staff enter for a task type. Payment is whole kroner, 0 or more;
/// `None` means no payment is stated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTypeInput {
    pub title: Name,
    /// At most [`MAX_SHORT_NAME`] characters.
    pub short_name: Name,
    /// Required; shown to participants.
    pub description: String,
    pub times: TaskTimes,
    pub payment_kr: Option<u32>,
    pub trusted: bool,
    pub validation_off: bool,
    pub send_reminder: bool,
}

/// One row of the task-type list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTypeSummary {
    pub task_type: task_types::Model,
    pub times: Option<TaskTimes>,
    pub files: Vec<FileInfo>,
}

/// A task type with its attachments, for the edit form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskType {
    pub task_type: task_types::Model,
    pub files: Vec<FileInfo>,
}

/// How many seats a task type has, and how many of them are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatCounts {
    pub seats: u64,
    pub occupied: u64,
}

/// Task types whose title, short name or description matches `search`, in
/// Danish order.
pub async fn list(conn: &impl ConnectionTrait, search: &str) -> Result<Vec<TaskTypeSummary>> {
    let mut files = files::by_task_type(conn).await?;
    let mut rows: Vec<TaskTypeSummary> = task_types::Entity::find()
        .all(conn)
        .await
        .map_err(Error::db("listing task types"))?
        .into_iter()
        .filter(|t| matches_search(&format!("{} {} {}", t.title, t.short_name, t.description), search))
        .map(|task_type| TaskTypeSummary {
            times: TaskTimes::new(task_type.start_time, task_type.end_time).ok(),
            files: files.remove(&task_type.id).unwrap_or_default(),
            task_type,
        })
        .collect();
    rows.sort_by(|a, b| danish_order(&a.task_type.title, &b.task_type.title));
    Ok(rows)
}

/// Every task type as (id, title), in Danish order: the choices of a
/// checkbox list.
pub async fn choices(conn: &impl ConnectionTrait) -> Result<Vec<(Uuid, String)>> {
    catalogue::choices::<task_types::Entity>(conn, task_types::Column::Id, task_types::Column::Title).await
}

pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<TaskType>> {
    let found = task_types::Entity::find_by_id(id).one(conn).await.map_err(Error::db("reading a task type"))?;
    let Some(task_type) = found else { return Ok(None) };
    let files = files::of_task_type(conn, id).await?;
    Ok(Some(TaskType { task_type, files }))
}

/// Creates the task type with the attachment, if any, in one transaction.
pub async fn create<C: Conn>(
    db: &C,
    actor: &Actor,
    input: &TaskTypeInput,
    attachment: Option<&PdfUpload>,
) -> Result<Uuid> {
    let txn = begin_write(db).await?;
    ensure_unique(&txn, None, &input.title).await?;
    let now = Utc::now();
    let id = Uuid::new_v4();
    let mut row = task_types::ActiveModel { id: Set(id), created_at: Set(now), ..Default::default() };
    fill(&mut row, input);
    row.insert(&txn).await.map_err(Error::db_unique("creating a task type", UNIQUE))?;
    let text = format!("Opgavetype oprettet: {} ({})", input.title, input.times);
    catalogue::audit(&txn, actor, AuditAction::Create, TABLE, id, text).await?;
    attach(&txn, actor, id, &input.title, attachment).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(id)
}

/// Saves the fields and adds the attachment, if any, in one transaction.
pub async fn update<C: Conn>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    input: &TaskTypeInput,
    attachment: Option<&PdfUpload>,
) -> Result<()> {
    let txn = begin_write(db).await?;
    let old = find(&txn, id).await?;
    ensure_unique(&txn, Some(id), &input.title).await?;
    let changes = describe_changes(&old, input);
    let times_changed = (old.start_time, old.end_time) != (input.times.start(), input.times.end());
    let mut row: task_types::ActiveModel = old.into();
    fill(&mut row, input);
    row.update(&txn).await.map_err(Error::db_unique("updating a task type", UNIQUE))?;
    if times_changed {
        super::seats::changed::notify(&txn, super::seats::changed::Changed::TaskType(id), Utc::now()).await?;
    }
    if !changes.is_empty() {
        let text = format!("Opgavetype ændret: {} ({})", input.title, changes.join("; "));
        catalogue::audit(&txn, actor, AuditAction::Update, TABLE, id, text).await?;
    }
    attach(&txn, actor, id, &input.title, attachment).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(())
}

/// The seats that would go with the task type.
pub async fn seat_counts(conn: &impl ConnectionTrait, id: Uuid) -> Result<SeatCounts> {
    let of_type = || seats::Entity::find().filter(seats::Column::TaskTypeId.eq(id));
    let seats = of_type().count(conn).await.map_err(Error::db("counting seats of a task type"))?;
    let occupied = of_type()
        .filter(seats::Column::ParticipantId.is_not_null())
        .count(conn)
        .await
        .map_err(Error::db("counting taken seats of a task type"))?;
    Ok(SeatCounts { seats, occupied })
}

/// Deletes the task type with its seats and attachments; returns what went.
pub async fn delete<C: Conn>(db: &C, actor: &Actor, id: Uuid) -> Result<SeatCounts> {
    let txn = begin_write(db).await?;
    let old = find(&txn, id).await?;
    let counts = seat_counts(&txn, id).await?;
    files::delete_task_type_files(&txn, id).await?;
    // Seats and links to work locations go by cascade.
    task_types::Entity::delete_by_id(id).exec(&txn).await.map_err(Error::db("deleting a task type"))?;
    let text = format!(
        "Opgavetype slettet: {} ({} opgaver slettet med, heraf {} besat)",
        old.title, counts.seats, counts.occupied
    );
    catalogue::audit(&txn, actor, AuditAction::Delete, TABLE, id, text).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(counts)
}

async fn find(conn: &impl ConnectionTrait, id: Uuid) -> Result<task_types::Model> {
    task_types::Entity::find_by_id(id)
        .one(conn)
        .await
        .map_err(Error::db("reading a task type"))?
        .ok_or(Error::not_found(WHAT))
}

async fn ensure_unique(conn: &impl ConnectionTrait, except: Option<Uuid>, title: &Name) -> Result<()> {
    let existing = choices(conn).await?;
    NAMES.ensure_free(&existing, except, title, "en opgavetype med titlen")
}

fn payment(input: &TaskTypeInput) -> Option<i32> {
    input.payment_kr.map(|kr| i32::try_from(kr).unwrap_or(i32::MAX))
}

fn fill(row: &mut task_types::ActiveModel, input: &TaskTypeInput) {
    row.title = Set(input.title.as_str().to_owned());
    row.title_key = Set(input.title.key());
    row.short_name = Set(input.short_name.as_str().to_owned());
    row.description = Set(input.description.trim().to_owned());
    row.start_time = Set(input.times.start());
    row.end_time = Set(input.times.end());
    row.payment_kr = Set(payment(input));
    row.trusted = Set(input.trusted);
    row.validation_off = Set(input.validation_off);
    row.send_reminder = Set(input.send_reminder);
    row.updated_at = Set(Utc::now());
}

fn describe_changes(old: &task_types::Model, new: &TaskTypeInput) -> Vec<String> {
    let mut changes = Vec::new();
    if old.title != new.title.as_str() {
        changes.push(format!("titel var »{}«", old.title));
    }
    if old.short_name != new.short_name.as_str() {
        changes.push(format!("kort navn var »{}«", old.short_name));
    }
    if old.description != new.description.trim() {
        changes.push("beskrivelse ændret".to_owned());
    }
    if old.start_time != new.times.start() || old.end_time != new.times.end() {
        changes.push(format!("tidspunkt nu {}", new.times));
    }
    if old.payment_kr != payment(new) {
        changes.push("betaling ændret".to_owned());
    }
    let flags = [
        (old.trusted, new.trusted, "betroet opgave"),
        (old.validation_off, new.validation_off, "deaktiver validering"),
        (old.send_reminder, new.send_reminder, "send påmindelse"),
    ];
    for (was, is, what) in flags {
        if was != is {
            changes.push(format!("{what} {}", if is { "til" } else { "fra" }));
        }
    }
    changes
}

async fn attach(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    title: &Name,
    attachment: Option<&PdfUpload>,
) -> Result<()> {
    let Some(upload) = attachment else { return Ok(()) };
    files::attach_to_task_type(conn, id, upload).await?;
    let text = format!("Bilag tilføjet til opgavetypen {title}: {}", upload.file_name);
    catalogue::audit(conn, actor, AuditAction::Update, TABLE, id, text).await
}
