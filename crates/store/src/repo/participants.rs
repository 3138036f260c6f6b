//! Participants: the people who staff elections. The CPR number is stored
//! encrypted and found through its keyed hash (see `crate::crypto`); it never
//! appears in a query, a log line or an audit description.

use chrono::{DateTime, NaiveDate, Utc};
use domain::{CountryCode, CprNumber, Email, Mobile, MunicipalityCode, Rule, SeatStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Set, TransactionSession,
};
use uuid::Uuid;

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::{Conn, Page, Paged, begin_write, contains_pattern};
use crate::crypto::CprVault;
use crate::entity::{participants, seats, team_members};
use crate::error::{Error, Result, Unique};

const TABLE: &str = "participants";
const WHAT: &str = "Deltageren";

const UNIQUE_CPR: &[Unique] = &[Unique {
    table: TABLE,
    column: "cpr_hash",
    field: "cpr",
    message: "Der findes allerede en deltager med dette CPR-nummer",
}];

/// How far the person's data is trusted for eligibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValidationState {
    /// Checked against fresh CPR data and passing.
    Valid,
    /// Accepted while CPR could not be asked; checked again when it can.
    Provisional,
    /// Fails one or more rules (see the reasons).
    Failing,
}

impl ValidationState {
    pub const ALL: [ValidationState; 3] =
        [ValidationState::Valid, ValidationState::Provisional, ValidationState::Failing];

    /// Stable key stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ValidationState::Valid => "valid",
            ValidationState::Provisional => "provisional",
            ValidationState::Failing => "failing",
        }
    }

    pub fn parse(key: &str) -> Option<ValidationState> {
        ValidationState::ALL.into_iter().find(|s| s.as_str() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            ValidationState::Valid => "Godkendt",
            ValidationState::Provisional => "Foreløbig",
            ValidationState::Failing => "Opfylder ikke kravene",
        }
    }
}

/// What the CPR register says about the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CprData {
    pub first_name: String,
    pub last_name: String,
    pub street_address: String,
    pub co_address: String,
    pub postal_code: String,
    pub city: String,
    pub municipality_code: Option<MunicipalityCode>,
    pub citizenship: Option<CountryCode>,
    pub birth_date: NaiveDate,
    pub deceased: bool,
    pub disappeared: bool,
    pub under_guardianship: bool,
    pub exempt_digital_post: bool,
    pub protected_address: bool,
    /// Where the data came from (live service, local copy …), shown to staff.
    pub source: String,
    pub fetched_at: DateTime<Utc>,
}

/// Contact data the person (or staff on their behalf) entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub mobile: Option<Mobile>,
    pub email: Option<Email>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParticipant {
    pub cpr: CprNumber,
    pub data: CprData,
    pub contact: Contact,
    pub validation: ValidationState,
    pub consent_until: Option<NaiveDate>,
}

