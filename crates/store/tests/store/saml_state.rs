//! SAML state: pending requests answer once and only their own flow,
//! assertion IDs are accepted once, expired rows are swept, and the MitID
//! fallback switch with its end time.

use chrono::{Duration, Utc};
use store::repo::Actor;
use store::repo::audit::{self, AuditFilter};
use store::repo::saml_state::{self, FallbackSwitch, PendingRequest};
use store::repo::sessions::{self, NewSession, SessionApp};

fn pending(id: &str, app: &str, minutes: i64) -> PendingRequest {
    let now = Utc::now();
    PendingRequest {
        id: id.into(),
        app: app.into(),
        user_id: None,
        relay_target: Some("/admin/elections".into()),
        created_at: now,
        expires_at: now + Duration::minutes(minutes),
    }
}

store::store_tests! {
    async fn a_pending_request_is_taken_once_and_only_by_its_flow(t: TestDb) {
        saml_state::add_pending(&t.db, &pending("_a", "admin", 10)).await?;
        assert_eq!(saml_state::take_pending(&t.db, "_a", &["portal"]).await?, None, "another flow");
        let taken = saml_state::take_pending(&t.db, "_a", &["admin"]).await?.expect("taken");
        assert_eq!(taken.relay_target.as_deref(), Some("/admin/elections"));
        assert_eq!(saml_state::take_pending(&t.db, "_a", &["admin"]).await?, None, "second answer");
        assert_eq!(saml_state::take_pending(&t.db, "_unknown", &["admin"]).await?, None);
    }

    async fn an_assertion_id_is_accepted_once(t: TestDb) {
        let until = Utc::now() + Duration::minutes(5);
        assert!(saml_state::remember_assertion(&t.db, "_assert1", until).await?);
        assert!(!saml_state::remember_assertion(&t.db, "_assert1", until).await?, "replay");
        assert!(saml_state::remember_assertion(&t.db, "_assert2", until).await?);
    }

    async fn expired_state_is_swept(t: TestDb) {
        saml_state::add_pending(&t.db, &pending("_old", "admin", -1)).await?;
        saml_state::add_pending(&t.db, &pending("_new", "admin", 10)).await?;
        let now = Utc::now();
        saml_state::remember_assertion(&t.db, "_gone", now - Duration::seconds(1)).await?;
        saml_state::remember_assertion(&t.db, "_kept", now + Duration::minutes(5)).await?;
        assert_eq!(saml_state::delete_expired(&t.db, now).await?, 2);
        assert!(saml_state::take_pending(&t.db, "_new", &["admin"]).await?.is_some());
        assert!(!saml_state::remember_assertion(&t.db, "_kept", now).await?, "still remembered");
    }

    async fn the_fallback_switch_is_off_by_default_and_ends_by_itself(t: TestDb) {
        let now = Utc::now();
        assert!(!saml_state::fallback_login(&t.db).await?.active_at(now));
        let until = now + Duration::hours(2);
        let switch = FallbackSwitch { on: true, until: Some(until) };
        saml_state::set_fallback_login(&t.db, &Actor::system(), switch).await?;
        let stored = saml_state::fallback_login(&t.db).await?;
        assert!(stored.on && stored.active_at(now));
        assert!(!stored.active_at(until), "ends at `until`");
        saml_state::set_fallback_login(&t.db, &Actor::system(), FallbackSwitch::default()).await?;
        assert!(!saml_state::fallback_login(&t.db).await?.active_at(now));
        let rows = audit::list(&t.db, &AuditFilter::default(), Default::default()).await?;
        assert!(rows.items.iter().any(|r| r.description.contains("Nødlogin med MitID slået til indtil")));
        assert!(rows.items.iter().any(|r| r.description == "Nødlogin med MitID slået fra"));
    }

    async fn sessions_are_ended_by_their_saml_name_id(t: TestDb) {
        let new = |name_id: &str| NewSession {
            app: SessionApp::Admin,
            user_id: None,
            participant_id: None,
            lifetime: Duration::hours(1),
            data: serde_json::json!({ "name_id": name_id }),
        };
        let (a, _) = sessions::create(&t.db, new("alice")).await?;
        let (b, _) = sessions::create(&t.db, new("bob")).await?;
        assert_eq!(sessions::delete_by_data(&t.db, SessionApp::Portal, "name_id", "alice").await?, 0, "other app");
        assert_eq!(sessions::delete_by_data(&t.db, SessionApp::Admin, "name_id", "alice").await?, 1);
        let idle = Duration::minutes(60);
        assert!(sessions::get_valid(&t.db, SessionApp::Admin, &a, idle).await?.is_none());
        assert!(sessions::get_valid(&t.db, SessionApp::Admin, &b, idle).await?.is_some());
    }
}
