//! The demo municipality's fictional data.

use sea_orm::DatabaseConnection;

/// Seeds the demo data unless the database already has some. Returns whether
/// it seeded.
pub async fn seed_if_empty(_db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(false)
}
