//! What the CPR sync needs from the seats (which people to sync, which seats
//! to re-check) and the review list: accepted seats that new CPR data would
//! take away close to the task, held for a person to decide (SPEC §8).

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use domain::revalidation::ReviewWindow;
use domain::{Rule, RuleSet, SeatStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession,
};
use uuid::Uuid;

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::election_types::rules_of;
use super::{Conn, begin_write};
use crate::entity::{election_types, elections, seats, task_types};
use crate::error::{Error, Result};
use crate::outbox::{self, NewJob};

const TABLE: &str = "cpr_review";
/// The tenant's review window in days (`repo::settings`).
pub const REVIEW_WINDOW_KEY: &str = "cpr_review_window_days";
/// The reason an entry closes itself with.
pub const ELIGIBLE_AGAIN: &str = "CPR-data opfylder igen reglerne";

/// The `cpr_review` table.
pub mod review {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "cpr_review")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub seat_id: Uuid,
        pub participant_id: Uuid,
        /// Failed rules, comma-separated `Rule::as_str` keys.
        pub reasons: String,
        pub created_at: DateTimeUtc,
        pub resolved_at: Option<DateTimeUtc>,
        /// "removed" or "kept".
        pub resolution: Option<String>,
        pub resolution_reason: Option<String>,
        pub resolved_by: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Elections whose seats still matter: active ones, and those whose last
/// task day has not passed (upcoming).
fn live_elections(today: NaiveDate) -> Condition {
    Condition::any().add(elections::Column::Active.eq(true)).add(elections::Column::LastTaskDate.gte(today))
}

fn held() -> Condition {
    Condition::any()
        .add(seats::Column::State.eq(SeatStatus::Invited.as_str()))
        .add(seats::Column::State.eq(SeatStatus::Accepted.as_str()))
}

/// Everybody invited to or holding a seat in an active or upcoming election.
pub async fn participants_to_sync(db: &impl ConnectionTrait, today: NaiveDate) -> Result<Vec<Uuid>> {
    let ids: Vec<Option<Uuid>> = seats::Entity::find()
        .select_only()
        .column(seats::Column::ParticipantId)
        .distinct()
        .inner_join(elections::Entity)
        .filter(live_elections(today))
        .filter(held())
        .filter(seats::Column::TaskDate.gte(today))
        .order_by_asc(seats::Column::ParticipantId)
        .into_tuple()
        .all(db)
        .await
        .map_err(Error::db("listing participants to sync with CPR"))?;
    Ok(ids.into_iter().flatten().collect())
}

/// A seat to check against new CPR data, with what its rules depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatToCheck {
    pub seat: seats::Model,
    pub rules: RuleSet,
    /// The task type's "no validation" flag.
    pub validation_off: bool,
}

impl SeatToCheck {
    pub fn status(&self) -> Option<SeatStatus> {
        SeatStatus::ALL.into_iter().find(|s| s.as_str() == self.seat.state)
    }
}

/// The participant's invited and accepted seats from today on, in active or
/// upcoming elections.
pub async fn seats_to_check(
    db: &impl ConnectionTrait,
    participant: Uuid,
    today: NaiveDate,
) -> Result<Vec<SeatToCheck>> {
    let rows = seats::Entity::find()
        .inner_join(elections::Entity)
        .filter(seats::Column::ParticipantId.eq(participant))
        .filter(live_elections(today))
        .filter(held())
        .filter(seats::Column::TaskDate.gte(today))
        .order_by_asc(seats::Column::TaskDate)
        .all(db)
        .await
        .map_err(Error::db("reading the seats of a participant"))?;
    let mut out = Vec::with_capacity(rows.len());
    for seat in rows {
        let election = elections::Entity::find_by_id(seat.election_id)
            .one(db)
            .await
            .map_err(Error::db("reading an election"))?
            .ok_or(Error::not_found("Valget"))?;
        let election_type = election_types::Entity::find_by_id(election.election_type_id)
            .one(db)
            .await
            .map_err(Error::db("reading an election type"))?
            .ok_or(Error::not_found("Valgtypen"))?;
        let task_type = task_types::Entity::find_by_id(seat.task_type_id)
            .one(db)
            .await
            .map_err(Error::db("reading a task type"))?
            .ok_or(Error::not_found("Opgavetypen"))?;
        out.push(SeatToCheck { rules: rules_of(&election_type), validation_off: task_type.validation_off, seat });
    }
    Ok(out)
}

