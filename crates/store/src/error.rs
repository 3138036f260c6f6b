//! The one error type of the store's repositories.

use sea_orm::{DbErr, SqlErr};

use crate::crypto::CryptoError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `what` names the missing thing in Danish, e.g. "Deltageren".
    #[error("{what} findes ikke")]
    NotFound { what: &'static str },
    /// A rule the data breaks, e.g. a duplicate name. `field` names the form
    /// field to show `message` (Danish) next to.
    #[error("{message}")]
    Conflict { field: &'static str, message: String },
    #[error("databasefejl ved {context}")]
    Db {
        context: &'static str,
        #[source]
        source: DbErr,
    },
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

impl Error {
    pub fn not_found(what: &'static str) -> Self {
        Error::NotFound { what }
    }

    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        Error::Conflict { field, message: message.into() }
    }

    /// For `map_err`: wraps a database error with what was being done.
    pub fn db(context: &'static str) -> impl FnOnce(DbErr) -> Error {
        move |source| Error::Db { context, source }
    }

    /// For `map_err`: turns a violation of one of the named unique indexes
    /// into a [`Conflict`](Error::Conflict), anything else into [`Db`](Error::Db).
    pub fn db_unique(context: &'static str, uniques: &'static [Unique]) -> impl FnOnce(DbErr) -> Error {
        move |source| match uniques.iter().find(|u| violates_unique(&source, u.table, u.column)) {
            Some(u) => Error::conflict(u.field, u.message),
            None => Error::Db { context, source },
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::Conflict { .. })
    }
}

/// A single-column unique index (named `ux_<table>_<column>` by the
/// migrations) and the Danish message for a duplicate.
#[derive(Debug, Clone, Copy)]
pub struct Unique {
    pub table: &'static str,
    pub column: &'static str,
    pub field: &'static str,
    pub message: &'static str,
}

/// Whether `err` is a violation of the unique index on `table.column`.
/// PostgreSQL names the index, SQLite names `table.column`.
pub fn violates_unique(err: &DbErr, table: &str, column: &str) -> bool {
    let Some(SqlErr::UniqueConstraintViolation(message)) = err.sql_err() else {
        return false;
    };
    let index = format!("\"ux_{table}_{column}\"");
    let sqlite = format!("{table}.{column}");
    message.contains(&index)
        || message
            .match_indices(&sqlite)
            .any(|(at, m)| matches!(message[at + m.len()..].chars().next(), None | Some(',' | ' ')))
}

/// Whether `err` is a foreign-key violation, e.g. deleting a row still used.
pub fn violates_foreign_key(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::ForeignKeyConstraintViolation(_)))
}
