//! Elections: create, edit, duplicate, activate, deactivate and delete, and
//! the reads the admin screens need. Every change runs in one transaction
//! with its audit row; the rules themselves live in `domain::election`.

mod copy;
mod read;

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, Utc};
use domain::election::{self, CopyPlan, ElectionDates, ElectionRefusal, LockPeriod, SeatsOutside};
use domain::master::{Name, name_key};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QuerySelect, Set, TransactionSession,
};
use uuid::Uuid;

use super::{Conn, begin_write};
use crate::entity::{election_types, election_work_locations, elections, seats, work_locations};
use crate::error::{Error, Result, Unique};
use crate::repo::audit::{self, Actor, AuditAction, AuditEntry};

pub use copy::Copied;
pub use read::{AreaGroup, Choice, ElectionDetail, ElectionSummary, SeatSpan, TakingPart};
pub use read::{detail, get, list, seat_span, work_location_options};

/// The channels tried in order for a new election's messages, until
/// per-election editing arrives.
pub const DEFAULT_CHANNEL_ORDER: &str = "digital_post,email,sms";

const TABLE: &str = "elections";
const WHAT: &str = "Valget";

/// Two admins saving the same title at once: the unique index on
/// `title_key` catches what the check before the insert could not.
const UNIQUE: &[Unique] = &[Unique {
    table: TABLE,
    column: "title_key",
    field: "title",
    message: "Der findes allerede et valg med den titel. Vælg en anden.",
}];

/// What the "Opret valg" form produces.
#[derive(Debug, Clone)]
pub struct NewElection {
    pub title: Name,
    pub election_type_id: Uuid,
    pub dates: ElectionDates,
    pub lock: LockPeriod,
    pub work_locations: BTreeSet<Uuid>,
}

/// What the edit form may change; the election type stays.
#[derive(Debug, Clone)]
pub struct ElectionChanges {
    pub title: Name,
    pub dates: ElectionDates,
    pub lock: LockPeriod,
    /// The complete new set: missing ones leave the election (only when they
    /// have no seats in it), new ones join.
    pub work_locations: BTreeSet<Uuid>,
}

/// What the "Kopiér valg" form produces.
#[derive(Debug, Clone)]
pub struct Duplicate {
    pub title: Name,
    pub election_type_id: Uuid,
    pub lock: LockPeriod,
    pub plan: CopyPlan,
    /// A subset of the source election's work locations.
    pub work_locations: BTreeSet<Uuid>,
}

/// Creates an inactive election with its work locations.
pub async fn create<C: Conn>(db: &C, actor: &Actor, new: NewElection) -> Result<Uuid> {
    let txn = begin_write(db).await?;
    ensure_title_free(&txn, &new.title, None).await?;
    ensure_type_exists(&txn, new.election_type_id).await?;
    ensure_work_locations(&txn, &new.work_locations).await?;
    let id = Uuid::new_v4();
    insert_election(&txn, id, &new, DEFAULT_CHANNEL_ORDER).await?;
    join_work_locations(&txn, id, &new.work_locations).await?;
    let description = format!(
        "Valg oprettet: {} (valgdato {}, opgaver {} – {}, låseperiode {}, {} arbejdssteder)",
        new.title,
        dk(new.dates.election_date()),
        dk(new.dates.first_task_date()),
        dk(new.dates.last_task_date()),
        new.lock,
        new.work_locations.len()
    );
    record(&txn, actor, AuditAction::Create, id, description).await?;
    commit(txn).await?;
    Ok(id)
}

/// Changes title, dates, lock period and work locations. Refused when a seat
/// would fall outside the new dates, or a work location with seats in the
/// election would leave it.
pub async fn update<C: Conn>(db: &C, actor: &Actor, id: Uuid, changes: ElectionChanges) -> Result<()> {
    let txn = begin_write(db).await?;
    let current = find(&txn, id).await?;
    ensure_title_free(&txn, &changes.title, Some(id)).await?;
    ensure_seats_fit(&txn, id, changes.dates).await?;
    let (added, removed) = change_work_locations(&txn, id, &changes.work_locations).await?;
    let description = describe_changes(&current, &changes, added, removed);
    let mut row = current.into_active_model();
    row.title = Set(changes.title.as_str().to_owned());
    row.title_key = Set(name_key(changes.title.as_str()));
    row.election_date = Set(changes.dates.election_date());
    row.first_task_date = Set(changes.dates.first_task_date());
    row.last_task_date = Set(changes.dates.last_task_date());
    row.lock_days = Set(lock_days(changes.lock));
    row.updated_at = Set(Utc::now());
    row.update(&txn).await.map_err(Error::db_unique("updating an election", UNIQUE))?;
    record(&txn, actor, AuditAction::Update, id, description).await?;
    commit(txn).await
}

