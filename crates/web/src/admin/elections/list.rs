//! The list of elections.

use askama::Template;
use axum::response::Html;
use store::repo::elections::{self as repo, ElectionSummary};

use super::{dk, render, store_error};
use crate::admin::{AdminUser, Chrome, Section};
use crate::error::Result;

#[derive(Template)]
#[template(path = "admin/elections/list.html")]
struct ListPage {
    chrome: Chrome,
    elections: Vec<ElectionSummary>,
}

impl ListPage {
    fn date(&self, e: &ElectionSummary) -> String {
        dk(e.election_date)
    }
}

pub async fn list(admin: AdminUser) -> Result<Html<String>> {
    let elections = repo::list(admin.db()).await.map_err(store_error)?;
    render(&ListPage { chrome: admin.chrome(Section::Elections), elections })
}
