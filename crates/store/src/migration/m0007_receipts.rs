//! Digital Post status receipts (issue 6): one row per Beskedfordeler
//! message, so a receipt delivered twice is recorded once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DigitalPostReceipts {
    Table,
    BeskedId,
    MessageUuid,
    Status,
    Detail,
    ReceivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DigitalPostReceipts::Table)
                    .col(text(DigitalPostReceipts::BeskedId).primary_key())
                    .col(uuid(DigitalPostReceipts::MessageUuid))
                    .col(text(DigitalPostReceipts::Status))
                    .col(text(DigitalPostReceipts::Detail))
                    .col(timestamp_with_time_zone(DigitalPostReceipts::ReceivedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DigitalPostReceipts::Table).to_owned()).await
    }
}
