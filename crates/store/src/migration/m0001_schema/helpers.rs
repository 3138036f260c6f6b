//! Small builders that keep the table definitions readable and the naming of
//! constraints uniform.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::timestamp_with_time_zone;

/// Every table of this migration, parents before children (the order `down`
/// reverses).
pub const ALL_TABLES: &[&str] = &[
    "files",
    "election_types",
    "areas",
    "task_types",
    "task_type_files",
    "teams",
    "special_diets",
    "participants",
    "team_members",
    "team_responsibles",
    "participant_diets",
    "users",
    "participant_comments",
    "work_locations",
    "work_location_task_types",
    "work_location_teams",
    "work_location_responsibles",
    "message_templates",
    "message_template_files",
    "elections",
    "election_work_locations",
    "election_message_templates",
    "election_task_type_message_templates",
    "seats",
    "rejected_seats",
    "links",
    "message_log",
    "audit_log",
    "web_pages",
    "contact_information",
    "settings",
    "sessions",
];

/// Tables and the indexes that belong to them, created together.
#[derive(Default)]
pub struct Part {
    pub tables: Vec<TableCreateStatement>,
    pub indexes: Vec<IndexCreateStatement>,
}

impl Part {
    pub fn table(mut self, table: &mut TableCreateStatement) -> Self {
        self.tables.push(table.take());
        self
    }

    pub fn unique(mut self, table: &'static str, columns: &[&'static str]) -> Self {
        self.indexes.push(index_on("ux", table, columns).unique().take());
        self
    }

    pub fn index(mut self, table: &'static str, columns: &[&'static str]) -> Self {
        self.indexes.push(index_on("ix", table, columns).take());
        self
    }
}

fn index_on(prefix: &str, table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("{prefix}_{table}_{}", columns.join("_"))).table(table);
    for column in columns {
        index.col(*column);
    }
    index.take()
}

pub fn table(name: &'static str) -> TableCreateStatement {
    Table::create().table(name).take()
}

/// `created_at` and `updated_at`, both required; repositories set them.
pub fn stamped(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table.col(timestamp_with_time_zone("created_at")).col(timestamp_with_time_zone("updated_at"))
}

/// A foreign key from `table.column` to `target.id`.
pub fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(on_delete)
        .take()
}

/// A composite primary key for join tables.
pub fn pk(columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    for column in columns {
        index.col(*column);
    }
    index.take()
}

// NO ACTION rather than RESTRICT: the effect is the same here, and SQLite
// reports RESTRICT with an error code that is not recognised as a foreign-key
// violation.
pub use ForeignKeyAction::{Cascade, NoAction as Refuse, SetNull};
