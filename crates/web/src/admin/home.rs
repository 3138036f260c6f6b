//! The admin start page.

use askama::Template;
use axum::response::Html;

use super::{AdminUser, Chrome, Section};
use crate::error::Result;

#[derive(Template)]
#[template(path = "admin/home.html")]
struct HomePage {
    chrome: Chrome,
}

pub async fn home(admin: AdminUser) -> Result<Html<String>> {
    let page = HomePage { chrome: admin.chrome(Section::Home) };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}