/// Takes `participant` off the seat (it becomes available) and, in the same
/// transaction, queues `message` and writes an audit row. Returns `false`
/// (and changes nothing) when the seat is no longer theirs or no longer
/// invited/accepted: a concurrent change won.
pub async fn release_seat(
    db: &impl Conn,
    actor: &Actor,
    seat_id: Uuid,
    participant: Uuid,
    message: Option<NewJob>,
    description: &str,
) -> Result<bool> {
    let tx = begin_write(db).await?;
    let released = release_in(&tx, seat_id, participant).await?;
    if released {
        if let Some(job) = message {
            outbox::enqueue(&tx, job).await.map_err(Error::db("queueing a message"))?;
        }
        let entry = AuditEntry::new(AuditAction::Update, "seats")
            .entity(seat_id)
            .participant(participant)
            .description(description);
        audit::record(&tx, actor, entry).await?;
    }
    tx.commit().await.map_err(Error::db("committing a seat release"))?;
    Ok(released)
}

async fn release_in(db: &impl ConnectionTrait, seat_id: Uuid, participant: Uuid) -> Result<bool> {
    use seats::Column as C;
    let none = || Expr::value(Option::<Uuid>::None);
    let never = || Expr::value(Option::<DateTime<Utc>>::None);
    let result = seats::Entity::update_many()
        .col_expr(C::State, Expr::value(SeatStatus::Available.as_str()))
        .col_expr(C::ParticipantId, none())
        .col_expr(C::InvitationCode, none())
        .col_expr(C::InvitedAt, never())
        .col_expr(C::AcceptedAt, never())
        .col_expr(C::InvitationReminderAt, never())
        .col_expr(C::TaskReminderAt, never())
        .col_expr(C::InvitationSent, Expr::value(false))
        .col_expr(C::RegistrationSent, Expr::value(false))
        .col_expr(C::UpdatedAt, Expr::value(Utc::now()))
        .filter(C::Id.eq(seat_id))
        .filter(C::ParticipantId.eq(participant))
        .filter(held())
        .exec(db)
        .await
        .map_err(Error::db("releasing a seat"))?;
    Ok(result.rows_affected == 1)
}

/// Puts the seat on the review list unless it already has an open entry.
/// Returns whether a new entry was made.
pub async fn open(
    db: &impl Conn,
    seat_id: Uuid,
    participant: Uuid,
    failed: &[Rule],
    now: DateTime<Utc>,
) -> Result<bool> {
    let tx = begin_write(db).await?;
    let existing = review::Entity::find()
        .filter(review::Column::SeatId.eq(seat_id))
        .filter(review::Column::ParticipantId.eq(participant))
        .filter(review::Column::ResolvedAt.is_null())
        .one(&tx)
        .await
        .map_err(Error::db("reading the CPR review list"))?;
    if existing.is_some() {
        return Ok(false);
    }
    let row = review::ActiveModel {
        id: Set(Uuid::new_v4()),
        seat_id: Set(seat_id),
        participant_id: Set(participant),
        reasons: Set(failed.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")),
        created_at: Set(now.trunc_subsecs(6)),
        resolved_at: Set(None),
        resolution: Set(None),
        resolution_reason: Set(None),
        resolved_by: Set(None),
    };
    row.insert(&tx).await.map_err(Error::db("adding to the CPR review list"))?;
    let entry = AuditEntry::new(AuditAction::Create, TABLE)
        .entity(seat_id)
        .participant(participant)
        .description("Opgave sat til gennemsyn efter nye CPR-oplysninger");
    audit::record(&tx, &Actor::system(), entry).await?;
    tx.commit().await.map_err(Error::db("committing a CPR review entry"))?;
    Ok(true)
}

/// The failed rules of an entry.
pub fn reasons(row: &review::Model) -> Vec<Rule> {
    row.reasons.split(',').filter_map(Rule::parse).collect()
}

/// Entries, oldest first; only the unresolved ones unless `all`.
pub async fn list(db: &impl ConnectionTrait, all: bool) -> Result<Vec<review::Model>> {
    let mut query = review::Entity::find();
    if !all {
        query = query.filter(review::Column::ResolvedAt.is_null());
    }
    query
        .order_by_asc(review::Column::CreatedAt)
        .order_by_asc(review::Column::Id)
        .all(db)
        .await
        .map_err(Error::db("listing the CPR review list"))
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<review::Model> {
    review::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(Error::db("reading a CPR review entry"))?
        .ok_or(Error::not_found("Gennemsynet"))
}

/// How a review ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Taken off the seat, with the "removed because of new CPR data" message.
    Removed,
    /// Kept on the seat; the reason is required.
    Kept,
    /// Closed by the sync: later CPR data passes the rules again.
    Eligible,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Removed => "removed",
            Resolution::Kept => "kept",
            Resolution::Eligible => "eligible",
        }
    }
}

