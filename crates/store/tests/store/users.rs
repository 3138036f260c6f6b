//! Admin users: creation, lookup by FK identity and by bound MitID, logins.

use chrono::Utc;
use domain::AdminRole;
use store::Error;
use store::repo::users::{self, NewUser};

use crate::fixtures::{audit_rows, cpr, staff, vault};

fn new_user(name: &str, fk: &str) -> NewUser {
    NewUser { name: name.into(), email: None, fk_uuid: Some(fk.into()), role: AdminRole::Secretariat }
}

store::store_tests! {
    async fn users_are_created_found_and_listed(t: TestDb) {
        let b = users::create(&t.db, &staff(), new_user("Bodil", "fk-2")).await?;
        let a = users::create(&t.db, &staff(), new_user("Anders", "fk-1")).await?;
        assert_eq!(b.role, "secretariat");
        assert_eq!(users::find_by_fk_uuid(&t.db, "fk-1").await?.map(|u| u.id), Some(a.id));
        assert!(users::find_by_fk_uuid(&t.db, "fk-3").await?.is_none());
        assert_eq!(users::get(&t.db, b.id).await?.name, "Bodil");
        let names: Vec<_> = users::list(&t.db).await?.into_iter().map(|u| u.name).collect();
        assert_eq!(names, ["Anders", "Bodil"]);
        assert!(matches!(
            users::create(&t.db, &staff(), new_user("Igen", "fk-1")).await,
            Err(Error::Conflict { field: "fk_uuid", .. })
        ));
        assert_eq!(audit_rows(&t.db, "users").await?.len(), 2);
        // Users without an FK identity do not collide with each other.
        for name in ["Demo 1", "Demo 2"] {
            users::create(&t.db, &staff(), NewUser { fk_uuid: None, ..new_user(name, "") }).await?;
        }
    }

    async fn a_login_remembers_the_granted_roles(t: TestDb) {
        let u = users::create(&t.db, &staff(), new_user("Anders", "fk-1")).await?;
        let at = Utc::now();
        let u = users::record_fk_login(&t.db, u.id, &[AdminRole::Administrator, AdminRole::Reader], at).await?;
        assert_eq!(users::last_fk_roles(&u), [AdminRole::Administrator, AdminRole::Reader]);
        assert_eq!(u.last_fk_login_at.map(|t| t.timestamp_micros()), Some(at.timestamp_micros()));
        let login = audit_rows(&t.db, "users").await?.pop().unwrap();
        assert_eq!((login.action.as_str(), login.actor_user_id), ("login", Some(u.id)));
    }

    async fn a_bound_mitid_finds_its_user_once(t: TestDb) {
        let v = vault();
        let a = users::create(&t.db, &staff(), new_user("Anders", "fk-1")).await?;
        let b = users::create(&t.db, &staff(), new_user("Bodil", "fk-2")).await?;
        users::bind_cpr(&t.db, &v, &staff(), a.id, &cpr("0101801234")).await?;
        let found = users::find_by_cpr(&t.db, &v, &cpr("010180-1234")).await?.expect("bound");
        assert_eq!(found.id, a.id);
        assert!(matches!(
            users::bind_cpr(&t.db, &v, &staff(), b.id, &cpr("0101801234")).await,
            Err(Error::Conflict { field: "cpr", .. })
        ));
    }
}
