//! The CPR review list: accepted seats that new CPR data would take away
//! close to the task wait for a person's decision.

use domain::AdminRole;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use store::entity::seats;
use store::repo::cpr_review;

use crate::staffing_fixtures::{join_team, pairs, participant, post_ok, post_page, seat, staffed};
use crate::support::{TestApp, page};

/// A participant holding an accepted seat that CPR sync sent to review.
async fn reviewed_seat(app: &TestApp) -> anyhow::Result<(uuid::Uuid, uuid::Uuid)> {
    let of = staffed(app.db(), true).await?;
    let person = participant(app.db(), "Ulla").await?;
    join_team(app.db(), of.team, person).await?;
    let seat_id = seat(app.db(), &of).await?;
    seats::ActiveModel {
        id: Set(seat_id),
        state: Set("accepted".into()),
        participant_id: Set(Some(person)),
        ..Default::default()
    }
    .update(app.db())
    .await?;
    let failed = [domain::Rule::ResidentInMunicipality];
    assert!(cpr_review::open(app.db(), seat_id, person, &failed, chrono::Utc::now()).await?);
    let entry = cpr_review::list(app.db(), false).await?.remove(0);
    Ok((entry.id, seat_id))
}

store::store_tests! {
    async fn keep_needs_a_reason_and_remove_frees_the_seat(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (entry, seat_id) = reviewed_seat(&app).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let list = page(admin.get(app.url("/admin/cpr-review")).send().await?, 200).await?;
        assert!(list.contains("Ulla"), "{list}");

        // Keeping without a reason is refused; the entry stays open.
        let path = format!("/admin/cpr-review/{entry}/keep");
        post_ok(&admin, &app, &path, &pairs(&[("reason", " ")]), "/admin/cpr-review").await?;
        assert_eq!(cpr_review::list(app.db(), false).await?.len(), 1);

        // Removing frees the seat and closes the entry.
        let path = format!("/admin/cpr-review/{entry}/remove");
        post_ok(&admin, &app, &path, &pairs(&[("reason", "")]), "/admin/cpr-review").await?;
        assert!(cpr_review::list(app.db(), false).await?.is_empty());
        let seat = seats::Entity::find_by_id(seat_id).one(app.db()).await?.expect("seat");
        assert_eq!((seat.state.as_str(), seat.participant_id), ("available", None));
    }

    async fn readers_may_look_but_not_decide(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (entry, _) = reviewed_seat(&app).await?;
        let reader = app.sign_in(AdminRole::Reader).await?;
        page(reader.get(app.url("/admin/cpr-review")).send().await?, 200).await?;
        for action in ["keep", "remove"] {
            let path = format!("/admin/cpr-review/{entry}/{action}");
            post_page(&reader, &app, &path, &pairs(&[("reason", "fordi")]), 403).await?;
        }
        assert_eq!(cpr_review::list(app.db(), false).await?.len(), 1);
    }

    async fn administrators_set_the_review_window_next_to_the_list(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Administrator).await?;
        let list = page(admin.get(app.url("/admin/cpr-review")).send().await?, 200).await?;
        assert!(list.contains(r#"name="review_window_days" value="14""#), "{list}");
        let form = |days: &str| pairs(&[("review_window_days", days)]);
        let list = post_ok(&admin, &app, "/admin/cpr-review/settings", &form("21"), "/admin/cpr-review").await?;
        assert!(list.contains("højst 21 dage"), "{list}");
        assert_eq!(cpr_review::review_window(app.db()).await?.days(), 21);

        // Out of range: refused next to the field, what was typed kept, nothing stored.
        let refused = post_page(&admin, &app, "/admin/cpr-review/settings", &form("61"), 422).await?;
        assert!(refused.contains(r#"id="review_window_days-error">Skriv et helt antal dage fra 0 til 60<"#), "{refused}");
        assert!(refused.contains(r#"value="61""#));
        assert_eq!(cpr_review::review_window(app.db()).await?.days(), 21);

        // The secretariat decides reviews but does not set the window.
        let secretariat = app.sign_in(AdminRole::Secretariat).await?;
        let list = page(secretariat.get(app.url("/admin/cpr-review")).send().await?, 200).await?;
        assert!(!list.contains("review_window_days"));
        post_page(&secretariat, &app, "/admin/cpr-review/settings", &form("0"), 403).await?;
        assert_eq!(cpr_review::review_window(app.db()).await?.days(), 21);
    }
}
