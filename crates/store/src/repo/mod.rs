//! Repositories, one module per aggregate. Reads take any connection; writes
//! take [`Conn`] (a connection or an open transaction), run in a transaction of
//! their own (a savepoint when given a transaction) and write their audit row
//! in it, so a caller can compose several writes and jobs atomically.

use sea_orm::{ConnectionTrait, SqliteTransactionMode, TransactionOptions, TransactionTrait};

use crate::error::{Error, Result};

pub mod areas;
pub mod audit;
pub(crate) mod catalogue;
pub mod contact_information;
pub mod cpr_copy;
pub mod cpr_review;
pub mod diets;
pub mod election_types;
pub mod elections;
pub mod files;
pub mod group;
pub mod links;
pub mod messages;
pub mod participant_details;
pub mod participants;
pub mod portal;
pub mod receipts;
pub mod responsible;
pub mod saml_state;
pub mod seats;
pub mod sessions;
pub mod settings;
pub mod staffing;
pub mod task_types;
pub mod teams;
pub mod templates;
pub mod users;
pub mod web_pages;
pub mod work_locations;

pub use audit::{Actor, AuditAction, AuditEntry};

/// A database connection or an open transaction.
pub trait Conn: ConnectionTrait + TransactionTrait {}
impl<T: ConnectionTrait + TransactionTrait> Conn for T {}

/// Begins a write transaction. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes
/// later fails at once with "database is locked" when another writer got in
/// between, instead of waiting for the busy timeout.
pub async fn begin_write<C: Conn>(db: &C) -> Result<C::Transaction> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    db.begin_with_options(options).await.map_err(Error::db("starting a transaction"))
}

/// Which page of a list to fetch; `number` counts from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: u64,
    pub size: u64,
}

impl Page {
    pub const MAX_SIZE: u64 = 500;

    /// Clamps to sensible bounds, so query-string input can be passed as is.
    pub fn new(number: u64, size: u64) -> Self {
        Page { number: number.max(1), size: size.clamp(1, Self::MAX_SIZE) }
    }

    pub fn offset(self) -> u64 {
        (self.number.max(1) - 1) * self.size
    }
}

impl Default for Page {
    fn default() -> Self {
        Page::new(1, 50)
    }
}

/// One page of results and the total across all pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: Page,
}

impl<T> Paged<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.page.size.max(1)).max(1)
    }
}

/// `%text%` for LIKE, with the wildcards of `text` escaped (escape char `\`).
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
