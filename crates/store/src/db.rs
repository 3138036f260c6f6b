//! Opening a tenant database. The backend is chosen from the URL scheme; every
//! per-backend difference of connection setup lives here.

use std::time::Duration;

use anyhow::Context;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;

use crate::migration::Migrator;

/// The two supported database backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("databaseadressen er tom")]
    Empty,
    #[error("ukendt databasetype \"{0}\": brug sqlite:// eller postgres://")]
    UnknownScheme(String),
}

impl Backend {
    /// Picks the backend from the URL scheme.
    pub fn from_url(url: &str) -> Result<Self, UrlError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(UrlError::Empty);
        }
        let scheme = url.split(':').next().unwrap_or_default().to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(UrlError::UnknownScheme(scheme)),
        }
    }
}

/// Milliseconds a SQLite writer waits for the lock before giving up; the job
/// runner and the web handlers write to the same file.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects to the database at `url` (creating a missing SQLite file).
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let backend = Backend::from_url(url)?;
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false).connect_timeout(Duration::from_secs(10)).acquire_timeout(Duration::from_secs(30));
    match backend {
        Backend::Sqlite => {
            options.max_connections(8).map_sqlx_sqlite_opts(sqlite_options);
        }
        Backend::Postgres => {
            options.max_connections(16);
        }
    }
    Database::connect(options).await.with_context(|| format!("opening the {backend:?} database"))
}

fn sqlite_options(opts: SqliteConnectOptions) -> SqliteConnectOptions {
    opts.create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .foreign_keys(true)
}

/// Connects and brings the schema up to date.
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<DatabaseConnection> {
    let db = connect(url).await?;
    migrate(&db).await?;
    if backend_of(&db) == Backend::Sqlite {
        // A pooled SQLite connection that read the schema before a migration
        // changed it may prepare statements against that stale copy (seen as
        // "ON CONFLICT clause does not match any … UNIQUE constraint" for an
        // index created meanwhile). A fresh pool reads the final schema.
        db.close().await.context("closing the migration pool")?;
        return connect(url).await;
    }
    Ok(db)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("running database migrations")
}

/// The backend of an open connection.
pub fn backend_of(db: &DatabaseConnection) -> Backend {
    match db.get_database_backend() {
        DbBackend::Postgres => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_scheme() {
        assert_eq!(Backend::from_url("sqlite://data/x.db?mode=rwc"), Ok(Backend::Sqlite));
        assert_eq!(Backend::from_url("postgres://localhost/x"), Ok(Backend::Postgres));
        assert_eq!(Backend::from_url("postgresql://localhost/x"), Ok(Backend::Postgres));
        assert_eq!(Backend::from_url("mysql://localhost/x"), Err(UrlError::UnknownScheme("mysql".into())));
        assert_eq!(Backend::from_url("  "), Err(UrlError::Empty));
    }
}
