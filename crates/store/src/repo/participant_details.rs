//! What the admin app shows and changes around a participant besides the
//! CPR data in `participants`: team memberships, diets, comments, seats,
//! the message log, the date eligibility is checked for, and the list query
//! with every filter of the participant list.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, Utc};
use domain::{RuleSet, SeatStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Set,
};
use uuid::Uuid;

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::{Page, Paged, contains_pattern};
use crate::entity::{
    election_types, elections, message_log, participant_comments, participant_diets, participants, seats,
    special_diets, task_types, team_members, teams, work_locations,
};
use crate::error::{Error, Result};

const TABLE: &str = "participants";

/// The teams the participant is a member of, as (id, name), sorted by name.
pub async fn teams_of(db: &impl ConnectionTrait, participant: Uuid) -> Result<Vec<(Uuid, String)>> {
    let ids = team_ids_of(db, participant).await?;
    let mut rows: Vec<(Uuid, String)> = teams::Entity::find()
        .filter(teams::Column::Id.is_in(ids))
        .all(db)
        .await
        .map_err(Error::db("reading a participant's teams"))?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(rows)
}

pub async fn team_ids_of(db: &impl ConnectionTrait, participant: Uuid) -> Result<BTreeSet<Uuid>> {
    Ok(team_members::Entity::find()
        .filter(team_members::Column::ParticipantId.eq(participant))
        .all(db)
        .await
        .map_err(Error::db("reading team memberships"))?
        .into_iter()
        .map(|m| m.team_id)
        .collect())
}

/// Teams in which the participant holds a seat: leaving them would leave
/// the seat with somebody outside its team (reference §2.5).
pub async fn teams_with_seats(db: &impl ConnectionTrait, participant: Uuid) -> Result<BTreeSet<Uuid>> {
    Ok(seats::Entity::find()
        .filter(seats::Column::ParticipantId.eq(participant))
        .all(db)
        .await
        .map_err(Error::db("reading a participant's seats"))?
        .into_iter()
        .map(|s| s.team_id)
        .collect())
}

/// Replaces the memberships. Refused with a conflict on `teams` when a team
/// with one of the participant's seats would be left. No audit: the caller
/// writes one row for the whole edit.
pub async fn set_teams(db: &impl ConnectionTrait, participant: Uuid, wanted: &BTreeSet<Uuid>) -> Result<()> {
    let held = teams_with_seats(db, participant).await?;
    if let Some(kept) = held.iter().find(|t| !wanted.contains(t)) {
        let name = teams::Entity::find_by_id(*kept)
            .one(db)
            .await
            .map_err(Error::db("reading a team"))?
            .map(|t| t.name)
            .unwrap_or_default();
        return Err(Error::conflict(
            "teams",
            format!("Deltageren har en opgave i teamet »{name}« og kan ikke fjernes fra det"),
        ));
    }
    team_members::Entity::delete_many()
        .filter(team_members::Column::ParticipantId.eq(participant))
        .exec(db)
        .await
        .map_err(Error::db("removing team memberships"))?;
    for team in wanted {
        team_members::ActiveModel { team_id: Set(*team), participant_id: Set(participant) }
            .insert(db)
            .await
            .map_err(Error::db("adding a team membership"))?;
    }
    Ok(())
}

pub async fn diet_ids_of(db: &impl ConnectionTrait, participant: Uuid) -> Result<BTreeSet<Uuid>> {
    Ok(participant_diets::Entity::find()
        .filter(participant_diets::Column::ParticipantId.eq(participant))
        .all(db)
        .await
        .map_err(Error::db("reading diets"))?
        .into_iter()
        .map(|d| d.diet_id)
        .collect())
}

pub async fn diet_names_of(db: &impl ConnectionTrait, participant: Uuid) -> Result<Vec<String>> {
    let ids = diet_ids_of(db, participant).await?;
    let mut names: Vec<String> = special_diets::Entity::find()
        .filter(special_diets::Column::Id.is_in(ids))
        .all(db)
        .await
        .map_err(Error::db("reading diets"))?
        .into_iter()
        .map(|d| d.title)
        .collect();
    names.sort();
    Ok(names)
}

