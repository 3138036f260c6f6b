//! One election: its dates, settings, work locations and what can be done
//! with it.

use askama::Template;
use axum::extract::Path;
use axum::response::Html;
use domain::election::channel_order_label;
use store::repo::elections::{self as repo, ElectionDetail};
use uuid::Uuid;

use super::{dk, render, store_error};
use crate::admin::{AdminUser, Chrome, Section};
use crate::error::Result;

#[derive(Template)]
#[template(path = "admin/elections/detail.html")]
struct DetailPage {
    chrome: Chrome,
    detail: ElectionDetail,
    election_date: String,
    first_task_date: String,
    last_task_date: String,
    lock: String,
    channel_order: String,
}

pub async fn show(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Html<String>> {
    let detail = repo::detail(admin.db(), id).await.map_err(store_error)?;
    let e = &detail.election;
    let lock = match e.lock_days {
        1 => "1 dag".to_owned(),
        n => format!("{n} dage"),
    };
    let page = DetailPage {
        chrome: admin.chrome(Section::Elections),
        election_date: dk(e.election_date),
        first_task_date: dk(e.first_task_date),
        last_task_date: dk(e.last_task_date),
        channel_order: channel_order_label(&e.channel_order),
        lock,
        detail,
    };
    render(&page)
}