/// Copies `source` into a new, inactive election with its own title, type,
/// lock period and dates. Seats are copied free (no participants); see
/// [`CopyPlan`] for which and to what dates.
pub async fn duplicate<C: Conn>(db: &C, actor: &Actor, source: Uuid, copy: Duplicate) -> Result<Copied> {
    let txn = begin_write(db).await?;
    let original = find(&txn, source).await?;
    ensure_title_free(&txn, &copy.title, None).await?;
    ensure_type_exists(&txn, copy.election_type_id).await?;
    ensure_subset_of_source(&txn, source, &copy.work_locations).await?;
    let id = Uuid::new_v4();
    let new = NewElection {
        title: copy.title.clone(),
        election_type_id: copy.election_type_id,
        dates: copy.plan.new_dates(),
        lock: copy.lock,
        work_locations: copy.work_locations.clone(),
    };
    insert_election(&txn, id, &new, &original.channel_order).await?;
    join_work_locations(&txn, id, &copy.work_locations).await?;
    let seats = copy::seats(&txn, source, id, &copy.plan, &copy.work_locations).await?;
    copy::template_slots(&txn, source, id).await?;
    let description = format!(
        "Valg oprettet som kopi af »{}«: {} (valgdato {}, {} dage før og {} dage efter, {} arbejdssteder, {} opgaver kopieret uden deltagere)",
        original.title,
        copy.title,
        dk(new.dates.election_date()),
        copy.plan.days_before(),
        copy.plan.days_after(),
        copy.work_locations.len(),
        seats
    );
    record(&txn, actor, AuditAction::Create, id, description).await?;
    commit(txn).await?;
    Ok(Copied { id, seats })
}

/// Marks the election active. Several elections may be active at once.
///
/// This is the one place an election becomes active, so the jobs an
/// activation causes (CPR check of the election's participants, then its
/// pending invitations and confirmations — this election's only) belong
/// here, queued through `crate::outbox` in this same transaction.
pub async fn activate<C: Conn>(db: &C, actor: &Actor, id: Uuid) -> Result<()> {
    let txn = begin_write(db).await?;
    let election = find(&txn, id).await?;
    election::may_activate(election.active).map_err(refused)?;
    let election = set_active(&txn, election, true).await?;
    super::seats::activation::start(&txn, id).await?;
    record(&txn, actor, AuditAction::Update, id, format!("Valg aktiveret: {}", election.title)).await?;
    commit(txn).await
}

/// Marks the election inactive: no automatic messages are sent for it.
pub async fn deactivate<C: Conn>(db: &C, actor: &Actor, id: Uuid) -> Result<()> {
    let txn = begin_write(db).await?;
    let election = find(&txn, id).await?;
    election::may_deactivate(election.active).map_err(refused)?;
    let election = set_active(&txn, election, false).await?;
    record(&txn, actor, AuditAction::Update, id, format!("Valg deaktiveret: {}", election.title)).await?;
    commit(txn).await
}

/// Deletes an inactive election with its seats and everything else that
/// belongs to it (cascade). Returns the number of seats deleted. Refused
/// with `Error::Conflict { field: "delete", .. }` while active.
pub async fn delete<C: Conn>(db: &C, actor: &Actor, id: Uuid) -> Result<u64> {
    let txn = begin_write(db).await?;
    let election = find(&txn, id).await?;
    election::may_delete(election.active).map_err(refused)?;
    let seats = seats::Entity::find()
        .filter(seats::Column::ElectionId.eq(id))
        .count(&txn)
        .await
        .map_err(Error::db("counting an election's seats"))?;
    elections::Entity::delete_by_id(id).exec(&txn).await.map_err(Error::db("deleting an election"))?;
    let description = format!("Valg slettet: {} med {} opgaver", election.title, seats);
    record(&txn, actor, AuditAction::Delete, id, description).await?;
    commit(txn).await?;
    Ok(seats)
}

async fn find(conn: &impl ConnectionTrait, id: Uuid) -> Result<elections::Model> {
    get(conn, id).await?.ok_or(Error::not_found(WHAT))
}

async fn commit(txn: impl TransactionSession) -> Result<()> {
    txn.commit().await.map_err(Error::db("committing"))
}

