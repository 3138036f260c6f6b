//! Database access for one tenant: connection, migrations, entities and
//! repositories per aggregate. The same code runs on SQLite and PostgreSQL.

pub mod crypto;
pub mod db;
pub mod entity;
pub mod error;
pub mod migration;
pub mod outbox;
pub mod read_only_link;
pub mod repo;
pub mod tenants;

pub use db::{Backend, connect, connect_and_migrate, migrate};
pub use error::{Error, Result};
pub use sea_orm::DatabaseConnection;
#[cfg(feature = "testing")]
pub mod testing;
