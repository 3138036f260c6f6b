//! The election-type, area and special-diet screens: list and search, forms
//! that keep what was typed and show Danish messages at the field, delete
//! rules, audit rows, and readers refused on every change.

use chrono::{NaiveDate, Utc};
use domain::AdminRole;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use store::entity::{areas, audit_log, election_types, elections, special_diets, work_locations};
use store::migration::seeded::{FOLKETINGSVALG, KOMMUNALVALG};
use uuid::Uuid;

use crate::support::{TestApp, location, page};

async fn audit_rows(db: &impl ConnectionTrait, table: &str, action: &str) -> anyhow::Result<u64> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::EntityTable.eq(table))
        .filter(audit_log::Column::Action.eq(action))
        .count(db)
        .await?)
}

/// An election of `election_type`, straight into the table.
async fn election(db: &impl ConnectionTrait, election_type: Uuid, active: bool) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let day = NaiveDate::from_ymd_opt(2027, 6, 1).unwrap();
    let title = format!("Valg {}", Uuid::new_v4());
    let row = elections::ActiveModel {
        id: Set(Uuid::new_v4()),
        title_key: Set(title.to_lowercase()),
        title: Set(title),
        election_type_id: Set(election_type),
        election_date: Set(day),
        first_task_date: Set(day),
        last_task_date: Set(day),
        lock_days: Set(3),
        active: Set(active),
        channel_order: Set("digital_post,email,sms".into()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

async fn area_id(db: &impl ConnectionTrait, name: &str) -> anyhow::Result<Uuid> {
    let row = areas::Entity::find().filter(areas::Column::Name.eq(name)).one(db).await?;
    Ok(row.expect("area exists").id)
}

async fn work_location(db: &impl ConnectionTrait, area: Uuid) -> anyhow::Result<()> {
    let now = Utc::now();
    work_locations::ActiveModel {
        id: Set(Uuid::new_v4()),
        area_id: Set(area),
        title: Set("Korsbæk Skole".into()),
        title_key: Set("korsbæk skole".into()),
        address: Set("Skolevej 1".into()),
        postal_code: Set("4000".into()),
        city: Set("Korsbæk".into()),
        vote_location: Set(Some(1)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Posts `form` and expects a redirect to `list`; returns the flash page.
async fn post_ok(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    list: &str,
) -> anyhow::Result<String> {
    let response = client.post(app.url(path)).form(form).send().await?;
    anyhow::ensure!(response.status() == 303, "expected 303 from {path}, got {}", response.status());
    assert_eq!(location(&response), list);
    page(client.get(app.url(list)).send().await?, 200).await
}

/// Posts `form` and expects `status` (a rejected form: 422); returns the page.
async fn post_page(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    status: u16,
) -> anyhow::Result<String> {
    page(client.post(app.url(path)).form(form).send().await?, status).await
}

store::store_tests! {
    async fn election_types_list_and_search(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let body = page(admin.get(app.url("/admin/election-types")).send().await?, 200).await?;
        assert!(body.contains("<caption>Valgtyper (3)</caption>"), "{body}");
        assert!(body.contains("Folketingsvalg og folkeafstemning"));
        assert!(body.contains("Dansk statsborger"));
        assert!(body.contains(r#"<label for="q">"#));
        let body = page(admin.get(app.url("/admin/election-types?q=KOMMUNAL")).send().await?, 200).await?;
        assert!(body.contains("Kommunal- og regionsrådsvalg"));
        assert!(!body.contains("Folketingsvalg og folkeafstemning"));
        let body = page(admin.get(app.url("/admin/election-types?q=ingenting")).send().await?, 200).await?;
        assert!(body.contains("Ingen valgtyper passer til »ingenting«"));
    }

    async fn election_type_form_says_alive_always_applies(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let body = page(admin.get(app.url("/admin/election-types/new")).send().await?, 200).await?;
        assert!(body.contains("Reglen »I live« gælder altid"));
        assert!(body.contains(r#"id="rule-alive" checked disabled"#));
        for key in ["age18", "resident_in_municipality", "danish_citizen", "not_under_guardianship"] {
            assert!(body.contains(&format!(r#"<label class="checkbox" for="rule-{key}">"#)), "{key}");
        }
    }

    async fn election_type_is_created_edited_and_audited(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let form = [("title", " Menighedsrådsvalg "), ("age18", "on"), ("danish_citizen", "on")];
        let body = post_ok(&admin, &app, "/admin/election-types/new", &form, "/admin/election-types").await?;
        assert!(body.contains("Valgtypen »Menighedsrådsvalg« er oprettet."));
        let row = election_types::Entity::find()
            .filter(election_types::Column::Title.eq("Menighedsrådsvalg"))
            .one(app.db())
            .await?
            .expect("saved");
        assert!(row.rule_age18 && row.rule_danish_citizen);
        assert!(!row.rule_resident_in_municipality && !row.rule_not_under_guardianship);
        assert_eq!(audit_rows(app.db(), "election_types", "create").await?, 1);

        let edit = format!("/admin/election-types/{}/edit", row.id);
        let body = page(admin.get(app.url(&edit)).send().await?, 200).await?;
        assert!(body.contains(r#"value="Menighedsrådsvalg""#));
        assert!(body.contains(r#"name="age18" checked"#));
        assert!(!body.contains(r#"name="resident_in_municipality" checked"#));
        let body = post_ok(&admin, &app, &edit, &[("title", "Menighedsrådsvalg 2027")], "/admin/election-types").await?;
        assert!(body.contains("Valgtypen »Menighedsrådsvalg 2027« er gemt."));
        let row = election_types::Entity::find_by_id(row.id).one(app.db()).await?.unwrap();
        assert_eq!(row.title, "Menighedsrådsvalg 2027");
        assert!(!row.rule_age18, "an unticked rule is switched off");
        assert_eq!(audit_rows(app.db(), "election_types", "update").await?, 1);
    }

    async fn election_type_needs_a_title(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let form = [("title", "   "), ("danish_citizen", "on")];
        let body = post_page(&admin, &app, "/admin/election-types/new", &form, 422).await?;
        assert!(body.contains(r#"<p class="field-error" id="title-error">Udfyld titel</p>"#), "{body}");
        assert!(body.contains(r#"aria-describedby="title-error""#));
        assert!(body.contains(r#"name="danish_citizen" checked"#), "the ticked rule is kept");
        let edit = format!("/admin/election-types/{KOMMUNALVALG}/edit");
        let body = post_page(&admin, &app, &edit, &[("title", "")], 422).await?;
        assert!(body.contains("Udfyld titel"));
        let audited = audit_log::Entity::find().filter(audit_log::Column::EntityTable.eq("election_types"));
        assert_eq!(audited.count(app.db()).await?, 0);
    }

    async fn election_type_title_must_be_unique_ignoring_case(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let typed = "folketingsvalg OG folkeafstemning";
        let form = [("title", typed), ("age18", "on")];
        let body = post_page(&admin, &app, "/admin/election-types/new", &form, 422).await?;
        let message = "Der findes allerede en valgtype med titlen »folketingsvalg OG folkeafstemning«";
        assert!(body.contains(&format!(r#"id="title-error">{message}"#)), "{body}");
        assert!(body.contains(&format!(r#"value="{typed}""#)), "the typed title is kept");
        assert!(body.contains(r#"name="age18" checked"#));
        let edit = format!("/admin/election-types/{KOMMUNALVALG}/edit");
        let body = post_page(&admin, &app, &edit, &[("title", "EUROPA-PARLAMENTSVALG")], 422).await?;
        assert!(body.contains("Der findes allerede en valgtype"));
        assert_eq!(election_types::Entity::find().count(app.db()).await?, 3);
    }

    async fn election_type_in_use_cannot_be_deleted(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        election(app.db(), FOLKETINGSVALG, false).await?;
        let path = format!("/admin/election-types/{FOLKETINGSVALG}/delete");
        let body = page(admin.get(app.url(&path)).send().await?, 200).await?;
        assert!(body.contains("Valgtypen kan ikke slettes, fordi den bruges af 1 valg."), "{body}");
        assert!(!body.contains("<button type=\"submit\" class=\"danger\">"));
        let body = page(admin.post(app.url(&path)).send().await?, 409).await?;
        assert!(body.contains("bruges af 1 valg"));
        assert!(election_types::Entity::find_by_id(FOLKETINGSVALG).one(app.db()).await?.is_some());
        assert_eq!(audit_rows(app.db(), "election_types", "delete").await?, 0);

        let path = format!("/admin/election-types/{KOMMUNALVALG}/delete");
        let body = page(admin.get(app.url(&path)).send().await?, 200).await?;
        assert!(body.contains("Slet valgtype</button>"));
        let body = post_ok(&admin, &app, &path, &[], "/admin/election-types").await?;
        assert!(body.contains("Valgtypen »Kommunal- og regionsrådsvalg« er slettet."));
        assert!(election_types::Entity::find_by_id(KOMMUNALVALG).one(app.db()).await?.is_none());
        assert_eq!(audit_rows(app.db(), "election_types", "delete").await?, 1);
    }

    async fn area_is_created_edited_searched_and_audited(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let form = [("name", "Østerbro"), ("description", "Bydelen mod øst")];
        let body = post_ok(&admin, &app, "/admin/areas/new", &form, "/admin/areas").await?;
        assert!(body.contains("Området »Østerbro« er oprettet."));
        assert!(body.contains("Bydelen mod øst"));
        post_ok(&admin, &app, "/admin/areas/new", &[("name", "Vest"), ("description", "")], "/admin/areas").await?;
        assert_eq!(audit_rows(app.db(), "areas", "create").await?, 2);
        let body = page(admin.get(app.url("/admin/areas?q=mod+%C3%B8st")).send().await?, 200).await?;
        assert!(body.contains("Østerbro") && !body.contains(">Vest<"), "{body}");

        let id = area_id(app.db(), "Østerbro").await?;
        let edit = format!("/admin/areas/{id}/edit");
        let body = page(admin.get(app.url(&edit)).send().await?, 200).await?;
        assert!(body.contains(">Bydelen mod øst</textarea>"));
        post_ok(&admin, &app, &edit, &[("name", "Østerbro Nord"), ("description", "")], "/admin/areas").await?;
        let row = areas::Entity::find_by_id(id).one(app.db()).await?.unwrap();
        assert_eq!((row.name.as_str(), row.description.as_str()), ("Østerbro Nord", ""));
        assert_eq!(audit_rows(app.db(), "areas", "update").await?, 1);
    }

    async fn area_needs_a_unique_name(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let form = [("name", ""), ("description", "Noget tekst")];
        let body = post_page(&admin, &app, "/admin/areas/new", &form, 422).await?;
        assert!(body.contains(r#"<p class="field-error" id="name-error">Udfyld navn</p>"#), "{body}");
        assert!(body.contains(">Noget tekst</textarea>"), "the description is kept");
        post_ok(&admin, &app, "/admin/areas/new", &[("name", "Øst")], "/admin/areas").await?;
        post_ok(&admin, &app, "/admin/areas/new", &[("name", "Vest")], "/admin/areas").await?;
        let form = [("name", "ØST"), ("description", "Dublet")];
        let body = post_page(&admin, &app, "/admin/areas/new", &form, 422).await?;
        assert!(body.contains(r#"id="name-error">Der findes allerede et område med navnet »ØST«"#), "{body}");
        assert!(body.contains(r#"value="ØST""#) && body.contains(">Dublet</textarea>"));
        let west = area_id(app.db(), "Vest").await?;
        let body = post_page(&admin, &app, &format!("/admin/areas/{west}/edit"), &[("name", "øst")], 422).await?;
        assert!(body.contains("Der findes allerede et område"));
        assert_eq!(areas::Entity::find().count(app.db()).await?, 2);
        assert_eq!(audit_rows(app.db(), "areas", "update").await?, 0);
    }

    async fn area_with_work_locations_or_last_cannot_be_deleted(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        post_ok(&admin, &app, "/admin/areas/new", &[("name", "Nord")], "/admin/areas").await?;
        post_ok(&admin, &app, "/admin/areas/new", &[("name", "Syd")], "/admin/areas").await?;
        post_ok(&admin, &app, "/admin/areas/new", &[("name", "Vest")], "/admin/areas").await?;
        let north = area_id(app.db(), "Nord").await?;
        work_location(app.db(), north).await?;
        let path = format!("/admin/areas/{north}/delete");
        let body = page(admin.get(app.url(&path)).send().await?, 200).await?;
        assert!(body.contains("Området kan ikke slettes, fordi det har 1 arbejdssted."), "{body}");
        let body = page(admin.post(app.url(&path)).send().await?, 409).await?;
        assert!(body.contains("har 1 arbejdssted"));

        let south = area_id(app.db(), "Syd").await?;
        let body = post_ok(&admin, &app, &format!("/admin/areas/{south}/delete"), &[], "/admin/areas").await?;
        assert!(body.contains("Området »Syd« er slettet."));
        assert_eq!(audit_rows(app.db(), "areas", "delete").await?, 1);
        // Without its work location, Nord could go, but then Vest would be the
        // last; delete Nord's work location, then Nord, and Vest stays.
        work_locations::Entity::delete_many().exec(app.db()).await?;
        post_ok(&admin, &app, &path, &[], "/admin/areas").await?;
        let west = area_id(app.db(), "Vest").await?;
        let path = format!("/admin/areas/{west}/delete");
        let body = page(admin.get(app.url(&path)).send().await?, 200).await?;
        assert!(body.contains("det eneste område"), "{body}");
        page(admin.post(app.url(&path)).send().await?, 409).await?;
        assert_eq!(areas::Entity::find().count(app.db()).await?, 1);
        assert_eq!(audit_rows(app.db(), "areas", "delete").await?, 2);
    }

    async fn diet_is_created_edited_and_deleted_with_audit(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let body = post_ok(&admin, &app, "/admin/diets/new", &[("title", "Vegansk")], "/admin/diets").await?;
        assert!(body.contains("Specialkosten »Vegansk« er oprettet."));
        let id = special_diets::Entity::find().one(app.db()).await?.expect("saved").id;
        let edit = format!("/admin/diets/{id}/edit");
        assert!(page(admin.get(app.url(&edit)).send().await?, 200).await?.contains(r#"value="Vegansk""#));
        post_ok(&admin, &app, &edit, &[("title", "Vegansk kost")], "/admin/diets").await?;
        let body = page(admin.get(app.url("/admin/diets?q=KOST")).send().await?, 200).await?;
        assert!(body.contains("Vegansk kost"));
        let path = format!("/admin/diets/{id}/delete");
        let body = page(admin.get(app.url(&path)).send().await?, 200).await?;
        assert!(!body.contains("Advarsel"), "no election is active");
        let body = post_ok(&admin, &app, &path, &[], "/admin/diets").await?;
        assert!(body.contains("Specialkosten »Vegansk kost« er slettet."));
        assert_eq!(special_diets::Entity::find().count(app.db()).await?, 0);
        for action in ["create", "update", "delete"] {
            assert_eq!(audit_rows(app.db(), "special_diets", action).await?, 1, "{action}");
        }
    }

    async fn diet_needs_a_unique_title(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let body = post_page(&admin, &app, "/admin/diets/new", &[("title", " ")], 422).await?;
        assert!(body.contains(r#"<p class="field-error" id="title-error">Udfyld titel</p>"#), "{body}");
        post_ok(&admin, &app, "/admin/diets/new", &[("title", "Glutenfri")], "/admin/diets").await?;
        post_ok(&admin, &app, "/admin/diets/new", &[("title", "Halal")], "/admin/diets").await?;
        let body = post_page(&admin, &app, "/admin/diets/new", &[("title", "GLUTENFRI")], 422).await?;
        let message = "Der findes allerede en specialkost med titlen »GLUTENFRI«";
        assert!(body.contains(&format!(r#"id="title-error">{message}"#)), "{body}");
        assert!(body.contains(r#"value="GLUTENFRI""#));
        let halal = special_diets::Entity::find().filter(special_diets::Column::Title.eq("Halal"));
        let halal = halal.one(app.db()).await?.expect("saved");
        let edit = format!("/admin/diets/{}/edit", halal.id);
        let body = post_page(&admin, &app, &edit, &[("title", "glutenfri")], 422).await?;
        assert!(body.contains("Der findes allerede en specialkost"));
        assert_eq!(special_diets::Entity::find().count(app.db()).await?, 2);
    }

    async fn deleting_a_diet_during_an_active_election_warns(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        post_ok(&admin, &app, "/admin/diets/new", &[("title", "Glutenfri")], "/admin/diets").await?;
        let id = special_diets::Entity::find().one(app.db()).await?.unwrap().id;
        election(app.db(), FOLKETINGSVALG, true).await?;
        let path = format!("/admin/diets/{id}/delete");
        let body = page(admin.get(app.url(&path)).send().await?, 200).await?;
        assert!(body.contains("<strong>Advarsel:</strong> Der er et aktivt valg i gang."), "{body}");
        assert!(body.contains("Slet specialkost</button>"), "a warning, not a refusal");
        post_ok(&admin, &app, &path, &[], "/admin/diets").await?;
        assert_eq!(special_diets::Entity::find().count(app.db()).await?, 0);
    }

    async fn readers_see_lists_but_may_change_nothing(t: TestDb) {
        let app = TestApp::start(t).await?;
        let secretariat = app.sign_in(AdminRole::Secretariat).await?;
        post_ok(&secretariat, &app, "/admin/areas/new", &[("name", "Nord")], "/admin/areas").await?;
        post_ok(&secretariat, &app, "/admin/areas/new", &[("name", "Syd")], "/admin/areas").await?;
        post_ok(&secretariat, &app, "/admin/diets/new", &[("title", "Halal")], "/admin/diets").await?;
        let area = area_id(app.db(), "Nord").await?;
        let diet = special_diets::Entity::find().one(app.db()).await?.unwrap().id;
        let reader = app.sign_in(AdminRole::Reader).await?;
        let before = audit_log::Entity::find().count(app.db()).await?;
        for list in ["/admin/election-types", "/admin/areas", "/admin/diets"] {
            let body = page(reader.get(app.url(list)).send().await?, 200).await?;
            assert!(!body.contains("/new\""), "{list} offers no create button to a reader");
            assert!(!body.contains("/delete\""), "{list} offers no delete link to a reader");
        }
        let posts = [
            ("/admin/election-types/new".to_owned(), vec![("title", "Nyt valg")]),
            (format!("/admin/election-types/{KOMMUNALVALG}/edit"), vec![("title", "Omdøbt")]),
            (format!("/admin/election-types/{KOMMUNALVALG}/delete"), vec![]),
            ("/admin/areas/new".to_owned(), vec![("name", "Øst")]),
            (format!("/admin/areas/{area}/edit"), vec![("name", "Omdøbt")]),
            (format!("/admin/areas/{area}/delete"), vec![]),
            ("/admin/diets/new".to_owned(), vec![("title", "Kosher")]),
            (format!("/admin/diets/{diet}/edit"), vec![("title", "Omdøbt")]),
            (format!("/admin/diets/{diet}/delete"), vec![]),
        ];
        for (path, form) in &posts {
            let response = reader.post(app.url(path)).form(form).send().await?;
            assert_eq!(response.status(), 403, "POST {path}");
            // The form and confirmation pages behind each POST are refused too.
            assert_eq!(reader.get(app.url(path)).send().await?.status(), 403, "GET {path}");
        }
        assert_eq!(audit_log::Entity::find().count(app.db()).await?, before, "nothing was changed");
        assert!(election_types::Entity::find_by_id(KOMMUNALVALG).one(app.db()).await?.is_some());
        assert_eq!(areas::Entity::find().count(app.db()).await?, 2);
    }

    async fn unknown_ids_get_404(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let id = Uuid::new_v4();
        for path in [
            format!("/admin/election-types/{id}/edit"),
            format!("/admin/election-types/{id}/delete"),
            format!("/admin/areas/{id}/edit"),
            format!("/admin/areas/{id}/delete"),
            format!("/admin/diets/{id}/edit"),
            format!("/admin/diets/{id}/delete"),
        ] {
            assert_eq!(admin.get(app.url(&path)).send().await?.status(), 404, "GET {path}");
            let response = admin.post(app.url(&path)).form(&[("title", "X"), ("name", "X")]).send().await?;
            assert_eq!(response.status(), 404, "POST {path}");
        }
    }
}
