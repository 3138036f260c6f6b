//! Message templates (`/admin/templates`): list, create, edit, delete and a
//! preview with example values; the election's choice of template per kind
//! is in [`slots`]. A text with an unknown placeholder is refused with the
//! line and column next to the field it is in.

mod files;
mod slots;

use askama::Template as Page;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::master::Name;
use domain::{MessageKind, Placeholder, Template};
use serde::Deserialize;
use store::repo::files::FileInfo;
use store::repo::templates::{self as repo, TemplateInput, TemplateSummary};
use uuid::Uuid;

use super::catalogue::{into_field_error, refusal, render, render_form};
use super::flash::redirect_with_flash;
use super::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};
use crate::forms::FieldErrors;
use crate::state::AppState;

const LIST: &str = "/admin/templates";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/templates", get(list))
        .route("/templates/new", get(new_form).post(create))
        .route("/templates/{id}/edit", get(edit_form).post(update))
        .route("/templates/{id}/preview", get(preview))
        .route("/templates/{id}/delete", get(confirm_delete).post(delete))
        .route("/templates/{id}/files", post(files::upload).layer(DefaultBodyLimit::max(files::UPLOAD_LIMIT)))
        .route("/templates/{id}/files/{file}/delete", post(files::remove))
        .route("/templates/elections/{id}", get(slots::show).post(slots::save))
}

/// The portal's base URL, where the links in messages point.
fn portal_url(admin: &AdminUser) -> String {
    format!("https://{}", admin.tenant.portal_host)
}

#[derive(Page)]
#[template(path = "admin/templates/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<TemplateSummary>,
}

async fn list(admin: AdminUser) -> Result<Response> {
    let rows = repo::list(admin.db()).await?;
    render(&ListPage { chrome: admin.chrome(Section::Templates), rows }, StatusCode::OK)
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    sms_text: String,
}

impl TemplateForm {
    /// Checks every field at once, so all unknown placeholders show together.
    fn parse(&self) -> Result<TemplateInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = errors.check("kind", MessageKind::parse(&self.kind).map_err(|_| "Vælg en beskedtype"));
        let title = errors.check("title", Name::parse(&self.title).map_err(|e| e.message("titel")));
        let texts = [
            ("subject", "Emnet", &self.subject),
            ("body", "Teksten", &self.body),
            ("sms_text", "SMS-teksten", &self.sms_text),
        ];
        for (field, what, text) in texts {
            if text.trim().is_empty() {
                errors.add(field, format!("{what} skal udfyldes"));
            } else if let Err(error) = Template::parse(text) {
                errors.add(field, error.to_string());
            }
        }
        match (kind, title) {
            (Some(kind), Some(title)) if errors.is_empty() => Ok(TemplateInput {
                kind,
                title,
                subject: self.subject.clone(),
                body: self.body.clone(),
                sms_text: self.sms_text.clone(),
            }),
            _ => Err(errors),
        }
    }
}

impl From<store::entity::message_templates::Model> for TemplateForm {
    fn from(row: store::entity::message_templates::Model) -> Self {
        TemplateForm { kind: row.kind, title: row.title, subject: row.subject, body: row.body, sms_text: row.sms_text }
    }
}

/// A choice in the kind selector.
struct KindChoice {
    key: &'static str,
    label: &'static str,
}

#[derive(Page)]
#[template(path = "admin/templates/form.html")]
struct FormPage {
    chrome: Chrome,
    heading: String,
    action: String,
    submit: &'static str,
    kinds: Vec<KindChoice>,
    placeholders: Vec<(&'static str, &'static str)>,
    /// The template being edited; attachments need a saved template.
    id: Option<Uuid>,
    files: Vec<FileInfo>,
    form: TemplateForm,
    errors: FieldErrors,
}

fn form_page(
    admin: &AdminUser,
    id: Option<Uuid>,
    form: TemplateForm,
    files: Vec<FileInfo>,
    errors: FieldErrors,
) -> FormPage {
    let (heading, action, submit) = match id {
        None => ("Opret skabelon".to_owned(), format!("{LIST}/new"), "Opret skabelon"),
        Some(id) => (format!("Redigér skabelonen »{}«", form.title), format!("{LIST}/{id}/edit"), "Gem ændringer"),
    };
    FormPage {
        chrome: admin.chrome(Section::Templates),
        heading,
        action,
        submit,
        kinds: MessageKind::ALL.iter().map(|k| KindChoice { key: k.as_str(), label: k.label() }).collect(),
        placeholders: Placeholder::ALL.iter().map(|p| (p.key(), p.label())).collect(),
        id,
        files,
        form,
        errors,
    }
}

