//! The message log ("Beskeder"): every message with its kind, the channels
//! tried, where it went and how it ended, filtered by status, kind and
//! election; "kan ikke kontaktes" is the failed ones. A message can be sent
//! again (as a new message).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Utc;
use domain::MessageKind;
use domain::delivery::Channel;
use serde::Deserialize;
use store::repo::Page;
use store::repo::messages::{self, LogFilter, status};
use uuid::Uuid;

use super::catalogue::render;
use super::flash::redirect_with_flash;
use super::participants::datetime;
use super::{AdminUser, Chrome, Section};
use crate::error::Result;
use crate::state::AppState;

const PAGE_SIZE: u64 = 50;

pub fn routes() -> Router<AppState> {
    Router::new().route("/messages", get(list)).route("/messages/{id}/send-again", post(send_again))
}

#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    election: String,
    #[serde(default)]
    page: Option<u64>,
}

pub struct Line {
    pub id: Uuid,
    pub participant: Uuid,
    pub name: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub failed: bool,
    pub channel: String,
    pub left: String,
    pub queued: String,
    pub sent: String,
    /// When it was delivered or given up.
    pub ended: String,
    /// The newest Digital Post receipt: its status and when it came.
    pub receipt: String,
    pub last_error: String,
}

/// A message status in Danish (also on the group-message page).
pub(crate) fn status_label(key: &str) -> &'static str {
    match key {
        status::QUEUED => "I kø",
        status::SENT => "Sendt",
        status::DELIVERED => "Leveret",
        status::FELL_BACK => "Prøver næste kanal",
        status::FAILED => "Kan ikke kontaktes",
        _ => "Ukendt",
    }
}

fn channel_labels(keys: &str) -> String {
    keys.split(',').filter_map(Channel::parse).map(Channel::label).collect::<Vec<_>>().join(", ")
}

#[derive(Template)]
#[template(path = "admin/messages.html")]
struct LogPage {
    chrome: Chrome,
    lines: Vec<Line>,
    total: u64,
    page: u64,
    pages: u64,
    statuses: Vec<(&'static str, &'static str, bool)>,
    kinds: Vec<(&'static str, &'static str, bool)>,
    query: String,
}

pub async fn list(admin: AdminUser, Query(q): Query<LogQuery>) -> Result<Response> {
    let filter = LogFilter {
        status: Some(q.status.clone()).filter(|s| !s.is_empty()),
        kind: Some(q.kind.clone()).filter(|s| !s.is_empty()),
        election: Uuid::parse_str(&q.election).ok(),
        participant: None,
    };
    let number = q.page.unwrap_or(1).max(1);
    let paged = messages::list(admin.db(), &filter, Page { number, size: PAGE_SIZE }).await?;
    let pages = paged.pages();
    let letters: Vec<Uuid> = paged.items.iter().map(|(m, _)| m.digital_post_message_id).collect();
    let receipts = store::repo::receipts::newest_of(admin.db(), &letters).await?;
    let lines = paged
        .items
        .into_iter()
        .map(|(m, name)| {
            let receipt = receipts.get(&m.digital_post_message_id);
            let receipt = receipt.map(|r| format!("{} {}", r.status, datetime(&r.received_at))).unwrap_or_default();
            line(m, name, receipt)
        })
        .collect();
    let statuses = [status::QUEUED, status::SENT, status::DELIVERED, status::FELL_BACK, status::FAILED]
        .into_iter()
        .map(|s| (s, status_label(s), q.status == s))
        .collect();
    let kinds = MessageKind::ALL.into_iter().map(|k| (k.as_str(), k.label(), q.kind == k.as_str())).collect();
    let query = format!("status={}&kind={}&election={}", q.status, q.kind, q.election);
    let page = LogPage {
        chrome: admin.chrome(Section::Messages),
        lines,
        total: paged.total,
        page: number,
        pages,
        statuses,
        kinds,
        query,
    };
    render(&page, StatusCode::OK)
}

fn line(m: store::entity::message_log::Model, name: String, receipt: String) -> Line {
    let time = |at: Option<chrono::DateTime<Utc>>| at.as_ref().map(datetime).unwrap_or_default();
    Line {
        id: m.id,
        participant: m.participant_id,
        name,
        kind: MessageKind::parse(&m.kind).map(MessageKind::label).unwrap_or("Ukendt"),
        status: status_label(&m.status),
        failed: m.status == status::FAILED,
        channel: m.channel.as_deref().map(channel_labels).unwrap_or_default(),
        left: channel_labels(&m.channels_tried),
        queued: datetime(&m.queued_at),
        sent: time(m.sent_at),
        ended: time(m.delivered_at.or(m.failed_at)),
        receipt,
        last_error: m.last_error.unwrap_or_default(),
    }
}

pub async fn send_again(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    messages::send_again(admin.db(), &admin.actor(), id, Utc::now()).await?;
    Ok(redirect_with_flash("/admin/messages", "Beskeden er sat i kø igen."))
}
