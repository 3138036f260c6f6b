//! The MitID fallback for admins: linking a MitID while FK works, the switch
//! (Administrators only), a fallback sign-in with the last FK roles and
//! audit rows marked as fallback; refused when the roles are too old, the
//! MitID is linked to nobody, or the switch is off or expired.

use chrono::{Duration, Utc};
use domain::AdminRole;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use store::entity::{audit_log, users};
use store::repo::saml_state::{self, FallbackSwitch};

use crate::support::{SignIn, TestApp, cookie_named, location, page};

/// The CSRF token in a page.
fn csrf(html: &str) -> String {
    html.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).expect("csrf field").to_owned()
}

/// FK user `fk_user` signs in and links the MitID of citizen `mitid_user`.
async fn link_mitid(app: &TestApp, fk_user: &str, mitid_user: &str) -> anyhow::Result<SignIn> {
    let admin = app.fk_sign_in(fk_user).await?;
    let mine = page(admin.client.get(app.url("/admin/min-bruger")).send().await?, 200).await?;
    assert!(mine.contains("Ikke knyttet"), "{mine}");
    let to_idp = admin.client.post(app.url("/admin/min-bruger/mitid")).form(&[("csrf", csrf(&mine))]).send().await?;
    assert_eq!(to_idp.status(), 303);
    assert!(location(&to_idp).contains("/nemlogin/sso?"), "{}", location(&to_idp));
    let html = page(admin.client.get(format!("{}&user={mitid_user}", location(&to_idp))).send().await?, 200).await?;
    let (acs, fields) = crate::support::post_form(&html)?;
    assert_eq!(acs, app.url("/admin/saml/mitid/acs"));
    // The IdP's post carries no admin cookie (SameSite=Lax on a cross-site
    // post); the pending request knows who asked.
    let linked = app.anonymous().post(&acs).form(&fields).send().await?;
    assert_eq!(location(&linked), "/admin/min-bruger");
    let mine = page(admin.client.get(app.url("/admin/min-bruger")).send().await?, 200).await?;
    assert!(mine.contains("Knyttet"), "{mine}");
    Ok(admin)
}

async fn switch(app: &TestApp, on: bool, until: Option<chrono::DateTime<Utc>>) -> anyhow::Result<()> {
    saml_state::set_fallback_login(app.db(), &store::repo::Actor::system(), FallbackSwitch { on, until }).await?;
    Ok(())
}

async fn fallback_sign_in(app: &TestApp, mitid_user: &str) -> anyhow::Result<SignIn> {
    app.saml_sign_in(app.anonymous(), "/admin/saml/mitid/login", mitid_user).await
}

