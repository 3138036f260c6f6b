//! Backend-neutral schema migrations (SeaQuery schema builder), applied in order.
//! Each migration is its own module; never edit one that has shipped, add a new one.

use sea_orm_migration::prelude::*;

mod m0001_schema;
mod m0002_jobs;
mod m0003_saml;
mod m0005_cpr_copy;
mod m0006_default_templates;
mod m0007_receipts;

/// Ids of rows every tenant database starts with.
pub use m0001_schema::seeded;
pub use m0006_default_templates::default_template_id;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_schema::Migration),
            Box::new(m0002_jobs::Migration),
            Box::new(m0003_saml::Migration),
            Box::new(m0005_cpr_copy::Migration),
            Box::new(m0006_default_templates::Migration),
            Box::new(m0007_receipts::Migration),
        ]
    }
}