pub async fn set_diets(db: &impl ConnectionTrait, participant: Uuid, wanted: &BTreeSet<Uuid>) -> Result<()> {
    participant_diets::Entity::delete_many()
        .filter(participant_diets::Column::ParticipantId.eq(participant))
        .exec(db)
        .await
        .map_err(Error::db("removing diets"))?;
    for diet in wanted {
        participant_diets::ActiveModel { participant_id: Set(participant), diet_id: Set(*diet) }
            .insert(db)
            .await
            .map_err(Error::db("adding a diet"))?;
    }
    Ok(())
}

pub async fn comments_of(db: &impl ConnectionTrait, participant: Uuid) -> Result<Vec<participant_comments::Model>> {
    participant_comments::Entity::find()
        .filter(participant_comments::Column::ParticipantId.eq(participant))
        .order_by_desc(participant_comments::Column::CreatedAt)
        .all(db)
        .await
        .map_err(Error::db("reading comments"))
}

pub async fn add_comment(db: &impl ConnectionTrait, actor: &Actor, participant: Uuid, text: &str) -> Result<Uuid> {
    let now = Utc::now();
    let id = Uuid::new_v4();
    participant_comments::ActiveModel {
        id: Set(id),
        participant_id: Set(participant),
        text: Set(text.to_owned()),
        author_user_id: Set(actor.user_id),
        author_name: Set(actor.name.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(Error::db("adding a comment"))?;
    let entry = AuditEntry::new(AuditAction::Create, "participant_comments")
        .entity(id)
        .participant(participant)
        .description("Kommentar tilføjet");
    audit::record(db, actor, entry).await?;
    Ok(id)
}

pub async fn delete_comment(db: &impl ConnectionTrait, actor: &Actor, participant: Uuid, comment: Uuid) -> Result<()> {
    let deleted = participant_comments::Entity::delete_many()
        .filter(participant_comments::Column::Id.eq(comment))
        .filter(participant_comments::Column::ParticipantId.eq(participant))
        .exec(db)
        .await
        .map_err(Error::db("deleting a comment"))?;
    if deleted.rows_affected == 0 {
        return Err(Error::not_found("Kommentaren"));
    }
    let entry = AuditEntry::new(AuditAction::Delete, "participant_comments")
        .entity(comment)
        .participant(participant)
        .description("Kommentar slettet");
    audit::record(db, actor, entry).await?;
    Ok(())
}

/// One seat of the participant, as the profile lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatLine {
    pub election: String,
    pub election_active: bool,
    pub date: NaiveDate,
    pub work_location: String,
    pub team: String,
    pub task_type: String,
    pub status: String,
}

/// The participant's seats grouped by election title, newest date first.
pub async fn seats_of(db: &impl ConnectionTrait, participant: Uuid) -> Result<Vec<SeatLine>> {
    let rows = seats::Entity::find()
        .filter(seats::Column::ParticipantId.eq(participant))
        .order_by_desc(seats::Column::TaskDate)
        .all(db)
        .await
        .map_err(Error::db("reading a participant's seats"))?;
    let mut lines = Vec::with_capacity(rows.len());
    for seat in rows {
        let election =
            elections::Entity::find_by_id(seat.election_id).one(db).await.map_err(Error::db("reading an election"))?;
        let location = work_locations::Entity::find_by_id(seat.work_location_id)
            .one(db)
            .await
            .map_err(Error::db("reading a work location"))?;
        let team = teams::Entity::find_by_id(seat.team_id).one(db).await.map_err(Error::db("reading a team"))?;
        let task = task_types::Entity::find_by_id(seat.task_type_id)
            .one(db)
            .await
            .map_err(Error::db("reading a task type"))?;
        let status = SeatStatus::ALL.into_iter().find(|s| s.as_str() == seat.state).map(|s| s.label().to_owned());
        lines.push(SeatLine {
            election_active: election.as_ref().is_some_and(|e| e.active),
            election: election.map(|e| e.title).unwrap_or_default(),
            date: seat.task_date,
            work_location: location.map(|l| l.title).unwrap_or_default(),
            team: team.map(|t| t.name).unwrap_or_default(),
            task_type: task.map(|t| t.title).unwrap_or_default(),
            status: status.unwrap_or(seat.state),
        });
    }
    Ok(lines)
}

pub async fn messages_of(db: &impl ConnectionTrait, participant: Uuid) -> Result<Vec<message_log::Model>> {
    message_log::Entity::find()
        .filter(message_log::Column::ParticipantId.eq(participant))
        .order_by_desc(message_log::Column::QueuedAt)
        .limit(100)
        .all(db)
        .await
        .map_err(Error::db("reading the message log"))
}

/// Which day and which rules a participant's eligibility is checked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckBasis {
    pub date: NaiveDate,
    pub rules: RuleSet,
    /// What the date is: "opgave 24-11-2026 (Folketingsvalg)", "valgdagen …", or "i dag".
    pub what: String,
}

