//! The audit log: rows live and die with the transaction of the change, and
//! the viewer's filters and paging.

use chrono::{Duration, Utc};
use sea_orm::TransactionTrait;
use store::repo::audit::{self, AuditFilter};
use store::repo::{Actor, AuditAction, AuditEntry, Page};
use uuid::Uuid;

use crate::fixtures::staff;

store::store_tests! {
    async fn an_audit_row_commits_and_rolls_back_with_its_transaction(t: TestDb) {
        let tx = t.db.begin().await?;
        audit::record(&tx, &staff(), AuditEntry::new(AuditAction::View, "participants")).await?;
        tx.rollback().await?;
        assert_eq!(audit::list(&t.db, &AuditFilter::default(), Page::default()).await?.total, 0);
        let tx = t.db.begin().await?;
        audit::record(&tx, &staff(), AuditEntry::new(AuditAction::View, "participants")).await?;
        tx.commit().await?;
        assert_eq!(audit::list(&t.db, &AuditFilter::default(), Page::default()).await?.total, 1);
    }

    async fn rows_record_the_actor_and_the_subject(t: TestDb) {
        let person = Uuid::new_v4();
        let actor = Actor::user(Uuid::from_u128(9), "Nødbruger").with_fallback(true);
        let entry = AuditEntry::new(AuditAction::CprLookup, "participants")
            .entity(person)
            .participant(person)
            .description("CPR-opslag");
        let row = audit::record(&t.db, &actor, entry).await?;
        assert_eq!(row.actor_user_id, Some(Uuid::from_u128(9)));
        assert!(row.fallback);
        assert_eq!(row.entity_id, Some(person.to_string()));
        assert_eq!(AuditAction::parse(&row.action), Some(AuditAction::CprLookup));
        let system = audit::record(&t.db, &Actor::system(), AuditEntry::new(AuditAction::Delete, "sessions")).await?;
        assert_eq!((system.actor_user_id, system.actor_name.as_str(), system.fallback), (None, "System", false));
    }

    async fn the_viewer_filters_pages_and_shows_the_newest_first(t: TestDb) {
        let alice = Uuid::new_v4();
        for n in 0..5 {
            let entry = AuditEntry::new(AuditAction::View, "participants").participant(alice).description(format!("Visning {n}"));
            audit::record(&t.db, &staff(), entry).await?;
        }
        audit::record(&t.db, &Actor::system(), AuditEntry::new(AuditAction::Export, "lists").description("Deltagerliste 100%")).await?;
        let first = audit::list(&t.db, &AuditFilter::default(), Page::new(1, 4)).await?;
        assert_eq!((first.total, first.items.len(), first.pages()), (6, 4, 2));
        assert_eq!(first.items[0].action, "export", "newest first");
        let for_alice = AuditFilter { participant_id: Some(alice), ..Default::default() };
        assert_eq!(audit::list(&t.db, &for_alice, Page::default()).await?.total, 5);
        let exports = AuditFilter { action: Some(AuditAction::Export), ..Default::default() };
        assert_eq!(audit::list(&t.db, &exports, Page::default()).await?.total, 1);
        let by_name = AuditFilter { text: Some("sørensen".into()), ..Default::default() };
        assert_eq!(audit::list(&t.db, &by_name, Page::default()).await?.total, 5);
        let literal_percent = AuditFilter { text: Some("100%".into()), ..Default::default() };
        assert_eq!(audit::list(&t.db, &literal_percent, Page::default()).await?.total, 1);
        let by_table = AuditFilter { entity_table: Some("lists".into()), ..Default::default() };
        assert_eq!(audit::list(&t.db, &by_table, Page::default()).await?.total, 1);
        let future = AuditFilter { from: Some(Utc::now() + Duration::hours(1)), ..Default::default() };
        assert_eq!(audit::list(&t.db, &future, Page::default()).await?.total, 0);
        let by_staff = AuditFilter { actor_user_id: Some(Uuid::from_u128(1)), ..Default::default() };
        assert_eq!(audit::list(&t.db, &by_staff, Page::default()).await?.total, 5);
    }

    async fn retention_removes_old_rows_only(t: TestDb) {
        audit::record(&t.db, &staff(), AuditEntry::new(AuditAction::View, "participants")).await?;
        assert_eq!(audit::delete_older_than(&t.db, Utc::now() - Duration::days(180)).await?, 0);
        assert_eq!(audit::delete_older_than(&t.db, Utc::now() + Duration::seconds(1)).await?, 1);
    }
}
