//! The create and edit form of a task type. It is a multipart form so that a
//! PDF can be attached while saving; a bad file is reported next to the file
//! field with everything else the user typed kept, and nothing is saved.

use askama::Template;
use axum::extract::multipart::Field;
use axum::extract::{Multipart, Path};
use axum::response::Response;
use domain::master::Name;
use domain::{MAX_PDF_BYTES, PdfError, PdfUpload, TaskTimes};
use store::repo::files::FileInfo;
use store::repo::task_types::{self as repo, MAX_SHORT_NAME, TaskTypeInput};
use uuid::Uuid;

use super::LIST;
use crate::admin::catalogue::{into_field_error, render_form};
use crate::admin::flash::redirect_with_flash;
use crate::admin::staffing::file_size;
use crate::admin::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};
use crate::forms::{FieldErrors, optional_whole_number, required, required_max, time};

/// The file input's name; the form puts it last so that the text fields
/// arrive first even when the upload is cut off for being too large.
const FILE_FIELD: &str = "attachment";
const MAX_DESCRIPTION: usize = 5000;
/// Far above any real fee, well within the column.
const MAX_PAYMENT: i64 = 1_000_000;

/// The text fields as posted (or as loaded for editing).
#[derive(Debug)]
pub struct TaskTypeForm {
    title: String,
    short_name: String,
    description: String,
    start_time: String,
    end_time: String,
    payment: String,
    trusted: bool,
    validation_off: bool,
    send_reminder: bool,
}

impl Default for TaskTypeForm {
    fn default() -> Self {
        TaskTypeForm {
            title: String::new(),
            short_name: String::new(),
            description: String::new(),
            start_time: String::new(),
            end_time: String::new(),
            payment: String::new(),
            trusted: false,
            validation_off: false,
            // Most tasks want the reminder; the database default agrees.
            send_reminder: true,
        }
    }
}

impl TaskTypeForm {
    fn from_row(row: store::entity::task_types::Model) -> TaskTypeForm {
        TaskTypeForm {
            title: row.title,
            short_name: row.short_name,
            description: row.description,
            start_time: row.start_time.format("%H:%M").to_string(),
            end_time: row.end_time.format("%H:%M").to_string(),
            payment: row.payment_kr.map(|kr| kr.to_string()).unwrap_or_default(),
            trusted: row.trusted,
            validation_off: row.validation_off,
            send_reminder: row.send_reminder,
        }
    }

    fn parse(&self) -> Result<TaskTypeInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = e.check("title", Name::parse(&self.title).map_err(|err| err.message("titel")));
        let short_name = e.check(
            "short_name",
            required_max(&self.short_name, "kort navn", MAX_SHORT_NAME)
                .and_then(|s| Name::parse(&s).map_err(|err| err.message("kort navn"))),
        );
        let description = e.check(
            "description",
            required(&self.description, "beskrivelse").and_then(|d| {
                if d.chars().count() > MAX_DESCRIPTION {
                    Err(format!("Beskrivelsen må højst være {MAX_DESCRIPTION} tegn"))
                } else {
                    Ok(d)
                }
            }),
        );
        let start = e.check("start_time", time(&self.start_time, "starttidspunkt"));
        let end = e.check("end_time", time(&self.end_time, "sluttidspunkt"));
        let times = match (start, end) {
            (Some(start), Some(end)) => e.check("end_time", TaskTimes::new(start, end)),
            _ => None,
        };
        let payment = e.check("payment", optional_whole_number(&self.payment, "betalingen", 0, MAX_PAYMENT));
        match (title, short_name, description, times, payment) {
            (Some(title), Some(short_name), Some(description), Some(times), Some(payment)) => Ok(TaskTypeInput {
                title,
                short_name,
                description,
                times,
                payment_kr: payment.map(|kr| u32::try_from(kr).unwrap_or(u32::MAX)),
                trusted: self.trusted,
                validation_off: self.validation_off,
                send_reminder: self.send_reminder,
            }),
            _ => Err(e),
        }
    }
}

/// What a multipart post carried: the fields, and the attachment if one was
/// chosen (or why it cannot be used).
struct Posted {
    form: TaskTypeForm,
    attachment: Result<Option<PdfUpload>, PdfError>,
}

impl Posted {
    async fn read(mut multipart: Multipart) -> Result<Posted> {
        let mut form = TaskTypeForm { send_reminder: false, ..TaskTypeForm::default() };
        let mut attachment = Ok(None);
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                // The body limit cuts the stream inside the file, which comes
                // last; anything else is a malformed post.
                Err(_) if attachment.is_err() => break,
                Err(err) => return Err(Error::BadRequest(format!("Formularen kunne ikke læses: {}", err.body_text()))),
            };
            let name = field.name().unwrap_or_default().to_owned();
            if name == FILE_FIELD {
                attachment = read_attachment(field).await;
                continue;
            }
            let value = field.text().await.map_err(|err| Error::BadRequest(err.body_text()))?;
            form.set(&name, value);
        }
        Ok(Posted { form, attachment })
    }
}