/// Resolves an open entry. `Removed` releases the seat and queues `message`
/// in the same transaction. An empty reason for `Kept` is refused.
pub async fn resolve(
    db: &impl Conn,
    actor: &Actor,
    id: Uuid,
    resolution: Resolution,
    reason: &str,
    message: Option<NewJob>,
    now: DateTime<Utc>,
) -> Result<review::Model> {
    let reason = reason.trim();
    if resolution == Resolution::Kept && reason.is_empty() {
        return Err(Error::conflict("reason", "Skriv hvorfor deltageren beholder opgaven"));
    }
    let tx = begin_write(db).await?;
    let row = get(&tx, id).await?;
    if row.resolved_at.is_some() {
        return Err(Error::conflict("resolution", "Gennemsynet er allerede afgjort"));
    }
    let released = resolution == Resolution::Removed && release_in(&tx, row.seat_id, row.participant_id).await?;
    if let (true, Some(job)) = (released, message) {
        outbox::enqueue(&tx, job).await.map_err(Error::db("queueing a message"))?;
    }
    let mut active: review::ActiveModel = row.into();
    active.resolved_at = Set(Some(now.trunc_subsecs(6)));
    active.resolution = Set(Some(resolution.as_str().to_owned()));
    active.resolution_reason = Set(Some(reason.to_owned()).filter(|r| !r.is_empty()));
    active.resolved_by = Set(Some(actor.name.clone()));
    let model = active.update(&tx).await.map_err(Error::db("resolving a CPR review entry"))?;
    let description = match resolution {
        Resolution::Removed => "Gennemsyn: fjernet fra opgaven med besked".to_owned(),
        Resolution::Kept => format!("Gennemsyn: beholder opgaven ({reason})"),
        Resolution::Eligible => format!("Gennemsyn lukket: {reason}"),
    };
    let entry = AuditEntry::new(AuditAction::Update, TABLE)
        .entity(model.seat_id)
        .participant(model.participant_id)
        .description(description);
    audit::record(&tx, actor, entry).await?;
    tx.commit().await.map_err(Error::db("committing a CPR review decision"))?;
    Ok(model)
}

/// Closes the seat's open entry for `participant` when fresh CPR data passes
/// its rules again, so nobody decides on a problem that has gone away.
/// Returns whether an entry was closed.
pub async fn close_as_eligible(db: &impl Conn, seat_id: Uuid, participant: Uuid, now: DateTime<Utc>) -> Result<bool> {
    let open = review::Entity::find()
        .filter(review::Column::SeatId.eq(seat_id))
        .filter(review::Column::ParticipantId.eq(participant))
        .filter(review::Column::ResolvedAt.is_null())
        .one(db)
        .await
        .map_err(Error::db("reading the CPR review list"))?;
    let Some(open) = open else { return Ok(false) };
    match resolve(db, &Actor::system(), open.id, Resolution::Eligible, ELIGIBLE_AGAIN, None, now).await {
        Ok(_) => Ok(true),
        // Staff decided it meanwhile: their decision stands.
        Err(e) if e.is_conflict() => Ok(false),
        Err(e) => Err(e),
    }
}

/// The tenant's review window; the default (14 days) until an administrator
/// sets one. A stored value that does not parse also gives the default,
/// since only [`set_review_window`] writes it.
pub async fn review_window(db: &impl ConnectionTrait) -> Result<ReviewWindow> {
    let stored = super::settings::get(db, REVIEW_WINDOW_KEY).await?;
    Ok(stored.and_then(|v| ReviewWindow::parse(&v).ok()).unwrap_or_default())
}

/// Stores the tenant's review window (audited by `repo::settings`).
pub async fn set_review_window(db: &impl Conn, actor: &Actor, window: ReviewWindow) -> Result<()> {
    super::settings::set(db, actor, REVIEW_WINDOW_KEY, &window.to_string()).await
}