/// The next seat the participant holds from `today`, else the next election,
/// else today with every rule: the question staff ask is "may this person
/// work the next time we need them?".
pub async fn check_basis(db: &impl ConnectionTrait, participant: Uuid, today: NaiveDate) -> Result<CheckBasis> {
    let next_seat = seats::Entity::find()
        .filter(seats::Column::ParticipantId.eq(participant))
        .filter(seats::Column::TaskDate.gte(today))
        .order_by_asc(seats::Column::TaskDate)
        .one(db)
        .await
        .map_err(Error::db("reading a participant's next seat"))?;
    let (election, date, what) = match next_seat {
        Some(seat) => {
            let election = elections::Entity::find_by_id(seat.election_id)
                .one(db)
                .await
                .map_err(Error::db("reading an election"))?;
            let title = election.as_ref().map(|e| e.title.clone()).unwrap_or_default();
            (election, seat.task_date, format!("opgaven {} ({title})", seat.task_date.format("%d-%m-%Y")))
        }
        None => {
            let election = elections::Entity::find()
                .filter(elections::Column::ElectionDate.gte(today))
                .order_by_asc(elections::Column::ElectionDate)
                .one(db)
                .await
                .map_err(Error::db("reading the next election"))?;
            match election {
                Some(e) => {
                    let what = format!("valgdagen {} ({})", e.election_date.format("%d-%m-%Y"), e.title);
                    (Some(e.clone()), e.election_date, what)
                }
                None => (None, today, "i dag (intet kommende valg)".to_owned()),
            }
        }
    };
    let rules = match election {
        Some(e) => election_types::Entity::find_by_id(e.election_type_id)
            .one(db)
            .await
            .map_err(Error::db("reading an election type"))?
            .map(|t| super::election_types::rules_of(&t))
            .unwrap_or_else(every_rule),
        None => every_rule(),
    };
    Ok(CheckBasis { date, rules, what })
}

fn every_rule() -> RuleSet {
    RuleSet { age18: true, resident_in_municipality: true, danish_citizen: true, not_under_guardianship: true }
}

/// Every filter of the participant list; `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Every word must occur in the first or last name.
    pub text: Option<String>,
    pub born_from: Option<NaiveDate>,
    pub born_until: Option<NaiveDate>,
    pub team_ids: BTreeSet<Uuid>,
    /// `Some(true)`: only those who get Digital Post.
    pub digital_post: Option<bool>,
    pub has_accepted_seat: Option<bool>,
    pub task_type_ids: BTreeSet<Uuid>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Name,
    NameDesc,
    BirthDate,
    BirthDateDesc,
}

impl Sort {
    pub fn parse(key: &str) -> Sort {
        match key {
            "name_desc" => Sort::NameDesc,
            "birth" => Sort::BirthDate,
            "birth_desc" => Sort::BirthDateDesc,
            _ => Sort::Name,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::NameDesc => "name_desc",
            Sort::BirthDate => "birth",
            Sort::BirthDateDesc => "birth_desc",
        }
    }
}

