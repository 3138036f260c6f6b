//! Group messages ("Send besked"): words staff write, to the people selected
//! by election, work location, team, task type, seat status and date — one
//! message per person, however many seats they hold.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use domain::{MessageKind, SeatStatus, Template};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionSession};
use uuid::Uuid;

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::messages::{self, Queued};
use super::{Conn, begin_write};
use crate::entity::{elections, rejected_seats, seats};
use crate::error::{Error, Result};

/// Whom a group message goes to. `status` is "invited", "accepted" or
/// "rejected"; `None` is everybody with a seat.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub election: Uuid,
    pub work_location: Option<Uuid>,
    pub team: Option<Uuid>,
    pub task_type: Option<Uuid>,
    pub date: Option<NaiveDate>,
    pub status: Option<String>,
}

/// The people selected, each once.
pub async fn recipients(db: &impl ConnectionTrait, selection: &Selection) -> Result<Vec<Uuid>> {
    if selection.status.as_deref() == Some("rejected") {
        return rejected(db, selection).await;
    }
    let mut select = seats::Entity::find()
        .select_only()
        .column(seats::Column::ParticipantId)
        .distinct()
        .filter(seats::Column::ElectionId.eq(selection.election))
        .filter(seats::Column::ParticipantId.is_not_null());
    if let Some(id) = selection.work_location {
        select = select.filter(seats::Column::WorkLocationId.eq(id));
    }
    if let Some(id) = selection.team {
        select = select.filter(seats::Column::TeamId.eq(id));
    }
    if let Some(id) = selection.task_type {
        select = select.filter(seats::Column::TaskTypeId.eq(id));
    }
    if let Some(date) = selection.date {
        select = select.filter(seats::Column::TaskDate.eq(date));
    }
    select = match selection.status.as_deref() {
        Some("invited") => select.filter(seats::Column::State.eq(SeatStatus::Invited.as_str())),
        Some("accepted") => select.filter(seats::Column::State.eq(SeatStatus::Accepted.as_str())),
        _ => select,
    };
    let ids: Vec<Option<Uuid>> = select.into_tuple().all(db).await.map_err(Error::db("selecting recipients"))?;
    Ok(ids.into_iter().flatten().collect::<BTreeSet<_>>().into_iter().collect())
}

async fn rejected(db: &impl ConnectionTrait, selection: &Selection) -> Result<Vec<Uuid>> {
    let mut select = rejected_seats::Entity::find().filter(rejected_seats::Column::ElectionId.eq(selection.election));
    if let Some(id) = selection.work_location {
        select = select.filter(rejected_seats::Column::WorkLocationId.eq(id));
    }
    if let Some(id) = selection.team {
        select = select.filter(rejected_seats::Column::TeamId.eq(id));
    }
    if let Some(id) = selection.task_type {
        select = select.filter(rejected_seats::Column::TaskTypeId.eq(id));
    }
    if let Some(date) = selection.date {
        select = select.filter(rejected_seats::Column::TaskDate.eq(date));
    }
    let rows = select.all(db).await.map_err(Error::db("selecting recipients"))?;
    Ok(rows.into_iter().map(|r| r.participant_id).collect::<BTreeSet<_>>().into_iter().collect())
}

/// The words of a group message, each checked like a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub subject: String,
    pub body: String,
    pub sms_text: String,
}

/// Checks the words: every field filled and every placeholder known; the
/// error names the field.
pub fn check(words: &Words) -> Result<()> {
    for (field, text) in [("subject", &words.subject), ("body", &words.body), ("sms_text", &words.sms_text)] {
        if text.trim().is_empty() {
            return Err(Error::conflict(field, "Skal udfyldes"));
        }
        Template::parse(text).map_err(|e| Error::conflict(field, e.to_string()))?;
    }
    Ok(())
}

/// Queues the message to everybody selected, in one transaction; returns how many.
pub async fn send(
    db: &impl Conn,
    actor: &Actor,
    selection: &Selection,
    words: &Words,
    now: DateTime<Utc>,
) -> Result<usize> {
    check(words)?;
    let txn = begin_write(db).await?;
    let election = elections::Entity::find_by_id(selection.election)
        .one(&txn)
        .await
        .map_err(Error::db("reading an election"))?
        .ok_or(Error::not_found("Valget"))?;
    let people = recipients(&txn, selection).await?;
    for person in &people {
        let queued =
            Queued { participant: *person, election: Some(election.id), seat: None, kind: MessageKind::GroupMessage };
        messages::queue_with_words(&txn, queued, &election.channel_order, words, now).await?;
    }
    let entry = AuditEntry::new(AuditAction::Create, "message_log").entity(election.id).description(format!(
        "Gruppebesked »{}« sendt til {} personer",
        words.subject.trim(),
        people.len()
    ));
    audit::record(&txn, actor, entry).await?;
    txn.commit().await.map_err(Error::db("committing a group message"))?;
    Ok(people.len())
}
