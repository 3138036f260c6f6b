//! The whole tenant schema of the first release. Written with the SeaQuery
//! schema builder only, so one definition yields native types on PostgreSQL
//! (uuid, timestamptz, bytea, jsonb) and their SQLite equivalents.
//!
//! Conventions: UUID primary keys named `id`; `created_at`/`updated_at` on
//! every table staff edit; unique indexes named `ux_<table>_<column>` so that
//! repositories can tell which field a constraint violation is about; foreign
//! keys named `fk_<table>_<column>`. Tables are created parents first because
//! PostgreSQL checks that a referenced table exists.

use sea_orm_migration::prelude::*;

mod helpers;
mod people;
mod records;
mod seats;
mod seed;
mod structure;

pub use seed::seeded;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let parts = [
            structure::files(),
            structure::catalogue(),
            people::participants(),
            people::users(),
            structure::work_locations(),
            structure::templates(),
            structure::elections(),
            seats::seats(),
            records::records(),
            people::sessions(),
        ];
        for part in parts {
            for table in part.tables {
                manager.create_table(table).await?;
            }
            for index in part.indexes {
                manager.create_index(index).await?;
            }
        }
        seed::seed(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in helpers::ALL_TABLES.iter().rev() {
            manager.drop_table(Table::drop().table(*table).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
