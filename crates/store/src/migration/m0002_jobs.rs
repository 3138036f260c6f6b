//! The durable job queue (transactional outbox) and the record of which
//! scheduled periods have already been enqueued. See `crate::outbox`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    Payload,
    IdempotencyKey,
    State,
    Attempts,
    MaxAttempts,
    RunAt,
    LeaseOwner,
    LeaseExpiresAt,
    LastError,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum ScheduleRuns {
    Table,
    ScheduleName,
    PeriodKey,
    JobId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(jobs_table()).await?;
        // NULL keys never collide, so jobs without a key are unaffected.
        manager
            .create_index(
                Index::create()
                    .name("ux_jobs_idempotency_key")
                    .table(Jobs::Table)
                    .col(Jobs::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Claiming looks for due queued jobs and for running jobs whose lease ran out.
        manager.create_index(index("ix_jobs_state_run_at", Jobs::State, Jobs::RunAt)).await?;
        manager.create_index(index("ix_jobs_state_lease_expires_at", Jobs::State, Jobs::LeaseExpiresAt)).await?;
        manager.create_table(schedule_runs_table()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ScheduleRuns::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Jobs::Table).to_owned()).await
    }
}

fn jobs_table() -> TableCreateStatement {
    let states = ["queued", "running", "succeeded", "dead"];
    Table::create()
        .table(Jobs::Table)
        .col(pk_uuid(Jobs::Id))
        .col(text(Jobs::Kind))
        .col(json_binary(Jobs::Payload))
        .col(text_null(Jobs::IdempotencyKey))
        .col(text(Jobs::State).check(Expr::col(Jobs::State).is_in(states)))
        .col(integer(Jobs::Attempts).default(0))
        .col(integer(Jobs::MaxAttempts))
        .col(timestamp_with_time_zone(Jobs::RunAt))
        .col(text_null(Jobs::LeaseOwner))
        .col(timestamp_with_time_zone_null(Jobs::LeaseExpiresAt))
        .col(text_null(Jobs::LastError))
        .col(timestamp_with_time_zone(Jobs::CreatedAt))
        .col(timestamp_with_time_zone(Jobs::UpdatedAt))
        .col(timestamp_with_time_zone_null(Jobs::FinishedAt))
        .to_owned()
}

/// One row per (schedule, period) ever enqueued; the primary key is what stops
/// a second process or a restart from enqueueing the same period twice.
fn schedule_runs_table() -> TableCreateStatement {
    Table::create()
        .table(ScheduleRuns::Table)
        .col(text(ScheduleRuns::ScheduleName))
        .col(text(ScheduleRuns::PeriodKey))
        .col(uuid(ScheduleRuns::JobId))
        .col(timestamp_with_time_zone(ScheduleRuns::CreatedAt))
        .primary_key(Index::create().col(ScheduleRuns::ScheduleName).col(ScheduleRuns::PeriodKey))
        .to_owned()
}

fn index(name: &str, first: Jobs, second: Jobs) -> IndexCreateStatement {
    Index::create().name(name).table(Jobs::Table).col(first).col(second).to_owned()
}
