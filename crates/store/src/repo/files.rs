//! Binary files kept in the tenant database, and the PDF attachments of task
//! types. Lists never load the content; only a download does.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::PdfUpload;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Conn, begin_write, catalogue};
use crate::entity::{contact_information, files, message_template_files, task_type_files, task_types};
use crate::error::{Error, Result};
use crate::repo::audit::{Actor, AuditAction};

/// A stored file without its content.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct FileInfo {
    pub id: Uuid,
    pub file_name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub created_at: DateTime<Utc>,
}

/// Stores `content` and returns the new file's id.
pub async fn insert(conn: &impl ConnectionTrait, file_name: &str, mime_type: &str, content: &[u8]) -> Result<Uuid> {
    let now = Utc::now();
    let id = Uuid::new_v4();
    files::ActiveModel {
        id: Set(id),
        file_name: Set(file_name.to_owned()),
        mime_type: Set(mime_type.to_owned()),
        size_bytes: Set(content.len() as i64),
        sha256: Set(hex::encode(Sha256::digest(content))),
        content: Set(content.to_vec()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(Error::db("storing a file"))?;
    Ok(id)
}

/// A file with its content.
pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<files::Model>> {
    files::Entity::find_by_id(id).one(conn).await.map_err(Error::db("reading a file"))
}

/// The attachments of a task type, oldest first.
pub async fn of_task_type(conn: &impl ConnectionTrait, task_type_id: Uuid) -> Result<Vec<FileInfo>> {
    let ids = attachment_ids(conn, task_type_id).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    infos()
        .filter(files::Column::Id.is_in(ids))
        .order_by_asc(files::Column::CreatedAt)
        .order_by_asc(files::Column::FileName)
        .into_model::<FileInfo>()
        .all(conn)
        .await
        .map_err(Error::db("listing the attachments of a task type"))
}

/// The attachments of every task type that has any, oldest first.
pub async fn by_task_type(conn: &impl ConnectionTrait) -> Result<HashMap<Uuid, Vec<FileInfo>>> {
    let links: Vec<(Uuid, Uuid)> = task_type_files::Entity::find()
        .select_only()
        .column(task_type_files::Column::TaskTypeId)
        .column(task_type_files::Column::FileId)
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("listing attachment links"))?;
    let infos: HashMap<Uuid, FileInfo> = infos()
        .filter(files::Column::Id.is_in(links.iter().map(|(_, file)| *file)))
        .into_model::<FileInfo>()
        .all(conn)
        .await
        .map_err(Error::db("listing attachments"))?
        .into_iter()
        .map(|info| (info.id, info))
        .collect();
    let mut grouped: HashMap<Uuid, Vec<FileInfo>> = HashMap::new();
    for (task_type, file) in links {
        if let Some(info) = infos.get(&file) {
            grouped.entry(task_type).or_default().push(info.clone());
        }
    }
    for list in grouped.values_mut() {
        list.sort_by(|a, b| (a.created_at, &a.file_name).cmp(&(b.created_at, &b.file_name)));
    }
    Ok(grouped)
}

/// Every column but the content.
fn infos() -> sea_orm::Select<files::Entity> {
    files::Entity::find().select_only().columns([
        files::Column::Id,
        files::Column::FileName,
        files::Column::MimeType,
        files::Column::SizeBytes,
        files::Column::CreatedAt,
    ])
}

/// An attachment with its content, only if it belongs to that task type (so
/// a URL cannot reach another file by swapping the id).
pub async fn task_type_attachment(
    conn: &impl ConnectionTrait,
    task_type_id: Uuid,
    file_id: Uuid,
) -> Result<Option<files::Model>> {
    let linked = task_type_files::Entity::find_by_id((task_type_id, file_id))
        .one(conn)
        .await
        .map_err(Error::db("reading an attachment link"))?
        .is_some();
    if !linked {
        return Ok(None);
    }
    get(conn, file_id).await
}

/// Stores a checked PDF and attaches it to the task type, inside the caller's
/// transaction. The caller writes the audit row.
pub async fn attach_to_task_type(conn: &impl ConnectionTrait, task_type_id: Uuid, upload: &PdfUpload) -> Result<Uuid> {
    let file_id = insert(conn, &upload.file_name, PdfUpload::MIME_TYPE, &upload.content).await?;
    task_type_files::ActiveModel { task_type_id: Set(task_type_id), file_id: Set(file_id) }
        .insert(conn)
        .await
        .map_err(Error::db("attaching a file to a task type"))?;
    Ok(file_id)
}

/// Removes one attachment from a task type (and the file, once nothing else
/// uses it), with its audit row.
/// Returns the removed file's name.
pub async fn remove_from_task_type<C: Conn>(
    db: &C,
    actor: &Actor,
    task_type_id: Uuid,
    file_id: Uuid,
) -> Result<String> {
    let txn = begin_write(db).await?;
    let task_type = task_types::Entity::find_by_id(task_type_id)
        .one(&txn)
        .await
        .map_err(Error::db("reading a task type"))?
        .ok_or(Error::not_found("Opgavetypen"))?;
    let name = task_type_attachment_name(&txn, task_type_id, file_id).await?.ok_or(Error::not_found("Bilaget"))?;
    task_type_files::Entity::delete_by_id((task_type_id, file_id))
        .exec(&txn)
        .await
        .map_err(Error::db("detaching a file"))?;
    delete_if_unused(&txn, file_id).await?;
    let text = format!("Bilag fjernet fra opgavetypen {}: {name}", task_type.title);
    catalogue::audit(&txn, actor, AuditAction::Update, "task_types", task_type_id, text).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(name)
}

/// Deletes the files only `task_type_id` used; call before deleting the type
/// itself (its links then go by cascade).
pub async fn delete_task_type_files(conn: &impl ConnectionTrait, task_type_id: Uuid) -> Result<()> {
    for file_id in attachment_ids(conn, task_type_id).await? {
        task_type_files::Entity::delete_by_id((task_type_id, file_id))
            .exec(conn)
            .await
            .map_err(Error::db("detaching a file"))?;
        delete_if_unused(conn, file_id).await?;
    }
    Ok(())
}

async fn attachment_ids(conn: &impl ConnectionTrait, task_type_id: Uuid) -> Result<Vec<Uuid>> {
    task_type_files::Entity::find()
        .select_only()
        .column(task_type_files::Column::FileId)
        .filter(task_type_files::Column::TaskTypeId.eq(task_type_id))
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("listing attachment ids"))
}

