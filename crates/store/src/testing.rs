//! Test databases: a fresh SQLite file, or a fresh PostgreSQL database created
//! on the server named by `VALGHALLA_TEST_PG_URL` and dropped afterwards.
//!
//! Use [`store_tests!`](crate::store_tests) to run one async test body on both
//! backends. The PostgreSQL half is marked ignored (with the reason shown by
//! `cargo test`) unless the crate was built with `VALGHALLA_TEST_PG_URL` set;
//! a crate using the macro needs the three-line `build.rs` that sets `pg_tests`.

use anyhow::Context;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::db;

pub const PG_URL_VAR: &str = "VALGHALLA_TEST_PG_URL";

/// A migrated, empty database that cleans up after itself.
pub struct TestDb {
    pub db: DatabaseConnection,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { server_url: String, name: String },
}

impl TestDb {
    pub async fn sqlite() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("creating a temporary directory")?;
        let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
        let db = db::connect_and_migrate(&url).await?;
        Ok(TestDb { db, url, cleanup: Cleanup::Sqlite(dir) })
    }

    pub async fn postgres() -> anyhow::Result<Self> {
        let server_url = std::env::var(PG_URL_VAR).with_context(|| format!("{PG_URL_VAR} is not set"))?;
        let name = format!("valghalla_test_{}", uuid::Uuid::new_v4().simple());
        let admin = db::connect(&server_url).await?;
        admin
            .execute_raw(Statement::from_string(admin.get_database_backend(), format!("CREATE DATABASE \"{name}\"")))
            .await
            .context("creating the test database")?;
        admin.close().await.ok();
        let url = with_database(&server_url, &name);
        let db = db::connect_and_migrate(&url).await?;
        Ok(TestDb { db, url, cleanup: Cleanup::Postgres { server_url, name } })
    }
}

/// Replaces the database name (the URL path) of a PostgreSQL URL.
pub fn with_database(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server_url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[authority_end..].find('/').map(|i| i + authority_end).unwrap_or(base.len());
    let mut url = format!("{}/{}", &base[..path_start], name);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Cleanup::Postgres { server_url, name } = &self.cleanup else { return };
        let (server_url, name) = (server_url.clone(), name.clone());
        // Drop runs inside the test's runtime; a separate thread with its own
        // runtime may block on the DROP without stalling that runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let admin = db::connect(&server_url).await.ok()?;
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                admin.execute_raw(Statement::from_string(admin.get_database_backend(), sql)).await.ok()?;
                admin.close().await.ok()
            })
        })
        .join();
    }
}

/// Runs each listed async test body on SQLite and on PostgreSQL:
///
/// ```ignore
/// store::store_tests! {
///     async fn creates_an_area(t: TestDb) { ... }
/// }
/// ```
#[macro_export]
macro_rules! store_tests {
    ($(async fn $name:ident($t:ident : TestDb) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn body($t: $crate::testing::TestDb) -> anyhow::Result<()> {
                    $body
                    #[allow(unreachable_code)]
                    Ok(())
                }

                #[tokio::test]
                async fn sqlite() -> anyhow::Result<()> {
                    body($crate::testing::TestDb::sqlite().await?).await
                }

                #[tokio::test]
                #[cfg_attr(not(pg_tests), ignore = "PostgreSQL not tested: set VALGHALLA_TEST_PG_URL")]
                async fn postgres() -> anyhow::Result<()> {
                    body($crate::testing::TestDb::postgres().await?).await
                }
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://h/postgres?sslmode=disable", "x"), "postgres://h/x?sslmode=disable");
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
