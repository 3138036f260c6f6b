//! What must hold before a person gets a seat: the election type's rules on
//! the task date, and no other seat of theirs at the same time (night tasks
//! included). Every failed rule and every clash is reported, not the first.

use chrono::{Days, NaiveDate};
use domain::conflict::{TaskWindow, conflicts};
use domain::{Eligibility, MunicipalityCode, PersonFacts, SeatStatus};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entity::{election_types, elections, participants, seats, task_types, work_locations};
use crate::error::{Error, Result};
use crate::repo::election_types::rules_of;
use crate::repo::participants::ValidationState;

/// The outcome of the checks for one person and one seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checks {
    /// `None` while the person is provisional: CPR has not answered yet,
    /// so no rule can be decided; the provisional job decides later.
    pub eligibility: Option<Eligibility>,
    pub conflicts: Vec<ConflictLine>,
}

impl Checks {
    pub fn passed(&self) -> bool {
        self.conflicts.is_empty() && self.eligibility.as_ref().is_none_or(Eligibility::is_eligible)
    }

    /// Danish reasons, one per failed rule and one per clash.
    pub fn problems(&self) -> Vec<String> {
        let rules = self.eligibility.iter().flat_map(|e| e.reasons()).map(str::to_owned);
        let clashes = self.conflicts.iter().map(|c| {
            format!(
                "Allerede på en anden opgave på samme tid: {} {} ({})",
                c.task_type,
                c.date.format("%d-%m-%Y"),
                c.work_location
            )
        });
        rules.chain(clashes).collect()
    }
}

/// Another seat of the person that clashes with the one checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictLine {
    pub seat: Uuid,
    pub date: NaiveDate,
    pub task_type: String,
    pub work_location: String,
}

/// The person's facts as the rules need them.
pub fn person_facts(participant: &participants::Model) -> PersonFacts {
    PersonFacts {
        birth_date: participant.birth_date,
        municipality_code: participant.municipality_code.as_deref().and_then(|m| MunicipalityCode::parse(m).ok()),
        citizenship: participant.citizenship.clone(),
        deceased: participant.deceased,
        disappeared: participant.disappeared,
        under_guardianship: participant.under_guardianship,
    }
}

/// Runs both checks for `participant` on `seat`.
pub async fn checks(
    db: &impl ConnectionTrait,
    seat: &seats::Model,
    participant: &participants::Model,
    own_municipality: &MunicipalityCode,
) -> Result<Checks> {
    let task_type = task_type(db, seat.task_type_id).await?;
    let provisional = participant.validation_state == ValidationState::Provisional.as_str();
    let eligibility = if provisional {
        None
    } else {
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
        let facts = person_facts(participant);
        let rules = rules_of(&election_type);
        Some(domain::evaluate(&facts, seat.task_date, &rules, task_type.validation_off, own_municipality))
    };
    let conflicts = clashes(db, seat, &task_type, participant.id).await?;
    Ok(Checks { eligibility, conflicts })
}

/// The person's other held seats from the day before to the day after
/// (a night task reaches into the next day) whose windows overlap.
async fn clashes(
    db: &impl ConnectionTrait,
    seat: &seats::Model,
    task_type: &task_types::Model,
    participant: Uuid,
) -> Result<Vec<ConflictLine>> {
    let day = Days::new(1);
    let from = seat.task_date.checked_sub_days(day).unwrap_or(seat.task_date);
    let until = seat.task_date.checked_add_days(day).unwrap_or(seat.task_date);
    let held = Condition::any()
        .add(seats::Column::State.eq(SeatStatus::Invited.as_str()))
        .add(seats::Column::State.eq(SeatStatus::Accepted.as_str()))
        .add(seats::Column::State.eq(SeatStatus::CheckedIn.as_str()));
    let others = seats::Entity::find()
        .filter(seats::Column::ParticipantId.eq(participant))
        .filter(seats::Column::Id.ne(seat.id))
        .filter(seats::Column::TaskDate.between(from, until))
        .filter(held)
        .all(db)
        .await
        .map_err(Error::db("reading a participant's other seats"))?;
    let new = TaskWindow::new(seat.task_date, task_type.start_time, task_type.end_time);
    let mut lines = Vec::new();
    for other in others {
        let other_type = self::task_type(db, other.task_type_id).await?;
        let window = TaskWindow::new(other.task_date, other_type.start_time, other_type.end_time);
        if conflicts(&new, &[(other.id, window)]).is_empty() {
            continue;
        }
        let location = work_locations::Entity::find_by_id(other.work_location_id)
            .one(db)
            .await
            .map_err(Error::db("reading a work location"))?
            .map(|w| w.title)
            .unwrap_or_default();
        lines.push(ConflictLine {
            seat: other.id,
            date: other.task_date,
            task_type: other_type.title,
            work_location: location,
        });
    }
    Ok(lines)
}

async fn task_type(db: &impl ConnectionTrait, id: Uuid) -> Result<task_types::Model> {
    task_types::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(Error::db("reading a task type"))?
        .ok_or(Error::not_found("Opgavetypen"))
}
