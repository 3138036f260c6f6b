//! The local CPR copy (issue 4): the last known record of every person we
//! have seen in CPR, the extract files already imported, and the review list
//! of accepted seats that new CPR data would take away close to the task.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CprCopy {
    Table,
    CprHash,
    CprEncrypted,
    Record,
    AsOf,
    Source,
    SourceFileId,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CprImports {
    Table,
    Id,
    Checksum,
    Name,
    ProducedOn,
    ImportedAt,
    Persons,
    Skipped,
    Updated,
    Unchanged,
}

#[derive(DeriveIden)]
enum CprReview {
    Table,
    Id,
    SeatId,
    ParticipantId,
    Reasons,
    CreatedAt,
    ResolvedAt,
    Resolution,
    ResolutionReason,
    ResolvedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Keyed by the keyed hash of the CPR number (crypto::CprVault::hash),
        // so a lookup never needs the plain number; the number itself is
        // kept only encrypted, and the record JSON holds no CPR number.
        manager
            .create_table(
                Table::create()
                    .table(CprCopy::Table)
                    .col(text(CprCopy::CprHash).primary_key())
                    .col(blob(CprCopy::CprEncrypted))
                    .col(json_binary(CprCopy::Record))
                    .col(timestamp_with_time_zone(CprCopy::AsOf))
                    .col(text(CprCopy::Source))
                    .col(uuid_null(CprCopy::SourceFileId))
                    .col(timestamp_with_time_zone(CprCopy::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // The checksum is what makes a second import of one file a no-op.
        manager
            .create_table(
                Table::create()
                    .table(CprImports::Table)
                    .col(pk_uuid(CprImports::Id))
                    .col(text(CprImports::Checksum).unique_key())
                    .col(text(CprImports::Name))
                    .col(date_null(CprImports::ProducedOn))
                    .col(timestamp_with_time_zone(CprImports::ImportedAt))
                    .col(integer(CprImports::Persons))
                    .col(integer(CprImports::Skipped))
                    .col(integer(CprImports::Updated))
                    .col(integer(CprImports::Unchanged))
                    .to_owned(),
            )
            .await?;
        // Seat and participant are plain ids, not foreign keys: a review row
        // is history and must outlive a deleted seat or participant.
        manager
            .create_table(
                Table::create()
                    .table(CprReview::Table)
                    .col(pk_uuid(CprReview::Id))
                    .col(uuid(CprReview::SeatId))
                    .col(uuid(CprReview::ParticipantId))
                    .col(text(CprReview::Reasons))
                    .col(timestamp_with_time_zone(CprReview::CreatedAt))
                    .col(timestamp_with_time_zone_null(CprReview::ResolvedAt))
                    .col(text_null(CprReview::Resolution))
                    .col(text_null(CprReview::ResolutionReason))
                    .col(text_null(CprReview::ResolvedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_cpr_review_seat_id").table(CprReview::Table).col(CprReview::SeatId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CprReview::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(CprImports::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(CprCopy::Table).to_owned()).await
    }
}
