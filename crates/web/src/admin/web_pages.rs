//! "Websider": the texts of the participant portal's content pages (front
//! page, FAQ, "Kontakt os", privacy statement, declaration of consent).
//! Readers see the list; the secretariat edits. A page is plain text: a
//! blank line starts a paragraph, and bare https and e-mail addresses become
//! links ([`crate::plain_text`]). A page never saved shows our default.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use store::repo::web_pages::{self as repo, WebPage};

use super::catalogue::{render, render_form};
use super::flash::redirect_with_flash;
use super::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};
use crate::forms::{FieldErrors, optional_max, required_max};
use crate::portal::content::Page;
use crate::state::AppState;

const LIST: &str = "/admin/web-pages";
const TITLE_MAX: usize = 200;
const BODY_MAX: usize = 20_000;

pub fn routes() -> Router<AppState> {
    Router::new().route("/web-pages", get(list)).route("/web-pages/{key}/edit", get(edit_form).post(update))
}

/// The page's name in the admin app.
fn name(page: Page) -> &'static str {
    match page {
        Page::Front => "Forside",
        Page::Faq => "Ofte stillede spørgsmål",
        Page::Contact => "Kontakt os",
        Page::Privacy => "Privatlivserklæring",
        Page::Consent => "Samtykkeerklæring",
    }
}

/// What the switch of a page that can be switched off does.
fn switch_label(page: Page) -> &'static str {
    match page {
        Page::Consent => "Bed om samtykke ved tilmelding",
        _ => "Vis siden på deltagersiden",
    }
}

/// A row of the list.
struct Row {
    key: &'static str,
    name: &'static str,
    title: String,
    status: &'static str,
    /// Where the portal shows it, as a full address.
    url: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/web_pages/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    contact: store::entity::contact_information::Model,
}

async fn list(State(state): State<AppState>, headers: axum::http::HeaderMap, admin: AdminUser) -> Result<Response> {
    let origin = state.portal_origin(&admin.tenant, &headers);
    let saved = repo::list(admin.db()).await?;
    let rows = Page::ALL
        .into_iter()
        .map(|page| {
            let row = saved.iter().find(|r| r.key == page.key());
            let status = match row {
                None => "Standardtekst",
                Some(r) if page.may_switch_off() && !r.active => "Slået fra",
                Some(_) => "Egen tekst",
            };
            Row {
                key: page.key(),
                name: name(page),
                title: row.map(|r| r.title.clone()).unwrap_or_default(),
                status,
                url: page.path().map(|p| format!("{origin}{p}")),
            }
        })
        .collect();
    let contact = store::repo::contact_information::get(admin.db()).await?;
    render(&ListPage { chrome: admin.chrome(Section::WebPages), rows, contact }, StatusCode::OK)
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct PageForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    active: Option<String>,
}

impl PageForm {
    /// An active page needs a title and a text; one switched off may keep
    /// either empty until it is switched on.
    fn parse(&self, page: Page) -> Result<WebPage, FieldErrors> {
        let active = !page.may_switch_off() || self.active.is_some();
        let mut errors = FieldErrors::new();
        let title = if active {
            errors.check("title", required_max(&self.title, "titlen", TITLE_MAX))
        } else {
            errors.check("title", optional_max(&self.title, "titlen", TITLE_MAX).map(Option::unwrap_or_default))
        };
        let body = if active {
            errors.check("body", required_max(&self.body, "teksten", BODY_MAX))
        } else {
            errors.check("body", optional_max(&self.body, "teksten", BODY_MAX).map(Option::unwrap_or_default))
        };
        match (title, body) {
            (Some(title), Some(body)) if errors.is_empty() => {
                Ok(WebPage { key: page.key().to_owned(), title, body, active })
            }
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/web_pages/form.html")]
struct FormPage {
    chrome: Chrome,
    key: &'static str,
    name: &'static str,
    /// The label of the on/off switch, for pages that have one.
    switch: Option<&'static str>,
    /// Never saved: the portal shows our default text.
    default_shown: bool,
    form: PageForm,
    errors: FieldErrors,
}

fn form_page(admin: &AdminUser, page: Page, form: PageForm, default_shown: bool, errors: FieldErrors) -> FormPage {
    FormPage {
        chrome: admin.chrome(Section::WebPages),
        key: page.key(),
        name: name(page),
        switch: page.may_switch_off().then(|| switch_label(page)),
        default_shown,
        form,
        errors,
    }
}

fn page_of(key: &str) -> Result<Page> {
    Page::from_key(key).ok_or(Error::NotFound)
}

async fn edit_form(admin: AdminUser, Path(key): Path<String>) -> Result<Response> {
    admin.require_edit()?;
    let page = page_of(&key)?;
    let row = repo::get(admin.db(), page.key()).await?;
    let form = match &row {
        Some(r) => PageForm { title: r.title.clone(), body: r.body.clone(), active: r.active.then(String::new) },
        None => PageForm { active: Some(String::new()), ..PageForm::default() },
    };
    let view = form_page(&admin, page, form, row.is_none(), FieldErrors::new());
    render_form(&view, &view.errors)
}

async fn update(admin: AdminUser, Path(key): Path<String>, Form(form): Form<PageForm>) -> Result<Response> {
    admin.require_edit()?;
    let page = page_of(&key)?;
    match form.parse(page) {
        Ok(input) => {
            repo::set(admin.db(), &admin.actor(), input).await?;
            Ok(redirect_with_flash(LIST, &format!("Siden »{}« er gemt.", name(page))))
        }
        Err(errors) => {
            let never_saved = repo::get(admin.db(), page.key()).await?.is_none();
            let view = form_page(&admin, page, form, never_saved, errors);
            render_form(&view, &view.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(title: &str, body: &str, active: bool) -> PageForm {
        PageForm { title: title.into(), body: body.into(), active: active.then(String::new) }
    }

    #[test]
    fn an_active_page_needs_a_title_and_a_text() {
        let errors = form(" ", "", true).parse(Page::Faq).unwrap_err();
        assert_eq!(errors.get("title"), Some("Udfyld titlen"));
        assert_eq!(errors.get("body"), Some("Udfyld teksten"));
        // The front page is always shown, whatever the form says.
        assert!(form("", "Tekst", false).parse(Page::Front).unwrap_err().has("title"));
    }

    #[test]
    fn a_page_switched_off_may_be_empty_but_not_too_long() {
        let off = form("", "", false).parse(Page::Faq).unwrap();
        assert_eq!((off.title.as_str(), off.body.as_str(), off.active), ("", "", false));
        let long = "x".repeat(TITLE_MAX + 1);
        assert_eq!(
            form(&long, "", false).parse(Page::Consent).unwrap_err().get("title"),
            Some("Titlen må højst være 200 tegn")
        );
        let saved = form(" Spørgsmål ", "Svar\n\nMere", true).parse(Page::Faq).unwrap();
        assert_eq!((saved.title.as_str(), saved.body.as_str(), saved.active), ("Spørgsmål", "Svar\n\nMere", true));
    }
}
