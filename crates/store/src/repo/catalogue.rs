//! Pieces shared by the simple catalogue repositories (election types, areas,
//! special diets): case-insensitive name checks, choice lists, audit rows and
//! refused deletes.

use domain::master::{DeleteRefusal, Name, danish_order, name_key};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect};
use uuid::Uuid;

use crate::error::{Error, Result, Unique, violates_foreign_key};
use crate::repo::audit::{self, Actor, AuditAction, AuditEntry};

/// Where a catalogue keeps its unique name and how a duplicate is reported.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Names {
    pub table: &'static str,
    /// The `…_key` column the unique index is on.
    pub key_column: &'static str,
    /// The form field a duplicate is shown next to.
    pub field: &'static str,
    /// The message when the database catches a duplicate the check missed
    /// (two people saving at once).
    pub taken: &'static str,
}

impl Names {
    pub const fn unique(self) -> Unique {
        Unique { table: self.table, column: self.key_column, field: self.field, message: self.taken }
    }

    /// Refuses `name` if a row other than `except` already has it, ignoring
    /// case and spacing. `what` reads "en valgtype med titlen".
    pub fn ensure_free(self, existing: &[(Uuid, String)], except: Option<Uuid>, name: &Name, what: &str) -> Result<()> {
        let key = name.key();
        if existing.iter().any(|(id, other)| Some(*id) != except && name_key(other) == key) {
            return Err(Error::conflict(self.field, format!("Der findes allerede {what} »{name}«. Vælg en anden.")));
        }
        Ok(())
    }
}

/// Every row as (id, name), in Danish order.
pub(crate) async fn choices<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    id: E::Column,
    name: E::Column,
) -> Result<Vec<(Uuid, String)>> {
    let mut rows: Vec<(Uuid, String)> = E::find()
        .select_only()
        .column(id)
        .column(name)
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("listing names"))?;
    rows.sort_by(|a, b| danish_order(&a.1, &b.1));
    Ok(rows)
}

/// One audit row about a change of a catalogue record.
pub(crate) async fn audit(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    action: AuditAction,
    table: &'static str,
    id: Uuid,
    description: String,
) -> Result<()> {
    audit::record(conn, actor, AuditEntry::new(action, table).entity(id).description(description)).await?;
    Ok(())
}

/// A refused delete; the web layer shows the message on the confirmation page.
pub(crate) fn refused(refusal: DeleteRefusal) -> Error {
    Error::conflict("delete", refusal.to_string())
}

/// For `map_err` on a delete: a foreign-key violation (the row got used
/// after the check) becomes `refusal`.
pub(crate) fn in_use(refusal: DeleteRefusal, context: &'static str) -> impl FnOnce(DbErr) -> Error {
    move |err| if violates_foreign_key(&err) { refused(refusal) } else { Error::db(context)(err) }
}
