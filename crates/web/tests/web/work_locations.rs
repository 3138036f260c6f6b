//! The work-location screens: list and search, every validation rule with
//! its message at the field and the input kept, task types and teams locked
//! while an active election includes the location, the delete rule, audit
//! rows, and readers refused on every change.

use domain::AdminRole;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use store::entity::{work_location_responsibles, work_location_task_types, work_locations};
use uuid::Uuid;

use crate::staffing_fixtures::{
    area, audit_count, participant, post_ok, post_page, set_active, staffed, task_type, team,
};
use crate::support::{TestApp, page};

const LIST: &str = "/admin/work-locations";

/// A complete form for a new location in `area`.
fn fields(area: Uuid) -> Vec<(&'static str, String)> {
    vec![
        ("title", "Rådhuset".into()),
        ("area_id", area.to_string()),
        ("address", "Torvet 1".into()),
        ("postal_code", "4000".into()),
        ("city", "Korsbæk".into()),
        ("vote_location", "3".into()),
    ]
}

fn with(mut fields: Vec<(&'static str, String)>, name: &str, value: &str) -> Vec<(&'static str, String)> {
    for field in fields.iter_mut().filter(|(k, _)| *k == name) {
        field.1 = value.to_owned();
    }
    fields
}

async fn id_of(app: &TestApp, title: &str) -> anyhow::Result<Uuid> {
    let row = work_locations::Entity::find().filter(work_locations::Column::Title.eq(title)).one(app.db()).await?;
    Ok(row.expect("work location exists").id)
}

store::store_tests! {
    async fn work_location_is_created_with_task_types_teams_and_responsibles(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let nord = area(app.db(), "Nord").await?;
        let helper = task_type(app.db(), "Tilforordnet").await?;
        let party = team(app.db(), "Venstre").await?;
        let alice = participant(app.db(), "Alice").await?;
        let body = page(admin.get(app.url("/admin/work-locations/new")).send().await?, 200).await?;
        assert!(body.contains(&format!(r#"<option value="{nord}">Nord</option>"#)), "{body}");
        assert!(body.contains(&format!(r#"<label for="task_type-{helper}">Tilforordnet</label>"#)));
        assert!(body.contains(&format!(r#"<label for="team-{party}">Venstre</label>"#)));

        let mut form = fields(nord);
        form.push(("task_types", helper.to_string()));
        form.push(("teams", party.to_string()));
        form.push(("responsibles", alice.to_string()));
        let body = post_ok(&admin, &app, "/admin/work-locations/new", &form, LIST).await?;
        assert!(body.contains("Arbejdsstedet »Rådhuset« er oprettet."), "{body}");
        assert!(body.contains("Torvet 1, 4000 Korsbæk"));
        let id = id_of(&app, "Rådhuset").await?;
        let linked = work_location_task_types::Entity::find()
            .filter(work_location_task_types::Column::WorkLocationId.eq(id))
            .count(app.db())
            .await?;
        assert_eq!(linked, 1);
        assert_eq!(work_location_responsibles::Entity::find().count(app.db()).await?, 1);
        assert_eq!(audit_count(app.db(), "work_locations", "create").await?, 1);
        assert_eq!(audit_count(app.db(), "work_location_responsibles", "permission_change").await?, 1);

        let body = page(admin.get(app.url(&format!("/admin/work-locations/{id}/edit"))).send().await?, 200).await?;
        assert!(body.contains(&format!(r#"id="team-{party}" name="teams" value="{party}" checked"#)), "{body}");
        assert!(body.contains(&format!(r#"<option value="{nord}" selected>Nord</option>"#)));
        let body = page(admin.get(app.url("/admin/work-locations?q=nord")).send().await?, 200).await?;
        assert!(body.contains("Rådhuset"));
        let body = page(admin.get(app.url("/admin/work-locations?q=vest")).send().await?, 200).await?;
        assert!(body.contains("Ingen arbejdssteder passer til »vest«"));
    }

    async fn every_required_field_is_checked_and_input_kept(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let nord = area(app.db(), "Nord").await?;
        let party = team(app.db(), "Venstre").await?;
        let cases = [
            ("title", "", "Udfyld titel"),
            ("area_id", "", "Vælg et område"),
            ("address", "", "Udfyld adresse"),
            ("postal_code", "", "Udfyld postnummer"),
            ("postal_code", "40000", "Postnummeret skal være 4 cifre"),
            ("city", "", "Udfyld by"),
            ("vote_location", "syv", "Afstemningsområdets nummer skal være et helt tal"),
        ];
        for (field, value, message) in cases {
            let mut form = with(fields(nord), field, value);
            form.push(("teams", party.to_string()));
            let body = post_page(&admin, &app, "/admin/work-locations/new", &form, 422).await?;
            let expected = format!(r#"<p class="field-error" id="{field}-error">{message}</p>"#);
            assert!(body.contains(&expected), "{field}={value:?}: {body}");
            assert!(body.contains(&format!(r#"aria-describedby="{field}-error""#)) || field == "vote_location");
            if field != "city" {
                assert!(body.contains(r#"value="Korsbæk""#), "input kept");
            }
            assert!(body.contains(&format!(r#"name="teams" value="{party}" checked"#)), "ticked boxes kept");
        }
        assert_eq!(work_locations::Entity::find().count(app.db()).await?, 0, "nothing saved");

        let gone = with(fields(nord), "area_id", &Uuid::new_v4().to_string());
        let body = post_page(&admin, &app, "/admin/work-locations/new", &gone, 422).await?;
        assert!(body.contains(r#"id="area_id-error">Vælg et område</p>"#));

        post_ok(&admin, &app, "/admin/work-locations/new", &with(fields(nord), "vote_location", ""), LIST).await?;
        let row = work_locations::Entity::find().one(app.db()).await?.unwrap();
        assert_eq!(row.vote_location, None, "the number is optional");
        let body = post_page(&admin, &app, "/admin/work-locations/new", &with(fields(nord), "title", "RÅDHUSET"), 422).await?;
        assert!(body.contains("Der findes allerede et arbejdssted med titlen »RÅDHUSET«"), "{body}");
    }

    async fn task_types_and_teams_are_read_only_while_an_election_is_active(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let of = staffed(app.db(), true).await?;
        let other = task_type(app.db(), "Valgstyrer").await?;
        let edit = format!("/admin/work-locations/{}/edit", of.work_location);
        let body = page(admin.get(app.url(&edit)).send().await?, 200).await?;
        assert!(body.contains("Arbejdsstedet er med i et aktivt valg"), "{body}");
        assert!(!body.contains(r#"type="checkbox""#), "no boxes to tick");

        let area = work_locations::Entity::find_by_id(of.work_location).one(app.db()).await?.unwrap().area_id;
        let mut changed = with(fields(area), "title", "Korsbæk Skole");
        changed.push(("task_types", other.to_string()));
        let body = post_page(&admin, &app, &edit, &changed, 422).await?;
        assert!(body.contains(r#"id="task_types-error">Opgavetyper og teams kan ikke ændres"#), "{body}");
        assert!(body.contains(r#"value="Torvet 1""#), "input kept");
        let linked = work_location_task_types::Entity::find().count(app.db()).await?;
        assert_eq!(linked, 0, "refused by the server");

        // The other fields may still change.
        post_ok(&admin, &app, &edit, &with(fields(area), "title", "Korsbæk Skole"), LIST).await?;
        let row = work_locations::Entity::find_by_id(of.work_location).one(app.db()).await?.unwrap();
        assert_eq!(row.address, "Torvet 1");

        set_active(app.db(), of.election, false).await?;
        let body = page(admin.get(app.url(&edit)).send().await?, 200).await?;
        assert!(body.contains(r#"type="checkbox""#));
        post_ok(&admin, &app, &edit, &changed, LIST).await?;
        assert_eq!(work_location_task_types::Entity::find().count(app.db()).await?, 1);
    }

    async fn work_location_in_an_active_election_is_not_deleted(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let of = staffed(app.db(), true).await?;
        let confirm = format!("/admin/work-locations/{}/delete", of.work_location);
        let body = page(admin.get(app.url(&confirm)).send().await?, 200).await?;
        assert!(body.contains("Arbejdsstedet kan ikke slettes, fordi det er med i et aktivt valg."), "{body}");
        let body = post_page(&admin, &app, &confirm, &[], 409).await?;
        assert!(body.contains("med i et aktivt valg"));
        assert!(work_locations::Entity::find_by_id(of.work_location).one(app.db()).await?.is_some());

        set_active(app.db(), of.election, false).await?;
        let body = page(admin.get(app.url(&confirm)).send().await?, 200).await?;
        assert!(body.contains("Arbejdsstedets ene opgave"), "{body}");
        let body = post_ok(&admin, &app, &confirm, &[], LIST).await?;
        assert!(body.contains("Arbejdsstedet »Korsbæk Skole« er slettet."));
        assert_eq!(audit_count(app.db(), "work_locations", "delete").await?, 1);
    }

    async fn readers_see_the_list_but_change_nothing(t: TestDb) {
        let app = TestApp::start(t).await?;
        let reader = app.sign_in(AdminRole::Reader).await?;
        let of = staffed(app.db(), false).await?;
        let body = page(reader.get(app.url(LIST)).send().await?, 200).await?;
        assert!(body.contains("Korsbæk Skole") && !body.contains("Opret arbejdssted"));
        let area = work_locations::Entity::find_by_id(of.work_location).one(app.db()).await?.unwrap().area_id;
        let id = of.work_location;
        let paths = [format!("{LIST}/new"), format!("{LIST}/{id}/edit"), format!("{LIST}/{id}/delete")];
        for path in paths {
            let response = reader.post(app.url(&path)).form(&with(fields(area), "title", "Ændret")).send().await?;
            assert_eq!(response.status(), 403, "{path}");
        }
        assert_eq!(work_locations::Entity::find().count(app.db()).await?, 1);
        assert_eq!(work_locations::Entity::find_by_id(id).one(app.db()).await?.unwrap().title, "Korsbæk Skole");
        assert_eq!(audit_count(app.db(), "work_locations", "update").await?, 0);
    }
}
