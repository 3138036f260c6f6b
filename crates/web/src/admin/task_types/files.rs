//! Downloading and removing a task type's PDF attachments.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use store::repo::files as repo;
use uuid::Uuid;

use super::LIST;
use crate::admin::AdminUser;
use crate::admin::flash::redirect_with_flash;
use crate::error::{Error, Result};

/// Sends the file as a download; every admin, readers too, may fetch it.
pub async fn download(admin: AdminUser, Path((id, file_id)): Path<(Uuid, Uuid)>) -> Result<Response> {
    let file = repo::task_type_attachment(admin.db(), id, file_id).await?.ok_or(Error::NotFound)?;
    let disposition = HeaderValue::from_str(&content_disposition(&file.file_name))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let content_type =
        HeaderValue::from_str(&file.mime_type).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_DISPOSITION, disposition),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
    ];
    Ok((headers, file.content).into_response())
}

pub async fn remove(admin: AdminUser, Path((id, file_id)): Path<(Uuid, Uuid)>) -> Result<Response> {
    admin.require_edit()?;
    let name = repo::remove_from_task_type(admin.db(), &admin.actor(), id, file_id).await?;
    Ok(redirect_with_flash(&format!("{LIST}/{id}/edit"), &format!("Bilaget »{name}« er fjernet.")))
}

/// `attachment` with an ASCII fallback name and the exact UTF-8 name
/// (RFC 6266), so "Vejledning – fintælling.pdf" arrives intact.
fn content_disposition(file_name: &str) -> String {
    let plain = |c: char| c == ' ' || (c.is_ascii_graphic() && c != '"' && c != '\\');
    let fallback: String = file_name.chars().map(|c| if plain(c) { c } else { '_' }).collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn danish_names_survive_with_an_ascii_fallback() {
        assert_eq!(
            content_disposition("Fintælling.pdf"),
            "attachment; filename=\"Fint_lling.pdf\"; filename*=UTF-8''Fint%C3%A6lling.pdf"
        );
        assert!(content_disposition("a b.pdf").starts_with("attachment; filename=\"a b.pdf\""));
    }
}