fn filtered(filter: &ListFilter) -> Select<participants::Entity> {
    use participants::Column as C;
    let mut query = participants::Entity::find();
    if let Some(text) = &filter.text {
        for word in text.split_whitespace() {
            let lowered = LikeExpr::new(contains_pattern(&word.to_lowercase())).escape('\\');
            let typed = LikeExpr::new(contains_pattern(word)).escape('\\');
            let name = |col: C| {
                Condition::any()
                    .add(Expr::expr(Func::lower(Expr::col(col))).like(lowered.clone()))
                    .add(Expr::col(col).like(typed.clone()))
            };
            query = query.filter(Condition::any().add(name(C::FirstName)).add(name(C::LastName)));
        }
    }
    if let Some(from) = filter.born_from {
        query = query.filter(C::BirthDate.gte(from));
    }
    if let Some(until) = filter.born_until {
        query = query.filter(C::BirthDate.lte(until));
    }
    if !filter.team_ids.is_empty() {
        let members = Query::select()
            .column(team_members::Column::ParticipantId)
            .from(team_members::Entity)
            .and_where(team_members::Column::TeamId.is_in(filter.team_ids.iter().copied()))
            .take();
        query = query.filter(C::Id.in_subquery(members));
    }
    if let Some(digital) = filter.digital_post {
        query = query.filter(C::ExemptDigitalPost.eq(!digital));
    }
    if let Some(has) = filter.has_accepted_seat {
        let accepted = Query::select()
            .column(seats::Column::ParticipantId)
            .from(seats::Entity)
            .and_where(seats::Column::State.eq(SeatStatus::Accepted.as_str()))
            .and_where(seats::Column::ParticipantId.is_not_null())
            .take();
        query = query.filter(if has { C::Id.in_subquery(accepted) } else { C::Id.not_in_subquery(accepted) });
    }
    if !filter.task_type_ids.is_empty() {
        let holders = Query::select()
            .column(seats::Column::ParticipantId)
            .from(seats::Entity)
            .and_where(seats::Column::TaskTypeId.is_in(filter.task_type_ids.iter().copied()))
            .and_where(seats::Column::ParticipantId.is_not_null())
            .take();
        query = query.filter(C::Id.in_subquery(holders));
    }
    query
}

pub async fn list(
    db: &impl ConnectionTrait,
    filter: &ListFilter,
    sort: Sort,
    page: Page,
) -> Result<Paged<participants::Model>> {
    use participants::Column as C;
    let total = filtered(filter).count(db).await.map_err(Error::db("counting participants"))?;
    let query = match sort {
        Sort::Name => filtered(filter).order_by_asc(C::LastName).order_by_asc(C::FirstName),
        Sort::NameDesc => filtered(filter).order_by_desc(C::LastName).order_by_desc(C::FirstName),
        Sort::BirthDate => filtered(filter).order_by_asc(C::BirthDate),
        Sort::BirthDateDesc => filtered(filter).order_by_desc(C::BirthDate),
    };
    let items = query
        .order_by_asc(C::Id)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await
        .map_err(Error::db("listing participants"))?;
    Ok(Paged { items, total, page })
}