store::store_tests! {
    async fn a_linked_admin_gets_the_last_fk_roles_while_the_switch_is_on(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        link_mitid(&app, "sekretariat", "karen").await?;
        // Off: no MitID button, and the MitID start is refused.
        let login = page(app.anonymous().get(app.url("/admin/login")).send().await?, 200).await?;
        assert!(login.contains("Log ind med FK Adgangsstyring") && !login.contains("nødadgang)"), "{login}");
        let refused = app.anonymous().get(app.url("/admin/saml/mitid/login")).send().await?;
        assert_eq!(refused.status(), 403);

        switch(&app, true, None).await?;
        let login = page(app.anonymous().get(app.url("/admin/login")).send().await?, 200).await?;
        assert!(login.contains("Log ind med MitID (nødadgang)"), "{login}");
        let sign_in = fallback_sign_in(&app, "karen").await?;
        assert_eq!(location(&sign_in.response), "/admin");
        let home = page(sign_in.client.get(app.url("/admin")).send().await?, 200).await?;
        assert!(home.contains("Søren Sekretær") && home.contains("Valgsekretariat"), "{home}");
        assert!(home.contains("Nødadgang"), "the page says so: {home}");
        // Every action in the session is marked in the audit log.
        let form = [("csrf", csrf(&home)), ("name", "Nødområde".into()), ("description", String::new())];
        let created = sign_in.client.post(app.url("/admin/areas/new")).form(&form).send().await?;
        assert_eq!(created.status(), 303);
        let rows = audit_log::Entity::find().filter(audit_log::Column::ActorName.eq("Søren Sekretær")).all(app.db()).await?;
        let login_row = rows.iter().find(|r| r.description.starts_with("Nødlogin med MitID")).expect("fallback login audited");
        assert!(login_row.fallback);
        let area_row = rows.iter().find(|r| r.entity_table == "areas").expect("area audited");
        assert!(area_row.fallback, "actions in a fallback session are marked");
        let fk_login = rows.iter().find(|r| r.description.starts_with("Login via FK")).expect("FK login");
        assert!(!fk_login.fallback);
        // Secretariat may not switch the fallback; a fallback session may not link a MitID.
        let status = page(sign_in.client.get(app.url("/admin/status")).send().await?, 200).await?;
        assert!(status.contains("Nødadgang er slået til") && !status.contains("Slå nødadgang fra"), "{status}");
        let off = sign_in.client.post(app.url("/admin/status/fallback")).form(&[("csrf", csrf(&status)), ("action", "off".into())]).send().await?;
        assert_eq!(off.status(), 403);
        let link = sign_in.client.post(app.url("/admin/min-bruger/mitid")).form(&[("csrf", csrf(&status))]).send().await?;
        assert_eq!(link.status(), 403);
    }

    async fn roles_older_than_the_maximum_age_are_refused(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        link_mitid(&app, "admin", "karen").await?;
        switch(&app, true, None).await?;
        let user = users::Entity::find().filter(users::Column::Name.eq("Anna Administrator")).one(app.db()).await?.unwrap();
        let mut row: users::ActiveModel = user.into();
        row.last_fk_login_at = Set(Some(Utc::now() - Duration::days(31)));
        row.update(app.db()).await?;
        let sign_in = fallback_sign_in(&app, "karen").await?;
        assert!(cookie_named(&sign_in.response, "vh_admin").is_none());
        let body = page(sign_in.response, 403).await?;
        assert!(body.contains("for gamle"), "{body}");
    }

    async fn a_mitid_linked_to_nobody_or_a_switched_off_fallback_gives_no_access(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        link_mitid(&app, "admin", "karen").await?;
        switch(&app, true, None).await?;
        let stranger = fallback_sign_in(&app, "mads").await?;
        let body = page(stranger.response, 403).await?;
        assert!(body.contains("ikke knyttet til en bruger"), "{body}");
        // Switched off while the person is at NemLog-in: refused at the ACS.
        let client = app.anonymous();
        let to_idp = client.get(app.url("/admin/saml/mitid/login")).send().await?;
        switch(&app, false, None).await?;
        let html = page(client.get(format!("{}&user=karen", location(&to_idp))).send().await?, 200).await?;
        let (acs, fields) = crate::support::post_form(&html)?;
        let body = page(client.post(&acs).form(&fields).send().await?, 403).await?;
        assert!(body.contains("Nødadgang er slået fra"), "{body}");
        // Expired: the same.
        switch(&app, true, Some(Utc::now() - Duration::minutes(1))).await?;
        assert_eq!(app.anonymous().get(app.url("/admin/saml/mitid/login")).send().await?.status(), 403);
        let login = page(app.anonymous().get(app.url("/admin/login")).send().await?, 200).await?;
        assert!(!login.contains("nødadgang)"), "{login}");
    }

    async fn administrators_switch_the_fallback_on_and_off(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        let admin = app.sign_in(AdminRole::Administrator).await?;
        let status = page(admin.get(app.url("/admin/status")).send().await?, 200).await?;
        assert!(status.contains("Nødadgang er slået fra"), "{status}");
        let on = admin.post(app.url("/admin/status/fallback")).form(&[("action", "on"), ("hours", "4")]).send().await?;
        assert_eq!(location(&on), "/admin/status");
        let switch = saml_state::fallback_login(app.db()).await?;
        assert!(switch.active_at(Utc::now()) && switch.until.is_some());
        let status = page(admin.get(app.url("/admin/status")).send().await?, 200).await?;
        assert!(status.contains("Nødadgang er slået til") && status.contains("indtil"), "{status}");
        let bad = admin.post(app.url("/admin/status/fallback")).form(&[("action", "on"), ("hours", "1000")]).send().await?;
        assert_eq!(bad.status(), 400);
        admin.post(app.url("/admin/status/fallback")).form(&[("action", "off")]).send().await?;
        assert!(!saml_state::fallback_login(app.db()).await?.active_at(Utc::now()));
        let reader = app.sign_in(AdminRole::Reader).await?;
        let refused = reader.post(app.url("/admin/status/fallback")).form(&[("action", "on")]).send().await?;
        assert_eq!(refused.status(), 403);
    }
}
