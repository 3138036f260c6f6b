//! Pieces shared by the team, task-type and work-location repositories:
//! responsibles (participants with a portal role) and their audit rows, set
//! differences, and refused deletes.

use std::collections::BTreeSet;

use domain::master::danish_order;
use domain::staffing::StaffingRefusal;
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use uuid::Uuid;

use crate::entity::participants;
use crate::error::{Error, Result};
use crate::repo::audit::{self, Actor, AuditAction, AuditEntry};

/// Every participant as (id, "first last"), in Danish order: the choices
/// for team and work-location responsibles.
pub async fn participant_choices(conn: &impl ConnectionTrait) -> Result<Vec<(Uuid, String)>> {
    let rows: Vec<(Uuid, String, String)> = participants::Entity::find()
        .select_only()
        .column(participants::Column::Id)
        .column(participants::Column::FirstName)
        .column(participants::Column::LastName)
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("listing participants by name"))?;
    let mut choices: Vec<(Uuid, String)> =
        rows.into_iter().map(|(id, first, last)| (id, full_name(&first, &last))).collect();
    choices.sort_by(|a, b| danish_order(&a.1, &b.1));
    Ok(choices)
}

fn full_name(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_owned()
}

/// A refused delete; the web layer shows the message on the confirmation page.
pub(crate) fn refused(refusal: StaffingRefusal) -> Error {
    Error::conflict("delete", refusal.to_string())
}

/// One added or removed member of a set of ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Added(Uuid),
    Removed(Uuid),
}

/// What turns `current` into `wanted`.
pub(crate) fn diff(current: &BTreeSet<Uuid>, wanted: &BTreeSet<Uuid>) -> Vec<Change> {
    let added = wanted.difference(current).copied().map(Change::Added);
    let removed = current.difference(wanted).copied().map(Change::Removed);
    added.chain(removed).collect()
}

/// Where a kind of responsible is stored, and how the audit log names it.
pub(crate) struct Responsibles {
    /// The join table, also the audit row's table.
    pub table: &'static str,
    /// "Team" / "Arbejdssted".
    pub owner: &'static str,
    /// "teamansvarlig" / "arbejdsstedsansvarlig".
    pub role: &'static str,
}

impl Responsibles {
    /// Checks that the participant exists and writes the audit row for
    /// granting or withdrawing the role (a permission change: it opens or
    /// closes portal pages for that person).
    pub async fn audit(
        &self,
        conn: &impl ConnectionTrait,
        actor: &Actor,
        owner_id: Uuid,
        owner_name: &str,
        change: Change,
    ) -> Result<()> {
        let (participant, verb) = match change {
            Change::Added(id) => (id, "tilføjet"),
            Change::Removed(id) => (id, "fjernet"),
        };
        let name = participant_name(conn, participant).await?;
        let text = format!("{}: {owner_name} – {} {verb}: {name}", self.owner, self.role);
        let entry = AuditEntry::new(AuditAction::PermissionChange, self.table)
            .entity(owner_id)
            .participant(participant)
            .description(text);
        audit::record(conn, actor, entry).await?;
        Ok(())
    }
}

async fn participant_name(conn: &impl ConnectionTrait, id: Uuid) -> Result<String> {
    let row: Option<(String, String)> = participants::Entity::find_by_id(id)
        .select_only()
        .column(participants::Column::FirstName)
        .column(participants::Column::LastName)
        .into_tuple()
        .one(conn)
        .await
        .map_err(Error::db("reading a participant's name"))?;
    let (first, last) =
        row.ok_or_else(|| Error::conflict("responsibles", "En af de valgte deltagere findes ikke længere"))?;
    Ok(full_name(&first, &last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lists_additions_then_removals() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let changes = diff(&BTreeSet::from([a, b]), &BTreeSet::from([b, c]));
        assert_eq!(changes, vec![Change::Added(c), Change::Removed(a)]);
        assert!(diff(&BTreeSet::from([a]), &BTreeSet::from([a])).is_empty());
    }
}
