//! Public links: unguessable tokens, found while active, revoked by an admin.

use chrono::Utc;
use store::repo::links::{self, LinkTarget, SeatKind, TaskFilter};
use store::store_tests;

use crate::fixtures::{World, audit_rows, date, staff};

store_tests! {
    async fn links_are_found_by_token_until_revoked(t: TestDb) {
        let db = &t.db;
        let w = World::build(db).await?;
        let now = Utc::now();
        let kind = SeatKind { work_location: w.work_location, task_type: w.task_type, date: date(2026, 10, 27) };
        let task = LinkTarget::Task { team: w.team, election: w.election, kind };
        let link = links::create(db, &staff(), task, now).await?;
        assert_eq!(link.token.len(), 32, "128 bits in hex");
        assert!(link.token.chars().all(|c| c.is_ascii_hexdigit()));
        let found = links::find_active(db, &link.token).await?.expect("active");
        assert_eq!(found.target, task);
        assert!(found.is_active());
        assert!(links::find_active(db, "0123456789abcdef0123456789abcdef").await?.is_none());
        links::revoke(db, &staff(), link.id, now).await?;
        links::revoke(db, &staff(), link.id, now).await?;
        assert!(links::find_active(db, &link.token).await?.is_none());
        let listed = links::list(db, Some(w.election), None).await?;
        assert_eq!(listed.len(), 1);
        assert!(!listed[0].is_active());
        let audit = audit_rows(db, "links").await?;
        assert_eq!(audit.len(), 2, "created once, revoked once");
        assert!(links::revoke(db, &staff(), uuid::Uuid::new_v4(), now).await.unwrap_err().is_not_found());
    }

    async fn each_kind_keeps_its_target_and_lists_per_team(t: TestDb) {
        let db = &t.db;
        let w = World::build(db).await?;
        let now = Utc::now();
        let team = LinkTarget::Team { team: w.team, election: None };
        let filter = TaskFilter { task_type: Some(w.task_type), ..TaskFilter::default() };
        let filtered = LinkTarget::Filtered { election: w.election, team: None, filter };
        let a = links::create(db, &staff(), team, now).await?;
        let b = links::create(db, &staff(), filtered, now).await?;
        assert_ne!(a.token, b.token);
        assert_eq!(links::find_active(db, &a.token).await?.expect("team link").target, team);
        assert_eq!(links::find_active(db, &b.token).await?.expect("filtered link").target, filtered);
        let of_team = links::list(db, None, Some(w.team)).await?;
        assert_eq!(of_team.iter().map(|l| l.id).collect::<Vec<_>>(), vec![a.id]);
        assert_eq!(links::list(db, Some(w.election), None).await?.len(), 1);
    }
}
