//! The team screens: list and search, a form that keeps what was typed and
//! shows Danish messages at the field, responsibles, the delete rules, audit
//! rows, and readers refused on every change.

use domain::AdminRole;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use store::entity::{audit_log, team_responsibles, teams};
use uuid::Uuid;

use crate::staffing_fixtures::{
    audit_count, join_team, pairs, participant, post_ok, post_page, set_active, staffed, team,
};
use crate::support::{TestApp, page};

async fn team_id(app: &TestApp, name: &str) -> anyhow::Result<Uuid> {
    let row = teams::Entity::find().filter(teams::Column::Name.eq(name)).one(app.db()).await?;
    Ok(row.expect("team exists").id)
}

store::store_tests! {
    async fn team_is_created_listed_searched_and_audited(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let form = pairs(&[("name", "  Venstre "), ("short_name", "V"), ("description", "Partiet Venstre")]);
        let body = post_ok(&admin, &app, "/admin/teams/new", &form, "/admin/teams").await?;
        assert!(body.contains("Teamet »Venstre« er oprettet."), "{body}");
        assert!(body.contains("<th scope=\"row\">Venstre</th>"));
        post_ok(&admin, &app, "/admin/teams/new", &pairs(&[("name", "Enhedslisten"), ("short_name", "Ø")]), "/admin/teams")
            .await?;
        assert_eq!(audit_count(app.db(), "teams", "create").await?, 2);

        let body = page(admin.get(app.url("/admin/teams?q=enheds")).send().await?, 200).await?;
        assert!(body.contains("Enhedslisten") && !body.contains(">Venstre<"), "{body}");
        let body = page(admin.get(app.url("/admin/teams?q=ingenting")).send().await?, 200).await?;
        assert!(body.contains("Ingen teams passer til »ingenting«"));
    }

    async fn rejected_form_keeps_input_and_names_each_field(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let form = pairs(&[("name", "  "), ("short_name", ""), ("description", "Skal blive stående")]);
        let body = post_page(&admin, &app, "/admin/teams/new", &form, 422).await?;
        assert!(body.contains(r#"<p class="field-error" id="name-error">Udfyld navn</p>"#), "{body}");
        assert!(body.contains(r#"<p class="field-error" id="short_name-error">Udfyld kort navn</p>"#), "{body}");
        assert!(body.contains(r#"aria-describedby="name-error""#));
        assert!(body.contains(">Skal blive stående</textarea>"), "the description is kept");
        assert!(teams::Entity::find().one(app.db()).await?.is_none(), "nothing saved");

        team(app.db(), "Radikale Venstre").await?;
        let form = pairs(&[("name", "RADIKALE venstre"), ("short_name", "B")]);
        let body = post_page(&admin, &app, "/admin/teams/new", &form, 422).await?;
        assert!(body.contains("Der findes allerede et team med navnet »RADIKALE venstre«"), "{body}");
        assert!(body.contains(r#"value="RADIKALE venstre""#) && body.contains(r#"value="B""#));
    }

    async fn responsibles_are_chosen_from_participants_and_audited(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let alice = participant(app.db(), "Alice").await?;
        let bob = participant(app.db(), "Bob").await?;
        let id = team(app.db(), "Frivillige").await?;
        let edit = format!("/admin/teams/{id}/edit");
        let body = page(admin.get(app.url(&edit)).send().await?, 200).await?;
        assert!(body.contains(r#"<label for="responsibles">"#));
        assert!(body.contains(&format!(r#"<option value="{alice}">Alice Jensen</option>"#)), "{body}");

        let mut form = pairs(&[("name", "Frivillige"), ("short_name", "Fri")]);
        form.push(("responsibles", alice.to_string()));
        form.push(("responsibles", bob.to_string()));
        post_ok(&admin, &app, &edit, &form, "/admin/teams").await?;
        let chosen = team_responsibles::Entity::find().filter(team_responsibles::Column::TeamId.eq(id)).all(app.db()).await?;
        assert_eq!(chosen.len(), 2);
        assert_eq!(audit_count(app.db(), "team_responsibles", "permission_change").await?, 2);
        let body = page(admin.get(app.url(&edit)).send().await?, 200).await?;
        assert!(body.contains(&format!(r#"<option value="{bob}" selected>Bob Jensen</option>"#)), "{body}");
        let list = page(admin.get(app.url("/admin/teams")).send().await?, 200).await?;
        assert!(list.contains(r#"<td class="num">2</td>"#), "two responsibles listed");
    }

    async fn team_with_seats_in_an_active_election_is_not_deleted(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let of = staffed(app.db(), true).await?;
        let confirm = format!("/admin/teams/{}/delete", of.team);
        let body = page(admin.get(app.url(&confirm)).send().await?, 200).await?;
        assert!(body.contains("har opgaver i et aktivt valg"), "{body}");
        assert!(!body.contains(r#"<button type="submit" class="danger">"#), "no delete button");
        let body = post_page(&admin, &app, &confirm, &[], 409).await?;
        assert!(body.contains("har opgaver i et aktivt valg"));
        assert!(teams::Entity::find_by_id(of.team).one(app.db()).await?.is_some());

        set_active(app.db(), of.election, false).await?;
        let body = page(admin.get(app.url(&confirm)).send().await?, 200).await?;
        assert!(body.contains("Teamets ene opgave"), "{body}");
        let body = post_ok(&admin, &app, &confirm, &[], "/admin/teams").await?;
        assert!(body.contains("Teamet »Socialdemokratiet« er slettet."));
        assert_eq!(audit_count(app.db(), "teams", "delete").await?, 1);
    }

    async fn team_that_is_someones_only_team_is_not_deleted(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Administrator).await?;
        let alice = participant(app.db(), "Alice").await?;
        let only = team(app.db(), "Konservative").await?;
        join_team(app.db(), only, alice).await?;
        let confirm = format!("/admin/teams/{only}/delete");
        let body = post_page(&admin, &app, &confirm, &[], 409).await?;
        assert!(body.contains("1 deltager kun er med i dette team"), "{body}");

        let other = team(app.db(), "Frivillige").await?;
        join_team(app.db(), other, alice).await?;
        post_ok(&admin, &app, &confirm, &[], "/admin/teams").await?;
        assert!(teams::Entity::find_by_id(only).one(app.db()).await?.is_none());
    }

    async fn readers_see_the_list_but_change_nothing(t: TestDb) {
        let app = TestApp::start(t).await?;
        let reader = app.sign_in(AdminRole::Reader).await?;
        let id = team(app.db(), "Frivillige").await?;
        let body = page(reader.get(app.url("/admin/teams")).send().await?, 200).await?;
        assert!(body.contains("Frivillige") && !body.contains("Opret team"));
        let form = pairs(&[("name", "Nyt navn"), ("short_name", "N")]);
        for path in ["/admin/teams/new".to_owned(), format!("/admin/teams/{id}/edit"), format!("/admin/teams/{id}/delete")] {
            let response = reader.post(app.url(&path)).form(&form).send().await?;
            assert_eq!(response.status(), 403, "{path}");
        }
        assert_eq!(team_id(&app, "Frivillige").await?, id, "unchanged");
        assert_eq!(teams::Entity::find().all(app.db()).await?.len(), 1);
        let changes = audit_log::Entity::find().filter(audit_log::Column::EntityTable.eq("teams")).all(app.db()).await?;
        assert!(changes.is_empty());
    }
}