async fn new_form(admin: AdminUser) -> Result<Response> {
    admin.require_edit()?;
    let page = form_page(&admin, None, TemplateForm::default(), Vec::new(), FieldErrors::new());
    render_form(&page, &page.errors)
}

async fn create(admin: AdminUser, Form(form): Form<TemplateForm>) -> Result<Response> {
    admin.require_edit()?;
    let errors = match form.parse() {
        Ok(input) => match repo::create(admin.db(), &admin.actor(), &input).await {
            Ok(_) => return Ok(redirect_with_flash(LIST, &format!("Skabelonen »{}« er oprettet.", input.title))),
            Err(e) => conflict(e)?,
        },
        Err(errors) => errors,
    };
    let page = form_page(&admin, None, form, Vec::new(), errors);
    render_form(&page, &page.errors)
}

async fn edit_form(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let files = repo::attachments(admin.db(), id).await?;
    let page = form_page(&admin, Some(id), TemplateForm::from(row), files, FieldErrors::new());
    render_form(&page, &page.errors)
}

async fn update(admin: AdminUser, Path(id): Path<Uuid>, Form(form): Form<TemplateForm>) -> Result<Response> {
    admin.require_edit()?;
    let errors = match form.parse() {
        Ok(input) => match repo::update(admin.db(), &admin.actor(), id, &input).await {
            Ok(()) => return Ok(redirect_with_flash(LIST, &format!("Skabelonen »{}« er gemt.", input.title))),
            Err(e) => conflict(e)?,
        },
        Err(errors) => errors,
    };
    let files = repo::attachments(admin.db(), id).await?;
    let page = form_page(&admin, Some(id), form, files, errors);
    render_form(&page, &page.errors)
}

fn conflict(error: store::Error) -> Result<FieldErrors> {
    let mut errors = FieldErrors::new();
    into_field_error(error, &mut errors)?;
    Ok(errors)
}

#[derive(Page)]
#[template(path = "admin/templates/preview.html")]
struct PreviewPage {
    chrome: Chrome,
    id: Uuid,
    title: String,
    kind: &'static str,
    subject: String,
    html: String,
    sms_text: String,
    sms_length: usize,
}

/// The template filled with example values, as e-mail/Digital Post and as SMS.
async fn preview(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    let row = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let contact = store::repo::contact_information::get(admin.db()).await?;
    let municipality =
        if contact.municipality_name.is_empty() { admin.tenant.name.clone() } else { contact.municipality_name };
    let values = repo::sample_values(&portal_url(&admin), &municipality);
    let parse =
        |text: &str| Template::parse(text).map_err(|e| Error::Internal(anyhow::anyhow!("stored template: {e}")));
    let sms_text = parse(&row.sms_text)?.render_text(&values);
    let page = PreviewPage {
        chrome: admin.chrome(Section::Templates),
        id,
        kind: MessageKind::parse(&row.kind).map(MessageKind::label).unwrap_or_default(),
        subject: parse(&row.subject)?.render_text(&values),
        html: parse(&row.body)?.render_html(&values),
        sms_length: sms_text.chars().count(),
        sms_text,
        title: row.title,
    };
    render(&page, StatusCode::OK)
}

#[derive(Page)]
#[template(path = "admin/templates/delete.html")]
struct DeletePage {
    chrome: Chrome,
    id: Uuid,
    title: String,
    refused: Option<String>,
}

async fn confirm_delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let refused =
        row.is_default.then(|| "En standardskabelon kan ikke slettes, men du kan rette dens tekst".to_owned());
    render(&DeletePage { chrome: admin.chrome(Section::Templates), id, title: row.title, refused }, StatusCode::OK)
}

async fn delete(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let row = repo::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    match repo::delete(admin.db(), &admin.actor(), id).await {
        Ok(()) => Ok(redirect_with_flash(LIST, &format!("Skabelonen »{}« er slettet.", row.title))),
        Err(e) => {
            let refused = Some(refusal(e)?);
            let page = DeletePage { chrome: admin.chrome(Section::Templates), id, title: row.title, refused };
            render(&page, StatusCode::CONFLICT)
        }
    }
}
