//! "Kontaktoplysninger" under Websider: the election secretariat's contact
//! information (reference §2.4), shown on the portal's "Kontakt os" page;
//! the municipality name is what messages' `!municipality` says. As in
//! OS2valghalla, an e-mail address or a secure Digital Post link is required.

use askama::Template;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use domain::{Email, PostalCode};
use serde::Deserialize;
use store::repo::contact_information::{self as repo, ContactInformation};

use super::catalogue::render_form;
use super::flash::redirect_with_flash;
use super::{AdminUser, Chrome, Section};
use crate::error::Result;
use crate::forms::{FieldErrors, optional_max, required_max};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/web-pages/contact-information", get(edit_form).post(update))
}

/// The form as posted (and as shown: every field is text).
#[derive(Debug, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    municipality_name: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    digital_post_url: String,
}

impl ContactForm {
    fn of(row: store::entity::contact_information::Model) -> Self {
        ContactForm {
            municipality_name: row.municipality_name,
            department: row.department,
            address: row.address,
            postal_code: row.postal_code,
            city: row.city,
            phone: row.phone,
            email: row.email,
            digital_post_url: row.digital_post_url,
        }
    }

    fn parse(&self) -> Result<ContactInformation, FieldErrors> {
        let mut e = FieldErrors::new();
        let text = |e: &mut FieldErrors, field: &str, value: &str, what: &str, max: usize| {
            e.check(field, optional_max(value, what, max)).flatten().unwrap_or_default()
        };
        let info = ContactInformation {
            municipality_name: e
                .check("municipality_name", required_max(&self.municipality_name, "kommunens navn", 100))
                .unwrap_or_default(),
            department: text(&mut e, "department", &self.department, "afdelingen", 200),
            address: text(&mut e, "address", &self.address, "adressen", 200),
            postal_code: optional(&self.postal_code).and_then(|p| e.check("postal_code", PostalCode::parse(p))),
            city: text(&mut e, "city", &self.city, "byen", 100),
            phone: e.check("phone", phone(&self.phone)).unwrap_or_default(),
            email: optional(&self.email).and_then(|m| e.check("email", Email::parse(m))),
            digital_post_url: e.check("digital_post_url", secure_link(&self.digital_post_url)).unwrap_or_default(),
            logo_file_id: None,
        };
        if optional(&self.email).is_none() && optional(&self.digital_post_url).is_none() {
            e.add("email", "Udfyld e-mail eller et link til sikker post med Digital Post");
        }
        e.into_result(info)
    }
}

fn optional(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}

/// A phone number as people write it: digits, spaces, `+` and `-`.
fn phone(value: &str) -> Result<String, String> {
    let value = value.trim();
    if !value.chars().all(|c| c.is_ascii_digit() || " +-".contains(c)) {
        return Err("Telefonnummeret må kun indeholde cifre, mellemrum, + og -".into());
    }
    if value.chars().count() > 20 {
        return Err("Telefonnummeret må højst være 20 tegn".into());
    }
    Ok(value.to_owned())
}

/// The secure Digital Post form: an https address the portal can link to.
fn secure_link(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    if value.chars().count() > 500 {
        return Err("Linket må højst være 500 tegn".into());
    }
    match crate::plain_text::link_for(value) {
        Some(_) if value.starts_with("https://") => Ok(value.to_owned()),
        _ => Err("Skriv hele adressen, der begynder med https://".into()),
    }
}

#[derive(Template)]
#[template(path = "admin/web_pages/contact.html")]
struct FormPage {
    chrome: Chrome,
    form: ContactForm,
    errors: FieldErrors,
}

impl FormPage {
    /// (name, label, value, input type, autocomplete) of each field, in order.
    fn fields(&self) -> [(&'static str, &'static str, &str, &'static str, &'static str); 8] {
        let f = &self.form;
        [
            ("municipality_name", "Kommunens navn", &f.municipality_name, "text", "organization"),
            ("department", "Afdeling (fx Valgsekretariatet)", &f.department, "text", "off"),
            ("address", "Adresse", &f.address, "text", "street-address"),
            ("postal_code", "Postnummer", &f.postal_code, "text", "postal-code"),
            ("city", "By", &f.city, "text", "address-level2"),
            ("phone", "Telefon", &f.phone, "tel", "tel"),
            ("email", "E-mail", &f.email, "email", "email"),
            (
                "digital_post_url",
                "Link til sikker post med Digital Post (https://…)",
                &f.digital_post_url,
                "url",
                "url",
            ),
        ]
    }
}

async fn edit_form(admin: AdminUser) -> Result<Response> {
    admin.require_edit()?;
    let form = ContactForm::of(repo::get(admin.db()).await?);
    let page = FormPage { chrome: admin.chrome(Section::WebPages), form, errors: FieldErrors::new() };
    render_form(&page, &page.errors)
}

async fn update(admin: AdminUser, Form(form): Form<ContactForm>) -> Result<Response> {
    admin.require_edit()?;
    match form.parse() {
        Ok(info) => {
            // The logo is kept as it is (it has no field here).
            let logo_file_id = repo::get(admin.db()).await?.logo_file_id;
            repo::set(admin.db(), &admin.actor(), ContactInformation { logo_file_id, ..info }).await?;
            Ok(redirect_with_flash("/admin/web-pages", "Kontaktoplysningerne er gemt."))
        }
        Err(errors) => {
            let page = FormPage { chrome: admin.chrome(Section::WebPages), form, errors };
            render_form(&page, &page.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_and_secure_links_are_checked() {
        assert_eq!(phone(" +45 12-34 56 78 ").as_deref(), Ok("+45 12-34 56 78"));
        assert!(phone("ring 12345678").is_err());
        assert_eq!(secure_link("").as_deref(), Ok(""));
        assert!(secure_link("http://post.borger.dk").is_err() && secure_link("javascript:alert(1)").is_err());
        assert!(secure_link("https://post.borger.dk/x").is_ok());
    }

    #[test]
    fn an_email_or_a_secure_link_is_required() {
        let form = ContactForm { municipality_name: "Korsbæk Kommune".into(), ..ContactForm::default() };
        let errors = form.parse().unwrap_err();
        assert_eq!(errors.get("email"), Some("Udfyld e-mail eller et link til sikker post med Digital Post"));
        let form = ContactForm { digital_post_url: "https://post.borger.dk/x".into(), ..form };
        assert_eq!(form.parse().unwrap().digital_post_url, "https://post.borger.dk/x");
    }
}
