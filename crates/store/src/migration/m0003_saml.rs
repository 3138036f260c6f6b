//! SAML sign-in state kept server-side (issue 3): the AuthnRequests (and
//! LogoutRequests) we sent and await an answer to, and the IDs of assertions
//! already accepted, so that each answers once. The per-tenant MitID fallback
//! switch lives in `settings` (key `fallback_login`), which needs no table.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SamlRequests {
    Table,
    Id,
    App,
    UserId,
    RelayTarget,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum SamlAssertions {
    Table,
    Id,
    KeepUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The request ID is the primary key: taking a request is one DELETE,
        // and a second response to the same request finds nothing.
        manager
            .create_table(
                Table::create()
                    .table(SamlRequests::Table)
                    .col(text(SamlRequests::Id).primary_key())
                    .col(text(SamlRequests::App))
                    // Who started it, where that matters (an admin linking their
                    // MitID): the response arrives without the session cookie.
                    .col(uuid_null(SamlRequests::UserId))
                    .col(text_null(SamlRequests::RelayTarget))
                    .col(timestamp_with_time_zone(SamlRequests::CreatedAt))
                    .col(timestamp_with_time_zone(SamlRequests::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_saml_requests_expires_at")
                    .table(SamlRequests::Table)
                    .col(SamlRequests::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        // The primary key is the replay check: a second insert of one
        // assertion ID fails atomically, also across processes.
        manager
            .create_table(
                Table::create()
                    .table(SamlAssertions::Table)
                    .col(text(SamlAssertions::Id).primary_key())
                    .col(timestamp_with_time_zone(SamlAssertions::KeepUntil))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_saml_assertions_keep_until")
                    .table(SamlAssertions::Table)
                    .col(SamlAssertions::KeepUntil)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SamlAssertions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(SamlRequests::Table).to_owned()).await
    }
}
