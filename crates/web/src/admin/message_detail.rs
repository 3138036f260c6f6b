//! One message of the log: who it was for, how it went over the channels,
//! and the words that went out (the subject and body of a letter, the text
//! of an SMS), as delivery kept them — a message not sent yet has none but
//! a group message's own words. CPR numbers never get into these words.

use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use domain::MessageKind;
use store::repo::messages::{self, status};
use store::repo::participants;
use uuid::Uuid;

use super::catalogue::render;
use super::messages::status_label;
use super::participants::datetime;
use super::{AdminUser, Chrome, Section};
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/messages/{id}", get(detail))
}

#[derive(Template)]
#[template(path = "admin/message.html")]
struct DetailPage {
    chrome: Chrome,
    id: Uuid,
    participant: Uuid,
    name: String,
    kind: &'static str,
    status: &'static str,
    failed: bool,
    channel: String,
    left: String,
    /// (label, time) of each step that happened.
    times: Vec<(&'static str, String)>,
    attempts: i32,
    last_error: String,
    /// The words below went out (else they are a group message's own, unfilled).
    sent: bool,
    subject: String,
    body: String,
    sms_text: String,
}

pub async fn detail(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    let db = admin.db();
    let m = messages::get(db, id).await?;
    let person = participants::get(db, m.participant_id).await?;
    messages::record_view(db, &admin.actor(), &m, &participants::full_name(&person)).await?;
    let label = |keys: &str| {
        keys.split(',').filter_map(domain::delivery::Channel::parse).map(|c| c.label()).collect::<Vec<_>>().join(", ")
    };
    let times =
        [("Sat i kø", Some(m.queued_at)), ("Sendt", m.sent_at), ("Leveret", m.delivered_at), ("Opgivet", m.failed_at)]
            .into_iter()
            .filter_map(|(what, at)| at.map(|at| (what, datetime(&at))))
            .collect();
    let page = DetailPage {
        chrome: admin.chrome(Section::Messages),
        id,
        participant: m.participant_id,
        name: participants::full_name(&person),
        kind: MessageKind::parse(&m.kind).map(MessageKind::label).unwrap_or("Ukendt"),
        status: status_label(&m.status),
        failed: m.status == status::FAILED,
        channel: m.channel.as_deref().map(label).unwrap_or_default(),
        left: label(&m.channels_tried),
        times,
        attempts: m.attempts,
        last_error: m.last_error.unwrap_or_default(),
        sent: m.sent_at.is_some(),
        subject: m.subject,
        body: m.body,
        sms_text: m.sms_text,
    };
    render(&page, StatusCode::OK)
}
