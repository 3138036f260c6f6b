//! PDF attachments of a template, uploaded and removed on its edit page.
//! Every message composed from the template carries them.

use axum::extract::multipart::Field;
use axum::extract::{Multipart, Path};
use axum::response::Response;
use domain::{MAX_PDF_BYTES, PdfError, PdfUpload};
use store::repo::templates as repo;
use uuid::Uuid;

use super::{LIST, TemplateForm, form_page};
use crate::admin::AdminUser;
use crate::admin::catalogue::render_form;
use crate::admin::flash::redirect_with_flash;
use crate::error::{Error, Result};
use crate::forms::FieldErrors;

/// Room for one PDF of the largest allowed size and the form around it.
pub const UPLOAD_LIMIT: usize = MAX_PDF_BYTES + 1024 * 1024;

pub async fn upload(admin: AdminUser, Path(id): Path<Uuid>, multipart: Multipart) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    match read_file(multipart).await {
        Ok(upload) => {
            repo::attach(admin.db(), &admin.actor(), id, &upload).await?;
            let back = format!("{LIST}/{id}/edit");
            Ok(redirect_with_flash(&back, &format!("Bilaget »{}« er tilføjet.", upload.file_name)))
        }
        Err(error) => {
            let mut errors = FieldErrors::new();
            errors.add("file", error.to_string());
            let files = repo::attachments(admin.db(), id).await?;
            let page = form_page(&admin, Some(id), TemplateForm::from(row), files, errors);
            render_form(&page, &page.errors)
        }
    }
}

pub async fn remove(admin: AdminUser, Path((id, file)): Path<(Uuid, Uuid)>) -> Result<Response> {
    admin.require_edit()?;
    let name = repo::detach(admin.db(), &admin.actor(), id, file).await?;
    Ok(redirect_with_flash(&format!("{LIST}/{id}/edit"), &format!("Bilaget »{name}« er fjernet.")))
}

/// The `file` part; a post without one is "Vælg en fil".
async fn read_file(mut multipart: Multipart) -> Result<PdfUpload, PdfError> {
    // A broken stream is most often the body limit cutting a too large file.
    while let Some(field) = multipart.next_field().await.map_err(|_| PdfError::TooLarge)? {
        if field.name() == Some("file") {
            return read_part(field).await;
        }
    }
    Err(PdfError::Missing)
}

/// Reads the part without holding more than the limit in memory.
async fn read_part(mut field: Field<'_>) -> Result<PdfUpload, PdfError> {
    let file_name = field.file_name().unwrap_or_default().to_owned();
    let content_type = field.content_type().map(str::to_owned);
    let mut content = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| PdfError::TooLarge)? {
        if content.len() + chunk.len() > MAX_PDF_BYTES {
            return Err(PdfError::TooLarge);
        }
        content.extend_from_slice(&chunk);
    }
    PdfUpload::parse(&file_name, content_type.as_deref(), content)
}