/// Per participant: team names and whether they hold an accepted seat, for the list columns.
pub async fn list_columns(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<BTreeMap<Uuid, (Vec<String>, bool)>> {
    let names: BTreeMap<Uuid, String> = teams::Entity::find()
        .all(db)
        .await
        .map_err(Error::db("reading teams"))?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let mut out: BTreeMap<Uuid, (Vec<String>, bool)> = ids.iter().map(|id| (*id, (Vec::new(), false))).collect();
    let members = team_members::Entity::find()
        .filter(team_members::Column::ParticipantId.is_in(ids.iter().copied()))
        .all(db)
        .await
        .map_err(Error::db("reading team memberships"))?;
    for m in members {
        if let (Some(entry), Some(name)) = (out.get_mut(&m.participant_id), names.get(&m.team_id)) {
            entry.0.push(name.clone());
        }
    }
    let accepted = seats::Entity::find()
        .filter(seats::Column::ParticipantId.is_in(ids.iter().copied()))
        .filter(seats::Column::State.eq(SeatStatus::Accepted.as_str()))
        .all(db)
        .await
        .map_err(Error::db("reading accepted seats"))?;
    for seat in accepted {
        if let Some(entry) = seat.participant_id.and_then(|p| out.get_mut(&p)) {
            entry.1 = true;
        }
    }
    Ok(out)
}

/// The teams and work locations the participant is responsible for, by name.
pub async fn responsibilities_of(db: &impl ConnectionTrait, participant: Uuid) -> Result<(Vec<String>, Vec<String>)> {
    use crate::entity::{team_responsibles, work_location_responsibles};
    let team_ids: Vec<Uuid> = team_responsibles::Entity::find()
        .filter(team_responsibles::Column::ParticipantId.eq(participant))
        .all(db)
        .await
        .map_err(Error::db("reading team responsibilities"))?
        .into_iter()
        .map(|r| r.team_id)
        .collect();
    let location_ids: Vec<Uuid> = work_location_responsibles::Entity::find()
        .filter(work_location_responsibles::Column::ParticipantId.eq(participant))
        .all(db)
        .await
        .map_err(Error::db("reading work location responsibilities"))?
        .into_iter()
        .map(|r| r.work_location_id)
        .collect();
    let mut teams: Vec<String> = teams::Entity::find()
        .filter(teams::Column::Id.is_in(team_ids))
        .all(db)
        .await
        .map_err(Error::db("reading teams"))?
        .into_iter()
        .map(|t| t.name)
        .collect();
    let mut locations: Vec<String> = work_locations::Entity::find()
        .filter(work_locations::Column::Id.is_in(location_ids))
        .all(db)
        .await
        .map_err(Error::db("reading work locations"))?
        .into_iter()
        .map(|l| l.title)
        .collect();
    teams.sort();
    locations.sort();
    Ok((teams, locations))
}

/// What a delete confirmation must warn about (reference §2.5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteWarnings {
    pub seats_in_active_elections: u64,
    pub seats: u64,
    pub team_responsible: bool,
    pub work_location_responsible: bool,
}

pub async fn delete_warnings(db: &impl ConnectionTrait, participant: Uuid) -> Result<DeleteWarnings> {
    use crate::entity::{team_responsibles, work_location_responsibles};
    let seats = seats::Entity::find()
        .filter(seats::Column::ParticipantId.eq(participant))
        .all(db)
        .await
        .map_err(Error::db("reading seats"))?;
    let mut active = 0;
    for seat in &seats {
        let election =
            elections::Entity::find_by_id(seat.election_id).one(db).await.map_err(Error::db("reading an election"))?;
        if election.is_some_and(|e| e.active) {
            active += 1;
        }
    }
    let team_responsible = team_responsibles::Entity::find()
        .filter(team_responsibles::Column::ParticipantId.eq(participant))
        .count(db)
        .await
        .map_err(Error::db("reading team responsibles"))?
        > 0;
    let work_location_responsible = work_location_responsibles::Entity::find()
        .filter(work_location_responsibles::Column::ParticipantId.eq(participant))
        .count(db)
        .await
        .map_err(Error::db("reading work location responsibles"))?
        > 0;
    Ok(DeleteWarnings {
        seats_in_active_elections: active,
        seats: seats.len() as u64,
        team_responsible,
        work_location_responsible,
    })
}

/// Audits that staff opened the profile (reference §2.5: every view is logged).
pub async fn record_view(db: &impl ConnectionTrait, actor: &Actor, participant: &participants::Model) -> Result<()> {
    let entry = AuditEntry::new(AuditAction::View, TABLE)
        .entity(participant.id)
        .participant(participant.id)
        .description(format!("Deltagerprofil vist: {}", super::participants::full_name(participant)));
    audit::record(db, actor, entry).await?;
    Ok(())
}

/// Audits a CPR lookup. `masked` is the masked number (ddmmyy-xxxx): the
/// full number never goes into the audit description.
pub async fn record_lookup(
    db: &impl ConnectionTrait,
    actor: &Actor,
    participant: Option<Uuid>,
    masked: &str,
    outcome: &str,
) -> Result<()> {
    let mut entry =
        AuditEntry::new(AuditAction::CprLookup, TABLE).description(format!("CPR-opslag {masked}: {outcome}"));
    if let Some(id) = participant {
        entry = entry.entity(id).participant(id);
    }
    audit::record(db, actor, entry).await?;
    Ok(())
}