async fn record(conn: &impl ConnectionTrait, actor: &Actor, action: AuditAction, id: Uuid, text: String) -> Result<()> {
    audit::record(conn, actor, AuditEntry::new(action, TABLE).entity(id).description(text)).await?;
    Ok(())
}

/// The field a refusal is shown at: the confirmation page's, or the
/// work-location list's.
fn refused(refusal: ElectionRefusal) -> Error {
    let field = match refusal {
        ElectionRefusal::DeleteWhileActive => "delete",
        ElectionRefusal::AlreadyActive | ElectionRefusal::AlreadyInactive => "active",
        ElectionRefusal::WorkLocationHasSeats { .. } => "work_locations",
    };
    Error::conflict(field, refusal.to_string())
}

async fn set_active(conn: &impl ConnectionTrait, election: elections::Model, active: bool) -> Result<elections::Model> {
    let mut row = election.into_active_model();
    row.active = Set(active);
    row.updated_at = Set(Utc::now());
    row.update(conn).await.map_err(Error::db("changing an election's active flag"))
}

async fn insert_election(conn: &impl ConnectionTrait, id: Uuid, new: &NewElection, channel_order: &str) -> Result<()> {
    let now = Utc::now();
    elections::ActiveModel {
        id: Set(id),
        title: Set(new.title.as_str().to_owned()),
        title_key: Set(name_key(new.title.as_str())),
        election_type_id: Set(new.election_type_id),
        election_date: Set(new.dates.election_date()),
        first_task_date: Set(new.dates.first_task_date()),
        last_task_date: Set(new.dates.last_task_date()),
        lock_days: Set(lock_days(new.lock)),
        active: Set(false),
        channel_order: Set(channel_order.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(Error::db_unique("creating an election", UNIQUE))?;
    Ok(())
}

async fn join_work_locations(conn: &impl ConnectionTrait, id: Uuid, ids: &BTreeSet<Uuid>) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let rows =
        ids.iter().map(|wl| election_work_locations::ActiveModel { election_id: Set(id), work_location_id: Set(*wl) });
    election_work_locations::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await
        .map_err(Error::db("adding work locations to an election"))?;
    Ok(())
}

/// Brings the election's work locations to `wanted`; returns how many were
/// added and removed.
async fn change_work_locations(
    conn: &impl ConnectionTrait,
    id: Uuid,
    wanted: &BTreeSet<Uuid>,
) -> Result<(usize, usize)> {
    ensure_work_locations(conn, wanted).await?;
    let current = taking_part(conn, id).await?;
    let added: BTreeSet<Uuid> = wanted.difference(&current).copied().collect();
    let removed: Vec<Uuid> = current.difference(wanted).copied().collect();
    if !removed.is_empty() {
        ensure_no_seats_at(conn, id, &removed).await?;
        election_work_locations::Entity::delete_many()
            .filter(election_work_locations::Column::ElectionId.eq(id))
            .filter(election_work_locations::Column::WorkLocationId.is_in(removed.iter().copied()))
            .exec(conn)
            .await
            .map_err(Error::db("removing work locations from an election"))?;
    }
    join_work_locations(conn, id, &added).await?;
    Ok((added.len(), removed.len()))
}

async fn taking_part(conn: &impl ConnectionTrait, id: Uuid) -> Result<BTreeSet<Uuid>> {
    let ids: Vec<Uuid> = election_work_locations::Entity::find()
        .select_only()
        .column(election_work_locations::Column::WorkLocationId)
        .filter(election_work_locations::Column::ElectionId.eq(id))
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("reading an election's work locations"))?;
    Ok(ids.into_iter().collect())
}

/// A work location leaves an election only without seats in it; otherwise the
/// cascade would silently take the seats (and their people) along.
async fn ensure_no_seats_at(conn: &impl ConnectionTrait, id: Uuid, removed: &[Uuid]) -> Result<()> {
    let counts: HashMap<Uuid, i64> = seats::Entity::find()
        .select_only()
        .column(seats::Column::WorkLocationId)
        .column_as(seats::Column::Id.count(), "n")
        .filter(seats::Column::ElectionId.eq(id))
        .filter(seats::Column::WorkLocationId.is_in(removed.iter().copied()))
        .group_by(seats::Column::WorkLocationId)
        .into_tuple::<(Uuid, i64)>()
        .all(conn)
        .await
        .map_err(Error::db("counting seats per work location"))?
        .into_iter()
        .collect();
    let Some((wl, n)) = counts.into_iter().find(|(_, n)| *n > 0) else { return Ok(()) };
    let title = work_locations::Entity::find_by_id(wl)
        .one(conn)
        .await
        .map_err(Error::db("reading a work location"))?
        .map(|w| w.title)
        .unwrap_or_default();
    election::may_remove_work_location(&title, u64::try_from(n).unwrap_or(0)).map_err(refused)
}