/// Creates a participant. A second profile for the same CPR number is a
/// [`Conflict`](Error::Conflict) on the field `cpr`.
pub async fn create(
    db: &impl Conn,
    vault: &CprVault,
    actor: &Actor,
    new: NewParticipant,
) -> Result<participants::Model> {
    let now = Utc::now();
    let id = Uuid::new_v4();
    let mut row = participants::ActiveModel {
        id: Set(id),
        cpr_encrypted: Set(vault.encrypt(&new.cpr)),
        cpr_hash: Set(vault.hash(&new.cpr)),
        validation_state: Set(new.validation.as_str().to_owned()),
        validation_reasons: Set(String::new()),
        last_checked_at: Set(None),
        consent_until: Set(new.consent_until),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    set_cpr_data(&mut row, new.data);
    set_contact(&mut row, new.contact);
    let tx = begin_write(db).await?;
    let model = row.insert(&tx).await.map_err(Error::db_unique("creating a participant", UNIQUE_CPR))?;
    let entry = AuditEntry::new(AuditAction::Create, TABLE)
        .entity(id)
        .participant(id)
        .description(format!("Deltager oprettet: {}", full_name(&model)));
    audit::record(&tx, actor, entry).await?;
    tx.commit().await.map_err(Error::db("committing a new participant"))?;
    Ok(model)
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<participants::Model> {
    participants::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(Error::db("reading a participant"))?
        .ok_or(Error::not_found(WHAT))
}

/// The participant with this CPR number, if any.
pub async fn find_by_cpr(
    db: &impl ConnectionTrait,
    vault: &CprVault,
    cpr: &CprNumber,
) -> Result<Option<participants::Model>> {
    participants::Entity::find()
        .filter(participants::Column::CprHash.eq(vault.hash(cpr)))
        .one(db)
        .await
        .map_err(Error::db("finding a participant by CPR number"))
}

/// Decrypts the stored CPR number. Callers showing it must audit the view.
pub fn cpr_of(vault: &CprVault, participant: &participants::Model) -> Result<CprNumber> {
    Ok(vault.decrypt(&participant.cpr_encrypted)?)
}

pub async fn update_contact(db: &impl Conn, actor: &Actor, id: Uuid, contact: Contact) -> Result<participants::Model> {
    let tx = begin_write(db).await?;
    let current = get(&tx, id).await?;
    let mut changed = Vec::new();
    if current.mobile.as_deref() != contact.mobile.as_ref().map(Mobile::as_str) {
        changed.push("mobilnummer");
    }
    if current.email.as_deref() != contact.email.as_ref().map(Email::as_str) {
        changed.push("e-mail");
    }
    let mut row: participants::ActiveModel = current.into();
    set_contact(&mut row, contact);
    let description = format!("Kontaktoplysninger ændret: {}", changed_list(&changed));
    update(tx, actor, row, description).await
}

/// Overwrites the CPR-derived data, e.g. after a CPR sync.
pub async fn update_cpr_data(db: &impl Conn, actor: &Actor, id: Uuid, data: CprData) -> Result<participants::Model> {
    let tx = begin_write(db).await?;
    let mut row: participants::ActiveModel = get(&tx, id).await?.into();
    let description = format!("CPR-oplysninger opdateret (kilde: {})", data.source);
    set_cpr_data(&mut row, data);
    update(tx, actor, row, description).await
}

/// CPR confirmed the data held: only its source and date move. Not audited,
/// since nothing about the person changed.
pub async fn confirm_cpr_data(
    db: &impl ConnectionTrait,
    id: Uuid,
    source: &str,
    fetched_at: DateTime<Utc>,
) -> Result<()> {
    participants::Entity::update_many()
        .col_expr(participants::Column::CprSource, Expr::value(source))
        .col_expr(participants::Column::CprFetchedAt, Expr::value(fetched_at))
        .filter(participants::Column::Id.eq(id))
        .exec(db)
        .await
        .map_err(Error::db("confirming a participant's CPR data"))?;
    Ok(())
}

/// The `1/share` of all participants (rounded up) whose CPR data is oldest,
/// never-fetched first: a daily run over them refreshes everybody once in
/// `share` days however the numbers change.
pub async fn oldest_cpr_data(db: &impl ConnectionTrait, share: u64) -> Result<Vec<Uuid>> {
    let total = participants::Entity::find().count(db).await.map_err(Error::db("counting participants"))?;
    let limit = total.div_ceil(Ord::max(share, 1));
    participants::Entity::find()
        .select_only()
        .column(participants::Column::Id)
        .order_by_with_nulls(
            participants::Column::CprFetchedAt,
            sea_orm::Order::Asc,
            sea_orm::sea_query::NullOrdering::First,
        )
        .order_by_asc(participants::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
        .map_err(Error::db("listing participants by the age of their CPR data"))
}

/// Records the outcome of an eligibility check; `failed` lists the rules
/// that failed (empty unless the state is failing).
pub async fn set_validation(
    db: &impl Conn,
    actor: &Actor,
    id: Uuid,
    state: ValidationState,
    failed: &[Rule],
    checked_at: DateTime<Utc>,
) -> Result<participants::Model> {
    let tx = begin_write(db).await?;
    let mut row: participants::ActiveModel = get(&tx, id).await?.into();
    let reasons = failed.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",");
    row.validation_state = Set(state.as_str().to_owned());
    row.validation_reasons = Set(reasons);
    row.last_checked_at = Set(Some(checked_at));
    let description = format!("Validering: {}", state.label());
    update(tx, actor, row, description).await
}

pub async fn set_consent(
    db: &impl Conn,
    actor: &Actor,
    id: Uuid,
    consent_until: Option<NaiveDate>,
) -> Result<participants::Model> {
    let tx = begin_write(db).await?;
    let mut row: participants::ActiveModel = get(&tx, id).await?.into();
    row.consent_until = Set(consent_until);
    let description = match consent_until {
        Some(day) => format!("Samtykke til opbevaring til {}", day.format("%d-%m-%Y")),
        None => "Samtykke til opbevaring fjernet".to_owned(),
    };
    update(tx, actor, row, description).await
}

/// Saves `row`, audits it and commits `tx`.
async fn update<T: Conn + TransactionSession>(
    tx: T,
    actor: &Actor,
    mut row: participants::ActiveModel,
    description: String,
) -> Result<participants::Model> {
    row.updated_at = Set(Utc::now());
    let model = row.update(&tx).await.map_err(Error::db("updating a participant"))?;
    let entry =
        AuditEntry::new(AuditAction::Update, TABLE).entity(model.id).participant(model.id).description(description);
    audit::record(&tx, actor, entry).await?;
    tx.commit().await.map_err(Error::db("committing a participant change"))?;
    Ok(model)
}

/// Deletes the participant and everything that is theirs (memberships,
/// diets, comments, messages, sessions). Seats they held become available
/// again; no message is sent.
pub async fn delete(db: &impl Conn, actor: &Actor, id: Uuid) -> Result<()> {
    let tx = begin_write(db).await?;
    let participant = get(&tx, id).await?;
    let freed = free_seats_of(&tx, id).await?;
    participants::Entity::delete_by_id(id).exec(&tx).await.map_err(Error::db("deleting a participant"))?;
    let mut description = format!("Deltager slettet: {}", full_name(&participant));
    if freed > 0 {
        description.push_str(&format!(" ({freed} opgave(r) gjort ledige)"));
    }
    let entry = AuditEntry::new(AuditAction::Delete, TABLE).entity(id).participant(id).description(description);
    audit::record(&tx, actor, entry).await?;
    tx.commit().await.map_err(Error::db("committing a participant deletion"))
}

async fn free_seats_of(db: &impl ConnectionTrait, participant: Uuid) -> Result<u64> {
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
        .col_expr(C::CheckedInAt, never())
        .col_expr(C::InvitationSent, Expr::value(false))
        .col_expr(C::RegistrationSent, Expr::value(false))
        .col_expr(C::UpdatedAt, Expr::value(Utc::now()))
        .filter(C::ParticipantId.eq(participant))
        .exec(db)
        .await
        .map_err(Error::db("freeing the seats of a participant"))?;
    Ok(result.rows_affected)
}

/// Filters for the participant list; `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParticipantFilter {
    /// Every word must occur in the first or last name.
    pub text: Option<String>,
    pub team_id: Option<Uuid>,
    pub validation: Option<ValidationState>,
    pub exempt_digital_post: Option<bool>,
    pub born_from: Option<NaiveDate>,
    pub born_until: Option<NaiveDate>,
}

fn filtered(filter: &ParticipantFilter) -> Select<participants::Entity> {
    use participants::Column as C;
    let mut query = participants::Entity::find();
    if let Some(text) = &filter.text {
        for word in text.split_whitespace() {
            query = query.filter(name_contains(C::FirstName, word).add(name_contains(C::LastName, word)));
        }
    }
    if let Some(team) = filter.team_id {
        let members = Query::select()
            .column(team_members::Column::ParticipantId)
            .from(team_members::Entity)
            .and_where(team_members::Column::TeamId.eq(team))
            .take();
        query = query.filter(C::Id.in_subquery(members));
    }
    if let Some(state) = filter.validation {
        query = query.filter(C::ValidationState.eq(state.as_str()));
    }
    if let Some(exempt) = filter.exempt_digital_post {
        query = query.filter(C::ExemptDigitalPost.eq(exempt));
    }
    if let Some(from) = filter.born_from {
        query = query.filter(C::BirthDate.gte(from));
    }
    if let Some(until) = filter.born_until {
        query = query.filter(C::BirthDate.lte(until));
    }
    query
}

/// Case-insensitive on both backends for ASCII; for other letters (æ, ø, å)
/// SQLite's `lower()` does not fold, so the word as typed is tried too.
fn name_contains(column: participants::Column, word: &str) -> Condition {
    let lowered = LikeExpr::new(contains_pattern(&word.to_lowercase())).escape('\\');
    let as_typed = LikeExpr::new(contains_pattern(word)).escape('\\');
    Condition::any().add(Expr::expr(Func::lower(Expr::col(column))).like(lowered)).add(Expr::col(column).like(as_typed))
}

/// Sorted by last name, first name.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &ParticipantFilter,
    page: Page,
) -> Result<Paged<participants::Model>> {
    let total = count(db, filter).await?;
    let items = filtered(filter)
        .order_by_asc(participants::Column::LastName)
        .order_by_asc(participants::Column::FirstName)
        .order_by_asc(participants::Column::Id)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await
        .map_err(Error::db("listing participants"))?;
    Ok(Paged { items, total, page })
}