/// The file name of an attachment, only if it belongs to that task type.
async fn task_type_attachment_name(
    conn: &impl ConnectionTrait,
    task_type_id: Uuid,
    file_id: Uuid,
) -> Result<Option<String>> {
    if !attachment_ids(conn, task_type_id).await?.contains(&file_id) {
        return Ok(None);
    }
    files::Entity::find_by_id(file_id)
        .select_only()
        .column(files::Column::FileName)
        .into_tuple()
        .one(conn)
        .await
        .map_err(Error::db("reading a file name"))
}

pub(crate) async fn delete_if_unused(conn: &impl ConnectionTrait, file_id: Uuid) -> Result<()> {
    let by_task_types = task_type_files::Entity::find()
        .filter(task_type_files::Column::FileId.eq(file_id))
        .count(conn)
        .await
        .map_err(Error::db("counting uses of a file"))?;
    let by_templates = message_template_files::Entity::find()
        .filter(message_template_files::Column::FileId.eq(file_id))
        .count(conn)
        .await
        .map_err(Error::db("counting uses of a file"))?;
    let as_logo = contact_information::Entity::find()
        .filter(contact_information::Column::LogoFileId.eq(file_id))
        .count(conn)
        .await
        .map_err(Error::db("counting uses of a file"))?;
    if by_task_types + by_templates + as_logo == 0 {
        files::Entity::delete_by_id(file_id).exec(conn).await.map_err(Error::db("deleting a file"))?;
    }
    Ok(())
}