async fn ensure_seats_fit(conn: &impl ConnectionTrait, id: Uuid, dates: ElectionDates) -> Result<()> {
    let span = seat_span(conn, id).await?;
    let Err(outside) = dates.check_seats(span.earliest, span.latest) else { return Ok(()) };
    let first = outside[0];
    let field = match first {
        SeatsOutside::BeforeFirst(_) => "first_task_date",
        SeatsOutside::AfterLast(_) => "last_task_date",
    };
    Err(Error::conflict(field, first.to_string()))
}

/// Titles are unique regardless of case and spacing ("Folketingsvalg 2026"
/// and "folketingsvalg  2026" collide).
async fn ensure_title_free(conn: &impl ConnectionTrait, title: &Name, except: Option<Uuid>) -> Result<()> {
    let key = name_key(title.as_str());
    let mut query = elections::Entity::find().filter(elections::Column::TitleKey.eq(key));
    if let Some(except) = except {
        query = query.filter(elections::Column::Id.ne(except));
    }
    let taken = query.count(conn).await.map_err(Error::db("checking an election title"))?;
    if taken > 0 {
        return Err(Error::conflict(
            "title",
            format!("Der findes allerede et valg med titlen »{title}«. Vælg en anden."),
        ));
    }
    Ok(())
}

async fn ensure_type_exists(conn: &impl ConnectionTrait, id: Uuid) -> Result<()> {
    let found =
        election_types::Entity::find_by_id(id).one(conn).await.map_err(Error::db("reading an election type"))?;
    match found {
        Some(_) => Ok(()),
        None => Err(Error::conflict("election_type_id", "Vælg en valgtype")),
    }
}

async fn ensure_work_locations(conn: &impl ConnectionTrait, ids: &BTreeSet<Uuid>) -> Result<()> {
    if ids.is_empty() {
        return Err(Error::conflict("work_locations", "Vælg mindst ét arbejdssted"));
    }
    let found = work_locations::Entity::find()
        .filter(work_locations::Column::Id.is_in(ids.iter().copied()))
        .count(conn)
        .await
        .map_err(Error::db("checking work locations"))?;
    if found != ids.len() as u64 {
        return Err(Error::conflict("work_locations", "Et af de valgte arbejdssteder findes ikke længere"));
    }
    Ok(())
}

async fn ensure_subset_of_source(conn: &impl ConnectionTrait, source: Uuid, ids: &BTreeSet<Uuid>) -> Result<()> {
    if ids.is_empty() {
        return Err(Error::conflict("work_locations", "Vælg mindst ét arbejdssted"));
    }
    if !ids.is_subset(&taking_part(conn, source).await?) {
        return Err(Error::conflict("work_locations", "Vælg kun arbejdssteder, der deltager i det valg, der kopieres"));
    }
    Ok(())
}

fn describe_changes(current: &elections::Model, changes: &ElectionChanges, added: usize, removed: usize) -> String {
    let mut parts = Vec::new();
    if current.title != changes.title.as_str() {
        parts.push(format!("titel var »{}«", current.title));
    }
    let dates = changes.dates;
    let pairs = [
        ("valgdato", current.election_date, dates.election_date()),
        ("første opgavedato", current.first_task_date, dates.first_task_date()),
        ("sidste opgavedato", current.last_task_date, dates.last_task_date()),
    ];
    for (what, old, new) in pairs {
        if old != new {
            parts.push(format!("{what} {} → {}", dk(old), dk(new)));
        }
    }
    if current.lock_days != lock_days(changes.lock) {
        parts.push(format!("låseperiode {} → {} dage", current.lock_days, changes.lock.days()));
    }
    if added > 0 {
        parts.push(format!("{added} arbejdssteder tilføjet"));
    }
    if removed > 0 {
        parts.push(format!("{removed} arbejdssteder fjernet"));
    }
    if parts.is_empty() {
        parts.push("ingen ændringer".to_owned());
    }
    format!("Valg ændret: {} ({})", changes.title, parts.join("; "))
}

fn lock_days(lock: LockPeriod) -> i32 {
    // At most MAX_LOCK_DAYS, so it always fits.
    i32::try_from(lock.days()).unwrap_or(i32::MAX)
}

fn dk(date: NaiveDate) -> String {
    date.format("%d-%m-%Y").to_string()
}
