//! The audit log viewer (Administrators only): who did what, when, newest
//! first, with filters and paging.

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::Html;
use axum::routing::get;
use chrono::{NaiveDate, TimeZone};
use chrono_tz::Europe::Copenhagen;
use serde::Deserialize;
use store::repo::Page;
use store::repo::audit::{self, AuditAction, AuditFilter};

use super::{AdminUser, Chrome, Section};
use crate::error::Result;
use crate::state::AppState;

const PAGE_SIZE: u64 = 50;

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit-log", get(list))
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    page: Option<u64>,
}

struct Row {
    at: String,
    actor: String,
    fallback: bool,
    action: &'static str,
    table: String,
    description: String,
}

struct ActionOption {
    key: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "admin/audit/list.html")]
struct ListPage {
    chrome: Chrome,
    query: AuditQuery,
    actions: Vec<ActionOption>,
    rows: Vec<Row>,
    total: u64,
    page: u64,
    pages: u64,
    prev_link: Option<String>,
    next_link: Option<String>,
}

async fn list(admin: AdminUser, Query(query): Query<AuditQuery>) -> Result<Html<String>> {
    admin.require_administer()?;
    let filter = AuditFilter {
        from: local_midnight(&query.from, 0),
        until: local_midnight(&query.until, 1),
        action: AuditAction::parse(&query.action),
        text: Some(query.q.clone()).filter(|q| !q.trim().is_empty()),
        ..AuditFilter::default()
    };
    let result = audit::list(admin.db(), &filter, Page::new(query.page.unwrap_or(1), PAGE_SIZE)).await?;
    let pages = result.pages();
    let page = result.page.number;
    let rows = result.items.into_iter().map(row).collect();
    let actions = AuditAction::ALL
        .into_iter()
        .map(|a| ActionOption { key: a.as_str(), label: a.label(), selected: a.as_str() == query.action })
        .collect();
    let link = |n: u64| page_link(&query, n);
    let page = ListPage {
        chrome: admin.chrome(Section::AuditLog),
        prev_link: (page > 1).then(|| link(page - 1)),
        next_link: (page < pages).then(|| link(page + 1)),
        query,
        actions,
        rows,
        total: result.total,
        page,
        pages,
    };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}

fn row(entry: store::entity::audit_log::Model) -> Row {
    Row {
        at: entry.at.with_timezone(&Copenhagen).format("%d-%m-%Y %H:%M:%S").to_string(),
        actor: entry.actor_name,
        fallback: entry.fallback,
        action: AuditAction::parse(&entry.action).map(AuditAction::label).unwrap_or("Andet"),
        table: entry.entity_table,
        description: entry.description,
    }
}

/// The start of a local (Copenhagen) day, `days_after` days after the date typed.
fn local_midnight(date: &str, days_after: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()? + chrono::Duration::days(days_after);
    let local = Copenhagen.from_local_datetime(&date.and_hms_opt(0, 0, 0)?).earliest()?;
    Some(local.with_timezone(&chrono::Utc))
}

fn page_link(query: &AuditQuery, page: u64) -> String {
    let pairs = [("q", query.q.as_str()), ("action", &query.action), ("from", &query.from), ("until", &query.until)];
    let mut link = format!("/admin/audit-log?page={page}");
    for (key, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        link.push_str(&format!("&{key}={}", url_encode(value)));
    }
    link
}

fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