impl TaskTypeForm {
    fn set(&mut self, name: &str, value: String) {
        match name {
            "title" => self.title = value,
            "short_name" => self.short_name = value,
            "description" => self.description = value,
            "start_time" => self.start_time = value,
            "end_time" => self.end_time = value,
            "payment" => self.payment = value,
            "trusted" => self.trusted = true,
            "validation_off" => self.validation_off = true,
            "send_reminder" => self.send_reminder = true,
            _ => {}
        }
    }
}

/// Reads the file part without holding more than the limit in memory. An
/// empty part is a file input left empty.
async fn read_attachment(mut field: Field<'_>) -> Result<Option<PdfUpload>, PdfError> {
    let file_name = field.file_name().unwrap_or_default().to_owned();
    let content_type = field.content_type().map(str::to_owned);
    let mut content = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) if content.len() + chunk.len() > MAX_PDF_BYTES => return Err(PdfError::TooLarge),
            Ok(Some(chunk)) => content.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(_) => return Err(PdfError::TooLarge),
        }
    }
    if file_name.is_empty() && content.is_empty() {
        return Ok(None);
    }
    PdfUpload::parse(&file_name, content_type.as_deref(), content).map(Some)
}

#[derive(Template)]
#[template(path = "admin/task_types/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    submit: &'static str,
    id: Option<Uuid>,
    form: TaskTypeForm,
    files: Vec<FileInfo>,
    max_short_name: usize,
    errors: FieldErrors,
}

impl FormPage {
    fn size(&self, bytes: &i64) -> String {
        file_size(*bytes)
    }
}

fn form_page(
    admin: &AdminUser,
    id: Option<Uuid>,
    form: TaskTypeForm,
    files: Vec<FileInfo>,
    errors: FieldErrors,
) -> FormPage {
    let (heading, action, submit) = match id {
        None => ("Opret opgavetype".to_owned(), format!("{LIST}/new"), "Opret opgavetype"),
        Some(id) => (format!("Redigér opgavetypen »{}«", form.title), format!("{LIST}/{id}/edit"), "Gem ændringer"),
    };
    let chrome = admin.chrome(Section::TaskTypes);
    FormPage { chrome, heading, action, submit, id, form, files, max_short_name: MAX_SHORT_NAME, errors }
}

pub async fn new_form(admin: AdminUser) -> Result<Response> {
    admin.require_edit()?;
    let page = form_page(&admin, None, TaskTypeForm::default(), Vec::new(), FieldErrors::new());
    render_form(&page, &page.errors)
}

pub async fn create(admin: AdminUser, multipart: Multipart) -> Result<Response> {
    admin.require_edit()?;
    let Posted { form, attachment } = Posted::read(multipart).await?;
    let errors = match (form.parse(), attachment) {
        (Ok(input), Ok(upload)) => match repo::create(admin.db(), &admin.actor(), &input, upload.as_ref()).await {
            Ok(_) => return Ok(redirect_with_flash(LIST, &format!("Opgavetypen »{}« er oprettet.", input.title))),
            Err(e) => conflict(e)?,
        },
        (parsed, attachment) => collect(parsed, attachment),
    };
    let page = form_page(&admin, None, form, Vec::new(), errors);
    render_form(&page, &page.errors)
}

pub async fn edit_form(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let found = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let page = form_page(&admin, Some(id), TaskTypeForm::from_row(found.task_type), found.files, FieldErrors::new());
    render_form(&page, &page.errors)
}

pub async fn update(admin: AdminUser, Path(id): Path<Uuid>, multipart: Multipart) -> Result<Response> {
    admin.require_edit()?;
    let found = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let Posted { form, attachment } = Posted::read(multipart).await?;
    let errors = match (form.parse(), attachment) {
        (Ok(input), Ok(upload)) => match repo::update(admin.db(), &admin.actor(), id, &input, upload.as_ref()).await {
            Ok(()) => return Ok(redirect_with_flash(LIST, &saved(&input.title, upload.as_ref()))),
            Err(e) => conflict(e)?,
        },
        (parsed, attachment) => collect(parsed, attachment),
    };
    let page = form_page(&admin, Some(id), form, found.files, errors);
    render_form(&page, &page.errors)
}

fn saved(title: &Name, upload: Option<&PdfUpload>) -> String {
    match upload {
        Some(file) => format!("Opgavetypen »{title}« er gemt, og bilaget »{}« er tilføjet.", file.file_name),
        None => format!("Opgavetypen »{title}« er gemt."),
    }
}

/// Every message of the fields and the file together.
fn collect(parsed: Result<TaskTypeInput, FieldErrors>, attachment: Result<Option<PdfUpload>, PdfError>) -> FieldErrors {
    let mut errors = parsed.err().unwrap_or_default();
    if let Err(problem) = attachment {
        errors.add(FILE_FIELD, problem.to_string());
    }
    errors
}

fn conflict(error: store::Error) -> Result<FieldErrors> {
    let mut errors = FieldErrors::new();
    into_field_error(error, &mut errors)?;
    Ok(errors)
}
