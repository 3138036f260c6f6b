//! The confirmation page shared by activate, deactivate and delete. When
//! the action is refused, the page says why and offers no button.

use askama::Template;
use axum::response::Response;
use uuid::Uuid;

use super::{href, unprocessable};
use crate::admin::{AdminUser, Chrome, Section};
use crate::error::Result;

#[derive(Template)]
#[template(path = "admin/elections/confirm.html")]
pub struct ConfirmPage {
    pub chrome: Chrome,
    pub heading: String,
    /// The election's title, for messages after the action.
    pub subject: String,
    pub paragraphs: Vec<String>,
    pub refusal: Option<String>,
    pub action: String,
    pub button: &'static str,
    pub danger: bool,
    pub cancel: String,
}

impl ConfirmPage {
    pub fn new(admin: &AdminUser, heading: String, id: Uuid, action: &str, button: &'static str) -> Self {
        ConfirmPage {
            chrome: admin.chrome(Section::Elections),
            heading,
            subject: String::new(),
            paragraphs: Vec::new(),
            refusal: None,
            action: format!("{}/{action}", href(id)),
            button,
            danger: false,
            cancel: href(id),
        }
    }
}

/// The page again with the reason the action was refused.
pub fn refused(mut page: ConfirmPage, message: String) -> Result<Response> {
    page.refusal = Some(message);
    let mut response = unprocessable(&page)?;
    *response.status_mut() = axum::http::StatusCode::CONFLICT;
    Ok(response)
}