pub async fn count(db: &impl ConnectionTrait, filter: &ParticipantFilter) -> Result<u64> {
    filtered(filter).count(db).await.map_err(Error::db("counting participants"))
}

pub fn full_name(participant: &participants::Model) -> String {
    format!("{} {}", participant.first_name, participant.last_name).trim().to_owned()
}

fn set_cpr_data(row: &mut participants::ActiveModel, data: CprData) {
    row.first_name = Set(data.first_name);
    row.last_name = Set(data.last_name);
    row.street_address = Set(data.street_address);
    row.co_address = Set(data.co_address);
    row.postal_code = Set(data.postal_code);
    row.city = Set(data.city);
    row.municipality_code = Set(data.municipality_code.map(String::from));
    row.citizenship = Set(data.citizenship.map(String::from));
    row.birth_date = Set(data.birth_date);
    row.deceased = Set(data.deceased);
    row.disappeared = Set(data.disappeared);
    row.under_guardianship = Set(data.under_guardianship);
    row.exempt_digital_post = Set(data.exempt_digital_post);
    row.protected_address = Set(data.protected_address);
    row.cpr_source = Set(Some(data.source));
    row.cpr_fetched_at = Set(Some(data.fetched_at));
}

fn set_contact(row: &mut participants::ActiveModel, contact: Contact) {
    row.mobile = Set(contact.mobile.map(String::from));
    row.email = Set(contact.email.map(String::from));
}

fn changed_list(changed: &[&str]) -> String {
    if changed.is_empty() { "ingen ændringer".to_owned() } else { changed.join(", ") }
}
