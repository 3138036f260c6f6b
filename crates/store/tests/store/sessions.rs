//! Sessions: opaque tokens stored as hashes, expiry, idle timeout, rotation.

use chrono::{Duration, Utc};
use sea_orm::EntityTrait;
use store::entity::sessions as rows;
use store::repo::sessions::{self, NewSession, SessionApp, SessionToken};

fn admin_session(lifetime: Duration) -> NewSession {
    NewSession {
        app: SessionApp::Admin,
        user_id: None,
        participant_id: None,
        lifetime,
        data: serde_json::json!({"csrf": "x"}),
    }
}

const IDLE: Duration = Duration::minutes(60);

store::store_tests! {
    async fn only_a_hash_of_the_token_is_stored(t: TestDb) {
        let (token, row) = sessions::create(&t.db, admin_session(Duration::hours(8))).await?;
        assert_eq!(token.as_str().len(), 64);
        assert_ne!(row.id_hash, token.as_str());
        assert!(!format!("{token:?}").contains(token.as_str()));
        let stored = rows::Entity::find().all(&t.db).await?;
        assert!(stored.iter().all(|s| s.id_hash != token.as_str()));
        let (other, _) = sessions::create(&t.db, admin_session(Duration::hours(8))).await?;
        assert_ne!(token, other);
    }

    async fn a_valid_session_is_found_and_touched(t: TestDb) {
        let (token, created) = sessions::create(&t.db, admin_session(Duration::hours(8))).await?;
        let found = sessions::get_valid(&t.db, SessionApp::Admin, &token, IDLE).await?.expect("valid");
        assert_eq!(found.data["csrf"], "x");
        assert!(found.last_seen_at >= created.last_seen_at);
        let cookie = SessionToken::from_cookie(token.as_str());
        assert!(sessions::get_valid(&t.db, SessionApp::Admin, &cookie, IDLE).await?.is_some());
        assert!(sessions::get_valid(&t.db, SessionApp::Portal, &token, IDLE).await?.is_none(), "other app");
        let unknown = SessionToken::from_cookie("nonsense");
        assert!(sessions::get_valid(&t.db, SessionApp::Admin, &unknown, IDLE).await?.is_none());
        sessions::set_data(&t.db, &token, serde_json::json!({"csrf": "y"})).await?;
        let found = sessions::get_valid(&t.db, SessionApp::Admin, &token, IDLE).await?.unwrap();
        assert_eq!(found.data["csrf"], "y");
    }

    async fn last_seen_is_written_at_most_once_a_minute(t: TestDb) {
        let (token, created) = sessions::create(&t.db, admin_session(Duration::hours(8))).await?;
        let found = sessions::get_valid(&t.db, SessionApp::Admin, &token, IDLE).await?.expect("valid");
        assert_eq!(found.last_seen_at, created.last_seen_at, "seen just now: not written again");
        let earlier = Utc::now() - Duration::minutes(5);
        rows::Entity::update_many()
            .col_expr(rows::Column::LastSeenAt, sea_orm::sea_query::Expr::value(earlier))
            .exec(&t.db)
            .await?;
        let found = sessions::get_valid(&t.db, SessionApp::Admin, &token, IDLE).await?.expect("valid");
        assert!(found.last_seen_at > earlier + Duration::minutes(4), "seen five minutes ago: touched");
        let stored = rows::Entity::find().one(&t.db).await?.expect("row");
        assert_eq!(stored.last_seen_at, found.last_seen_at);
    }

    async fn expired_and_idle_sessions_are_refused(t: TestDb) {
        let (expired, _) = sessions::create(&t.db, admin_session(Duration::seconds(-1))).await?;
        assert!(sessions::get_valid(&t.db, SessionApp::Admin, &expired, IDLE).await?.is_none());
        let (idle, _) = sessions::create(&t.db, admin_session(Duration::hours(8))).await?;
        assert!(sessions::get_valid(&t.db, SessionApp::Admin, &idle, Duration::zero()).await?.is_none());
        assert!(sessions::get_valid(&t.db, SessionApp::Admin, &idle, IDLE).await?.is_some());
    }

    async fn expired_sessions_are_deleted(t: TestDb) {
        sessions::create(&t.db, admin_session(Duration::seconds(-1))).await?;
        let (live, _) = sessions::create(&t.db, admin_session(Duration::hours(8))).await?;
        assert_eq!(sessions::delete_expired(&t.db, Utc::now()).await?, 1);
        assert!(sessions::get_valid(&t.db, SessionApp::Admin, &live, IDLE).await?.is_some());
        assert_eq!(sessions::delete_expired(&t.db, Utc::now() + Duration::hours(9)).await?, 1);
        assert!(rows::Entity::find().all(&t.db).await?.is_empty());
    }

    async fn rotation_and_logout_end_the_old_token(t: TestDb) {
        let (old, _) = sessions::create(&t.db, admin_session(Duration::hours(8))).await?;
        let new = sessions::rotate(&t.db, &old).await?;
        assert!(sessions::get_valid(&t.db, SessionApp::Admin, &old, IDLE).await?.is_none());
        let rotated = sessions::get_valid(&t.db, SessionApp::Admin, &new, IDLE).await?.expect("new token works");
        assert_eq!(rotated.data["csrf"], "x");
        sessions::delete(&t.db, &new).await?;
        assert!(sessions::get_valid(&t.db, SessionApp::Admin, &new, IDLE).await?.is_none());
        assert!(sessions::rotate(&t.db, &new).await.unwrap_err().is_not_found());
    }

    async fn sessions_of_a_person_can_all_be_ended(t: TestDb) {
        let v = crate::fixtures::vault();
        let staff = crate::fixtures::staff();
        let p = store::repo::participants::create(&t.db, &v, &staff, crate::fixtures::new_participant("0101901234", "A", "B")).await?;
        let portal = NewSession { app: SessionApp::Portal, participant_id: Some(p.id), ..admin_session(Duration::hours(1)) };
        sessions::create(&t.db, portal.clone()).await?;
        sessions::create(&t.db, portal).await?;
        sessions::create(&t.db, admin_session(Duration::hours(1))).await?;
        assert_eq!(sessions::delete_all_of(&t.db, None, Some(p.id)).await?, 2);
        assert_eq!(sessions::delete_all_of(&t.db, None, None).await?, 0);
        assert_eq!(rows::Entity::find().all(&t.db).await?.len(), 1);
    }
}
