//! Pieces shared by the election-type, area and special-diet screens: the
//! search box, page rendering with a status, and repository errors as
//! field messages.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::error::Result;
use crate::forms::FieldErrors;

/// The search box of a list page (`?q=`).
#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    pub q: String,
}

/// Renders a page with `status` (200, 409 or 422).
pub fn render(page: &impl Template, status: StatusCode) -> Result<Response> {
    let html = page.render().map_err(anyhow::Error::from)?;
    Ok((status, Html(html)).into_response())
}

/// Renders a form page: 200 when it is fresh, 422 once it carries messages.
pub fn render_form(page: &impl Template, errors: &FieldErrors) -> Result<Response> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render(page, status)
}

/// A rule the repository refused (a duplicate name) goes next to its field;
/// anything else becomes the error page.
pub fn into_field_error(error: store::Error, errors: &mut FieldErrors) -> Result<()> {
    match error {
        store::Error::Conflict { field, message } => {
            errors.add(field, message);
            Ok(())
        }
        other => Err(other.into()),
    }
}

/// The refusal message of a refused delete, or the error page.
pub fn refusal(error: store::Error) -> Result<String> {
    match error {
        store::Error::Conflict { message, .. } => Ok(message),
        other => Err(other.into()),
    }
}
